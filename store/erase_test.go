package store

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
)

// crashImage copies the files of an open vault, write-ahead log included,
// as a laptop switched off (or a process killed) leaves them, into a new
// folder, and hard-links each copy from a folder beside it: the links show
// what Erase wrote into the files after it removed their names.
func crashImage(t *testing.T, dir string) (img, links string) {
	t.Helper()
	img, links = filepath.Join(t.TempDir(), "vault"), t.TempDir()
	if err := os.Mkdir(img, 0o700); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			return os.Mkdir(filepath.Join(img, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(img, rel), b, 0o600); err != nil {
			return err
		}
		// One flat folder of links: evidence/ab/abcd… links as evidence_ab_abcd….
		return os.Link(filepath.Join(img, rel), filepath.Join(links, strings.ReplaceAll(rel, string(filepath.Separator), "_")))
	})
	if err != nil {
		t.Fatal(err)
	}
	return img, links
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
		return nil
	})
	return out
}

func setEraseStop(t *testing.T, step int) {
	eraseStop = step
	t.Cleanup(func() { eraseStop = 0 })
}

// After the first step nothing on this computer unwraps the data key; after
// the second, SQLCipher refuses the database even with the data key, and no
// copy of its salt is left in the folder; the third leaves no folder.
func TestEraseStepByStep(t *testing.T) {
	v, rk, dir := testVault(t)
	var many strings.Builder
	for range 200 { // enough to spill pages, page 1 among them, into the WAL
		many.WriteString(`{"title":"MRKerase7731","narrative":"MRKerase7731 narrative"}` + "\n")
	}
	if _, err := v.AddCases(ctx, strings.NewReader(many.String())); err != nil {
		t.Fatal(err)
	}
	img, links := crashImage(t, dir)
	control, _ := crashImage(t, dir) // opening it checkpoints its WAL
	v.Close()

	kf, err := crypto.ReadKeyFile(filepath.Join(img, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	key, err := rk.Unlock(kf) // what an adversary holding the recovery key gets
	if err != nil {
		t.Fatal(err)
	}
	defer key.Wipe()
	db, err := openDB(filepath.Join(control, DBFile), key)
	if err != nil {
		t.Fatalf("the crash image should open with its key: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM cases").Scan(&n); err != nil || n != 200 {
		t.Fatalf("crash image: %d cases, %v", n, err)
	}
	db.Close()
	salt := readHead(filepath.Join(img, DBFile), 16)
	wal, err := os.ReadFile(filepath.Join(img, DBFile+"-wal"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(wal, salt) == 0 {
		t.Fatal("the test needs a WAL holding page 1 (and its salt)")
	}
	orig := readAll(t, img)
	keyBytes := orig[filepath.Join(img, KeyFileName)]

	setEraseStop(t, 1)
	if err := Erase(img); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(img, KeyFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("vault.key after step 1: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(links, KeyFileName)); len(b) != len(keyBytes) || bytes.Count(b, []byte{0}) != len(b) {
		t.Fatalf("vault.key's bytes were not overwritten with zeros before its removal")
	}
	for p, b := range readAll(t, img) {
		for _, wrap := range [][]byte{kf.Passphrase, kf.Recovery} {
			if bytes.Contains(b, wrap[len(wrap)-64:]) {
				t.Errorf("a wrap of the data key is left in %s", filepath.Base(p))
			}
		}
	}
	if _, err := OpenWithRecoveryKey(img, rk, Options{}); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("the recovery key after step 1: %v", err)
	}

	setEraseStop(t, 2)
	if err := Erase(img); err != nil {
		t.Fatal(err)
	}
	for p, b := range readAll(t, img) {
		if bytes.Contains(b, salt) {
			t.Errorf("SQLCipher's salt is left in %s", filepath.Base(p))
		}
	}
	head := readHead(filepath.Join(links, DBFile), headSize)
	if bytes.Count(head, []byte{0}) != headSize {
		t.Error("the database's first page is not zeros after step 2")
	}
	// On a copy: SQLite replaces the WAL of a database it opens.
	after2, _ := crashImage(t, img)
	if db, err := openDB(filepath.Join(after2, DBFile), key); err == nil {
		db.Close()
		t.Fatal("the data key still opens the database after step 2")
	}

	setEraseStop(t, 0)
	if err := Erase(img); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(img); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the vault folder after the erase: %v", err)
	}
	if _, err := OpenWithRecoveryKey(img, rk, Options{}); !errors.Is(err, ErrNoVault) {
		t.Fatalf("the recovery key after the erase: %v", err)
	}
	// The database's other pages were overwritten too, not just unlinked.
	was, now := orig[filepath.Join(img, DBFile+"-wal")], readAll(t, links)[filepath.Join(links, DBFile+"-wal")]
	if len(now) != len(was) || bytes.Contains(now, was[len(was)-4096:]) {
		t.Error("the WAL's last bytes were not overwritten")
	}
}

// Erase works on the vault as the app holds it: open, with its WAL.
func TestVaultEraseOpen(t *testing.T) {
	v, rk, dir := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(`{"title":"A case"}`)); err != nil {
		t.Fatal(err)
	}
	if err := v.Erase(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the vault folder after the erase: %v", err)
	}
	if _, err := v.List(ctx, Query{}); err == nil {
		t.Fatal("the erased vault still answers")
	}
	if _, err := OpenWithRecoveryKey(dir, rk, Options{}); !errors.Is(err, ErrNoVault) {
		t.Fatalf("the recovery key after the erase: %v", err)
	}
	if err := Erase(dir); !errors.Is(err, ErrNoVault) {
		t.Fatalf("erasing again: %v", err)
	}
}

// A folder that is not a vault's is refused and left as it was.
func TestEraseRefusesNonVault(t *testing.T) {
	dir := t.TempDir()
	if err := Erase(filepath.Join(dir, "missing")); !errors.Is(err, ErrNoVault) {
		t.Fatalf("a missing folder: %v", err)
	}
	for _, name := range []string{"notes.txt", restoreMarker, "vault.keys", "vault.db.old"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := hashDir(t, dir)
	if err := Erase(dir); !errors.Is(err, ErrNotVaultFolder) {
		t.Fatalf("a folder without a vault: %v", err)
	}
	if err := Erase(filepath.Join(dir, "notes.txt")); !errors.Is(err, ErrNotVaultFolder) {
		t.Fatalf("a file: %v", err)
	}
	if after := hashDir(t, dir); !mapsEqual(before, after) {
		t.Fatal("a refused erase changed the folder")
	}
}

// Files not of Dossier's kinds are left, links are removed and never
// written through, and everything under evidence/ is destroyed.
func TestEraseOthersLinksEvidence(t *testing.T) {
	v, _, dir := testVault(t)
	v.Close()
	outside := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.WriteFile(outside, []byte("not the vault's"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, DBFile+"-journal")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("a person's own"), 0o600); err != nil {
		t.Fatal(err)
	}
	ev := filepath.Join(dir, EvidenceDir, "3f", "9a")
	if err := os.MkdirAll(ev, 0o700); err != nil {
		t.Fatal(err)
	}
	chunk := filepath.Join(ev, "0123456789abcdef")
	if err := os.WriteFile(chunk, bytes.Repeat([]byte("C"), 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "chunk")
	if err := os.Link(chunk, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, EvidenceDir, "link")); err != nil {
		t.Fatal(err)
	}

	err := Erase(dir)
	if !errors.Is(err, ErrOthersKept) {
		t.Fatalf("erase with a person's file in the folder: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "notes.txt" {
		t.Fatalf("left in the folder: %v", ents)
	}
	if b, _ := os.ReadFile(outside); string(b) != "not the vault's" {
		t.Fatal("a link was written through")
	}
	if b, _ := os.ReadFile(link); bytes.Contains(b, []byte("CCCCCCCC")) || len(b) != 3<<20 {
		t.Fatal("an evidence file was removed without being overwritten")
	}
}

// Erasing through a link to the vault folder erases the folder it points
// to and leaves the link.
func TestEraseThroughLink(t *testing.T) {
	v, _, dir := testVault(t)
	v.Close()
	link := filepath.Join(t.TempDir(), "dossier")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if err := Erase(link); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the vault folder: %v", err)
	}
	if _, err := os.Lstat(link); err != nil {
		t.Fatalf("the link: %v", err)
	}
}
