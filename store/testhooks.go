package store

import (
	"fmt"
	"path/filepath"

	"github.com/dossier-hr/dossier/internal/testhooks"
)

// Tests of other packages tamper with a vault through this hook, which is
// not API: only this module can reach package testhooks.
func init() {
	testhooks.VaultExec = func(v any, stmt string) error { return execForTest(v.(*Vault), stmt) }
	testhooks.VaultQuery = func(v any, query string, dest ...any) error { return v.(*Vault).db.QueryRow(query).Scan(dest...) }
	testhooks.EvidenceFile = func(v any, id string) (string, error) { return evidenceFileForTest(v.(*Vault), id) }
}

// evidenceFileForTest is the path of an evidence record's stored file.
func evidenceFileForTest(v *Vault, id string) (string, error) {
	var col []byte
	if err := v.db.QueryRow("SELECT blob FROM evidence WHERE id = ?", id).Scan(&col); err != nil {
		return "", err
	}
	fid, ok := blobID(col)
	if !ok {
		return "", fmt.Errorf("evidence %s has no stored file", id)
	}
	h := fid.String()
	return filepath.Join(v.dir, EvidenceDir, h[:2], h), nil
}

// execForTest runs a statement on the vault's database, bypassing every
// rule of this package, for tests that tamper with a vault the way an
// attacker holding the key could.
func execForTest(v *Vault, stmt string) error {
	_, err := v.db.Exec(stmt)
	return err
}
