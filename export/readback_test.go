package export

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/store"
)

// bigVault is fullVault with an item of 1 MiB: its bundle spans many of
// age's 64 KiB chunks, so that damage past the first one is found only by
// reading the file back (the check that the vault's keys open the bundle
// decrypts the first chunk alone).
func bigVault(t *testing.T) *store.Vault {
	v, _, _ := fullVault(t)
	c, err := v.List(ctx, store.Query{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 1<<20)
	rand.Read(big)
	if _, err := v.Attach(ctx, c[0].ID, bytes.NewReader(big), store.AttachOptions{Name: "big.bin"}); err != nil {
		t.Fatal(err)
	}
	return v
}

// A byte of the written file that the disk changed (flipped here after
// the file was written and synced, before it is read back) stops the
// bundle: nothing under the final name, no temporary file left, and the
// vault records no export and no backup.
func TestReadBackCatchesAFlippedByte(t *testing.T) {
	for _, where := range []string{"start", "middle", "end"} {
		t.Run(where, func(t *testing.T) {
			v := bigVault(t)
			before := dump(t, v)
			dir := t.TempDir()
			path := filepath.Join(dir, "backup.age")
			afterWrite = func(f *os.File) {
				fi, err := f.Stat()
				if err != nil {
					t.Fatal(err)
				}
				at := map[string]int64{"start": 3, "middle": fi.Size() / 2, "end": fi.Size() - 1}[where]
				b := make([]byte, 1)
				if _, err := f.ReadAt(b, at); err != nil {
					t.Fatal(err)
				}
				b[0] ^= 0x01
				if _, err := f.WriteAt(b, at); err != nil {
					t.Fatal(err)
				}
			}
			defer func() { afterWrite = nil }()
			_, err := WriteFile(ctx, v, path, Options{})
			if !errors.Is(err, ErrNotKept) {
				t.Fatalf("got %v, want ErrNotKept", err)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 0 {
				t.Fatalf("left behind: %v", left)
			}
			if !bytes.Equal(dump(t, v), before) {
				t.Fatal("a bundle not kept changed the vault (export recorded?)")
			}
			if _, err := WriteFile(ctx, v, path, Options{Kind: KindIncremental}); err == nil || !strings.Contains(err.Error(), "no full backup") {
				t.Fatalf("the bundle not kept was recorded as the last backup: %v", err)
			}
		})
	}
}

// A file cut short after writing is caught by its length.
func TestReadBackCatchesATruncation(t *testing.T) {
	v := bigVault(t)
	dir := t.TempDir()
	afterWrite = func(f *os.File) {
		fi, _ := f.Stat()
		if err := f.Truncate(fi.Size() - 100); err != nil {
			t.Fatal(err)
		}
	}
	defer func() { afterWrite = nil }()
	if _, err := WriteFile(ctx, v, filepath.Join(dir, "b.age"), Options{}); !errors.Is(err, ErrNotKept) || !strings.Contains(err.Error(), "bytes") {
		t.Fatalf("got %v, want ErrNotKept naming the length", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// opens, the check that the vault's own keys open what was written, and
// that its first entry is the header the manifest lists.
func TestOpensChecksKeysAndHeader(t *testing.T) {
	v, _, _ := fullVault(t)
	var b bytes.Buffer
	m, err := Write(ctx, v, &b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	own, err := ownIdentities(v, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := opens(bytes.NewReader(b.Bytes()), own, m); err != nil {
		t.Fatalf("the vault's own bundle: %v", err)
	}
	other, _, err := store.Create(filepath.Join(t.TempDir(), "o"), "pp", store.CreateOptions{OrgName: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	theirs, _ := ownIdentities(other, Options{})
	if err := opens(bytes.NewReader(b.Bytes()), theirs, m); err == nil {
		t.Fatal("opened with another vault's keys")
	}
	forged := *m
	forged.Entries = append([]ManifestEntry{{Name: entryHeader, Size: m.Entries[0].Size, SHA256: strings.Repeat("0", 64)}}, m.Entries[1:]...)
	if err := opens(bytes.NewReader(b.Bytes()), own, &forged); err == nil {
		t.Fatal("a header other than the manifest's passed")
	}
	pass, err := ownIdentities(v, Options{Passphrase: "a bundle passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	pm, err := Write(ctx, v, &pb, Options{Passphrase: "a bundle passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	if err := opens(bytes.NewReader(pb.Bytes()), pass, pm); err != nil {
		t.Fatalf("a passphrase bundle: %v", err)
	}
	if err := opens(bytes.NewReader(pb.Bytes()), own, pm); err == nil {
		t.Fatal("a passphrase bundle opened with keys")
	}
}
