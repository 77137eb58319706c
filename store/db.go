package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	sqlcipher "github.com/mutecomm/go-sqlcipher/v4"

	"github.com/dossier-hr/dossier/crypto"
)

const driverName = "dossier-sqlcipher"

// wantCipherMajor is the SQLCipher major version this build expects. If the
// linked library reports anything else — or nothing, which means a plain
// SQLite without encryption got linked — the vault refuses to open.
const wantCipherMajor = "4."

func init() {
	sql.Register(driverName, &sqlcipher.SQLiteDriver{
		ConnectHook: func(c *sqlcipher.SQLiteConn) error {
			// Each pooled connection: temporary tables and sort spills stay
			// in memory (never a plaintext temp file); deleted content is
			// overwritten; foreign keys are enforced.
			for _, p := range []string{
				"PRAGMA temp_store = MEMORY",
				"PRAGMA secure_delete = ON",
				"PRAGMA foreign_keys = ON",
				"PRAGMA cache_size = -32000",
				"PRAGMA cipher_memory_security = OFF",
				// After a checkpoint the log shrinks back, rather than
				// keeping the size of the largest attach on disk.
				"PRAGMA journal_size_limit = 67108864",
			} {
				if _, err := c.Exec(p, nil); err != nil {
					return err
				}
			}
			return harden(c)
		},
	})
}

// harden applies the defences against a database file Dossier did not
// make (docs/security.md, "A vault folder Dossier did not make"): SQL in
// the schema — triggers, views, defaults, checks — may call only
// functions marked harmless (trusted_schema off), and the schema and
// FTS shadow tables cannot be written as plain tables (defensive). Each
// setting is read back: a connection without them is refused.
func harden(c *sqlcipher.SQLiteConn) error {
	if _, err := c.Exec("PRAGMA trusted_schema = OFF", nil); err != nil {
		return err
	}
	if on, err := setDBConfig(c, dbConfigTrustedSchema, false); err != nil || on {
		return fmt.Errorf("%w: trusted_schema stays on", errNoDBConfig)
	}
	if on, err := setDBConfig(c, dbConfigDefensive, true); err != nil || !on {
		return fmt.Errorf("%w: defensive mode stays off", errNoDBConfig)
	}
	return nil
}

// ErrCipherMissing means the SQLCipher library linked into this program is
// not the expected one; the vault is not opened.
var ErrCipherMissing = errors.New("the encryption library is missing or not the expected version")

// ErrNotDatabase means the key unwrapped but the database did not open
// with it: the database file is damaged or belongs to another vault.
var ErrNotDatabase = errors.New("the vault database does not open with this vault's key (damaged, or from another vault)")

// openDB opens the database at path with key, and refuses it unless its
// schema is one Dossier's migrations make (verifySchema).
func openDB(path string, key *crypto.DataKey) (*sql.DB, error) {
	db, err := openUnverified(path, key)
	if err != nil {
		return nil, err
	}
	// Before anything is written, migrations included: the file may not
	// be one Dossier made.
	if err := verifySchema(db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openUnverified(path string, key *crypto.DataKey) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("the vault path may not contain '?' or '#'")
	}
	q := url.Values{}
	// The raw key goes through the DSN so that every pooled connection is
	// keyed. The driver pastes it into PRAGMA key = "…", which is safe only
	// because it is our own hex, never user text.
	q.Set("_pragma_key", key.SQLCipherKey())
	// 64 KiB pages: far fewer page encryptions on bulk writes and evidence
	// than SQLCipher's 4 KiB default (docs/performance.md). Part of the
	// file format: a vault must always be opened with the page size it was
	// made with.
	q.Set("_pragma_cipher_page_size", "65536")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	db, err := sql.Open(driverName, path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if err := checkDB(db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func checkDB(db *sql.DB) error {
	ctx := context.Background()
	var v string
	err := db.QueryRowContext(ctx, "PRAGMA cipher_version").Scan(&v)
	if isNotADatabase(err) {
		// Keying happens when the connection opens, so a key that does
		// not fit surfaces on the first statement, whatever it is.
		return ErrNotDatabase
	}
	if err != nil || !strings.HasPrefix(v, wantCipherMajor) {
		return fmt.Errorf("%w (cipher_version %q, %v); do not use this build", ErrCipherMissing, v, err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		if isNotADatabase(err) {
			return ErrNotDatabase
		}
		return fmt.Errorf("reading database: %w", err)
	}
	return nil
}

// migrations are applied in order; user_version records how many ran.
// Never edit a migration that has shipped: add a new one.
var migrations = []string{
	// 1: cases, their search index, facets for filters, revisions.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
);
CREATE TABLE cases (
	n             INTEGER PRIMARY KEY,
	id            TEXT NOT NULL UNIQUE,
	reference     TEXT NOT NULL UNIQUE,
	title         TEXT NOT NULL,
	status        TEXT NOT NULL,
	country       TEXT NOT NULL,
	incident_date TEXT NOT NULL,  -- as given: YYYY, YYYY-MM or YYYY-MM-DD
	date_first    TEXT NOT NULL,  -- first day it covers, for sorting and ranges
	date_last     TEXT NOT NULL,  -- last day it covers
	updated_at    TEXT NOT NULL,
	needs_review  INTEGER NOT NULL DEFAULT 0,
	revision      INTEGER NOT NULL
);
-- The list reads only the small rows above; the document is apart so that
-- scanning cases never drags it along. Index column orders match the list's
-- sort orders (all ascending or all descending), so a first page is read in
-- index order and stops after one page.
CREATE TABLE case_docs (
	n   INTEGER PRIMARY KEY REFERENCES cases(n) ON DELETE CASCADE,
	doc TEXT NOT NULL  -- the case as canonical JSON
);
CREATE INDEX cases_by_date    ON cases(date_first, id);
CREATE INDEX cases_by_status  ON cases(status, date_first, id);
CREATE INDEX cases_by_country ON cases(country, date_first, id);
CREATE INDEX cases_by_updated ON cases(updated_at, id);
CREATE TABLE case_facets (
	kind   TEXT NOT NULL,    -- violation, perpetrator, tag
	value  TEXT NOT NULL,
	case_n INTEGER NOT NULL REFERENCES cases(n) ON DELETE CASCADE,
	PRIMARY KEY (kind, value, case_n)
) WITHOUT ROWID;
CREATE INDEX case_facets_by_case ON case_facets(case_n);
CREATE TABLE revisions (
	case_n   INTEGER NOT NULL REFERENCES cases(n) ON DELETE CASCADE,
	revision INTEGER NOT NULL,
	doc      TEXT NOT NULL,    -- the case as it was at that revision
	PRIMARY KEY (case_n, revision)
) WITHOUT ROWID;
-- One column: title, narrative, pseudonyms, places and tags of a case,
-- joined. Searches never ask which field matched, and one column is
-- cheaper to write than five.
CREATE VIRTUAL TABLE case_fts USING fts4(
	body,
	tokenize=unicode61 "remove_diacritics=2"
);
`,
	// 2: evidence in chunks, its chain of custody, the audit log.
	`
CREATE TABLE evidence (
	n            INTEGER PRIMARY KEY,
	id           TEXT NOT NULL UNIQUE,
	case_n       INTEGER NOT NULL REFERENCES cases(n) ON DELETE CASCADE,
	derived_from INTEGER REFERENCES evidence(n) ON DELETE CASCADE, -- a stripped copy's original
	kind         TEXT NOT NULL,    -- original, stripped
	name         TEXT NOT NULL,    -- file name as received
	media_type   TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,    -- hex, of the bytes as received
	added_at     TEXT NOT NULL,
	added_by     TEXT NOT NULL
);
CREATE INDEX evidence_by_case ON evidence(case_n);
CREATE INDEX evidence_by_original ON evidence(derived_from);
CREATE TABLE evidence_chunks (
	evidence_n INTEGER NOT NULL REFERENCES evidence(n) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	data       BLOB NOT NULL
);
CREATE UNIQUE INDEX evidence_chunks_by_item ON evidence_chunks(evidence_n, seq);
CREATE TABLE custody (
	n          INTEGER PRIMARY KEY,
	evidence_n INTEGER NOT NULL REFERENCES evidence(n) ON DELETE CASCADE,
	at         TEXT NOT NULL,
	action     TEXT NOT NULL,
	actor      TEXT NOT NULL,
	from_whom  TEXT NOT NULL,
	method     TEXT NOT NULL,
	note       TEXT NOT NULL
);
CREATE INDEX custody_by_evidence ON custody(evidence_n);
-- Append-only: entries are never updated or deleted by the program; each
-- hash covers the entry and the previous hash (see audit.go).
CREATE TABLE audit (
	seq    INTEGER PRIMARY KEY,
	at     TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	record TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev   BLOB NOT NULL,
	hash   BLOB NOT NULL
);
`,
	// 3: partners' contact cards; case versions met in merges.
	`
CREATE TABLE contacts (
	fingerprint   TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	age_recipient TEXT NOT NULL,
	age_recipient_x25519 TEXT NOT NULL,
	sign_key      BLOB NOT NULL UNIQUE,
	added_at      TEXT NOT NULL
);
-- A version of a case that an import brought and that conflicts with the
-- vault's: kept whole, beside the case, until a reviewer settles it.
CREATE TABLE conflicts (
	case_n      INTEGER NOT NULL REFERENCES cases(n) ON DELETE CASCADE,
	doc_sha256  TEXT NOT NULL,
	doc         TEXT NOT NULL,
	from_org    TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	PRIMARY KEY (case_n, doc_sha256)
);
`,
	// 4: drafts of the editor, so that a lock or a crash loses no typing.
	`
CREATE TABLE drafts (
	key      TEXT PRIMARY KEY,  -- a case id, or "new"
	doc      TEXT NOT NULL,     -- the case as typed so far; not validated
	saved_at TEXT NOT NULL
);
`,
	// 5: lineage, so that merges can tell a later version from a
	// conflicting one without the versions' content (shares carry none
	// of it); versions met in merges and settled are kept, marked.
	`
-- The revision ids of the versions the case's current version descends
-- from, as a JSON array, in the order the vault learnt them.
ALTER TABLE case_docs ADD COLUMN lineage TEXT NOT NULL DEFAULT '[]';
-- The same for a conflicting version, as its bundle gave it.
ALTER TABLE conflicts ADD COLUMN lineage TEXT NOT NULL DEFAULT '[]';
-- 1 once a revision of the case settled it (dossierctl resolve).
ALTER TABLE conflicts ADD COLUMN resolved INTEGER NOT NULL DEFAULT 0;
`,
	// 6: the consent scopes of every case saved before they were
	// indexed, so that statistics count only cases whose consent covers
	// them; cases saved since are indexed as they are saved
	// (writeTx.index). In Go: goMigrations[6], indexConsent.
	``,
	// 7: evidence bytes in the chunk store (evidence/): blob is the
	// stored file's id and its wrapped key (blobs.go). NULL: the bytes
	// are still in evidence_chunks, moved out at unlock (moveEvidence).
	`
ALTER TABLE evidence ADD COLUMN blob BLOB;
`,
}

// goMigrations are migrations that SQL alone cannot do well, by number
// (1-based, as user_version counts): each runs in the migration's
// transaction after its SQL (which may be empty).
var goMigrations = map[int]func(*sql.Tx) error{
	6: indexConsent,
}

// SchemaVersion is the schema version this build writes.
var SchemaVersion = len(migrations)

// ErrNewerVault means the vault was written by a newer Dossier.
var ErrNewerVault = errors.New("this vault was written by a newer version of Dossier; update Dossier to open it")

func migrate(db *sql.DB) error { return migrateTo(db, len(migrations)) }

// migrateTo applies the migrations up to schema version want; the
// reference schema (schema.go) is built with it.
func migrateTo(db *sql.DB, want int) error {
	var have int
	if err := db.QueryRow("PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("%w (schema %d, this build knows %d)", ErrNewerVault, have, len(migrations))
	}
	for i := have; i < want; i++ {
		tx, err := db.Begin()
		if err != nil {
			return fmt.Errorf("migrating: %w", err)
		}
		if migrations[i] != "" {
			if _, err := tx.Exec(migrations[i]); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if f := goMigrations[i+1]; f != nil {
			if err := f(tx); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
		}
		if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return nil
}
