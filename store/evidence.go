package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dossier-hr/dossier/store/chunks"
	"github.com/dossier-hr/dossier/store/strip"
)

// ChunkSize is how versions before the chunk store cut evidence inside
// the database, and the read-ahead of an attach.
const ChunkSize = 1 << 20

// Evidence kinds.
const (
	EvidenceOriginal = "original" // the bytes as received; never altered
	EvidenceStripped = "stripped" // a copy with metadata removed, for sharing
)

// Evidence is a file kept encrypted in the vault.
type Evidence struct {
	ID          string    `json:"id"`
	CaseID      string    `json:"case_id"`
	Kind        string    `json:"kind"`
	DerivedFrom string    `json:"derived_from,omitempty"` // for a stripped copy: the original's id
	Name        string    `json:"name"`                   // file name as received; sensitive, never logged
	MediaType   string    `json:"media_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	AddedAt     string    `json:"added_at"`
	AddedBy     string    `json:"added_by"`
	Custody     []Custody `json:"custody,omitempty"`

	// StripFailed is set by Attach when the file's type gets a stripped
	// copy (JPEG, PNG) but none could be made from it: the image is
	// damaged, truncated or not what its name says. The original is
	// stored all the same. It says why, in words without content; it is
	// not part of the record and bundles do not carry it.
	StripFailed *strip.Error `json:"-"`
}

// Custody actions.
const (
	CustodyReceived  = "received"
	CustodyExtracted = "extracted"
	CustodyExported  = "exported"
	CustodyShared    = "shared"
	CustodyImported  = "imported"
)

// Custody is one link of an evidence item's chain of custody: who held it,
// got it or passed it on, when and how.
type Custody struct {
	At     string `json:"at"`
	Action string `json:"action"`
	Actor  string `json:"actor"`          // who in this organisation
	From   string `json:"from,omitempty"` // received from whom
	Method string `json:"method,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Sentinel errors of evidence handling.
var (
	ErrNoEvidence       = errors.New("no such evidence item")
	ErrEvidenceCorrupt  = errors.New("the evidence does not match the hash recorded at intake")
	ErrNoStrippedCopy   = errors.New("this evidence has no stripped copy (only JPEG and PNG images get one)")
	ErrEvidenceTooLarge = errors.New("evidence file too large")
)

// MaxEvidenceSize bounds one evidence file (a long video fits).
const MaxEvidenceSize = 64 << 30

// AttachOptions say how a file was received.
type AttachOptions struct {
	Name         string // file name as received
	ReceivedFrom string // whom it was received from
	Method       string // in person, messenger, email, device…
}

// Attach streams r into the vault as evidence of a case, in one
// transaction: after a crash there is either the whole item or nothing.
// SHA-256 of the bytes is computed on the way in. For JPEG and PNG images
// a stripped copy (all metadata removed) is stored beside the original;
// when one cannot be made (a damaged or disguised image) there is none, the
// original is kept, and the returned Evidence's StripFailed says why.
func (v *Vault) Attach(ctx context.Context, caseIDOrRef string, r io.Reader, opts AttachOptions) (*Evidence, error) {
	c, err := v.Get(ctx, caseIDOrRef)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(opts.Name) || len(opts.Name) > maxShort || len(opts.ReceivedFrom) > maxShort || len(opts.Method) > maxShort {
		return nil, &FieldError{Field: "name", Msg: "file name, sender and method must be UTF-8 text of at most 1000 bytes"}
	}
	tx, err := v.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	var caseN int64
	if err := tx.queryRow("SELECT n FROM cases WHERE id = ?", c.ID).Scan(&caseN); err != nil {
		return nil, fmt.Errorf("finding case: %w", err)
	}
	br := bufio.NewReaderSize(r, ChunkSize)
	head, _ := br.Peek(512)
	media := mediaType(opts.Name, head)
	e := &Evidence{
		ID: newUUID(), CaseID: c.ID, Kind: EvidenceOriginal, Name: filepath.Base(opts.Name),
		MediaType: media, AddedAt: v.stamp(), AddedBy: tx.actor,
	}
	n, ref, err := tx.insertEvidence(e, caseN, 0, br)
	if err != nil {
		return nil, err
	}
	if err := tx.custody(n, Custody{At: e.AddedAt, Action: CustodyReceived, Actor: tx.actor, From: opts.ReceivedFrom, Method: opts.Method}); err != nil {
		return nil, err
	}
	if err := tx.audit(AuditAttach, e.ID, fmt.Sprintf("case %s, %d bytes, sha256 %s", c.ID, e.Size, e.SHA256)); err != nil {
		return nil, err
	}
	if strip.Supported(media) {
		if e.StripFailed, err = tx.addStripped(e, n, caseN, ref); err != nil {
			return nil, err
		}
	}
	if err := tx.commit(); err != nil {
		return nil, err
	}
	return e, nil
}

// insertEvidence stores what r yields in the chunk store, then writes
// the record naming the stored file, with its size and SHA-256 (filled in
// e) as computed on the way in. It returns the record's number and the
// stored file's Ref.
func (t *writeTx) insertEvidence(e *Evidence, caseN, derivedFrom int64, r io.Reader) (int64, chunks.Ref, error) {
	var from any
	if derivedFrom != 0 {
		from = derivedFrom
	}
	ref, col, err := t.putBlob(r)
	if err != nil {
		return 0, ref, err
	}
	e.Size, e.SHA256 = ref.Size, hex.EncodeToString(ref.SHA256[:])
	res, err := t.exec(`INSERT INTO evidence(id, case_n, derived_from, kind, name, media_type, size, sha256, added_at, added_by, blob)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, caseN, from, e.Kind, e.Name, e.MediaType, e.Size, e.SHA256, e.AddedAt, e.AddedBy, col)
	if err != nil {
		return 0, ref, fmt.Errorf("adding evidence: %w", err)
	}
	n, err := res.LastInsertId()
	if err != nil {
		return 0, ref, fmt.Errorf("adding evidence: %w", err)
	}
	return n, ref, nil
}

// addStripped stores the stripped copy of original n. The copy is made by
// streaming the original's chunks through the stripper into new chunks.
// An image the stripper cannot parse gets no copy at all — not a record
// without bytes, which no backup could carry: everything written for it
// is undone and the *strip.Error returned, the original is what matters
// and is kept.
func (t *writeTx) addStripped(orig *Evidence, n, caseN int64, ref chunks.Ref) (*strip.Error, error) {
	if _, err := t.tx.ExecContext(t.ctx, "SAVEPOINT stripped_copy"); err != nil {
		return nil, fmt.Errorf("adding the stripped copy: %w", err)
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, err := t.v.blobs.Get(ref)
		if err == nil {
			err = strip.Image(orig.MediaType, r, pw)
			r.Close()
		}
		pw.CloseWithError(err)
	}()
	s := &Evidence{ID: newUUID(), CaseID: orig.CaseID, Kind: EvidenceStripped, DerivedFrom: orig.ID,
		Name: orig.Name, MediaType: orig.MediaType, AddedAt: orig.AddedAt, AddedBy: orig.AddedBy}
	sn, _, err := t.insertEvidence(s, caseN, n, pr)
	pr.Close()
	<-done // the stripper reads through this transaction: let it finish first
	if err != nil {
		var se *strip.Error
		if !errors.As(err, &se) {
			return nil, err
		}
		if _, err := t.tx.ExecContext(t.ctx, "ROLLBACK TO stripped_copy"); err != nil {
			return nil, fmt.Errorf("undoing the stripped copy: %w", err)
		}
		if _, err := t.tx.ExecContext(t.ctx, "RELEASE stripped_copy"); err != nil {
			return nil, fmt.Errorf("undoing the stripped copy: %w", err)
		}
		return se, nil
	}
	if _, err := t.tx.ExecContext(t.ctx, "RELEASE stripped_copy"); err != nil {
		return nil, fmt.Errorf("adding the stripped copy: %w", err)
	}
	return nil, t.custody(sn, Custody{At: s.AddedAt, Action: "derived", Actor: t.actor, Note: "metadata removed from " + orig.ID})
}

func (t *writeTx) custody(n int64, c Custody) error {
	if _, err := t.exec("INSERT INTO custody(evidence_n, at, action, actor, from_whom, method, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
		n, c.At, c.Action, c.Actor, c.From, c.Method, c.Note); err != nil {
		return fmt.Errorf("recording custody: %w", err)
	}
	return nil
}

// mediaType names a file's type from its first bytes, then its extension.
func mediaType(name string, head []byte) string {
	t := http.DetectContentType(head)
	if t == "application/octet-stream" || strings.HasPrefix(t, "text/plain") {
		if byExt := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); byExt != "" {
			return byExt
		}
	}
	if i := strings.IndexByte(t, ';'); i > 0 && !strings.HasPrefix(t, "text/") {
		t = t[:i]
	}
	return t
}

const evidenceCols = `e.id, c.id, e.kind, coalesce(o.id, ''), e.name, e.media_type, e.size, e.sha256, e.added_at, e.added_by`

func scanEvidence(s interface{ Scan(...any) error }) (*Evidence, error) {
	var e Evidence
	err := s.Scan(&e.ID, &e.CaseID, &e.Kind, &e.DerivedFrom, &e.Name, &e.MediaType, &e.Size, &e.SHA256, &e.AddedAt, &e.AddedBy)
	return &e, err
}

// EvidenceOf lists a case's evidence, originals and stripped copies, in the
// order they were added, with their custody.
func (v *Vault) EvidenceOf(ctx context.Context, caseIDOrRef string) ([]*Evidence, error) {
	c, err := v.Get(ctx, caseIDOrRef)
	if err != nil {
		return nil, err
	}
	return v.queryEvidence(ctx, "WHERE c.id = ?", c.ID)
}

// queryEvidence lists the evidence a WHERE clause selects, in the order
// it was added, with custody.
func (v *Vault) queryEvidence(ctx context.Context, where string, args ...any) ([]*Evidence, error) {
	rows, err := v.db.QueryContext(ctx, `SELECT `+evidenceCols+` FROM evidence e JOIN cases c ON c.n = e.case_n
		LEFT JOIN evidence o ON o.n = e.derived_from `+where+` ORDER BY e.n`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing evidence: %w", err)
	}
	var out []*Evidence
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing evidence: %w", err)
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing evidence: %w", err)
	}
	for _, e := range out {
		if e.Custody, err = v.CustodyOf(ctx, e.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetEvidence returns one evidence item, with its custody.
func (v *Vault) GetEvidence(ctx context.Context, id string) (*Evidence, error) {
	e, err := scanEvidence(v.db.QueryRowContext(ctx, `SELECT `+evidenceCols+` FROM evidence e JOIN cases c ON c.n = e.case_n
		LEFT JOIN evidence o ON o.n = e.derived_from WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNoEvidence, id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	if e.Custody, err = v.CustodyOf(ctx, id); err != nil {
		return nil, err
	}
	return e, nil
}

// CustodyOf returns an evidence item's chain of custody, oldest first.
func (v *Vault) CustodyOf(ctx context.Context, id string) ([]Custody, error) {
	rows, err := v.db.QueryContext(ctx, `SELECT k.at, k.action, k.actor, k.from_whom, k.method, k.note
		FROM custody k JOIN evidence e ON e.n = k.evidence_n WHERE e.id = ? ORDER BY k.n`, id)
	if err != nil {
		return nil, fmt.Errorf("reading custody: %w", err)
	}
	defer rows.Close()
	out := []Custody{}
	for rows.Next() {
		var c Custody
		if err := rows.Scan(&c.At, &c.Action, &c.Actor, &c.From, &c.Method, &c.Note); err != nil {
			return nil, fmt.Errorf("reading custody: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Extract streams an evidence item to w and checks its SHA-256 against the
// one recorded at intake; on a mismatch it returns ErrEvidenceCorrupt after
// writing (so write to a temporary file and discard it on error). With
// stripped set, it writes the stripped copy instead. Each extraction is
// recorded in the custody chain and the audit log, with the purpose given.
func (v *Vault) Extract(ctx context.Context, id string, stripped bool, w io.Writer, purpose string) (*Evidence, error) {
	e, err := v.GetEvidence(ctx, id)
	if err != nil {
		return nil, err
	}
	if stripped && e.Kind == EvidenceOriginal {
		var sid string
		err := v.db.QueryRowContext(ctx, `SELECT s.id FROM evidence s JOIN evidence o ON o.n = s.derived_from WHERE o.id = ?`, id).Scan(&sid)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNoStrippedCopy
		}
		if err != nil {
			return nil, fmt.Errorf("reading evidence: %w", err)
		}
		if e, err = v.GetEvidence(ctx, sid); err != nil {
			return nil, err
		}
	}
	var n int64
	if err := v.db.QueryRowContext(ctx, "SELECT n FROM evidence WHERE id = ?", e.ID).Scan(&n); err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	if err := v.verifyStream(ctx, n, e, w); err != nil {
		return nil, err
	}
	tx, err := v.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if err := tx.custody(n, Custody{At: v.stamp(), Action: CustodyExtracted, Actor: tx.actor, Note: purpose}); err != nil {
		return nil, err
	}
	if err := tx.audit(AuditExtract, e.ID, fmt.Sprintf("%d bytes, sha256 verified", e.Size)); err != nil {
		return nil, err
	}
	return e, tx.commit()
}

// verifyStream copies evidence n to w, hashing as it goes.
func (v *Vault) verifyStream(ctx context.Context, n int64, e *Evidence, w io.Writer) error {
	r, err := v.evidenceBytes(ctx, v.db, n, e)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	k, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return fmt.Errorf("extracting evidence: %w", err)
	}
	if k != e.Size || hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		return fmt.Errorf("%w (evidence %s: %d bytes read, %d recorded)", ErrEvidenceCorrupt, e.ID, k, e.Size)
	}
	return nil
}

// OpenEvidence returns a reader over an evidence item's bytes, for preview
// inside the app (never through a temporary file). The reader checks the
// SHA-256 when it reaches the end and returns ErrEvidenceCorrupt then.
func (v *Vault) OpenEvidence(ctx context.Context, id string) (io.ReadCloser, *Evidence, error) {
	e, err := v.GetEvidence(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var n int64
	if err := v.db.QueryRowContext(ctx, "SELECT n FROM evidence WHERE id = ?", id).Scan(&n); err != nil {
		return nil, nil, fmt.Errorf("reading evidence: %w", err)
	}
	r, err := v.evidenceBytes(ctx, v.db, n, e)
	if err != nil {
		return nil, nil, err
	}
	return &verifyingReader{r: r, h: sha256.New(), e: e}, e, nil
}

type verifyingReader struct {
	r    io.ReadCloser
	h    hashWriter
	e    *Evidence
	read int64
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (vr *verifyingReader) Read(p []byte) (int, error) {
	k, err := vr.r.Read(p)
	vr.h.Write(p[:k])
	vr.read += int64(k)
	if err == io.EOF && (vr.read != vr.e.Size || hex.EncodeToString(vr.h.Sum(nil)) != vr.e.SHA256) {
		return k, fmt.Errorf("%w (evidence %s)", ErrEvidenceCorrupt, vr.e.ID)
	}
	return k, err
}

func (vr *verifyingReader) Close() error { return vr.r.Close() }

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// chunkReader reads the chunks of evidence n kept inside the database by
// versions before the chunk store, in order, one at a time.
func (v *Vault) chunkReader(ctx context.Context, q querier, n int64) *chunkReader {
	return &chunkReader{ctx: ctx, q: q, n: n}
}

type chunkReader struct {
	ctx  context.Context
	q    querier
	n    int64
	seq  int64
	buf  []byte
	done bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		// One query per chunk rather than one cursor over all: a cursor
		// would hold a read transaction open for the whole extraction.
		rows, err := c.q.QueryContext(c.ctx, "SELECT data FROM evidence_chunks WHERE evidence_n = ? AND seq = ?", c.n, c.seq)
		if err != nil {
			return 0, err
		}
		if !rows.Next() {
			rows.Close()
			if err := rows.Err(); err != nil {
				return 0, err
			}
			c.done = true
			return 0, io.EOF
		}
		err = rows.Scan(&c.buf)
		rows.Close()
		if err != nil {
			return 0, err
		}
		c.seq++
	}
	k := copy(p, c.buf)
	c.buf = c.buf[k:]
	return k, nil
}

func (c *chunkReader) Close() error { return nil }
