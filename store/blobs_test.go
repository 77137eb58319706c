package store

import (
	"os"
	"testing"

	sqlcipher "github.com/mutecomm/go-sqlcipher/v4"
)

// flipStored flips one byte of an evidence record's stored file, at off
// bytes into the first chunk's ciphertext (after the 20-byte header): what
// a failing disk or a person with the folder but not the key can do.
func flipStored(t *testing.T, v *Vault, id string, off int64) {
	t.Helper()
	p, err := evidenceFileForTest(v, id)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, 20+off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x40
	if _, err := f.WriteAt(b, 20+off); err != nil {
		t.Fatal(err)
	}
}

// undoColumn takes a column added by ALTER TABLE out of an empty table's
// schema, as a vault of an earlier version has it. This SQLite has no
// DROP COLUMN, and the vault's connections are defensive (no
// writable_schema), so it turns defence off on one connection for that.
func undoColumn(t *testing.T, v *Vault, table, column string) {
	t.Helper()
	c, err := v.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		_, err := setDBConfig(dc.(*sqlcipher.SQLiteConn), dbConfigDefensive, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Raw(func(dc any) error {
		_, err := setDBConfig(dc.(*sqlcipher.SQLiteConn), dbConfigDefensive, true)
		return err
	})
	if _, err := c.ExecContext(ctx, "PRAGMA writable_schema = ON"); err != nil {
		t.Fatal(err)
	}
	res, err := c.ExecContext(ctx, "UPDATE sqlite_master SET sql = replace(sql, ', "+column+"', '') WHERE name = ?", table)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("table %s not found", table)
	}
	c.ExecContext(ctx, "PRAGMA writable_schema = OFF")
}
