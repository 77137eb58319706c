package export

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Where the file cannot be opened to read the device (a system or file
// system without O_DIRECT), the read-back reads through the cache, and
// still catches a byte changed after writing.
func TestReadBackWithoutDirectIO(t *testing.T) {
	openDevice = func(string) (*os.File, []byte, func(), error) { return nil, nil, nil, errors.ErrUnsupported }
	defer func() { openDevice = openDirect }()
	dir := t.TempDir()
	v := bigVault(t)
	if _, err := WriteFile(ctx, v, filepath.Join(dir, "good.age"), Options{}); err != nil {
		t.Fatalf("a sound bundle: %v", err)
	}
	afterWrite = func(f *os.File) {
		b := make([]byte, 1)
		fi, _ := f.Stat()
		f.ReadAt(b, fi.Size()/2)
		b[0] ^= 0x40
		f.WriteAt(b, fi.Size()/2)
	}
	defer func() { afterWrite = nil }()
	if _, err := WriteFile(ctx, v, filepath.Join(dir, "bad.age"), Options{}); !errors.Is(err, ErrNotKept) {
		t.Fatalf("got %v, want ErrNotKept", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.age")); !os.IsNotExist(err) {
		t.Fatal("the damaged bundle was kept")
	}
}
