package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var errInjected = errors.New("injected failure")

// onlyFile checks that dir holds exactly the file name with content want:
// no temporary file is left beside it.
func onlyFile(t *testing.T, dir, name, want string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != name {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("folder holds %q, want only %q", names, name)
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Fatalf("%s holds %q, want %q", name, b, want)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for _, s := range []string{"one", "two"} {
		if err := WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		onlyFile(t, dir, "f", s)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode())
	}
}

// A write that fails midway (here, the sync of the new content) leaves
// the old file as it was and no temporary file.
func TestWriteFileFailsMidway(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	syncFile = func(*os.File) error { return errInjected }
	defer func() { syncFile = (*os.File).Sync }()
	if err := WriteFile(p, []byte("new"), 0o600); !errors.Is(err, errInjected) {
		t.Fatalf("got %v, want the sync failure", err)
	}
	onlyFile(t, dir, "f", "old")
}

// A streamed write abandoned midway leaves the old file and no temporary.
func TestAbort(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("half of the n")
	// store tells an interrupted key file write by this name.
	if !strings.HasPrefix(filepath.Base(f.Name()), ".f.tmp-") {
		t.Fatalf("temporary file %s: want .f.tmp-*", f.Name())
	}
	f.Abort()
	f.Abort()
	onlyFile(t, dir, "f", "old")
	if err := f.Commit(); err == nil {
		t.Fatal("Commit after Abort succeeded")
	}
	onlyFile(t, dir, "f", "old")
}

// The folder's sync error is returned, not ignored: without it the rename
// may not survive a crash.
func TestSyncDirErrorReturned(t *testing.T) {
	dir := t.TempDir()
	syncDir = func(*os.File) error { return errInjected }
	defer func() { syncDir = func(d *os.File) error { return d.Sync() } }()
	if err := WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o600); !errors.Is(err, errInjected) {
		t.Fatalf("got %v, want the folder sync failure", err)
	}
}

// CommitNew places a new file, never replaces one, and leaves no
// temporary file either way.
func TestCommitNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	f, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("first")
	if err := f.CommitNew(); err != nil {
		t.Fatal(err)
	}
	onlyFile(t, dir, "f", "first")
	f, err = Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("second")
	if err := f.CommitNew(); !errors.Is(err, os.ErrExist) {
		t.Fatalf("CommitNew over a file: %v, want os.ErrExist", err)
	}
	onlyFile(t, dir, "f", "first")
	f.Abort() // after CommitNew: nothing to do
	onlyFile(t, dir, "f", "first")
}
