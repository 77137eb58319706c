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
	"slices"
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
// Importing the same case twice changes nothing. The case's history is
// read within the load's transaction, so that it sees what the load
// itself staged.
//
// Where a version is placed is decided by revision ids (the bundle's
// lineage and the vault's), and, for versions from before revision ids,
// by comparing documents.
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
	if err := checkRecord(rec, c); err != nil {
		return "", err
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
		return "", fmt.Errorf("merging: %w", err)
	}
	l.cases[c.ID] = n
	h, err := l.t.readHistory(n, local)
	if err != nil {
		return "", err
	}
	if h.knows(c.RevisionID, rec.Doc) {
		return MergeUnchanged, nil // the vault has it, or is ahead
	}
	for _, k := range h.pending {
		if k.doc == string(rec.Doc) || (c.RevisionID != "" && revisionIDOf([]byte(k.doc)) == c.RevisionID) {
			return MergeUnchanged, nil // kept beside the case already
		}
	}
	ancestors := recordLineage(rec)
	if (h.head != "" && slices.Contains(ancestors, h.head)) ||
		slices.ContainsFunc(rec.Revisions, func(r json.RawMessage) bool { return string(r) == local }) {
		if err := l.fastForward(n, c, rec, h, ancestors); err != nil {
			return "", err
		}
		return MergeUpdated, l.t.audit(AuditImport, c.ID, fmt.Sprintf("updated to revision %d from %s", c.Revision, fromOrg))
	}
	out, err := l.conflict(n, local, rec, fromOrg, ancestors, h)
	if err == nil && out == MergeConflict {
		err = l.t.audit(AuditImport, c.ID, "conflicting version from "+fromOrg+" kept; flagged for review")
	}
	return out, err
}

// checkRecord refuses a record whose revision ids are malformed.
func checkRecord(rec *CaseRecord, c *Case) error {
	if c.RevisionID != "" && !validRevisionID(c.RevisionID) {
		return &FieldError{Field: "revision_id", Msg: "not a revision id"}
	}
	if err := checkLineage("lineage", rec.Lineage); err != nil {
		return err
	}
	for id, ids := range rec.ConflictLineage {
		if err := checkLineage("conflict_lineage", append([]string{id}, ids...)); err != nil {
			return err
		}
	}
	return nil
}

// recordLineage is the ids of the versions a record's case descends from:
// its lineage, and the ids of the earlier versions it carries.
func recordLineage(rec *CaseRecord) []string {
	ids := appendIDs(nil, rec.Lineage...)
	for _, r := range rec.Revisions {
		ids = appendIDs(ids, revisionIDOf(r))
	}
	return ids
}

// addMerged inserts a case new to this vault, with its revisions. If its
// reference is taken here, the id's first characters are appended.
func (l *Loader) addMerged(c *Case, rec *CaseRecord) error {
	var taken int
	if err := l.t.queryRow("SELECT count(*) FROM cases WHERE reference = ?", c.Reference).Scan(&taken); err != nil {
		return fmt.Errorf("merging: %w", err)
	}
	if taken > 0 {
		c.Reference += "-" + c.ID[:8]
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("merging: %w", err)
		}
		rec = &CaseRecord{Doc: b, Revisions: rec.Revisions, Lineage: rec.Lineage}
	}
	return l.RestoreCase(rec)
}

// fastForward moves a case to the bundle's later version, keeping the
// vault's version and every version in between the bundle carries as
// revisions. Conflicting versions the new one descends from are settled.
func (l *Loader) fastForward(n int64, c *Case, rec *CaseRecord, h *history, ancestors []string) error {
	old, err := unmarshalCase(h.doc)
	if err != nil {
		return err
	}
	// A share carries no earlier versions: the vault's own is kept here.
	if _, err := l.t.exec("INSERT OR IGNORE INTO revisions(case_n, revision, doc) VALUES (?, ?, ?)", n, old.Revision, h.doc); err != nil {
		return fmt.Errorf("keeping revision: %w", err)
	}
	if err := l.putHistory(n, &CaseRecord{Revisions: rec.Revisions}); err != nil {
		return err
	}
	open := 0
	for _, k := range h.pending {
		id := revisionIDOf([]byte(k.doc))
		if (id != "" && slices.Contains(ancestors, id)) || slices.ContainsFunc(rec.Revisions, func(r json.RawMessage) bool { return string(r) == k.doc }) {
			if _, err := l.t.exec("UPDATE conflicts SET resolved = 1 WHERE case_n = ? AND doc_sha256 = ?", n, k.sha); err != nil {
				return fmt.Errorf("settling a conflict: %w", err)
			}
			continue
		}
		open++
	}
	doc := []byte(rec.Doc)
	if open > 0 && !c.NeedsReview {
		// Conflicts the new version does not settle still await review.
		c.NeedsReview = true
		if doc, err = json.Marshal(c); err != nil {
			return fmt.Errorf("flagging: %w", err)
		}
	}
	if err := l.setCase(n, c, doc); err != nil {
		return err
	}
	if err := l.setLineage(n, appendIDs(appendIDs(h.ids, h.head), ancestors...)); err != nil {
		return err
	}
	return l.t.index(n, c, true)
}

// conflict keeps the bundle's version beside the case and flags it. Open
// conflicting versions the new one descends from (the partner edited
// further) are settled by it: the new one carries them on.
func (l *Loader) conflict(n int64, local string, rec *CaseRecord, fromOrg string, ancestors []string, h *history) (string, error) {
	res, err := l.t.exec("INSERT OR IGNORE INTO conflicts(case_n, doc_sha256, doc, from_org, imported_at, lineage) VALUES (?, ?, ?, ?, ?, ?)",
		n, docSHA(rec.Doc), string(rec.Doc), fromOrg, l.t.v.stamp(), idsJSON(ancestors))
	if err != nil {
		return "", fmt.Errorf("keeping the conflicting version: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return MergeUnchanged, nil // this version was met before
	}
	for _, k := range h.pending {
		if id := revisionIDOf([]byte(k.doc)); id != "" && slices.Contains(ancestors, id) {
			if _, err := l.t.exec("UPDATE conflicts SET resolved = 1 WHERE case_n = ? AND doc_sha256 = ?", n, k.sha); err != nil {
				return "", fmt.Errorf("settling a conflict: %w", err)
			}
		}
	}
	cur, err := unmarshalCase(local)
	if err != nil {
		return "", err
	}
	if !cur.NeedsReview {
		cur.NeedsReview = true
		b, err := json.Marshal(cur)
		if err != nil {
			return "", fmt.Errorf("flagging: %w", err)
		}
		if _, err := l.t.exec("UPDATE case_docs SET doc = ? WHERE n = ?", string(b), n); err != nil {
			return "", fmt.Errorf("flagging: %w", err)
		}
		if _, err := l.t.exec("UPDATE cases SET needs_review = 1 WHERE n = ?", n); err != nil {
			return "", fmt.Errorf("flagging: %w", err)
		}
	}
	return MergeConflict, nil
}

// setLineage sets the lineage kept for case n.
func (l *Loader) setLineage(n int64, ids []string) error {
	if _, err := l.t.exec("UPDATE case_docs SET lineage = ? WHERE n = ?", idsJSON(ids), n); err != nil {
		return fmt.Errorf("keeping lineage: %w", err)
	}
	return nil
}

// MergeEvidence adds an evidence item from a bundle to its case, unless the
// vault holds it already; its custody gains an "imported" entry.
func (l *Loader) MergeEvidence(e *Evidence, r io.Reader, fromOrg string) (bool, error) {
	var sha string
	err := l.t.queryRow("SELECT sha256 FROM evidence WHERE id = ?", e.ID).Scan(&sha)
	if err == nil {
		if sha != e.SHA256 {
			return false, fmt.Errorf("evidence %s is in the vault with other content", e.ID)
		}
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("merging evidence: %w", err)
	}
	if _, ok := l.cases[e.CaseID]; !ok {
		return false, fmt.Errorf("evidence %s belongs to case %s, which is not in the bundle before it", e.ID, e.CaseID)
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

// conflictDocs returns the open conflicting versions kept beside case n,
// or the settled ones, in a fixed order (by hash) so that dumps and
// bundles are deterministic.
func (v *Vault) conflictDocs(ctx context.Context, n int64, resolved bool) ([]json.RawMessage, error) {
	ks, err := readConflicts(ctx, v.db, n, resolved)
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for _, k := range ks {
		out = append(out, json.RawMessage(k.doc))
	}
	return out, nil
}
