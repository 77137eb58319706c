// The vault's life cycle: its folder and files, create, open (by
// passphrase or recovery key), close, and its settings. Key handling (the
// guard, passphrase and recovery key changes) is in keys.go.

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/store/chunks"
)

// Files of a vault folder. Nothing else is written there except SQLite's
// own -wal and -shm files, which are encrypted like the database.
const (
	DBFile      = "vault.db"
	KeyFileName = "vault.key"
)

// Sentinel errors of vault life cycle.
var (
	ErrNoVault     = errors.New("no vault here")
	ErrVaultExists = errors.New("a vault already exists here")
	ErrIncomplete  = errors.New("the vault was not fully created (interrupted?)")
	ErrNotFound    = errors.New("no such case")
	// ErrClosed is returned by writes on a vault that was closed (locked)
	// meanwhile; reads get database/sql's own "database is closed".
	ErrClosed = errors.New("the vault is locked")
	// ErrDiskFull means a write found no space left; the transaction was
	// rolled back, so the vault is as it was before it.
	ErrDiskFull = errors.New("the disk is full")
)

// Options tune an opened vault. The zero value is what the programs use.
type Options struct {
	// Actor is recorded as the author of what this session writes:
	// revisions (created_by, updated_by), notes, custody and the audit
	// log. Empty means the vault's author setting (see SetAuthor), or
	// "local" when that is not set either.
	Actor string
	// Now replaces the clock, for tests.
	Now func() time.Time
}

// CreateOptions are the choices made when a vault is created.
type CreateOptions struct {
	Options
	// OrgName is the organisation's name, shown on its contact card.
	OrgName string
	// OrgCode prefixes case references (ORG-2026-0042). Empty derives it
	// from OrgName's initials.
	OrgCode string
}

// Vault is an open, unlocked vault. Its methods are safe for concurrent
// use. Close it to drop the key.
type Vault struct {
	dir string
	db  *sql.DB
	key *crypto.DataKey
	kf  *crypto.KeyFile
	now func() time.Time
	org Org

	// author is who is recorded as doing what this session writes; see
	// Author. Atomic: the person may change it while a save is running.
	author atomic.Pointer[string]
	// fixedAuthor is set when Options.Actor chose the author for the
	// session: the vault's setting does not replace it at open.
	fixedAuthor bool

	// ignoredRecipients: see IgnoredKeyFileRecipients.
	ignoredRecipients bool

	// blobs is the evidence chunk store (evidence/), ekeys wraps its
	// file keys; see blobs.go. blobMu is read-held by each transaction
	// that stores files, from its first Put until it ends, and held
	// alone by RepairEvidence, so that a file stored but not yet
	// recorded is never taken for an orphan.
	blobs  *chunks.Store
	ekeys  *crypto.EvidenceKeys
	blobMu sync.RWMutex

	// closed is set once by Close. db is never set to nil: work still
	// running on another goroutine when the user locks (a list refresh, a
	// draft save) must get an error, not a nil-pointer panic.
	closed atomic.Bool
}

// Org describes the organisation a vault belongs to.
type Org struct {
	Name string `json:"name"`
	Code string `json:"code"`
}

// ErrNoDataDir means the system names no folder for the user's data, so
// the vault's folder must be given.
var ErrNoDataDir = errors.New("cannot tell where the user's data folder is")

// DefaultDir returns the default vault folder: "dossier" in the user's
// data folder (XDG_DATA_HOME or ~/.local/share on Linux, %LOCALAPPDATA% on
// Windows, ~/Library/Application Support on macOS).
func DefaultDir() (string, error) {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LOCALAPPDATA")
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the home folder: %w", err)
		}
		base = filepath.Join(home, "Library", "Application Support")
	default:
		base = os.Getenv("XDG_DATA_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("finding the home folder: %w", err)
			}
			base = filepath.Join(home, ".local", "share")
		}
	}
	if base == "" {
		return "", ErrNoDataDir
	}
	return filepath.Join(base, "dossier"), nil
}

// Exists reports whether dir holds a vault's key file.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, KeyFileName))
	return err == nil
}

// Create makes a new vault in dir (created if missing; it must not hold a
// vault already) and returns it open, with its recovery key. Show the
// recovery key to the user once: it is not stored anywhere.
func Create(dir, passphrase string, opts CreateOptions) (*Vault, *crypto.RecoveryKey, error) {
	if passphrase == "" {
		return nil, nil, errors.New("the passphrase is empty")
	}
	for _, f := range []string{KeyFileName, DBFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return nil, nil, fmt.Errorf("%w: %s", ErrVaultExists, dir)
		}
	}
	if err := makeVaultDir(dir); err != nil {
		return nil, nil, err
	}
	key, err := crypto.NewDataKey()
	if err != nil {
		return nil, nil, err
	}
	rk, err := crypto.NewRecoveryKey()
	if err != nil {
		return nil, nil, err
	}
	kf, err := crypto.NewKeyFile(key, passphrase, rk.Recipient())
	if err != nil {
		return nil, nil, err
	}
	orgID, err := crypto.NewOrgIdentity()
	if err != nil {
		return nil, nil, err
	}
	v := newVault(dir, key, kf, opts.Options)
	dbPath := filepath.Join(dir, DBFile)
	fail := func(err error) (*Vault, *crypto.RecoveryKey, error) {
		if v.db != nil {
			v.db.Close()
		}
		for _, f := range []string{DBFile, DBFile + "-wal", DBFile + "-shm"} {
			os.Remove(filepath.Join(dir, f))
		}
		key.Wipe()
		return nil, nil, err
	}
	// Only the owner may read the database (the folder is 0700 too). The
	// empty file is made here, with that mode, because SQLite gives its
	// -wal and -shm files the database file's permissions.
	f, err := os.OpenFile(dbPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fail(fmt.Errorf("creating the database file: %w", err))
	}
	f.Close()
	if v.db, err = openDB(dbPath, key); err != nil {
		return fail(err)
	}
	if err := migrate(v.db); err != nil {
		return fail(err)
	}
	if err := v.openBlobs(); err != nil {
		return fail(err)
	}
	code := opts.OrgCode
	if code == "" {
		code = orgCode(opts.OrgName)
	}
	name := strings.TrimSpace(opts.OrgName)
	if name == "" {
		name = "Dossier"
	}
	rx, err := rk.X25519()
	if err != nil {
		return fail(err)
	}
	meta := map[string]any{
		"recovery_recipient_x25519": rx.Recipient().String(),
		"vault_id":                  newUUID(),
		"created_at":                v.stamp(),
		"org_name":                  name,
		"org_code":                  code,
		"org_age_identity":          orgID.Age.String(),
		"org_sign_seed":             orgID.Sign.Seed(),
		"recovery_recipient":        rk.RecipientString(),
		metaKeyFileSealed:           "1",
		metaKeyFileWipeAfter:        "0",
		metaRecoveryBinding:         crypto.RecoveryBinding(rk, orgID.PublicKey()),
	}
	// One transaction: each commit appends whole 64 KiB pages to the WAL,
	// and a vault made on a nearly full disk should fit.
	tx, err := v.db.Begin()
	if err != nil {
		return fail(fmt.Errorf("writing vault settings: %w", err))
	}
	for k, val := range meta {
		if _, err := tx.Exec("INSERT INTO meta(key, value) VALUES (?, ?)", k, val); err != nil {
			tx.Rollback()
			return fail(fmt.Errorf("writing vault settings: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(fmt.Errorf("writing vault settings: %w", err))
	}
	// The key file is written last: a vault folder without one is an
	// interrupted creation and holds nothing of value.
	if err := writeKeyFile(dir, kf, key); err != nil {
		return fail(err)
	}
	v.org = Org{Name: name, Code: code}
	return v, rk, nil
}

// makeVaultDir makes the vault folder, readable by its owner only. A
// folder that is already there (made beforehand, by hand or by a file
// dialog, with the usual 0755) is tightened to 0700 too: MkdirAll leaves an
// existing folder's mode alone, and other users of the computer could then
// list the vault's files and watch their sizes change. On Windows the mode
// bits say nothing about other users, so only the folder is made.
func makeVaultDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating vault folder: %w", err)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("making the vault folder private: %w", err)
	}
	return nil
}

// orgCode derives a reference prefix from an organisation's name: the
// initials of its words in ASCII capitals, two to five of them, or "DOS".
func orgCode(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		r := []rune(w)[0]
		if r < unicode.MaxASCII && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	s := b.String()
	if len(s) < 2 {
		return "DOS"
	}
	return s[:min(len(s), 5)]
}

// Open unlocks the vault in dir with its passphrase. A wrong passphrase
// returns an error wrapping crypto.ErrWrongPassphrase, an *UnlockFailure
// (see GuardAfter) once the attempt is counted in the key file; the next
// unlock writes the count to the audit log. The database is not opened
// until the key has been unwrapped. A key file changed outside Dossier is
// refused with ErrKeyFileAltered before the database is opened or written
// (see authenticateKeyFile for key files from before they were sealed).
func Open(dir, passphrase string, opts Options) (*Vault, error) {
	return OpenWith(dir, WithPassphrase(passphrase), opts)
}

// OpenWithRecoveryKey unlocks the vault in dir with its recovery key.
func OpenWithRecoveryKey(dir string, rk *crypto.RecoveryKey, opts Options) (*Vault, error) {
	return OpenWith(dir, WithRecoveryKey(rk), opts)
}

// OpenWith unlocks the vault in dir as u says: Open or OpenWithRecoveryKey.
func OpenWith(dir string, u Unlock, opts Options) (*Vault, error) {
	kf, key, err := unwrapKey(dir, u)
	if err != nil {
		return nil, err
	}
	v, err := openUnlocked(dir, key, kf, opts)
	if err != nil {
		return nil, err
	}
	if u.rk == nil {
		return v, nil
	}
	// The recovery key opened the vault, so it is the vault's: a vault
	// made before recovery bindings existed gets its binding now, and its
	// backups state whose recovery key they belong to from then on.
	if err := v.bindRecoveryKey(context.Background(), u.rk); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func readKeyFile(dir string) (*crypto.KeyFile, error) {
	kf, err := crypto.ReadKeyFile(filepath.Join(dir, KeyFileName))
	if err != nil && RestoreInterrupted(dir) {
		return nil, restoreIncomplete(dir)
	}
	if errors.Is(err, os.ErrNotExist) {
		if _, err2 := os.Stat(filepath.Join(dir, DBFile)); err2 == nil {
			return nil, fmt.Errorf("%w: %s has a database but no key file; if you just created it, delete the folder and create the vault again", ErrIncomplete, dir)
		}
		return nil, fmt.Errorf("%w: %s", ErrNoVault, dir)
	}
	return kf, err
}

func openUnlocked(dir string, key *crypto.DataKey, kf *crypto.KeyFile, opts Options) (*Vault, error) {
	dbPath := filepath.Join(dir, DBFile)
	if _, err := os.Stat(dbPath); err != nil {
		key.Wipe()
		return nil, fmt.Errorf("the vault database %s is missing: %w", DBFile, ErrNoVault)
	}
	if err := checkKeyFileMAC(kf, key); err != nil {
		key.Wipe()
		return nil, err
	}
	// A passphrase change killed before its rename leaves a temporary key
	// file; the real one is intact, so the leftover only adds clutter.
	if stale, _ := filepath.Glob(filepath.Join(dir, "."+KeyFileName+".tmp-*")); len(stale) > 0 {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	// An extract into the vault's own folder killed midway leaves a
	// plaintext temporary file (see ExtractTo); its writer is gone.
	atomicfile.RemoveStale(dir)
	v := newVault(dir, key, kf, opts)
	var err error
	if v.db, err = openDB(dbPath, key); err != nil {
		key.Wipe()
		return nil, err
	}
	// Before migrating: a refused key file leaves the database as it was.
	if err := checkKeyFileRequired(v.db, kf); err != nil {
		v.Close()
		return nil, err
	}
	if err := migrate(v.db); err != nil {
		v.Close()
		return nil, err
	}
	if err := v.openBlobs(); err != nil {
		v.Close()
		return nil, err
	}
	if v.org, err = v.loadOrg(); err != nil {
		v.Close()
		if RestoreInterrupted(dir) {
			// The restore never committed its content.
			return nil, restoreIncomplete(dir)
		}
		return nil, err
	}
	if RestoreInterrupted(dir) {
		// Cut off after the content was committed: it is all there,
		// and only the marker was left to remove.
		if err := v.FinishRestore(); err != nil {
			v.Close()
			return nil, err
		}
	}
	if err := v.loadAuthor(context.Background()); err != nil {
		v.Close()
		return nil, err
	}
	if err := v.authenticateKeyFile(context.Background()); err != nil {
		v.Close()
		return nil, err
	}
	if err := v.healRecoveryRecipients(); err != nil {
		v.Close()
		return nil, err
	}
	if n := kf.FailedUnlocks; n > 0 {
		// Counted while locked (countFailedUnlock): into the audit log
		// now, and the count starts again (wrong passphrases "in a row").
		if err := v.RecordFailedUnlocks(context.Background(), n); err != nil {
			v.Close()
			return nil, err
		}
		k := *kf
		k.FailedUnlocks = 0
		if err := writeKeyFile(dir, &k, key); err != nil {
			v.Close()
			return nil, err
		}
		*v.kf = k
	}
	// A vault of a version before the evidence folder: its evidence
	// moves out of the database now, resumably (moveEvidence).
	if err := v.moveEvidence(context.Background()); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func newVault(dir string, key *crypto.DataKey, kf *crypto.KeyFile, opts Options) *Vault {
	v := &Vault{dir: dir, key: key, kf: kf, now: opts.Now}
	v.setAuthor(opts.Actor)
	v.fixedAuthor = opts.Actor != ""
	if v.now == nil {
		v.now = time.Now
	}
	return v
}

// stamp is the vault's time format: UTC, milliseconds, sortable as text.
func (v *Vault) stamp() string {
	return v.now().UTC().Format("2006-01-02T15:04:05.000Z")
}

func (v *Vault) loadOrg() (Org, error) {
	var o Org
	if err := v.db.QueryRow("SELECT value FROM meta WHERE key = 'org_name'").Scan(&o.Name); err != nil {
		return o, fmt.Errorf("reading organisation: %w", err)
	}
	if err := v.db.QueryRow("SELECT value FROM meta WHERE key = 'org_code'").Scan(&o.Code); err != nil {
		return o, fmt.Errorf("reading organisation: %w", err)
	}
	return o, nil
}

// Org returns the organisation this vault belongs to.
func (v *Vault) Org() Org { return v.org }

// Dir returns the vault's folder.
func (v *Vault) Dir() string { return v.dir }

// Identity returns the vault's organisation identity.
func (v *Vault) Identity() (*crypto.OrgIdentity, error) {
	var ageID string
	var seed []byte
	if err := v.db.QueryRow("SELECT value FROM meta WHERE key = 'org_age_identity'").Scan(&ageID); err != nil {
		return nil, fmt.Errorf("reading identity: %w", err)
	}
	if err := v.db.QueryRow("SELECT value FROM meta WHERE key = 'org_sign_seed'").Scan(&seed); err != nil {
		return nil, fmt.Errorf("reading identity: %w", err)
	}
	return crypto.ParseOrgIdentity(ageID, seed)
}

// analyze refreshes the query planner's statistics from a sample of each
// index. Failure only costs speed, so it is logged by nobody and ignored.
func (v *Vault) analyze(ctx context.Context) {
	conn, err := v.db.Conn(ctx) // the limit is per connection
	if err != nil {
		return
	}
	defer conn.Close()
	conn.ExecContext(ctx, "PRAGMA analysis_limit = 1000")
	conn.ExecContext(ctx, "ANALYZE cases")
	conn.ExecContext(ctx, "ANALYZE case_facets")
}

// CheckIntegrity runs SQLite's integrity check and SQLCipher's page
// authentication check over the whole database.
func (v *Vault) CheckIntegrity(ctx context.Context) error {
	var res string
	if err := v.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check failed: %s", res)
	}
	rows, err := v.db.QueryContext(ctx, "PRAGMA cipher_integrity_check")
	if err != nil {
		return fmt.Errorf("cipher integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("cipher integrity check: %w", err)
		}
		problems = append(problems, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cipher integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("cipher integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Close closes the database and wipes the key from memory.
func (v *Vault) Close() error {
	if v.closed.Swap(true) {
		return nil
	}
	var err error
	if v.db != nil {
		err = v.db.Close()
	}
	if v.blobs != nil {
		v.blobs.Close()
	}
	v.key.Wipe()
	return err
}

// Setting returns a user setting kept in the vault (encrypted, and carried
// by full backups), or "" if it was never set.
func (v *Vault) Setting(ctx context.Context, name string) (string, error) {
	var s string
	err := v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", "setting."+name).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading setting: %w", err)
	}
	return s, nil
}

// SetSetting keeps a user setting in the vault.
func (v *Vault) SetSetting(ctx context.Context, name, value string) error {
	return v.write(ctx, func(t *writeTx) error {
		if _, err := t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "setting."+name, value); err != nil {
			return fmt.Errorf("saving setting: %w", err)
		}
		return nil
	})
}
