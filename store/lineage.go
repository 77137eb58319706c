package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Lineage: every version of a case has a revision id (Case.RevisionID),
// and the vault keeps, beside the current version, the ids of the
// versions it descends from. A bundle carries them, so that a receiver
// can tell a later version of what it holds (it moves forward) from one
// made beside it (a conflict) even when the bundle carries no earlier
// version itself, as a share does not. Versions recorded before revision
// ids existed have none; for them the documents themselves are compared,
// as before.

// histReader is what reading needs of a database or of a transaction: merges
// read the history of a case inside the transaction that stages them.
type histReader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// appendIDs appends to list each non-empty id it does not hold yet.
func appendIDs(list []string, ids ...string) []string {
	for _, id := range ids {
		if id != "" && !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return list
}

func idsJSON(ids []string) string {
	if ids == nil {
		ids = []string{}
	}
	b, _ := json.Marshal(ids) // strings always marshal
	return string(b)
}

func parseIDs(s string) ([]string, error) {
	var ids []string
	if err := json.Unmarshal([]byte(s), &ids); err != nil {
		return nil, fmt.Errorf("a stored lineage does not decode: %w", err)
	}
	return ids, nil
}

// readLineage returns the lineage kept for case n.
func readLineage(ctx context.Context, q histReader, n int64) ([]string, error) {
	var s string
	if err := q.QueryRowContext(ctx, "SELECT lineage FROM case_docs WHERE n = ?", n).Scan(&s); err != nil {
		return nil, fmt.Errorf("reading lineage: %w", err)
	}
	return parseIDs(s)
}

// checkLineage refuses ids that are not revision ids, from a bundle.
func checkLineage(field string, ids []string) error {
	for _, id := range ids {
		if !validRevisionID(id) {
			return &FieldError{Field: field, Msg: "holds something that is not a revision id"}
		}
	}
	return nil
}

// revisionDocsQ returns the documents of case n's earlier versions, by
// revision number.
func revisionDocsQ(ctx context.Context, q histReader, n int64) ([]json.RawMessage, error) {
	rows, err := q.QueryContext(ctx, "SELECT doc FROM revisions WHERE case_n = ? ORDER BY revision", n)
	if err != nil {
		return nil, fmt.Errorf("reading revisions: %w", err)
	}
	defer rows.Close()
	var out []json.RawMessage
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("reading revisions: %w", err)
		}
		out = append(out, json.RawMessage(doc))
	}
	return out, rows.Err()
}

// revisionIDOf returns the revision id a case document records, or "".
func revisionIDOf(doc []byte) string {
	var c struct {
		RevisionID string `json:"revision_id"`
	}
	if json.Unmarshal(doc, &c) != nil {
		return ""
	}
	return c.RevisionID
}

// fullLineage is the lineage of case n as bundles carry it: the kept ids,
// then those of its revisions' documents the list lacks.
func fullLineage(ctx context.Context, q histReader, n int64, revs []json.RawMessage) ([]string, error) {
	ids, err := readLineage(ctx, q, n)
	if err != nil {
		return nil, err
	}
	for _, r := range revs {
		ids = appendIDs(ids, revisionIDOf(r))
	}
	return ids, nil
}

// keptConflict is a version met in a merge and kept beside a case.
type keptConflict struct {
	sha      string
	doc      string
	fromOrg  string
	at       string
	lineage  []string
	resolved bool
}

// readConflicts returns the versions kept beside case n, in a fixed order
// (by hash) so that dumps and bundles are deterministic; open ones only,
// or settled ones only.
func readConflicts(ctx context.Context, q histReader, n int64, resolved bool) ([]keptConflict, error) {
	rows, err := q.QueryContext(ctx, "SELECT doc_sha256, doc, from_org, imported_at, lineage FROM conflicts WHERE case_n = ? AND resolved = ? ORDER BY doc_sha256", n, resolved)
	if err != nil {
		return nil, fmt.Errorf("reading conflicts: %w", err)
	}
	defer rows.Close()
	var out []keptConflict
	for rows.Next() {
		k := keptConflict{resolved: resolved}
		var lin string
		if err := rows.Scan(&k.sha, &k.doc, &k.fromOrg, &k.at, &lin); err != nil {
			return nil, fmt.Errorf("reading conflicts: %w", err)
		}
		if k.lineage, err = parseIDs(lin); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// history is what a vault knows of a case's past: the ids of versions its
// current one descends from, and the documents of its earlier versions.
type history struct {
	head    string // the current version's revision id
	doc     string // the current version's document
	ids     []string
	revs    []json.RawMessage
	pending []keptConflict // open conflicts
}

// knows reports whether the vault holds the version with that id or
// document, as its current one or an earlier one.
func (h *history) knows(id string, doc []byte) bool {
	if id != "" && (id == h.head || slices.Contains(h.ids, id)) {
		return true
	}
	if h.doc == string(doc) {
		return true
	}
	return slices.ContainsFunc(h.revs, func(r json.RawMessage) bool { return string(r) == string(doc) })
}

// readHistory reads case n's history within the transaction.
func (t *writeTx) readHistory(n int64, doc string) (*history, error) {
	h := &history{doc: doc, head: revisionIDOf([]byte(doc))}
	var err error
	if h.revs, err = revisionDocsQ(t.ctx, t.tx, n); err != nil {
		return nil, err
	}
	if h.ids, err = fullLineage(t.ctx, t.tx, n, h.revs); err != nil {
		return nil, err
	}
	if h.pending, err = readConflicts(t.ctx, t.tx, n, false); err != nil {
		return nil, err
	}
	return h, nil
}

// Lineage returns the revision ids of the versions a case descends from,
// as a share carries them in place of the versions themselves.
func (v *Vault) Lineage(ctx context.Context, id string) ([]string, error) {
	var n int64
	if err := v.db.QueryRowContext(ctx, "SELECT n FROM cases WHERE id = ?", id).Scan(&n); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return nil, fmt.Errorf("reading lineage: %w", err)
	}
	revs, err := revisionDocsQ(ctx, v.db, n)
	if err != nil {
		return nil, err
	}
	return fullLineage(ctx, v.db, n, revs)
}
