package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Audit actions. The log records what was done to which record, by whom
// and when — never what a record holds.
const (
	AuditCreate            = "create"
	AuditEdit              = "edit"
	AuditResolve           = "resolve" // a case flagged for review settled (dossierctl resolve)
	AuditDelete            = "delete"
	AuditAttach            = "attach"
	AuditExtract           = "extract"
	AuditExport            = "export"
	AuditImport            = "import"
	AuditPassphraseChange  = "passphrase_change"
	AuditUnlockFailed      = "unlock_failed"
	AuditUnlockGuard       = "unlock_guard"
	AuditRecoveryKeyChange = "recovery_key_change"
	AuditContactAdd        = "contact_add"     // record: the card's fingerprint
	AuditIdentityExport    = "identity_export" // detail: which identity, never the key
	AuditEvidenceMoved     = "evidence_moved"  // evidence of an earlier version moved out of the database
	AuditEvidenceRepair    = "evidence_repair" // check --repair removed orphaned stored files
)

// AuditEntry is one entry of the append-only audit log. Each entry's Hash
// covers its fields and the previous entry's hash, so changing, removing or
// reordering an entry breaks the chain from there on.
type AuditEntry struct {
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Record string `json:"record"` // id of the case or evidence item, if any
	Detail string `json:"detail"` // counts, revision numbers: never content
	Prev   string `json:"prev"`   // hex SHA-256 of the previous entry
	Hash   string `json:"hash"`   // hex SHA-256 of this entry
}

// auditHash is SHA-256 over the previous hash and the fields, each
// length-prefixed so that no two different entries encode the same.
func auditHash(prev []byte, seq int64, at, actor, action, record, detail string) []byte {
	h := sha256.New()
	h.Write([]byte("dossier-audit-v1"))
	h.Write(prev)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seq))
	h.Write(b[:])
	for _, s := range []string{at, actor, action, record, detail} {
		binary.BigEndian.PutUint64(b[:], uint64(len(s)))
		h.Write(b[:])
		h.Write([]byte(s))
	}
	return h.Sum(nil)
}

// audit appends an entry within the transaction. The head of the chain is
// also kept in meta, so that removing the last entries is detected too.
func (t *writeTx) audit(action, record, detail string) error {
	if t.auditHead == nil {
		var seq int64
		var prev []byte
		err := t.queryRow("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reading audit log: %w", err)
		}
		t.auditSeq, t.auditHead = seq, prev
		if t.auditHead == nil {
			t.auditHead = []byte{}
		}
	}
	seq := t.auditSeq + 1
	at := t.v.stamp()
	h := auditHash(t.auditHead, seq, at, t.actor, action, record, detail)
	if _, err := t.exec("INSERT INTO audit(seq, at, actor, action, record, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		seq, at, t.actor, action, record, detail, t.auditHead, h); err != nil {
		return fmt.Errorf("writing audit log: %w", err)
	}
	t.auditSeq, t.auditHead = seq, h
	t.auditDirty = true
	return nil
}

// AuditLog returns the audit log, oldest first.
func (v *Vault) AuditLog(ctx context.Context) ([]AuditEntry, error) {
	rows, err := v.db.QueryContext(ctx, "SELECT seq, at, actor, action, record, detail, prev, hash FROM audit ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("reading audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var prev, hash []byte
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Record, &e.Detail, &prev, &hash); err != nil {
			return nil, fmt.Errorf("reading audit log: %w", err)
		}
		e.Prev, e.Hash = hex.EncodeToString(prev), hex.EncodeToString(hash)
		out = append(out, e)
	}
	return out, rows.Err()
}

// ErrAuditBroken means the audit log's chain does not hold.
var ErrAuditBroken = errors.New("the audit log has been altered")

// AuditError names the first entry that does not fit the chain.
type AuditError struct {
	Seq    int64 // the entry's number; 0 when the log's head is missing
	Reason string
}

func (e *AuditError) Error() string {
	if e.Seq == 0 {
		return fmt.Sprintf("audit log: %s", e.Reason)
	}
	return fmt.Sprintf("audit log entry %d: %s", e.Seq, e.Reason)
}

func (e *AuditError) Unwrap() error { return ErrAuditBroken }

// AuditLinks checks that audit entries, given one by one in order, link
// up: each entry's hash is right for its fields and the hash before it,
// and each follows the one before (the next number, the previous hash).
// The first entry may start anywhere: an incremental bundle carries the
// log from where the last bundle ended. Bundle readers use it so that a
// bundle whose log does not hold is refused by every reader alike, not
// only by the restore that writes it.
type AuditLinks struct {
	seq  int64
	head []byte
}

// Add checks e against the entries before it. The error is an
// *AuditError.
func (c *AuditLinks) Add(e AuditEntry) error {
	prev, err1 := hex.DecodeString(e.Prev)
	hash, err2 := hex.DecodeString(e.Hash)
	switch {
	case err1 != nil || err2 != nil || e.Seq < 1:
		return &AuditError{Seq: e.Seq, Reason: "is malformed"}
	case c.head != nil && (e.Seq != c.seq+1 || string(prev) != string(c.head)):
		return &AuditError{Seq: e.Seq, Reason: "does not follow the entry before it"}
	case string(hash) != string(auditHash(prev, e.Seq, e.At, e.Actor, e.Action, e.Record, e.Detail)):
		return &AuditError{Seq: e.Seq, Reason: "does not match its hash"}
	}
	c.seq, c.head = e.Seq, hash
	return nil
}

// VerifyAudit walks the audit log from the first entry and returns the
// number of entries and the head hash if the chain holds, or an
// *AuditError naming the first entry that does not fit. It reads the log
// as stored, so it needs nothing but the vault.
func (v *Vault) VerifyAudit(ctx context.Context) (int64, string, error) {
	rows, err := v.db.QueryContext(ctx, "SELECT seq, at, actor, action, record, detail, prev, hash FROM audit ORDER BY rowid")
	if err != nil {
		return 0, "", fmt.Errorf("reading audit log: %w", err)
	}
	defer rows.Close()
	prev := []byte{}
	var want int64 = 1
	for rows.Next() {
		var seq int64
		var at, actor, action, record, detail string
		var p, h []byte
		if err := rows.Scan(&seq, &at, &actor, &action, &record, &detail, &p, &h); err != nil {
			return 0, "", fmt.Errorf("reading audit log: %w", err)
		}
		switch {
		case seq != want:
			return 0, "", &AuditError{Seq: seq, Reason: fmt.Sprintf("out of sequence: expected entry %d here (an entry was removed or moved)", want)}
		case string(p) != string(prev):
			return 0, "", &AuditError{Seq: seq, Reason: "does not follow the entry before it (an entry was removed, inserted or changed)"}
		case string(h) != string(auditHash(prev, seq, at, actor, action, record, detail)):
			return 0, "", &AuditError{Seq: seq, Reason: "its content does not match its hash (the entry was changed)"}
		}
		prev = h
		want++
	}
	if err := rows.Err(); err != nil {
		return 0, "", fmt.Errorf("reading audit log: %w", err)
	}
	var head []byte
	err = v.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'audit_head'").Scan(&head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("reading audit log: %w", err)
	}
	if string(head) != string(prev) {
		return 0, "", &AuditError{Seq: want - 1, Reason: "is not the last entry the vault recorded (entries after it were removed)"}
	}
	return want - 1, hex.EncodeToString(prev), nil
}
