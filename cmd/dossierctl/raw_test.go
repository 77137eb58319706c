package main

import (
	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/store"
)

// rawExec runs a statement on a vault's database directly, for tests that
// tamper with it.
func rawExec(dir, passphrase, stmt string) error {
	v, err := store.Open(dir, passphrase, store.Options{})
	if err != nil {
		return err
	}
	defer v.Close()
	return testhooks.VaultExec(v, stmt)
}
