// Package goldenvault hands tests a copy of the vault made by the release
// before the evidence chunk store (store/testdata/golden/vault-2026-12),
// so that every package migrates the same vault people have.
package goldenvault

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Folder is the golden vault's folder, relative to the repository.
const Folder = "store/testdata/golden/vault-2026-12"

// Copy copies the golden vault's files into a new folder and returns it
// with the vault's passphrase. The golden files are never opened in place:
// opening migrates them.
func Copy(t testing.TB) (dir, passphrase string) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(self), "..", "..", filepath.FromSlash(Folder))
	dir = filepath.Join(t.TempDir(), "vault")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"vault.db", "vault.key"} {
		b, err := os.ReadFile(filepath.Join(src, "vault", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pp, err := os.ReadFile(filepath.Join(src, "passphrase.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, string(pp)
}
