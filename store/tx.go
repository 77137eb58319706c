package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/dossier-hr/dossier/store/chunks"
	sqlcipher "github.com/mutecomm/go-sqlcipher/v4"
)

// writeTx is one write transaction with the statements a save needs
// prepared once, so bulk adds stay fast.
type writeTx struct {
	v     *Vault
	actor string // who is recorded as doing what this transaction writes
	ctx   context.Context
	tx    *sql.Tx
	done  bool
	stmts map[string]*sql.Stmt
	seq   map[string]int // reference counters touched, by year
	added int            // cases inserted, to refresh planner statistics after bulk adds

	auditSeq   int64  // last audit entry written or read in this transaction
	auditHead  []byte // its hash; nil until first needed
	auditDirty bool

	// Evidence files stored and dropped in this transaction (blobs.go).
	blobLocked bool
	newBlobs   []chunks.ID
	oldBlobs   []chunks.ID
}

func (v *Vault) begin(ctx context.Context) (*writeTx, error) {
	if v.db == nil || v.closed.Load() {
		return nil, ErrClosed
	}
	tx, err := v.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("starting a transaction: %w", err)
	}
	return &writeTx{v: v, actor: v.Author(), ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, seq: map[string]int{}}, nil
}

// write runs fn in one write transaction and commits it if fn returns nil:
// every change to the vault goes through here (or through begin and commit
// for the few that stream), so that it is atomic and can be audited.
func (v *Vault) write(ctx context.Context, fn func(t *writeTx) error) error {
	t, err := v.begin(ctx)
	if err != nil {
		return err
	}
	defer t.rollback()
	if err := fn(t); err != nil {
		return err
	}
	return t.commit()
}

func (t *writeTx) stmt(query string) (*sql.Stmt, error) {
	st, ok := t.stmts[query]
	if !ok {
		var err error
		if st, err = t.tx.PrepareContext(t.ctx, query); err != nil {
			return nil, err
		}
		t.stmts[query] = st
	}
	return st, nil
}

func (t *writeTx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(t.ctx, args...)
	return res, diskFull(err)
}

// diskFull marks the errors that mean the disk (or the database's file
// system) is full, so callers can say so with errors.Is(err, ErrDiskFull).
// The transaction that met it is rolled back: nothing of it is kept.
func diskFull(err error) error {
	var se sqlcipher.Error
	if err != nil && !errors.Is(err, ErrDiskFull) &&
		((errors.As(err, &se) && se.Code == sqlcipher.ErrFull) || errors.Is(err, syscall.ENOSPC)) {
		return fmt.Errorf("%w (%w)", ErrDiskFull, err)
	}
	return err
}

// isUniqueViolation reports whether err is SQLite refusing a row whose key
// or unique column is already taken (matched by the driver's code: its
// wording is not an interface).
func isUniqueViolation(err error) bool {
	var se sqlcipher.Error
	return errors.As(err, &se) &&
		(se.ExtendedCode == sqlcipher.ErrConstraintUnique || se.ExtendedCode == sqlcipher.ErrConstraintPrimaryKey)
}

// isNotADatabase reports whether err is SQLite finding no database it can
// read: with SQLCipher, the sign of a key that does not fit.
func isNotADatabase(err error) bool {
	var se sqlcipher.Error
	return errors.As(err, &se) && se.Code == sqlcipher.ErrNotADB
}

func (t *writeTx) queryRow(query string, args ...any) *sql.Row {
	st, err := t.stmt(query)
	if err != nil {
		return t.tx.QueryRowContext(t.ctx, query, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(t.ctx, args...)
}

func (t *writeTx) rollback() {
	if !t.done {
		t.done = true
		t.tx.Rollback()
		t.endBlobs(false)
	}
}

func (t *writeTx) commit() error {
	if t.auditDirty {
		if _, err := t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_head', ?)", t.auditHead); err != nil {
			return fmt.Errorf("saving audit head: %w", err)
		}
	}
	for year, n := range t.seq {
		if _, err := t.exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "ref_seq_"+year, n); err != nil {
			return fmt.Errorf("saving reference counter: %w", err)
		}
	}
	t.done = true
	if err := t.tx.Commit(); err != nil {
		t.endBlobs(false)
		return fmt.Errorf("committing: %w", diskFull(err))
	}
	t.endBlobs(true)
	if t.added >= 1000 {
		// Query plans for filters depend on how selective each value is;
		// after a bulk add, refresh the statistics (sampled, so cheap).
		t.v.analyze(t.ctx)
	}
	return nil
}

// nextReference returns the next ORG-YYYY-NNNN reference for this year.
func (t *writeTx) nextReference() (string, error) {
	year := t.v.now().UTC().Format("2006")
	n, ok := t.seq[year]
	if !ok {
		err := t.tx.QueryRowContext(t.ctx, "SELECT value FROM meta WHERE key = ?", "ref_seq_"+year).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("reading reference counter: %w", err)
		}
	}
	for {
		n++
		ref := fmt.Sprintf("%s-%s-%04d", t.v.org.Code, year, n)
		var exists int
		// A merged or imported case may already hold the next reference.
		err := t.queryRow("SELECT 1 FROM cases WHERE reference = ?", ref).Scan(&exists)
		if errors.Is(err, sql.ErrNoRows) {
			t.seq[year] = n
			return ref, nil
		}
		if err != nil {
			return "", fmt.Errorf("checking reference: %w", err)
		}
	}
}

// insert validates c, gives it ids, a reference and stamps, and adds it.
func (t *writeTx) insert(c *Case) error {
	now := t.v.now()
	c.Revision, c.OriginOrg, c.NeedsReview = 0, "", false
	if err := c.Normalize(now); err != nil {
		return err
	}
	t.signNotes(c)
	c.assignIDs(now)
	if c.Reference == "" {
		ref, err := t.nextReference()
		if err != nil {
			return err
		}
		c.Reference = ref
	}
	c.Revision = 1
	c.RevisionID = newRevisionID()
	c.OriginOrg = t.v.org.Name
	c.CreatedAt, c.UpdatedAt = t.v.stamp(), t.v.stamp()
	c.CreatedBy, c.UpdatedBy = t.actor, t.actor
	doc, first, last, err := encode(c)
	if err != nil {
		return err
	}
	res, err := t.exec(`INSERT INTO cases(id, reference, title, status, country, incident_date, date_first, date_last, updated_at, needs_review, revision)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Reference, c.Title, c.Status, c.Country, c.IncidentDate, first, last, c.UpdatedAt, c.NeedsReview, c.Revision)
	if err != nil {
		if isUniqueViolation(err) {
			return &FieldError{Field: "id", Msg: fmt.Sprintf("a case with id %q or reference %q is already in the vault", c.ID, c.Reference)}
		}
		return fmt.Errorf("adding case: %w", err)
	}
	n, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("adding case: %w", err)
	}
	if _, err := t.exec("INSERT INTO case_docs(n, doc) VALUES (?, ?)", n, doc); err != nil {
		return fmt.Errorf("adding case: %w", err)
	}
	t.added++
	if err := t.audit(AuditCreate, c.ID, "revision 1"); err != nil {
		return err
	}
	return t.index(n, c, false)
}

// signNotes gives the notes new in c (those without an id yet) the
// transaction's author and today's date where they have none: a note says
// who wrote it and when.
func (t *writeTx) signNotes(c *Case) {
	for i := range c.Notes {
		n := &c.Notes[i]
		if n.ID != "" {
			continue
		}
		if n.Author == "" {
			n.Author = t.actor
		}
		if n.Date == "" {
			n.Date = t.v.now().UTC().Format(time.DateOnly)
		}
	}
}

// update saves c over the stored case with the same id, keeping the old one
// as a revision.
func (t *writeTx) update(c *Case) error {
	n, old, oldDoc, err := t.current(c.ID)
	if err != nil {
		return err
	}
	if err := c.Normalize(t.v.now()); err != nil {
		return err
	}
	t.signNotes(c)
	c.assignIDs(t.v.now())
	// What the vault owns comes from the stored case, whatever c says.
	c.Reference, c.OriginOrg, c.NeedsReview = old.Reference, old.OriginOrg, old.NeedsReview
	c.CreatedAt, c.CreatedBy = old.CreatedAt, old.CreatedBy
	c.Revision = old.Revision + 1
	return t.save(n, old, oldDoc, c, nil, AuditEdit, fmt.Sprintf("revision %d", c.Revision))
}

// current reads the stored case with that id: its row, the case and its
// document.
func (t *writeTx) current(id string) (int64, *Case, string, error) {
	var n int64
	var doc string
	err := t.queryRow("SELECT c.n, d.doc FROM cases c JOIN case_docs d ON d.n = c.n WHERE c.id = ?", id).Scan(&n, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, "", fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return 0, nil, "", fmt.Errorf("reading case: %w", err)
	}
	old, err := unmarshalCase(doc)
	if err != nil {
		return 0, nil, "", err
	}
	return n, old, doc, nil
}

// save writes c, validated and with its revision number set, as the new
// version of case n over old (stored as oldDoc), which is kept as a
// revision. The lineage gains old's revision id and then parents, the
// ids of other versions c descends from (those a resolution settles).
func (t *writeTx) save(n int64, old *Case, oldDoc string, c *Case, parents []string, action, detail string) error {
	c.RevisionID = newRevisionID()
	c.UpdatedAt, c.UpdatedBy = t.v.stamp(), t.actor
	if _, err := t.exec("INSERT INTO revisions(case_n, revision, doc) VALUES (?, ?, ?)", n, old.Revision, oldDoc); err != nil {
		return fmt.Errorf("keeping revision: %w", err)
	}
	lineage, err := readLineage(t.ctx, t.tx, n)
	if err != nil {
		return err
	}
	lineage = appendIDs(appendIDs(lineage, old.RevisionID), parents...)
	doc, first, last, err := encode(c)
	if err != nil {
		return err
	}
	if _, err := t.exec(`UPDATE cases SET title = ?, status = ?, country = ?, incident_date = ?, date_first = ?, date_last = ?,
		updated_at = ?, needs_review = ?, revision = ? WHERE n = ?`,
		c.Title, c.Status, c.Country, c.IncidentDate, first, last, c.UpdatedAt, c.NeedsReview, c.Revision, n); err != nil {
		return fmt.Errorf("saving case: %w", err)
	}
	if _, err := t.exec("UPDATE case_docs SET doc = ?, lineage = ? WHERE n = ?", doc, idsJSON(lineage), n); err != nil {
		return fmt.Errorf("saving case: %w", err)
	}
	if err := t.audit(action, c.ID, detail); err != nil {
		return err
	}
	return t.index(n, c, true)
}

// index writes the filter facets and the full-text row of case n.
func (t *writeTx) index(n int64, c *Case, replace bool) error {
	if replace {
		if _, err := t.exec("DELETE FROM case_facets WHERE case_n = ?", n); err != nil {
			return fmt.Errorf("indexing: %w", err)
		}
		if _, err := t.exec("DELETE FROM case_fts WHERE docid = ?", n); err != nil {
			return fmt.Errorf("indexing: %w", err)
		}
	}
	var facets [][2]string
	add := func(kind, val string) {
		f := [2]string{kind, val}
		if val != "" && !slices.Contains(facets, f) {
			facets = append(facets, f)
		}
	}
	for _, x := range c.Violations {
		add("violation", x.Type)
		add("perpetrator", x.Perpetrator)
	}
	for _, tag := range c.Tags {
		add("tag", tag)
	}
	if c.Consent != nil && c.Consent.Obtained {
		// Statistics count only cases consented to them (Vault.Stats).
		for _, s := range c.Consent.Scope {
			add("consent", s)
		}
	}
	// One row per statement: a multi-row VALUES insert measured four times
	// slower here (SQLite 3.33 with the foreign key).
	for _, f := range facets {
		if _, err := t.exec("INSERT INTO case_facets(kind, value, case_n) VALUES (?, ?, ?)", f[0], f[1], n); err != nil {
			return fmt.Errorf("indexing: %w", err)
		}
	}
	var people []string
	for _, p := range c.People {
		people = append(people, p.Pseudonym)
	}
	body := strings.Join([]string{c.Title, c.Narrative, strings.Join(people, " "), c.Locality, c.Region, strings.Join(c.Tags, " ")}, "\n")
	if _, err := t.exec("INSERT INTO case_fts(docid, body) VALUES (?, ?)", n, foldText(body)); err != nil {
		return fmt.Errorf("indexing: %w", err)
	}
	return nil
}

func encode(c *Case) (doc, first, last string, err error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", "", "", fmt.Errorf("encoding case: %w", err)
	}
	if c.IncidentDate != "" {
		f, l, _ := ParseDate(c.IncidentDate) // validated by Normalize
		if c.IncidentEndDate != "" {
			_, l, _ = ParseDate(c.IncidentEndDate)
		}
		first, last = f.Format(time.DateOnly), l.Format(time.DateOnly)
	}
	return string(b), first, last, nil
}

// foldText prepares text for the search index and for queries alike. The
// unicode61 tokenizer folds case and Latin diacritics itself; ё is folded to
// е here because Russian writers use them interchangeably.
var foldReplacer = strings.NewReplacer("ё", "е", "Ё", "Е")

func foldText(s string) string { return foldReplacer.Replace(s) }

// ftsQuery turns what a person typed into an FTS4 query: every word must
// appear, each as a prefix (so results come while typing). Words of five
// letters or more lose their last letter, and of eight or more their last
// two, before the prefix match: a light, language-blind stemming so that an
// inflected form finds the others (аптеке finds аптеки, policías finds
// policía), at the cost of some extra matches. Operators and
// quotes in the input are not interpreted: words are split on anything that
// is not a letter or digit and lower-cased, so AND/OR/NOT are plain words.
func ftsQuery(text string) string {
	words := strings.FieldsFunc(foldText(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
	if len(words) > 16 {
		words = words[:16]
	}
	for i, w := range words {
		r := []rune(strings.ToLower(w))
		switch {
		case len(r) >= 8:
			r = r[:len(r)-2]
		case len(r) >= 5:
			r = r[:len(r)-1]
		}
		words[i] = string(r) + "*"
	}
	return strings.Join(words, " ")
}
