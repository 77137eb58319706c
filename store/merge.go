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
)

// Outcomes of merging one case.
const (
	MergeAdded     = "added"     // new to this vault
	MergeUnchanged = "unchanged" // the vault has it already, or a later version of it
	MergeUpdated   = "updated"   // the vault had an earlier version; it moved forward
	MergeConflict  = "conflict"  // both sides changed it; both versions kept, case flagged for review
)

// MergeCase merges a case from a partner's bundle. Nothing is ever
// overwritten silently: a version the vault cannot place in its case's
// history is kept beside the case, and the case is flagged for review.
// Importing the same case twice changes nothing.
func (l *Loader) MergeCase(rec *CaseRecord, fromOrg string) (string, error) {
	c, err := decodeCase(rec.Doc, 0)
	if err != nil {
		return "", err
	}
	check := *c
	if err := check.Normalize(l.t.v.now()); err != nil {
		return "", err
	}
	if c.ID == "" || c.Reference == "" || c.Revision < 1 {
		return "", &FieldError{Field: "id", Msg: "a case in the bundle lacks its id, reference or revision"}
	}
	var n int64
	var local string
	err = l.t.queryRow("SELECT c.n, d.doc FROM cases c JOIN case_docs d ON d.n = c.n WHERE c.id = ?", c.ID).Scan(&n, &local)
	if errors.Is(err, sql.ErrNoRows) {
		if err := l.addMerged(c, rec); err != nil {
			return "", err
		}
		return MergeAdded, l.t.audit(AuditImport, c.ID, "added from "+fromOrg)
	}
	if err != nil {
		return "", fmt.Errorf("store: merging: %w", err)
	}
	l.cases[c.ID] = n
	if local == string(rec.Doc) {
		return MergeUnchanged, nil
	}
	localRevs, err := l.t.v.revisionDocs(l.t.ctx, n)
	if err != nil {
		return "", err
	}
	for _, r := range localRevs {
		if string(r) == string(rec.Doc) {
			return MergeUnchanged, nil // the vault is ahead
		}
	}
	for _, r := range rec.Revisions {
		if string(r) == local {
			if err := l.fastForward(n, c, rec); err != nil {
				return "", err
			}
			return MergeUpdated, l.t.audit(AuditImport, c.ID, fmt.Sprintf("updated to revision %d from %s", c.Revision, fromOrg))
		}
	}
	out, err := l.conflict(n, local, rec, fromOrg)
	if err == nil && out == MergeConflict {
		err = l.t.audit(AuditImport, c.ID, "conflicting version from "+fromOrg+" kept; flagged for review")
	}
	return out, err
}

// addMerged inserts a case new to this vault, with its revisions. If its
// reference is taken here, the id's first characters are appended.
func (l *Loader) addMerged(c *Case, rec *CaseRecord) error {
	var taken int
	if err := l.t.queryRow("SELECT count(*) FROM cases WHERE reference = ?", c.Reference).Scan(&taken); err != nil {
		return fmt.Errorf("store: merging: %w", err)
	}
	if taken > 0 {
		c.Reference += "-" + c.ID[:8]
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("store: merging: %w", err)
		}
		rec = &CaseRecord{Doc: b, Revisions: rec.Revisions}
	}
	return l.RestoreCase(rec)
}

// fastForward moves a case to the bundle's later version, keeping every
// version in between as revisions.
func (l *Loader) fastForward(n int64, c *Case, rec *CaseRecord) error {
	if err := l.putHistory(n, &CaseRecord{Revisions: rec.Revisions}); err != nil {
		return err
	}
	if err := l.setCase(n, c, rec.Doc); err != nil {
		return err
	}
	return l.t.index(n, c, true)
}

// conflict keeps the bundle's version beside the case and flags it.
func (l *Loader) conflict(n int64, local string, rec *CaseRecord, fromOrg string) (string, error) {
	res, err := l.t.exec("INSERT OR IGNORE INTO conflicts(case_n, doc_sha256, doc, from_org, imported_at) VALUES (?, ?, ?, ?, ?)",
		n, docSHA(rec.Doc), string(rec.Doc), fromOrg, l.t.v.stamp())
	if err != nil {
		return "", fmt.Errorf("store: keeping the conflicting version: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return MergeUnchanged, nil // this version was met before
	}
	cur, err := unmarshalCase(local)
	if err != nil {
		return "", err
	}
	if !cur.NeedsReview {
		cur.NeedsReview = true
		b, err := json.Marshal(cur)
		if err != nil {
			return "", fmt.Errorf("store: flagging: %w", err)
		}
		if _, err := l.t.exec("UPDATE case_docs SET doc = ? WHERE n = ?", string(b), n); err != nil {
			return "", fmt.Errorf("store: flagging: %w", err)
		}
		if _, err := l.t.exec("UPDATE cases SET needs_review = 1 WHERE n = ?", n); err != nil {
			return "", fmt.Errorf("store: flagging: %w", err)
		}
	}
	return MergeConflict, nil
}

// MergeEvidence adds an evidence item from a bundle to its case, unless the
// vault holds it already; its custody gains an "imported" entry.
func (l *Loader) MergeEvidence(e *Evidence, r io.Reader, fromOrg string) (bool, error) {
	var sha string
	err := l.t.queryRow("SELECT sha256 FROM evidence WHERE id = ?", e.ID).Scan(&sha)
	if err == nil {
		if sha != e.SHA256 {
			return false, fmt.Errorf("store: evidence %s is in the vault with other content", e.ID)
		}
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("store: merging evidence: %w", err)
	}
	if _, ok := l.cases[e.CaseID]; !ok {
		return false, fmt.Errorf("store: evidence %s belongs to case %s, which is not in the bundle before it", e.ID, e.CaseID)
	}
	if e.DerivedFrom != "" {
		if _, ok := l.items[e.DerivedFrom]; !ok {
			var n int64
			if err := l.t.queryRow("SELECT n FROM evidence WHERE id = ?", e.DerivedFrom).Scan(&n); err != nil {
				e.DerivedFrom = "" // its original was not shared
			} else {
				l.items[e.DerivedFrom] = n
			}
		}
	}
	e.Custody = append(e.Custody, Custody{At: l.t.v.stamp(), Action: CustodyImported, Actor: l.t.actor, From: fromOrg})
	if err := l.RestoreEvidence(e, r); err != nil {
		return false, err
	}
	return true, l.t.audit(AuditImport, e.ID, fmt.Sprintf("evidence of case %s, %d bytes, sha256 %s", e.CaseID, e.Size, e.SHA256))
}

func docSHA(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// conflictDocs returns the conflicting versions kept beside case n, in a
// fixed order (by hash) so that dumps and bundles are deterministic.
func (v *Vault) conflictDocs(ctx context.Context, n int64) ([]json.RawMessage, error) {
	rows, err := v.db.QueryContext(ctx, "SELECT doc FROM conflicts WHERE case_n = ? ORDER BY doc_sha256", n)
	if err != nil {
		return nil, fmt.Errorf("store: reading conflicts: %w", err)
	}
	defer rows.Close()
	var out []json.RawMessage
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("store: reading conflicts: %w", err)
		}
		out = append(out, json.RawMessage(doc))
	}
	return out, rows.Err()
}

// Conflicts returns the versions of a case met in merges and kept beside
// it, oldest first.
func (v *Vault) Conflicts(ctx context.Context, idOrRef string) ([]*Case, error) {
	c, err := v.Get(ctx, idOrRef)
	if err != nil {
		return nil, err
	}
	rows, err := v.db.QueryContext(ctx, `SELECT k.doc FROM conflicts k JOIN cases c ON c.n = k.case_n WHERE c.id = ? ORDER BY k.doc_sha256`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("store: reading conflicts: %w", err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("store: reading conflicts: %w", err)
		}
		cc, err := unmarshalCase(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, cc)
	}
	return out, rows.Err()
}
