package store

// ExecForTest runs a statement on the vault's database, bypassing every
// rule of this package. It exists for tests that tamper with a vault the
// way an attacker holding the key could; nothing else may call it.
func ExecForTest(v *Vault, stmt string) error {
	_, err := v.db.Exec(stmt)
	return err
}
