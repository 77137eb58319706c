package store

/*
// The SQLite that go-sqlcipher compiles in: its sqlite3_db_config is
// reached here directly, because the binding exposes no database
// configuration calls. The prototype is declared rather than included,
// since the module's header is not on this package's include path.
typedef struct sqlite3 sqlite3;
extern int sqlite3_db_config(sqlite3 *, int op, ...);

// dossier_db_config sets an on/off option and returns what SQLite then
// reports for it (0 or 1), or -1 when the call fails.
static int dossier_db_config(void *db, int op, int on) {
	int now = -1;
	if (sqlite3_db_config((sqlite3 *)db, op, on, &now) != 0) {
		return -1;
	}
	return now;
}
*/
import "C"

import (
	"errors"
	"reflect"

	sqlcipher "github.com/mutecomm/go-sqlcipher/v4"
)

// Options of sqlite3_db_config (sqlite3.h).
const (
	dbConfigDefensive     = 1010 // SQLITE_DBCONFIG_DEFENSIVE
	dbConfigTrustedSchema = 1017 // SQLITE_DBCONFIG_TRUSTED_SCHEMA
)

// errNoDBConfig means the connection's SQLite handle could not be found:
// the binding changed its layout. The connection is refused rather than
// opened without the defences.
var errNoDBConfig = errors.New("cannot configure the database connection (SQLite binding changed)")

// dbHandle is the connection's sqlite3 pointer. go-sqlcipher keeps it in
// an unexported field; reflect reads it without writing anything.
func dbHandle(c *sqlcipher.SQLiteConn) (reflect.Value, error) {
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return reflect.Value{}, errNoDBConfig
	}
	return f, nil
}

// setDBConfig turns an on/off option of the connection on or off and
// returns the setting SQLite reports afterwards.
func setDBConfig(c *sqlcipher.SQLiteConn, op int, on bool) (bool, error) {
	f, err := dbHandle(c)
	if err != nil {
		return false, err
	}
	v := 0
	if on {
		v = 1
	}
	switch C.dossier_db_config(f.UnsafePointer(), C.int(op), C.int(v)) {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, errNoDBConfig
}
