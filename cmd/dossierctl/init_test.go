package main

import (
	"os"
	"path/filepath"
	"testing"
)

// dossierctl init into a folder made beforehand with the usual 0755 leaves
// it 0700: other users of the computer cannot list the vault's files.
func TestInitTightensExistingFolder(t *testing.T) {
	dir := t.TempDir()
	vault := filepath.Join(dir, "v")
	if err := os.Mkdir(vault, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(vault, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	pass := writePass(t, dir, "pass", "copper lantern harbour meadow 47")
	mustRun(t, ctl(t, "init", "--vault", vault, "--passphrase-file", pass, "--recovery-out", filepath.Join(dir, "rk")))
	st, err := os.Stat(vault)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("vault folder mode %v after init, want 0700", st.Mode().Perm())
	}
}
