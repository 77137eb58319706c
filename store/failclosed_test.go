package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"testing"
)

// plainSQLite is a database/sql driver that answers "PRAGMA cipher_version"
// as a build without SQLCipher 4 does: plain SQLite knows no such pragma
// and returns no row; SQLCipher 3 returns its own version.
type plainSQLite struct{ version string }

func (d plainSQLite) Open(string) (driver.Conn, error) { return plainConn(d), nil }

type plainConn plainSQLite

func (c plainConn) Prepare(q string) (driver.Stmt, error) { return plainStmt{c.version, q}, nil }
func (plainConn) Close() error                            { return nil }
func (plainConn) Begin() (driver.Tx, error) {
	return nil, errors.New("plainSQLite: nothing may be written")
}

type plainStmt struct{ version, q string }

func (plainStmt) Close() error  { return nil }
func (plainStmt) NumInput() int { return -1 }
func (plainStmt) Exec([]driver.Value) (driver.Result, error) {
	return nil, errors.New("plainSQLite: nothing may be written")
}
func (s plainStmt) Query([]driver.Value) (driver.Rows, error) {
	r := &plainRows{}
	if s.q == "PRAGMA cipher_version" && s.version != "" {
		r.vals = []string{s.version}
	}
	if s.q == "SELECT count(*) FROM sqlite_master" {
		r.vals = []string{"0"}
	}
	return r, nil
}

type plainRows struct{ vals []string }

func (*plainRows) Columns() []string { return []string{"v"} }
func (*plainRows) Close() error      { return nil }
func (r *plainRows) Next(dest []driver.Value) error {
	if len(r.vals) == 0 {
		return io.EOF
	}
	dest[0], r.vals = r.vals[0], r.vals[1:]
	return nil
}

func init() {
	sql.Register("dossier-test-plain-sqlite", plainSQLite{})
	sql.Register("dossier-test-sqlcipher3", plainSQLite{version: "3.4.2"})
	sql.Register("dossier-test-sqlcipher4", plainSQLite{version: "4.4.2 community"})
}

// TestFailsClosedWithoutSQLCipher: the README's "if the program was built
// without SQLCipher 4, it refuses to open any vault rather than write an
// unencrypted one". The check that every database connection passes
// before anything is read or written refuses a driver that is plain
// SQLite or SQLCipher 3, with ErrCipherMissing, and accepts SQLCipher 4.
func TestFailsClosedWithoutSQLCipher(t *testing.T) {
	for _, c := range []struct {
		driver string
		ok     bool
	}{
		{"dossier-test-plain-sqlite", false},
		{"dossier-test-sqlcipher3", false},
		{"dossier-test-sqlcipher4", true},
	} {
		db, err := sql.Open(c.driver, "vault.db")
		if err != nil {
			t.Fatal(err)
		}
		err = checkDB(db)
		db.Close()
		if c.ok && err != nil {
			t.Errorf("%s: refused: %v", c.driver, err)
		}
		if !c.ok && !errors.Is(err, ErrCipherMissing) {
			t.Errorf("%s: checkDB returned %v, want ErrCipherMissing", c.driver, err)
		}
	}
}
