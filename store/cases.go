package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// AddCases reads cases from r (one JSON object or NDJSON, see DecodeCases),
// validates them and adds them in one transaction: either all are added or
// none. It returns the new ids in input order. A validation error is a
// *FieldError naming the line and the field.
func (v *Vault) AddCases(ctx context.Context, r io.Reader) ([]string, error) {
	tx, err := v.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var ids []string
	err = DecodeCases(r, func(line int, c *Case) error {
		if err := tx.insert(c); err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				for _, e := range fe.All() {
					e.Line = line
				}
			}
			return err
		}
		ids = append(ids, c.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return ids, nil
}

// Add validates and adds cases in one transaction and returns their ids.
// The cases are updated in place with the ids and stamps they were given.
func (v *Vault) Add(ctx context.Context, cases ...*Case) ([]string, error) {
	tx, err := v.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	ids := make([]string, 0, len(cases))
	for _, c := range cases {
		if err := tx.insert(c); err != nil {
			return nil, err
		}
		ids = append(ids, c.ID)
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return ids, nil
}

// Get returns a case by id or by reference (ORG-2026-0042).
func (v *Vault) Get(ctx context.Context, idOrRef string) (*Case, error) {
	var doc string
	err := v.db.QueryRowContext(ctx, `SELECT d.doc FROM cases c JOIN case_docs d ON d.n = c.n
		WHERE c.id = ?1 OR c.reference = ?1`, idOrRef).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, idOrRef)
	}
	if err != nil {
		return nil, fmt.Errorf("reading case: %w", err)
	}
	return unmarshalCase(doc)
}

// Revisions returns the earlier versions of a case, oldest first. The
// current version is not included; Get returns it.
func (v *Vault) Revisions(ctx context.Context, idOrRef string) ([]*Case, error) {
	c, err := v.Get(ctx, idOrRef)
	if err != nil {
		return nil, err
	}
	rows, err := v.db.QueryContext(ctx, `SELECT r.doc FROM revisions r JOIN cases c ON c.n = r.case_n
		WHERE c.id = ? ORDER BY r.revision`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("reading revisions: %w", err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("reading revisions: %w", err)
		}
		rc, err := unmarshalCase(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, rc)
	}
	return out, rows.Err()
}

// readOnlyFields are set by the vault and cannot be edited.
var readOnlyFields = []string{"id", "reference", "revision", "revision_id", "created_at", "created_by", "updated_at", "updated_by", "origin_org", "needs_review"}

// Edit changes the fields named in patch, a JSON object in the case format
// (a field set to null is cleared; lists are replaced whole). The version
// before the edit is kept as a revision. It returns the case as saved.
func (v *Vault) Edit(ctx context.Context, idOrRef string, patch []byte) (*Case, error) {
	if err := CheckJSON(patch); err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(patch, &fields); err != nil {
		return nil, &FieldError{Msg: "the changes are not a JSON object: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	for _, f := range readOnlyFields {
		if _, ok := fields[f]; ok {
			return nil, &FieldError{Field: f, Msg: "is set by the vault and cannot be edited"}
		}
	}
	cur, err := v.Get(ctx, idOrRef)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(cur)
	if err != nil {
		return nil, err
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(b, &merged); err != nil {
		return nil, err
	}
	for k, val := range fields {
		if string(val) == "null" {
			delete(merged, k)
		} else {
			merged[k] = val
		}
	}
	b, err = json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	next, err := decodeCase(b, 0)
	if err != nil {
		return nil, err
	}
	if err := v.Update(ctx, next); err != nil {
		return nil, err
	}
	return next, nil
}

// Update replaces a case with c (matched by c.ID), keeping the previous
// version as a revision. c is validated and updated in place with its new
// revision and stamps.
func (v *Vault) Update(ctx context.Context, c *Case) error {
	tx, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := tx.update(c); err != nil {
		return err
	}
	return tx.commit()
}

// Delete removes a case with everything it holds — people, violations,
// revisions, evidence and its custody — in one transaction. SQLite's
// secure delete overwrites the freed pages. The audit log keeps a
// tombstone: the id and reference, and how many evidence items went.
func (v *Vault) Delete(ctx context.Context, idOrRef string) error {
	c, err := v.Get(ctx, idOrRef)
	if err != nil {
		return err
	}
	tx, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var n int64
	var items int
	if err := tx.queryRow("SELECT n FROM cases WHERE id = ?", c.ID).Scan(&n); err != nil {
		return fmt.Errorf("deleting case: %w", err)
	}
	if err := tx.queryRow("SELECT count(*) FROM evidence WHERE case_n = ?", n).Scan(&items); err != nil {
		return fmt.Errorf("deleting case: %w", err)
	}
	if err := tx.dropBlobs("case_n = ?", n); err != nil {
		return fmt.Errorf("deleting case: %w", err)
	}
	// The search index is a virtual table outside the foreign keys.
	if _, err := tx.exec("DELETE FROM case_fts WHERE docid = ?", n); err != nil {
		return fmt.Errorf("deleting case: %w", err)
	}
	if _, err := tx.exec("DELETE FROM cases WHERE n = ?", n); err != nil {
		return fmt.Errorf("deleting case: %w", err)
	}
	if err := tx.audit(AuditDelete, c.ID, fmt.Sprintf("tombstone: reference %s, revision %d, %d evidence item(s)", c.Reference, c.Revision, items)); err != nil {
		return err
	}
	return tx.commit()
}

// Summary is a case as a list shows it.
type Summary struct {
	ID           string `json:"id"`
	Reference    string `json:"reference"`
	Title        string `json:"title"`
	Status       string `json:"status"`
	IncidentDate string `json:"incident_date"`
	Country      string `json:"country"`
	UpdatedAt    string `json:"updated_at"`
	NeedsReview  bool   `json:"needs_review"`

	// Violations are the case's violation types with their HURIDOCS
	// codes, filled only when the query asks (Query.WithViolations).
	Violations []TypeCode `json:"violations,omitempty"`
}

// TypeCode is a violation type with the HURIDOCS code of its term (JSON
// null where it has none).
type TypeCode struct {
	Type     string      `json:"type"`
	Huridocs HuridocsRef `json:"huridocs_code"`
}

// Sort orders of a listing.
const (
	SortIncidentDesc = "" // newest incident first (the default)
	SortIncidentAsc  = "incident_asc"
	SortUpdatedDesc  = "updated_desc"
	SortReference    = "reference"
)

// Query selects cases. Zero fields do not filter.
type Query struct {
	Text        string // full-text search over title, narrative, pseudonyms, places and tags
	Status      string
	Violation   string
	Perpetrator string
	Country     string
	Tag         string
	From, To    string // incident dates, YYYY[-MM[-DD]]; a case matches if its dates overlap the range
	NeedsReview bool
	Sort        string
	Limit       int // 0: all
	Offset      int

	// WithViolations makes List fill Summary.Violations, at the cost of a
	// look-up per case.
	WithViolations bool

	consent string // only cases whose consent has this scope (Stats)
}

// common reports whether a facet value is held by more than a fifth of
// the cases. For such a value, probing it row by row while walking the date
// index finds a page at once; for a rarer one, starting from the facet and
// sorting its few cases is faster. SQLite's planner does not choose well
// between the two, so the query is written one way or the other.
func (v *Vault) common(ctx context.Context, kind, value string) bool {
	var n, total int
	if err := v.db.QueryRowContext(ctx, "SELECT count(*) FROM case_facets WHERE kind = ? AND value = ?", kind, value).Scan(&n); err != nil {
		return false
	}
	if err := v.db.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&total); err != nil {
		return false
	}
	return n*5 > total
}

func (q Query) where(ctx context.Context, v *Vault) (string, []any, error) {
	var conds []string
	var args []any
	if expr := ftsQuery(q.Text); expr != "" {
		conds = append(conds, "c.n IN (SELECT docid FROM case_fts WHERE case_fts MATCH ?)")
		args = append(args, expr)
	}
	check := func(name string, vocab []string, val string) error {
		if val != "" && !inVocab(vocab, val) {
			return &FieldError{Field: name, Reason: ReasonUnknownValue, Msg: "unknown value; one of: " + strings.Join(vocab, ", ")}
		}
		return nil
	}
	if err := errors.Join(check("status", CaseStatuses, q.Status), check("violation", ViolationTypes, q.Violation), check("perpetrator", Perpetrators, q.Perpetrator)); err != nil {
		return "", nil, err
	}
	if q.Status != "" {
		conds = append(conds, "c.status = ?")
		args = append(args, q.Status)
	}
	if q.Country != "" {
		conds = append(conds, "c.country = ?")
		args = append(args, strings.ToUpper(q.Country))
	}
	for _, f := range []struct{ kind, val string }{{"violation", q.Violation}, {"perpetrator", q.Perpetrator}, {"tag", q.Tag}} {
		if f.val != "" {
			if v.common(ctx, f.kind, f.val) {
				conds = append(conds, "EXISTS (SELECT 1 FROM case_facets f WHERE f.kind = ? AND f.value = ? AND f.case_n = c.n)")
			} else {
				conds = append(conds, "c.n IN (SELECT case_n FROM case_facets WHERE kind = ? AND value = ?)")
			}
			args = append(args, f.kind, f.val)
		}
	}
	if q.From != "" {
		first, _, err := ParseDate(q.From)
		if err != nil {
			return "", nil, &FieldError{Field: "from", Reason: ReasonBadDate, Msg: err.Error()}
		}
		conds = append(conds, "c.date_last >= ? AND c.date_last != ''")
		args = append(args, first.Format(time.DateOnly))
	}
	if q.To != "" {
		_, last, err := ParseDate(q.To)
		if err != nil {
			return "", nil, &FieldError{Field: "to", Reason: ReasonBadDate, Msg: err.Error()}
		}
		conds = append(conds, "c.date_first <= ? AND c.date_first != ''")
		args = append(args, last.Format(time.DateOnly))
	}
	if q.NeedsReview {
		conds = append(conds, "c.needs_review = 1")
	}
	if q.consent != "" {
		conds = append(conds, "c.n IN (SELECT case_n FROM case_facets WHERE kind = 'consent' AND value = ?)")
		args = append(args, q.consent)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// List returns the cases q selects, in q.Sort order.
func (v *Vault) List(ctx context.Context, q Query) ([]Summary, error) {
	where, args, err := q.where(ctx, v)
	if err != nil {
		return nil, err
	}
	order := map[string]string{
		SortIncidentDesc: "c.date_first DESC, c.id DESC",
		SortIncidentAsc:  "c.date_first ASC, c.id ASC",
		SortUpdatedDesc:  "c.updated_at DESC, c.id DESC",
		SortReference:    "c.reference ASC",
		// Each order matches an index read forwards or backwards.
	}[q.Sort]
	if order == "" {
		return nil, &FieldError{Field: "sort", Msg: "unknown sort order"}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	violations := "''"
	if q.WithViolations {
		violations = "(SELECT group_concat(f.value, ' ') FROM case_facets f WHERE f.case_n = c.n AND f.kind = 'violation')"
	}
	rows, err := v.db.QueryContext(ctx, `SELECT c.id, c.reference, c.title, c.status, c.incident_date, c.country, c.updated_at, c.needs_review,
		`+violations+` FROM cases c`+where+" ORDER BY "+order+" LIMIT ? OFFSET ?", append(args, limit, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("listing cases: %w", err)
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var s Summary
		var types sql.NullString
		if err := rows.Scan(&s.ID, &s.Reference, &s.Title, &s.Status, &s.IncidentDate, &s.Country, &s.UpdatedAt, &s.NeedsReview, &types); err != nil {
			return nil, fmt.Errorf("listing cases: %w", err)
		}
		if q.WithViolations {
			s.Violations = []TypeCode{}
			keys := strings.Fields(types.String)
			slices.Sort(keys)
			for _, k := range keys {
				code, _ := HuridocsCode(k)
				s.Violations = append(s.Violations, TypeCode{Type: k, Huridocs: HuridocsRef{Code: code}})
			}
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing cases: %w", err)
	}
	return out, nil
}

// Totals is what a vault holds, for summaries shown to people.
type Totals struct {
	Cases     int
	Originals int // evidence files, as received
	Stripped  int // copies of them with the metadata removed: not further evidence
	Audit     int // audit log entries
}

// Totals counts the vault's cases, evidence files and, apart, their
// stripped copies, and audit entries.
func (v *Vault) Totals(ctx context.Context) (*Totals, error) {
	t := &Totals{}
	err := v.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM cases),
		(SELECT count(*) FROM evidence WHERE kind <> ?), (SELECT count(*) FROM evidence WHERE kind = ?),
		(SELECT count(*) FROM audit)`, EvidenceStripped, EvidenceStripped).Scan(&t.Cases, &t.Originals, &t.Stripped, &t.Audit)
	if err != nil {
		return nil, fmt.Errorf("counting: %w", err)
	}
	return t, nil
}

// Count returns how many cases q selects, ignoring its limit and offset.
func (v *Vault) Count(ctx context.Context, q Query) (int, error) {
	where, args, err := q.where(ctx, v)
	if err != nil {
		return 0, err
	}
	var n int
	query := "SELECT count(*) FROM cases c" + where
	if expr := ftsQuery(q.Text); expr != "" && q == (Query{Text: q.Text, Sort: q.Sort, Limit: q.Limit, Offset: q.Offset}) {
		// Text alone: the index counts its own matches, without a visit
		// to every matching case.
		query, args = "SELECT count(*) FROM case_fts WHERE case_fts MATCH ?", []any{expr}
	}
	if err := v.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting cases: %w", err)
	}
	return n, nil
}

// DumpFormat names the canonical dump.
const DumpFormat = "dossier-dump"

// Dump writes the vault's content as canonical JSON: cases in id order,
// each with its earlier revisions, every list in a fixed order. Two vaults
// with the same content write the same bytes, so a restore can be checked
// with a byte comparison. It streams; memory does not grow with the vault.
func (v *Vault) Dump(ctx context.Context, w io.Writer) error {
	rows, err := v.db.QueryContext(ctx, "SELECT c.n, d.doc FROM cases c JOIN case_docs d ON d.n = c.n ORDER BY c.id")
	if err != nil {
		return fmt.Errorf("dumping: %w", err)
	}
	defer rows.Close()
	if _, err := fmt.Fprintf(w, "{\n  \"format\": %q,\n  \"version\": 1,\n  \"cases\": [", DumpFormat); err != nil {
		return err
	}
	sep := "\n"
	for rows.Next() {
		var n int64
		var doc string
		if err := rows.Scan(&n, &doc); err != nil {
			return fmt.Errorf("dumping: %w", err)
		}
		c, err := unmarshalCase(doc)
		if err != nil {
			return err
		}
		rec, err := v.caseRecord(ctx, n, doc)
		if err != nil {
			return err
		}
		ev, err := v.EvidenceOf(ctx, c.ID)
		if err != nil {
			return err
		}
		b, err := json.MarshalIndent(dumpCase{Case: c.WithHuridocsCodes(), Revisions: rec.Revisions, Conflicts: rec.Conflicts, Lineage: rec.Lineage,
			ConflictLineage: rec.ConflictLineage, Resolved: rec.Resolved, Evidence: ev}, "    ", "  ")
		if err != nil {
			return fmt.Errorf("dumping: %w", err)
		}
		if _, err := io.WriteString(w, sep+"    "); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		sep = ",\n"
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dumping: %w", err)
	}
	_, err = io.WriteString(w, "\n  ]\n}\n")
	return err
}

type dumpCase struct {
	*Case
	Revisions []json.RawMessage `json:"revisions,omitempty"`
	Conflicts []json.RawMessage `json:"conflicts,omitempty"` // versions met in merges, awaiting review
	Evidence  []*Evidence       `json:"evidence,omitempty"`  // hashes, sizes and custody; not the bytes
	// Lineage: the revision ids the case descends from; settled
	// conflicting versions, and what open ones descend from.
	Lineage         []string            `json:"lineage,omitempty"`
	ConflictLineage map[string][]string `json:"conflict_lineage,omitempty"`
	Resolved        []json.RawMessage   `json:"resolved_conflicts,omitempty"`
}

func unmarshalCase(doc string) (*Case, error) {
	var c Case
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return nil, fmt.Errorf("a stored case does not decode: %w", err)
	}
	return &c, nil
}
