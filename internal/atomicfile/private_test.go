package atomicfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestIsPrivateTempName(t *testing.T) {
	for name, want := range map[string]bool{
		".dossier-tmp-0123456789abcdef": true,
		".dossier-tmp-ffffffffffffffff": true,
		// A person's files, however close.
		".dossier-tmp-0123456789ABCDEF":      false,
		".dossier-tmp-0123456789abcde":       false,
		".dossier-tmp-0123456789abcdef0":     false,
		".dossier-tmp-0123456789abcdef.jpg":  false,
		".dossier-tmp-notes.txt":             false,
		".dossier-tmp-":                      false,
		"dossier-tmp-0123456789abcdef":       false,
		"x.dossier-tmp-0123456789abcdef":     false,
		".dossier-tmp-0123456789abcdeg":      false,
		".photo.jpg.tmp-123456789":           false, // Create's names: not plaintext-only
		".dossier-tmp-012345678\u00e9abcdef": false,
		"report.pdf":                         false,
	} {
		if got := IsPrivateTempName(name); got != want {
			t.Errorf("IsPrivateTempName(%q) = %v, want %v", name, got, want)
		}
	}
}

// A CreatePrivate file's name says nothing of its target, and Commit and
// CommitNew leave only the target.
func TestCreatePrivateName(t *testing.T) {
	for _, commitNew := range []bool{false, true} {
		dir := t.TempDir()
		target := filepath.Join(dir, "witness-statement.jpg")
		f, err := CreatePrivate(target, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f.Name())
		if !IsPrivateTempName(base) || strings.Contains(base, "witness") {
			t.Fatalf("temporary file %q", base)
		}
		f.WriteString("content")
		if commitNew {
			err = f.CommitNew()
		} else {
			err = f.Commit()
		}
		if err != nil {
			t.Fatal(err)
		}
		onlyFile(t, dir, "witness-statement.jpg", "content")
	}
}

// stalePrivate makes a file as a killed CreatePrivate leaves it: the
// name, the content, no lock.
func stalePrivate(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// RemoveStale removes a leftover, overwriting its bytes first, and
// touches nothing else: not a person's files (whatever their names), not a
// link (nor its target), not a folder, not another user's file, not the
// file of a writer still at work.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	own := map[string]string{
		"report.pdf":                        "a person's file",
		".dossier-tmp-notes.txt":            "a person's file",
		".dossier-tmp-0123456789ABCDEF":     "a person's file",
		".dossier-tmp-0123456789abcdef.jpg": "a person's file",
		".photo.jpg.tmp-123456789":          "a person's file",
	}
	for name, content := range own {
		stalePrivate(t, dir, name, content)
	}
	stale := stalePrivate(t, dir, ".dossier-tmp-00000000000000aa", "PLAINTEXT EVIDENCE")
	// Held open the way a reader that was there before would: it sees
	// what was left on the file's blocks after the removal.
	held, err := os.Open(stale)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()

	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(dir, "report.pdf"), filepath.Join(dir, ".dossier-tmp-00000000000000bb")); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".dossier-tmp-00000000000000cc"), 0o700); err != nil {
		t.Fatal(err)
	}
	others := ""
	if os.Getuid() == 0 {
		others = stalePrivate(t, dir, ".dossier-tmp-00000000000000dd", "another user's")
		if err := os.Chown(others, 12345, 12345); err != nil {
			t.Fatal(err)
		}
	}
	live, err := CreatePrivate(filepath.Join(dir, "out.jpg"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	live.WriteString("being written")

	n, err := RemoveStale(dir)
	if err != nil || n != 1 {
		t.Fatalf("RemoveStale = %d, %v; want 1 removed", n, err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("the leftover is still there: %v", err)
	}
	b, err := io.ReadAll(held)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, make([]byte, len("PLAINTEXT EVIDENCE"))) {
		t.Errorf("the leftover's bytes were not overwritten: %q", b)
	}
	for name, content := range own {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != content {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
	if runtime.GOOS != "windows" {
		if _, err := os.Lstat(filepath.Join(dir, ".dossier-tmp-00000000000000bb")); err != nil {
			t.Errorf("the link was removed: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".dossier-tmp-00000000000000cc")); err != nil {
		t.Errorf("the folder was removed: %v", err)
	}
	if others != "" {
		if b, err := os.ReadFile(others); err != nil || string(b) != "another user's" {
			t.Errorf("another user's file: %q, %v", b, err)
		}
	}
	if err := live.Commit(); err != nil {
		t.Fatalf("the running writer lost its file: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "out.jpg")); err != nil || string(b) != "being written" {
		t.Errorf("out.jpg: %q, %v", b, err)
	}
	if n, err := RemoveStale(filepath.Join(dir, "missing")); n != 0 || err != nil {
		t.Errorf("a missing folder: %d, %v", n, err)
	}
}

// Abort of a CreatePrivate file overwrites what was written before it
// removes the file.
func TestAbortPrivateShreds(t *testing.T) {
	dir := t.TempDir()
	f, err := CreatePrivate(filepath.Join(dir, "out"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("PLAINTEXT")
	held, err := os.Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	f.Abort()
	b, _ := io.ReadAll(held)
	if !bytes.Equal(b, make([]byte, len("PLAINTEXT"))) {
		t.Errorf("abandoned bytes not overwritten: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %v", ents)
	}
}

// An error placing a CreatePrivate file does not name the target: its
// name can be an evidence file's.
func TestPrivateErrorsDoNotNameTarget(t *testing.T) {
	syncFile = func(*os.File) error { return errInjected }
	defer func() { syncFile = (*os.File).Sync }()
	dir := t.TempDir()
	for _, commitNew := range []bool{false, true} {
		f, err := CreatePrivate(filepath.Join(dir, "SECRETMARKER.jpg"), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if commitNew {
			err = f.CommitNew()
		} else {
			err = f.Commit()
		}
		if err == nil || strings.Contains(err.Error(), "SECRETMARKER") {
			t.Errorf("commit error %v", err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left %v", ents)
	}
}
