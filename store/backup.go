package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/dossier-hr/dossier/crypto"
)

// CaseRecord is a case as bundles carry it: the stored document, byte for
// byte, and its earlier revisions.
type CaseRecord struct {
	Doc       json.RawMessage   `json:"case"`
	Revisions []json.RawMessage `json:"revisions,omitempty"`
	Conflicts []json.RawMessage `json:"conflicts,omitempty"` // versions met in merges, awaiting review

	// Lineage holds the revision ids of the versions the case descends
	// from, whether or not the record carries them (a share carries
	// none): what a receiver needs to move forward rather than flag a
	// conflict. Format version 2.
	Lineage []string `json:"lineage,omitempty"`
	// ConflictLineage gives, by the revision id of a conflicting version,
	// the ids of the versions it descends from. Format version 2.
	ConflictLineage map[string][]string `json:"conflict_lineage,omitempty"`
	// Resolved holds versions met in merges that a later revision settled;
	// kept, as nothing recorded is destroyed. Format version 2.
	Resolved []json.RawMessage `json:"resolved,omitempty"`
}

// caseRecord reads the bundle record of case n, whose document is doc.
func (v *Vault) caseRecord(ctx context.Context, n int64, doc string) (*CaseRecord, error) {
	rec := &CaseRecord{Doc: json.RawMessage(doc)}
	var err error
	if rec.Revisions, err = revisionDocsQ(ctx, v.db, n); err != nil {
		return nil, err
	}
	if rec.Lineage, err = fullLineage(ctx, v.db, n, rec.Revisions); err != nil {
		return nil, err
	}
	open, err := readConflicts(ctx, v.db, n, false)
	if err != nil {
		return nil, err
	}
	for _, k := range open {
		rec.Conflicts = append(rec.Conflicts, json.RawMessage(k.doc))
		if id := revisionIDOf([]byte(k.doc)); id != "" && len(k.lineage) > 0 {
			if rec.ConflictLineage == nil {
				rec.ConflictLineage = map[string][]string{}
			}
			rec.ConflictLineage[id] = k.lineage
		}
	}
	if rec.Resolved, err = v.conflictDocs(ctx, n, true); err != nil {
		return nil, err
	}
	return rec, nil
}

// EachCase calls fn for every case, in id order, with its record. ids, if
// not nil, limits it to those cases (ids or references).
func (v *Vault) EachCase(ctx context.Context, fn func(id string, rec *CaseRecord) error) error {
	rows, err := v.db.QueryContext(ctx, "SELECT c.n, c.id, d.doc FROM cases c JOIN case_docs d ON d.n = c.n ORDER BY c.id")
	if err != nil {
		return fmt.Errorf("reading cases: %w", err)
	}
	type item struct {
		n   int64
		id  string
		doc string
	}
	// Read the list first: fn may query the vault, and a cursor held open
	// across it would pin a read transaction.
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.n, &it.id, &it.doc); err != nil {
			rows.Close()
			return fmt.Errorf("reading cases: %w", err)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading cases: %w", err)
	}
	for _, it := range items {
		rec, err := v.caseRecord(ctx, it.n, it.doc)
		if err != nil {
			return err
		}
		if err := fn(it.id, rec); err != nil {
			return err
		}
	}
	return nil
}

// OpenEvidenceRaw returns a reader over evidence bytes that does not
// record an extraction (bundles record their own custody entry). For a
// file in the evidence folder it does not hash the bytes either: each
// chunk is authenticated and the length checked as it is read, which
// proves they are the bytes stored, and the caller, which hashes what it
// writes anyway, compares that hash with the record's (a bundle's
// manifest entry). Evidence still inside the database is checked against
// its SHA-256 as OpenEvidence does.
func (v *Vault) OpenEvidenceRaw(ctx context.Context, id string) (io.ReadCloser, error) {
	e, err := v.GetEvidence(ctx, id)
	if err != nil {
		return nil, err
	}
	var n int64
	var col []byte
	if err := v.db.QueryRowContext(ctx, "SELECT n, blob FROM evidence WHERE id = ?", id).Scan(&n, &col); err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	r, err := v.evidenceBytes(ctx, v.db, n, e)
	if err != nil || col != nil {
		return r, err
	}
	return &verifyingReader{r: r, h: sha256.New(), e: e}, nil
}

// BackupMeta returns the vault settings a full backup carries: the
// organisation identity and name, reference counters, the recovery
// recipient, the vault id and creation time. Settings about this folder's
// key file (localMeta) stay behind: they describe a file the backup does
// not hold.
func (v *Vault) BackupMeta(ctx context.Context) (map[string][]byte, error) {
	rows, err := v.db.QueryContext(ctx, "SELECT key, value FROM meta WHERE key <> 'audit_head' ORDER BY key")
	if err != nil {
		return nil, fmt.Errorf("reading settings: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var k string
		var val []byte
		if err := rows.Scan(&k, &val); err != nil {
			return nil, fmt.Errorf("reading settings: %w", err)
		}
		if !localMeta(k) {
			out[k] = val
		}
	}
	return out, rows.Err()
}

// RecoveryRecipient returns the public half of the vault's recovery key,
// to which full backups are encrypted.
func (v *Vault) RecoveryRecipient(ctx context.Context) (string, error) {
	var r string
	if err := v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'recovery_recipient'").Scan(&r); err != nil {
		return "", fmt.Errorf("reading recovery recipient: %w", err)
	}
	return r, nil
}

// RecoveryRecipientX25519 returns the classic X25519 recipient derived
// from the recovery key, for backups that age before 1.3 must open.
func (v *Vault) RecoveryRecipientX25519(ctx context.Context) (string, error) {
	var r string
	if err := v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'recovery_recipient_x25519'").Scan(&r); err != nil {
		return "", fmt.Errorf("this vault has no X25519 recovery recipient: %w", err)
	}
	return r, nil
}

// CreateForRestore makes an empty vault in dir, keyed to the passphrase and
// to an existing recovery key, for a Loader to fill from a full backup. It
// holds no organisation until the backup's settings are loaded. The
// folder must be new or empty, or hold a restore that was interrupted,
// which is cleared to start over. Until FinishRestore, the folder is
// marked as a restore in progress: if the restore is cut off, opening
// the folder says so (ErrRestoreIncomplete) and restoring again into it
// starts over.
func CreateForRestore(dir, passphrase string, rk *crypto.RecoveryKey, opts Options) (*Vault, error) {
	if RestoreInterrupted(dir) {
		if err := clearInterruptedRestore(dir); err != nil {
			return nil, err
		}
	} else if Exists(dir) {
		return nil, fmt.Errorf("%w: %s", ErrVaultExists, dir)
	} else if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%s is not empty; restore into a new folder", dir)
	}
	if err := makeVaultDir(dir); err != nil {
		return nil, err
	}
	if err := markRestore(dir); err != nil {
		return nil, err
	}
	key, err := crypto.NewDataKey()
	if err != nil {
		return nil, err
	}
	kf, err := crypto.NewKeyFile(key, passphrase, rk.Recipient())
	if err != nil {
		return nil, err
	}
	v := newVault(dir, key, kf, opts)
	dbPath := filepath.Join(dir, DBFile)
	f, err := os.OpenFile(dbPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the database file: %w", err)
	}
	f.Close()
	if v.db, err = openDB(dbPath, key); err != nil {
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
	if err := v.write(context.Background(), func(t *writeTx) error { return t.markKeyFileSealed(kf.WipeAfter) }); err != nil {
		v.Close()
		return nil, err
	}
	if err := writeKeyFile(dir, kf, key); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// Loader writes records from a bundle into a vault inside one transaction:
// nothing is visible, or on disk unencrypted, until Commit, and Rollback
// (or a crash) leaves the vault as it was. It is the staging area of
// imports and restores.
type Loader struct {
	t     *writeTx
	cases map[string]int64 // case id → row, for evidence
	items map[string]int64 // evidence id → row, for derived copies and custody
}

// BeginLoad starts a load.
func (v *Vault) BeginLoad(ctx context.Context) (*Loader, error) {
	t, err := v.begin(ctx)
	if err != nil {
		return nil, err
	}
	return &Loader{t: t, cases: map[string]int64{}, items: map[string]int64{}}, nil
}

// Rollback abandons the load.
func (l *Loader) Rollback() { l.t.rollback() }

// Commit makes the load visible, durably.
func (l *Loader) Commit() error {
	if err := l.t.commit(); err != nil {
		return err
	}
	var org Org
	var err error
	if org, err = l.t.v.loadOrg(); err == nil {
		l.t.v.org = org
	}
	l.t.v.loadAuthor(l.t.ctx) // a restore brings the backup's settings
	return nil
}

// Meta sets a vault setting, from a full backup.
func (l *Loader) Meta(key string, value []byte) error {
	if key == "audit_head" {
		return errors.New("the audit head is not loaded as a setting")
	}
	if localMeta(key) {
		return nil // about the key file of the folder backed up, not this one's
	}
	if _, err := l.t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", key, value); err != nil {
		return fmt.Errorf("loading settings: %w", err)
	}
	return nil
}

// SetLastBundle records, in a restored vault, the last bundle applied and
// the last audit entry it carried, so that the chain of incremental
// backups continues from it (as RecordBundle does after a backup).
func (l *Loader) SetLastBundle(manifestHash string, auditSeq int64) error {
	if err := l.Meta(metaLastBundle, []byte(manifestHash)); err != nil {
		return err
	}
	return l.Meta(metaLastBundleSeq, []byte(fmt.Sprint(auditSeq)))
}

// BackupSignSeed returns the organisation's signing key seed that a full
// backup's settings (as given to Loader.Meta) carry, or nil.
func BackupSignSeed(meta map[string][]byte) []byte { return meta[metaOrgSignSeed] }

// RestoreCase inserts a case exactly as recorded — document, revisions,
// stamps — as a restore must. The document is validated first.
func (l *Loader) RestoreCase(rec *CaseRecord) error {
	c, err := decodeCase(rec.Doc, 0)
	if err != nil {
		return err
	}
	check := *c
	if err := check.normalizeStored(l.t.v.now()); err != nil {
		return err
	}
	if c.ID == "" || c.Reference == "" || c.Revision < 1 {
		return &FieldError{Field: "id", Msg: "a backed-up case lacks its id, reference or revision"}
	}
	if err := checkRecord(rec, c); err != nil {
		return err
	}
	_, first, last, err := encode(c)
	if err != nil {
		return err
	}
	res, err := l.t.exec(`INSERT INTO cases(id, reference, title, status, country, incident_date, date_first, date_last, updated_at, needs_review, revision)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Reference, c.Title, c.Status, c.Country, c.IncidentDate, first, last, c.UpdatedAt, c.NeedsReview, c.Revision)
	if err != nil {
		return fmt.Errorf("restoring case %s: %w", c.ID, err)
	}
	n, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("restoring case: %w", err)
	}
	if _, err := l.t.exec("INSERT INTO case_docs(n, doc, lineage) VALUES (?, ?, ?)", n, string(rec.Doc), idsJSON(recordLineage(rec))); err != nil {
		return fmt.Errorf("restoring case: %w", err)
	}
	if err := l.putHistory(n, rec); err != nil {
		return err
	}
	l.cases[c.ID] = n
	l.t.added++
	return l.t.index(n, c, false)
}

// RestoreEvidence inserts an evidence item with its recorded id, stamps and
// custody, streaming its bytes from r, and fails if they do not hash to the
// recorded SHA-256. Originals must come before their stripped copies.
func (l *Loader) RestoreEvidence(e *Evidence, r io.Reader) error {
	caseN, ok := l.cases[e.CaseID]
	if !ok {
		return fmt.Errorf("evidence %s belongs to case %s, which is not in the bundle", e.ID, e.CaseID)
	}
	var from int64
	if e.DerivedFrom != "" {
		if from, ok = l.items[e.DerivedFrom]; !ok {
			return fmt.Errorf("evidence %s is derived from %s, which is not in the bundle before it", e.ID, e.DerivedFrom)
		}
	}
	if !validUUID(e.ID) || (e.Kind != EvidenceOriginal && e.Kind != EvidenceStripped) {
		return fmt.Errorf("evidence record %q is malformed", e.ID)
	}
	got := *e
	n, _, err := l.t.insertEvidence(&got, caseN, from, r)
	if err != nil {
		return err
	}
	if got.SHA256 != e.SHA256 || got.Size != e.Size {
		return fmt.Errorf("%w (evidence %s)", ErrEvidenceCorrupt, e.ID)
	}
	for _, k := range e.Custody {
		if err := l.t.custody(n, k); err != nil {
			return err
		}
	}
	l.items[e.ID] = n
	return nil
}

// RestoreAudit appends an audit entry exactly as recorded; the chain is
// checked as it grows, so a backup with an altered log is refused.
func (l *Loader) RestoreAudit(e AuditEntry) error {
	if l.t.auditHead == nil {
		l.t.auditHead = []byte{}
	}
	// The log restored so far is the chain e must continue.
	links := AuditLinks{seq: l.t.auditSeq, head: l.t.auditHead}
	if err := links.Add(e); err != nil {
		return &AuditError{Seq: e.Seq, Reason: "in the backup, does not fit the chain"}
	}
	prev, _ := hex.DecodeString(e.Prev) // checked by Add
	hash := links.head
	if _, err := l.t.exec("INSERT INTO audit(seq, at, actor, action, record, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		e.Seq, e.At, e.Actor, e.Action, e.Record, e.Detail, prev, hash); err != nil {
		return fmt.Errorf("restoring audit log: %w", err)
	}
	l.t.auditSeq, l.t.auditHead, l.t.auditDirty = e.Seq, hash, true
	return nil
}

// Audit appends a new entry to the log within the load (an import).
func (l *Loader) Audit(action, record, detail string) error { return l.t.audit(action, record, detail) }

// AuditHead returns the head hash the load will leave.
func (l *Loader) AuditHead() string { return hex.EncodeToString(l.t.auditHead) }

// RecordExport records a bundle just written: one audit entry, and an
// "exported" custody entry on each evidence item it carried.
func (v *Vault) RecordExport(ctx context.Context, kind BundleKind, cases, items int, evidenceIDs []string) error {
	tx, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	now := v.stamp()
	for _, id := range evidenceIDs {
		var n int64
		if err := tx.queryRow("SELECT n FROM evidence WHERE id = ?", id).Scan(&n); err != nil {
			return fmt.Errorf("recording export: %w", err)
		}
		action := CustodyExported
		if kind == BundleShare {
			action = CustodyShared
		}
		if err := tx.custody(n, Custody{At: now, Action: action, Actor: tx.actor, Note: string(kind) + " bundle"}); err != nil {
			return err
		}
	}
	if err := tx.audit(AuditExport, "", fmt.Sprintf("%s bundle: %d case(s), %d evidence item(s)", kind, cases, items)); err != nil {
		return err
	}
	return tx.commit()
}

// BundleKind is what a bundle is for; the export package writes and reads
// them, the vault records them.
type BundleKind string

// Kinds of bundle.
const (
	BundleFull        BundleKind = "full"        // everything needed to rebuild the vault
	BundleIncremental BundleKind = "incremental" // what changed since the last full or incremental backup
	BundleShare       BundleKind = "share"       // chosen cases, redacted, for partners
)

// Bundle chain: each full or incremental backup records its manifest's
// hash and the last audit entry it carried, so that the next incremental
// holds what changed since and names the bundle it follows.
const (
	metaLastBundle    = "last_bundle"
	metaLastBundleSeq = "last_bundle_audit_seq"
	metaLastBundleAt  = "last_bundle_at"
	metaOrgSignSeed   = "org_sign_seed" // written by Create, in vault.go
)

// LastBundle returns the hash of the last full or incremental backup's
// manifest and the last audit entry it carried; empty if none was made.
func (v *Vault) LastBundle(ctx context.Context) (hash string, seq int64, err error) {
	var h []byte
	err = v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaLastBundle).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("reading the last backup: %w", err)
	}
	if err := v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaLastBundleSeq).Scan(&seq); err != nil {
		return "", 0, fmt.Errorf("reading the last backup: %w", err)
	}
	return string(h), seq, nil
}

// Changes returns what changed after audit entry seq: the ids of cases
// created, edited, imported or given evidence (still in the vault), the
// ids of cases deleted since, and the ids of evidence items added since
// (stripped copies included).
func (v *Vault) Changes(ctx context.Context, seq int64) (cases, deleted, evidence []string, err error) {
	rows, err := v.db.QueryContext(ctx, "SELECT action, record FROM audit WHERE seq > ? AND record <> '' ORDER BY seq", seq)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading changes: %w", err)
	}
	type change struct{ action, record string }
	var all []change
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.action, &c.record); err != nil {
			rows.Close()
			return nil, nil, nil, fmt.Errorf("reading changes: %w", err)
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("reading changes: %w", err)
	}
	caseSet, delSet, evSet := map[string]bool{}, map[string]bool{}, map[string]bool{}
	fail := func(err error) ([]string, []string, []string, error) {
		return nil, nil, nil, fmt.Errorf("reading changes: %w", err)
	}
	// Every lookup's error is returned: an incremental bundle built from
	// a lookup that failed would silently lack a case.
	for _, c := range all {
		var caseID string
		switch {
		case c.action == AuditDelete:
			delSet[c.record] = true
			delete(caseSet, c.record)
			continue
		case c.action == AuditAttach || c.action == AuditImport:
			// An evidence id, or (import) possibly a case id.
			err := changesFault("evidence case")
			if err == nil {
				err = v.db.QueryRowContext(ctx, "SELECT c.id FROM evidence e JOIN cases c ON c.n = e.case_n WHERE e.id = ?", c.record).Scan(&caseID)
			}
			switch {
			case err == nil:
				evSet[c.record] = true
				derived, err := v.derivedIDs(ctx, c.record)
				if err != nil {
					return fail(err)
				}
				for _, id := range derived {
					evSet[id] = true
				}
			case !errors.Is(err, sql.ErrNoRows):
				return fail(err)
			case c.action == AuditImport:
				caseID = c.record
			}
			// An attach whose evidence is gone went with its case.
		case c.action == AuditCreate || c.action == AuditEdit:
			caseID = c.record
		}
		if caseID != "" {
			caseSet[caseID] = true
			delete(delSet, caseID) // deleted and then added again by an import
		}
	}
	for id := range caseSet {
		n := 0
		err := changesFault("case exists")
		if err == nil {
			err = v.db.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE id = ?", id).Scan(&n)
		}
		if err != nil {
			return fail(err)
		}
		if n == 1 {
			cases = append(cases, id)
		}
	}
	for id := range delSet {
		deleted = append(deleted, id)
	}
	for id := range evSet {
		evidence = append(evidence, id)
	}
	slices.Sort(cases)
	slices.Sort(deleted)
	slices.Sort(evidence)
	return cases, deleted, evidence, nil
}

// derivedIDs returns the ids of the copies derived from evidence id.
func (v *Vault) derivedIDs(ctx context.Context, id string) ([]string, error) {
	if err := changesFault("derived copies"); err != nil {
		return nil, err
	}
	rows, err := v.db.QueryContext(ctx, "SELECT s.id FROM evidence s JOIN evidence o ON o.n = s.derived_from WHERE o.id = ?", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sid string
		if err := rows.Scan(&sid); err != nil {
			return nil, err
		}
		out = append(out, sid)
	}
	return out, rows.Err()
}

// changesFault lets a test make one of Changes' lookups fail, as a busy
// or failing database can: nil in the programs.
var changesFault = func(lookup string) error { return nil }

// CaseRecordOf returns one case's bundle record.
func (v *Vault) CaseRecordOf(ctx context.Context, id string) (*CaseRecord, error) {
	var n int64
	var doc string
	err := v.db.QueryRowContext(ctx, "SELECT c.n, d.doc FROM cases c JOIN case_docs d ON d.n = c.n WHERE c.id = ?", id).Scan(&n, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading case: %w", err)
	}
	return v.caseRecord(ctx, n, doc)
}

// AllEvidence returns every evidence item with its custody, in the order
// they were added.
func (v *Vault) AllEvidence(ctx context.Context) ([]*Evidence, error) {
	return v.queryEvidence(ctx, "")
}

// ReplaceCase puts a case from an incremental backup in place of the one
// the load holds (or adds it, and then says so), keeping its evidence.
func (l *Loader) ReplaceCase(rec *CaseRecord) (added bool, err error) {
	c, err := decodeCase(rec.Doc, 0)
	if err != nil {
		return false, err
	}
	if err := checkRecord(rec, c); err != nil {
		return false, err
	}
	var n int64
	err = l.t.queryRow("SELECT n FROM cases WHERE id = ?", c.ID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return true, l.RestoreCase(rec)
	}
	if err != nil {
		return false, fmt.Errorf("restoring case: %w", err)
	}
	if err := l.setCase(n, c, rec.Doc); err != nil {
		return false, err
	}
	for _, q := range []string{"DELETE FROM revisions WHERE case_n = ?", "DELETE FROM conflicts WHERE case_n = ?"} {
		if _, err := l.t.exec(q, n); err != nil {
			return false, fmt.Errorf("restoring case: %w", err)
		}
	}
	if err := l.putHistory(n, rec); err != nil {
		return false, err
	}
	if err := l.setLineage(n, recordLineage(rec)); err != nil {
		return false, err
	}
	l.cases[c.ID] = n
	return false, l.t.index(n, c, true)
}

// DeleteCase removes a case, as an incremental backup records it was, and
// says whether the load held it.
func (l *Loader) DeleteCase(id string) (bool, error) {
	var n int64
	err := l.t.queryRow("SELECT n FROM cases WHERE id = ?", id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("restoring a deletion: %w", err)
	}
	if err := l.t.dropBlobs("case_n = ?", n); err != nil {
		return false, fmt.Errorf("restoring a deletion: %w", err)
	}
	if _, err := l.t.exec("DELETE FROM case_fts WHERE docid = ?", n); err != nil {
		return false, fmt.Errorf("restoring a deletion: %w", err)
	}
	if _, err := l.t.exec("DELETE FROM cases WHERE n = ?", n); err != nil {
		return false, fmt.Errorf("restoring a deletion: %w", err)
	}
	delete(l.cases, id)
	return true, nil
}

// HasEvidence reports whether the load holds an evidence item.
func (l *Loader) HasEvidence(id string) (bool, error) {
	var n int64
	err := l.t.queryRow("SELECT n FROM evidence WHERE id = ?", id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading evidence: %w", err)
	}
	l.items[id] = n
	return true, nil
}

// SetCustody replaces an evidence item's custody with the recorded one.
func (l *Loader) SetCustody(id string, custody []Custody) error {
	n, ok := l.items[id]
	if !ok {
		return fmt.Errorf("custody for unknown evidence %s", id)
	}
	if _, err := l.t.exec("DELETE FROM custody WHERE evidence_n = ?", n); err != nil {
		return fmt.Errorf("restoring custody: %w", err)
	}
	for _, k := range custody {
		if err := l.t.custody(n, k); err != nil {
			return err
		}
	}
	return nil
}

// KnowCase tells the load that a case it holds may receive evidence.
func (l *Loader) KnowCase(id string) error {
	var n int64
	if err := l.t.queryRow("SELECT n FROM cases WHERE id = ?", id).Scan(&n); err != nil {
		return fmt.Errorf("evidence for case %s, which the backups do not hold", id)
	}
	l.cases[id] = n
	return nil
}

// ReplaceContacts sets the contacts to exactly cs.
func (l *Loader) ReplaceContacts(cs []Contact) error {
	if _, err := l.t.exec("DELETE FROM contacts"); err != nil {
		return fmt.Errorf("restoring contacts: %w", err)
	}
	for _, c := range cs {
		if err := l.RestoreContact(c); err != nil {
			return err
		}
	}
	return nil
}

// RecordBundle notes a full or incremental backup just written, for the
// next incremental one. The three facts are written together or not at
// all: a hash without its audit position would make the next incremental
// backup leave out or repeat entries.
func (v *Vault) RecordBundle(ctx context.Context, manifestHash string, auditSeq int64) error {
	return v.write(ctx, func(t *writeTx) error {
		for _, kv := range []struct {
			k string
			v any
		}{{metaLastBundle, []byte(manifestHash)}, {metaLastBundleSeq, auditSeq}, {metaLastBundleAt, v.stamp()}} {
			if _, err := t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", kv.k, kv.v); err != nil {
				return fmt.Errorf("recording the backup: %w", err)
			}
		}
		return nil
	})
}

// LastBackupAt returns when the last full or incremental backup was
// written, or the zero time if never.
func (v *Vault) LastBackupAt(ctx context.Context) (time.Time, error) {
	var s string
	err := v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaLastBundleAt).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the last backup: %w", err)
	}
	t, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the last backup: %w", err)
	}
	return t, nil
}

// putHistory adds a record's revisions and conflicting versions to case n,
// leaving alone any the case already has.
func (l *Loader) putHistory(n int64, rec *CaseRecord) error {
	for i, r := range rec.Revisions {
		var rc Case
		if err := json.Unmarshal(r, &rc); err != nil {
			return &FieldError{Field: fmt.Sprintf("revisions[%d]", i), Msg: "not a case: " + err.Error()}
		}
		if _, err := l.t.exec("INSERT OR IGNORE INTO revisions(case_n, revision, doc) VALUES (?, ?, ?)", n, rc.Revision, string(r)); err != nil {
			return fmt.Errorf("loading revisions: %w", err)
		}
	}
	for _, k := range rec.Conflicts {
		if _, err := l.t.exec("INSERT OR IGNORE INTO conflicts(case_n, doc_sha256, doc, from_org, imported_at, lineage) VALUES (?, ?, ?, '', '', ?)",
			n, docSHA(k), string(k), idsJSON(rec.ConflictLineage[revisionIDOf(k)])); err != nil {
			return fmt.Errorf("loading conflicts: %w", err)
		}
	}
	for _, k := range rec.Resolved {
		if _, err := l.t.exec("INSERT OR IGNORE INTO conflicts(case_n, doc_sha256, doc, from_org, imported_at, resolved) VALUES (?, ?, ?, '', '', 1)",
			n, docSHA(k), string(k)); err != nil {
			return fmt.Errorf("loading conflicts: %w", err)
		}
	}
	return nil
}

// setCase makes case n's row and document those of c, as recorded in doc.
func (l *Loader) setCase(n int64, c *Case, doc []byte) error {
	_, first, last, err := encode(c)
	if err != nil {
		return err
	}
	if _, err := l.t.exec(`UPDATE cases SET reference = ?, title = ?, status = ?, country = ?, incident_date = ?, date_first = ?, date_last = ?,
		updated_at = ?, needs_review = ?, revision = ? WHERE n = ?`,
		c.Reference, c.Title, c.Status, c.Country, c.IncidentDate, first, last, c.UpdatedAt, c.NeedsReview, c.Revision, n); err != nil {
		return fmt.Errorf("loading case: %w", err)
	}
	if _, err := l.t.exec("UPDATE case_docs SET doc = ? WHERE n = ?", string(doc), n); err != nil {
		return fmt.Errorf("loading case: %w", err)
	}
	return nil
}
