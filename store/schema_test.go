package store

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
)

// rawDB opens a vault's database with its key, without the schema check,
// to look at what a refused vault holds.
func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	kf, err := crypto.ReadKeyFile(filepath.Join(dir, KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	key, err := kf.UnlockPassphrase("test passphrase")
	if err != nil {
		t.Fatal(err)
	}
	db, err := openUnverified(filepath.Join(dir, DBFile), key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// planted counts the rows the planted triggers write.
func planted(t *testing.T, dir string) int {
	t.Helper()
	var n int
	if err := rawDB(t, dir).QueryRow("SELECT count(*) FROM meta WHERE key LIKE 'planted%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A vault folder someone else made or changed, with the key (a planted
// vault opens with the victim's recovery key): every object its
// migrations did not make is refused at open, before anything is
// written, so that nothing planted runs.
func TestPlantedSchemaRefused(t *testing.T) {
	const consented = `{"title":"consented","incident_date":"2025-03","consent":{"obtained":true,"scope":["legal_partners"]}}`
	tests := []struct {
		name  string
		plant []string
	}{
		{"trigger", []string{`CREATE TRIGGER planted AFTER INSERT ON case_docs BEGIN INSERT INTO meta(key, value) VALUES ('planted', 'ran'); END`}},
		{"trigger on the audit log", []string{`CREATE TRIGGER planted_audit AFTER INSERT ON audit BEGIN INSERT INTO meta(key, value) VALUES ('planted-a', 'ran'); END`}},
		// Fires on migration 6's writes: the check must come before migrating.
		{"trigger before migration", []string{
			`CREATE TRIGGER planted_facets AFTER INSERT ON case_facets BEGIN INSERT INTO meta(key, value) VALUES ('planted-m', 'ran'); END`,
			`DELETE FROM case_facets WHERE kind = 'consent'`,
			`PRAGMA user_version = 5`,
		}},
		{"view", []string{`CREATE VIEW planted_view AS SELECT key, value FROM meta`}},
		{"table", []string{`CREATE TABLE planted_table (x)`}},
		{"index", []string{`CREATE INDEX planted_index ON cases(title)`}},
		{"changed index", []string{`DROP INDEX cases_by_date`, `CREATE INDEX cases_by_date ON cases(date_first, title)`}},
		{"changed table", []string{`DROP TABLE drafts`, `CREATE TABLE drafts (key TEXT PRIMARY KEY, doc TEXT NOT NULL, saved_at TEXT NOT NULL DEFAULT (randomblob(8)))`}},
		{"missing index", []string{`DROP INDEX evidence_by_case`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, rk, dir := testVault(t)
			if _, err := v.AddCases(ctx, strings.NewReader(consented)); err != nil {
				t.Fatal(err)
			}
			for _, stmt := range tc.plant {
				if err := execForTest(v, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			v.Close()
			before := hashDir(t, dir)
			v2, err := Open(dir, "test passphrase", Options{})
			if err == nil {
				// Today's code would go on: what the victim does next
				// fires what was planted.
				v2.AddCases(ctx, strings.NewReader(`{"title":"after","incident_date":"2025-04"}`))
				v2.SetSetting(ctx, "author", "x")
				v2.Close()
				t.Fatalf("a vault with a planted %s opened (planted rows after: %d)", tc.name, planted(t, dir))
			}
			if !errors.Is(err, ErrUnknownSchema) {
				t.Fatalf("err = %v, want ErrUnknownSchema", err)
			}
			if after := hashDir(t, dir); !mapsEqual(before, after) {
				t.Errorf("a refused open changed the vault folder: %v → %v", keys(before), keys(after))
			}
			if n := planted(t, dir); n != 0 {
				t.Errorf("planted trigger ran %d times", n)
			}
			// The recovery key is refused the same way.
			if _, err := OpenWithRecoveryKey(dir, rk, Options{}); !errors.Is(err, ErrUnknownSchema) {
				t.Fatalf("with the recovery key: err = %v, want ErrUnknownSchema", err)
			}
			if n := planted(t, dir); n != 0 {
				t.Errorf("planted trigger ran %d times", n)
			}
		})
	}
}

// Every schema version the migrations pass through passes the check, and
// a vault migrated from it ends with exactly the schema of a new vault.
func TestSchemaEveryVersion(t *testing.T) {
	key, err := crypto.NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	for version := 0; version <= len(migrations); version++ {
		path := filepath.Join(t.TempDir(), DBFile)
		db, err := openUnverified(path, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := migrateTo(db, version); err != nil {
			t.Fatal(err)
		}
		if err := verifySchema(db); err != nil {
			t.Fatalf("version %d: %v", version, err)
		}
		if err := migrate(db); err != nil {
			t.Fatal(err)
		}
		if err := verifySchema(db); err != nil {
			t.Fatalf("migrated from version %d: %v", version, err)
		}
		db.Close()
	}
}

// A vault in use (cases, evidence, ANALYZE's statistics) reopens.
func TestSchemaOfUsedVaultAccepted(t *testing.T) {
	v, _, dir := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	v.analyze(ctx)
	v.Close()
	v2, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	v2.Close()
}

// Defensive mode: the schema cannot be rewritten through writable_schema,
// nor the search index's shadow tables written as plain tables, even by
// SQL that reaches a connection.
func TestDefensiveConnections(t *testing.T) {
	v, _, _ := testVault(t)
	c, err := v.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.ExecContext(ctx, "PRAGMA writable_schema = ON")
	if _, err := c.ExecContext(ctx, "UPDATE sqlite_master SET sql = sql WHERE name = 'meta'"); err == nil {
		t.Error("sqlite_master written through writable_schema")
	}
	if _, err := c.ExecContext(ctx, "DELETE FROM case_fts_segdir"); err == nil {
		t.Error("a shadow table of the search index written directly")
	}
}
