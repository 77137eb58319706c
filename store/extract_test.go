package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ExtractTo: a new file, verified and owner-only; an existing one kept
// unless overwrite; on a failure (a corrupt item) nothing under the name
// and no temporary file left.
func TestExtractTo(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	body := strings.Repeat("evidence bytes ", 1000)
	e, err := v.Attach(ctx, id, strings.NewReader(body), AttachOptions{Name: "a.txt"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	if _, err := v.ExtractTo(ctx, e.ID, false, out, "test", false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != body {
		t.Fatal("wrong content")
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
	os.WriteFile(out, []byte("keep me"), 0o644)
	if _, err := v.ExtractTo(ctx, e.ID, false, out, "test", false); !errors.Is(err, ErrFileExists) {
		t.Fatalf("over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Fatal("an existing file was replaced without overwrite")
	}
	if _, err := v.ExtractTo(ctx, e.ID, false, out, "test", true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != body {
		t.Fatal("not replaced with overwrite")
	}
	// A corrupt item: the existing file stays, nothing else appears.
	flipStored(t, v, e.ID, 3)
	if _, err := v.ExtractTo(ctx, e.ID, false, out, "test", true); !errors.Is(err, ErrEvidenceCorrupt) {
		t.Fatalf("corrupt: %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != body {
		t.Fatal("a failed extraction touched the file")
	}
	if _, err := v.ExtractTo(ctx, e.ID, false, filepath.Join(dir, "new.txt"), "test", false); !errors.Is(err, ErrEvidenceCorrupt) {
		t.Fatalf("corrupt: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left behind: %v", ents)
	}
}

// What an extract killed midway left (a Dossier temporary file, unlocked)
// is removed by the next ExtractTo into that folder and by Open in the
// vault's folder; a person's file with a close name stays.
func TestExtractLeftoversRemoved(t *testing.T) {
	v, _, vdir := testVault(t)
	id := addOne(t, v)
	e, err := v.Attach(ctx, id, strings.NewReader("evidence"), AttachOptions{Name: "a.txt"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	leftover := filepath.Join(dir, ".dossier-tmp-0123456789abcdef")
	mine := filepath.Join(dir, ".dossier-tmp-mine")
	os.WriteFile(leftover, []byte("plaintext"), 0o600)
	os.WriteFile(mine, []byte("a person's file"), 0o600)
	if _, err := v.ExtractTo(ctx, e.ID, false, filepath.Join(dir, "out.txt"), "test", false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(leftover); !os.IsNotExist(err) {
		t.Errorf("ExtractTo left the leftover: %v", err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "a person's file" {
		t.Errorf("a person's file: %q", b)
	}
	v.Close()

	leftover = filepath.Join(vdir, ".dossier-tmp-fedcba9876543210")
	os.WriteFile(leftover, []byte("plaintext"), 0o600)
	v, err = Open(vdir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if _, err := os.Lstat(leftover); !os.IsNotExist(err) {
		t.Errorf("Open left the leftover in the vault folder: %v", err)
	}
}
