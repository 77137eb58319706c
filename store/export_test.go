package store

// execForTest runs a statement on the vault's database, bypassing every
// rule of this package, for tests that tamper with a vault the way an
// attacker holding the key could.
func execForTest(v *Vault, stmt string) error {
	_, err := v.db.Exec(stmt)
	return err
}
