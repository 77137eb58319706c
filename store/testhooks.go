package store

import "github.com/dossier-hr/dossier/internal/testhooks"

// Tests of other packages tamper with a vault through this hook, which is
// not API: only this module can reach package testhooks.
func init() {
	testhooks.VaultExec = func(v any, stmt string) error { return execForTest(v.(*Vault), stmt) }
}

// execForTest runs a statement on the vault's database, bypassing every
// rule of this package, for tests that tamper with a vault the way an
// attacker holding the key could.
func execForTest(v *Vault, stmt string) error {
	_, err := v.db.Exec(stmt)
	return err
}
