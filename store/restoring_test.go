package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
)

// loadOrg stands for a restore's content: the settings that make a vault
// open.
func loadOrg(t *testing.T, v *Vault) {
	t.Helper()
	l, err := v.BeginLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range map[string]string{"org_name": "Restored Network", "org_code": "RN"} {
		if err := l.Meta(k, []byte(val)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Commit(); err != nil {
		t.Fatal(err)
	}
}

// A restore cut off before it committed leaves a folder that says so when
// opened, whatever the key, and that a new restore starts over in; one
// cut off after its commit opens, and is finished then.
func TestInterruptedRestore(t *testing.T) {
	_, rk, _ := testVault(t)
	dir := filepath.Join(t.TempDir(), "restored")
	v, err := CreateForRestore(dir, "new passphrase", rk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v.Close() // killed while loading: nothing committed
	if !RestoreInterrupted(dir) {
		t.Fatal("the folder is not marked as an interrupted restore")
	}
	for name, open := range map[string]func() (*Vault, error){
		"passphrase":       func() (*Vault, error) { return Open(dir, "new passphrase", Options{}) },
		"wrong passphrase": func() (*Vault, error) { return Open(dir, "another", Options{}) },
		"recovery key":     func() (*Vault, error) { return OpenWithRecoveryKey(dir, rk, Options{}) },
	} {
		if _, err := open(); !errors.Is(err, ErrRestoreIncomplete) {
			t.Errorf("opening with the %s: %v; want ErrRestoreIncomplete", name, err)
		}
	}
	// Killed before the key file was written, or right after the marker.
	for _, f := range []string{KeyFileName, DBFile} {
		os.Remove(filepath.Join(dir, f))
		if _, err := Open(dir, "new passphrase", Options{}); !errors.Is(err, ErrRestoreIncomplete) {
			t.Errorf("without %s: %v; want ErrRestoreIncomplete", f, err)
		}
	}

	// Restoring again starts over, and finishes.
	v, err = CreateForRestore(dir, "second passphrase", rk, Options{})
	if err != nil {
		t.Fatalf("restoring again into the folder: %v", err)
	}
	loadOrg(t, v)
	if err := v.FinishRestore(); err != nil {
		t.Fatal(err)
	}
	v.Close()
	if RestoreInterrupted(dir) {
		t.Fatal("still marked after the restore finished")
	}
	if v, err = Open(dir, "second passphrase", Options{}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	// A finished restore's folder is a vault: no restore into it.
	if _, err := CreateForRestore(dir, "p", rk, Options{}); !errors.Is(err, ErrVaultExists) {
		t.Fatalf("restoring over a vault: %v", err)
	}

	// Cut off between the commit and the marker's removal: it opens.
	dir2 := filepath.Join(t.TempDir(), "restored")
	v, err = CreateForRestore(dir2, "p", rk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	loadOrg(t, v)
	v.Close()
	if v, err = Open(dir2, "p", Options{}); err != nil {
		t.Fatalf("a committed restore does not open: %v", err)
	}
	v.Close()
	if RestoreInterrupted(dir2) {
		t.Fatal("opening a committed restore did not finish it")
	}
}

// Only what a restore writes is cleared: a marked folder holding anything
// else is refused and left as it is.
func TestInterruptedRestoreKeepsOtherFiles(t *testing.T) {
	rk, err := crypto.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	v, err := CreateForRestore(dir, "p", rk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	other := filepath.Join(dir, "notes.txt")
	os.WriteFile(other, []byte("mine"), 0o600)
	if _, err := CreateForRestore(dir, "p", rk, Options{}); err == nil {
		t.Fatal("a folder with other files was cleared")
	}
	for _, f := range []string{other, filepath.Join(dir, KeyFileName), filepath.Join(dir, DBFile)} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
	}
}
