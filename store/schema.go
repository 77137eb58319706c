package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// ErrUnknownSchema means the vault's database holds tables, indexes,
// views or triggers that Dossier's migrations did not make, or made
// otherwise: someone built or changed the file outside Dossier, and SQL
// they planted could run in the vault. The vault is not opened, and
// nothing in it ran or was written.
var ErrUnknownSchema = errors.New("the vault folder holds database objects Dossier did not make; it was not opened")

// schemaObject is one row of sqlite_master.
type schemaObject struct {
	typ, name, table, sql string
}

func (o schemaObject) key() string { return o.typ + " " + o.name }

// referenceSchemas caches, by schema version, the objects migrations
// 1..version make in an empty database, and the tables ANALYZE may add.
var referenceSchemas struct {
	sync.Mutex
	byVersion map[int]referenceSchema
}

type referenceSchema struct {
	want     map[string]schemaObject
	optional map[string]schemaObject
}

// reference returns what a database at the given schema version holds
// when Dossier made it: migrations 1..version applied to an empty
// in-memory database (the same code that migrates vaults), read back
// from SQLite, so that its normalisation of the SQL text is the same.
func reference(version int) (referenceSchema, error) {
	referenceSchemas.Lock()
	defer referenceSchemas.Unlock()
	if r, ok := referenceSchemas.byVersion[version]; ok {
		return r, nil
	}
	db, err := sql.Open(driverName, ":memory:")
	if err != nil {
		return referenceSchema{}, err
	}
	defer db.Close()
	// One connection: each connection to ":memory:" is its own database.
	db.SetMaxOpenConns(1)
	if err := migrateTo(db, version); err != nil {
		return referenceSchema{}, fmt.Errorf("building the reference schema: %w", err)
	}
	want, err := readSchema(db)
	if err != nil {
		return referenceSchema{}, err
	}
	// Opening a vault runs ANALYZE (Vault.analyze), which adds SQLite's
	// statistics tables; they hold numbers for the query planner only.
	if _, err := db.Exec("ANALYZE"); err != nil {
		return referenceSchema{}, fmt.Errorf("building the reference schema: %w", err)
	}
	all, err := readSchema(db)
	if err != nil {
		return referenceSchema{}, err
	}
	optional := map[string]schemaObject{}
	for k, o := range all {
		if _, ok := want[k]; !ok {
			optional[k] = o
		}
	}
	r := referenceSchema{want: want, optional: optional}
	if referenceSchemas.byVersion == nil {
		referenceSchemas.byVersion = map[int]referenceSchema{}
	}
	referenceSchemas.byVersion[version] = r
	return r, nil
}

// readSchema reads every object of the main database's schema: nothing
// is left out by name, since whoever made the file chose the names.
func readSchema(db *sql.DB) (map[string]schemaObject, error) {
	rows, err := db.QueryContext(context.Background(),
		"SELECT type, name, tbl_name, coalesce(sql, '') FROM main.sqlite_master")
	if err != nil {
		return nil, fmt.Errorf("reading the database schema: %w", err)
	}
	defer rows.Close()
	m := map[string]schemaObject{}
	for rows.Next() {
		var o schemaObject
		if err := rows.Scan(&o.typ, &o.name, &o.table, &o.sql); err != nil {
			return nil, fmt.Errorf("reading the database schema: %w", err)
		}
		if _, dup := m[o.key()]; dup {
			return nil, fmt.Errorf("%w (an object named twice)", ErrUnknownSchema)
		}
		m[o.key()] = o
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the database schema: %w", err)
	}
	return m, nil
}

// verifySchema refuses a database whose schema is not exactly the one
// the migrations make for its schema version. It runs before anything
// is written — before migrating, too, since a planted trigger would fire
// on a migration's writes. A vault from a newer Dossier is left to
// migrate, which refuses it without writing.
func verifySchema(db *sql.DB) error {
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if version < 0 || version > len(migrations) {
		return nil
	}
	ref, err := reference(version)
	if err != nil {
		return err
	}
	have, err := readSchema(db)
	if err != nil {
		return err
	}
	for k, o := range have {
		w, ok := ref.want[k]
		if !ok {
			w, ok = ref.optional[k]
		}
		if !ok {
			return fmt.Errorf("%w (an unknown %s)", ErrUnknownSchema, o.typ)
		}
		if w != o {
			return fmt.Errorf("%w (a %s changed)", ErrUnknownSchema, o.typ)
		}
	}
	for k, w := range ref.want {
		if _, ok := have[k]; !ok {
			return fmt.Errorf("%w (a %s missing)", ErrUnknownSchema, w.typ)
		}
	}
	return nil
}
