package export

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/store"
)

// ErrVerify is wrapped by every reason a bundle is refused. The command
// line exits with status 4 for it.
var ErrVerify = errors.New("the bundle failed verification")

// Reasons a bundle is refused; each also wraps ErrVerify.
var (
	ErrNotAddressed  = errors.New("the bundle is not addressed to this vault or key")
	ErrCorrupt       = errors.New("the bundle is damaged, truncated or was altered")
	ErrBadSignature  = errors.New("the bundle's signature does not verify")
	ErrUnsigned      = errors.New("the bundle is not signed")
	ErrUnknownSigner = errors.New("the bundle is signed by an organisation that is not among your contacts")
	ErrWrongKind     = errors.New("the bundle is not of the kind expected")
	ErrNewerFormat   = errors.New("the bundle was made by a newer version of Dossier; update Dossier to read it")
	// ErrNotBound refuses a backup that is not bound to the recovery key
	// restoring it (docs/security.md, "Restore: whose backup is it").
	ErrNotBound = errors.New("this backup was not made by the organisation this recovery key belongs to; it may be forged")
	// ErrNoBinding refuses a backup made before recovery bindings
	// existed, until the person confirms its organisation's fingerprint
	// (RestoreOptions.Organisation).
	ErrNoBinding = errors.New("this backup was made by an older Dossier and does not state which organisation its recovery key belongs to")
)

// VerifyError says why a bundle was refused.
type VerifyError struct {
	Reason error  // one of the Err… reasons above
	Detail string // what exactly, for the person
	// Fingerprint is, for ErrNoBinding, the fingerprint of the backup's
	// creator, for the person to check before confirming it
	// (RestoreOptions.Organisation).
	Fingerprint string
}

func (e *VerifyError) Error() string {
	if e.Detail == "" {
		return e.Reason.Error()
	}
	return e.Reason.Error() + ": " + e.Detail
}

func (e *VerifyError) Unwrap() []error { return []error{e.Reason, ErrVerify} }

// UnboundCreator returns the fingerprint of the creator of a backup that
// err refused for lack of a recovery binding (ErrNoBinding), for the
// person to check and confirm; ok is false for any other error.
func UnboundCreator(err error) (fingerprint string, ok bool) {
	var ve *VerifyError
	if errors.As(err, &ve) && errors.Is(ve.Reason, ErrNoBinding) {
		return ve.Fingerprint, true
	}
	return "", false
}

func refuse(reason error, format string, args ...any) error {
	return &VerifyError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Sink receives a bundle's content as it is read, for staging. Every call
// may be for content that later turns out to be forged or damaged: stage
// it where nothing is visible until Read returns without error.
type Sink interface {
	Header(h *Header) error
	Meta(meta map[string][]byte) error
	Contacts(cs []store.Contact) error
	Deleted(caseIDs []string) error
	Custody(e *store.Evidence) error // an item whose bytes an earlier bundle carried
	Case(rec *store.CaseRecord) error
	Evidence(e *store.Evidence, r io.Reader) error
	Audit(e store.AuditEntry) error
}

// Read decrypts a bundle with one of ids, checks it entry by entry and
// passes its content to sink (which may be nil, to verify only). It returns
// the manifest only once everything has been checked: every entry's size
// and SHA-256 against the manifest, the manifest's signature against the
// creator's key, and age's final chunk. It does not decide whether the
// creator is trusted; the caller does, with Manifest.Creator.
func Read(ctx context.Context, r io.Reader, ids []age.Identity, sink Sink) (*Manifest, error) {
	ar, err := age.Decrypt(r, ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) || errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, refuse(ErrNotAddressed, "none of the keys tried opens it")
		}
		return nil, refuse(ErrCorrupt, "not an age file, or its header is damaged (%v)", err)
	}
	// age decrypts on a goroutine of its own (an aheadReader), a few
	// buffers ahead of the checking and the sink. It hands on the bytes
	// and then the error that ended the stream, in order, as age gave
	// them: tar reads exactly up to its end marker, so whatever follows it
	// is still in the stream, where readPlain finds it, and damage is
	// found at the same place.
	ah := newAheadReader(ar, nil)
	defer ah.Close()
	return readPlain(ctx, ah, sink)
}

// readPlain reads a bundle's decrypted tar stream: everything Read checks
// but age's own authentication. It requires the stream to end right after
// the tar end marker; on an age stream, that final read is what makes age
// authenticate its last chunk. It is the parser of outside input that the
// fuzz targets exercise.
func readPlain(ctx context.Context, r io.Reader, sink Sink) (*Manifest, error) {
	src := &streamReader{r: r}
	br := &bundleReader{tr: tar.NewReader(src), src: src, sink: sink,
		cases: map[string]bool{}, evidence: map[string]bool{}, custody: map[string]bool{}}
	return br.run(ctx)
}

// streamReader remembers how the stream under the tar reader ended, so
// that an error a sink returns because the bundle was cut short is
// reported as a damaged bundle, not as the sink's own failure.
type streamReader struct {
	r   io.Reader
	eof bool  // the stream ended
	err error // the stream failed (age found a damaged or missing chunk)
}

func (s *streamReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		s.eof = true
	} else if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}

// end checks that the stream ends right after the tar end marker: tar
// itself stops reading there, and takes a stream that ends at an entry
// boundary, with no marker, for a complete archive.
func (s *streamReader) end() error {
	if s.err != nil {
		return refuse(ErrCorrupt, "the encrypted stream does not end properly (%v)", s.err)
	}
	if s.eof {
		return refuse(ErrCorrupt, "the archive ends without its end marker (truncated?)")
	}
	var one [1]byte
	n, err := io.ReadFull(s, one[:])
	switch {
	case n > 0:
		return refuse(ErrCorrupt, "unexpected data after the archive's end marker")
	case err != io.EOF:
		return refuse(ErrCorrupt, "the encrypted stream does not end properly (%v)", err)
	}
	return nil
}

// damaged turns an error a sink returned into a refusal of the bundle when
// the bundle is to blame: its stream ended or failed under the sink (a
// truncated or damaged bundle, not the end of a file or a store failure),
// or the bytes it carries do not match their own record.
func (b *bundleReader) damaged(name string, err error) error {
	var ve *VerifyError
	switch {
	case errors.As(err, &ve):
		return err
	case b.src.err != nil:
		return refuse(ErrCorrupt, "reading %q (%v)", safeName(name), b.src.err)
	case b.src.eof || errors.Is(err, io.ErrUnexpectedEOF):
		return refuse(ErrCorrupt, "%q is cut short (truncated?)", safeName(name))
	case errors.Is(err, store.ErrEvidenceCorrupt):
		return refuse(ErrCorrupt, "%q does not match its record", safeName(name))
	}
	return err
}

type bundleReader struct {
	tr      *tar.Reader
	src     *streamReader
	sink    Sink
	header  *Header
	seen    []ManifestEntry
	pending *store.Evidence // a record read, waiting for its bytes

	// What the entries hold, to check the manifest's counts against.
	ncases, originals, stripped int

	// Where the reader is in the order of entries (docs/bundle-format.md),
	// and the ids already read, each of which may come once.
	phase                    int
	had                      [phaseAudit + 1]bool
	cases, evidence, custody map[string]bool
}

func (b *bundleReader) run(ctx context.Context) (*Manifest, error) {
	var manifestBytes, sig []byte
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := b.tr.Next()
		if err == io.EOF {
			if err := b.src.end(); err != nil {
				return nil, err
			}
			break
		}
		if err != nil {
			return nil, refuse(ErrCorrupt, "reading the archive after %d entries (%v)", n, err)
		}
		if n >= maxEntries {
			return nil, refuse(ErrCorrupt, "more than %d entries", maxEntries)
		}
		if h.Typeflag != tar.TypeReg {
			return nil, refuse(ErrCorrupt, "entry %q is not a regular file (links and folders are refused)", h.Name)
		}
		if h.Size < 0 {
			return nil, refuse(ErrCorrupt, "entry %q has a negative size", h.Name)
		}
		if sig != nil {
			return nil, refuse(ErrCorrupt, "entry %q follows the signature", h.Name)
		}
		if manifestBytes != nil && h.Name != entrySig {
			return nil, refuse(ErrCorrupt, "entry %q follows the manifest", h.Name)
		}
		if n == 0 && h.Name != entryHeader {
			return nil, refuse(ErrCorrupt, "the first entry is %q, not the header", h.Name)
		}
		hr := &hashingReader{r: b.tr, h: sha256.New()}
		switch {
		case h.Name == entryManifest:
			if manifestBytes, err = readAll(hr, h, maxJSONEntry); err != nil {
				return nil, err
			}
			continue // the manifest does not list itself
		case h.Name == entrySig:
			if manifestBytes == nil {
				return nil, refuse(ErrCorrupt, "a signature without a manifest")
			}
			if sig, err = readAll(hr, h, ed25519.SignatureSize); err != nil {
				return nil, err
			}
			continue
		default:
			if err := b.entry(h, hr, n); err != nil {
				return nil, b.damaged(h.Name, err)
			}
		}
		// Whatever the sink left unread is hashed too.
		if _, err := io.Copy(io.Discard, hr); err != nil {
			return nil, refuse(ErrCorrupt, "reading %q (%v)", h.Name, err)
		}
		if hr.n != h.Size {
			return nil, refuse(ErrCorrupt, "entry %q is shorter than it says", h.Name)
		}
		b.seen = append(b.seen, ManifestEntry{Name: h.Name, Size: h.Size, SHA256: hex.EncodeToString(hr.h.Sum(nil))})
	}
	if b.header == nil {
		return nil, refuse(ErrCorrupt, "no header")
	}
	if manifestBytes == nil {
		return nil, refuse(ErrUnsigned, "no manifest (truncated?)")
	}
	if sig == nil {
		return nil, refuse(ErrUnsigned, "no signature (truncated?)")
	}
	return b.check(manifestBytes, sig)
}

// Phases of a bundle, in the order its entries must come. A phase marked
// single holds one entry at most; the others one entry per id.
const (
	phaseHeader = iota
	phaseMeta
	phaseContacts
	phaseDeleted
	phaseCases
	phaseCustody
	phaseEvidence
	phaseAudit
)

var phaseNames = [...]string{"the header", "the settings", "the contacts", "the deleted cases", "case records", "custody records", "evidence", "the audit log"}

// kindPhases are the phases each kind of bundle may hold, and must.
var kindPhases = map[string]struct{ allowed, required []int }{
	KindFull:        {[]int{phaseHeader, phaseMeta, phaseContacts, phaseCases, phaseEvidence, phaseAudit}, []int{phaseMeta, phaseContacts, phaseAudit}},
	KindIncremental: {[]int{phaseHeader, phaseMeta, phaseContacts, phaseDeleted, phaseCases, phaseCustody, phaseEvidence, phaseAudit}, []int{phaseMeta, phaseContacts, phaseDeleted, phaseAudit}},
	KindShare:       {[]int{phaseHeader, phaseCases, phaseEvidence}, nil},
}

func phaseOf(name string) (phase int, single bool) {
	switch {
	case name == entryHeader:
		return phaseHeader, true
	case name == entryMeta:
		return phaseMeta, true
	case name == entryContacts:
		return phaseContacts, true
	case name == entryDeleted:
		return phaseDeleted, true
	case caseEntry.MatchString(name):
		return phaseCases, false
	case custodyEntry.MatchString(name):
		return phaseCustody, false
	case evidenceEntry.MatchString(name):
		return phaseEvidence, false
	case name == entryAudit:
		return phaseAudit, true
	}
	return -1, false
}

// order checks that an entry may come in this kind of bundle, at this
// place: verify and import must agree on every bundle, so whatever a sink
// relies on (a case before its evidence, one entry per case) is checked
// here, for both.
func (b *bundleReader) order(name string) error {
	phase, single := phaseOf(name)
	if phase < 0 {
		return refuse(ErrCorrupt, "unexpected entry %q (only header, settings, contacts, deletions, cases, evidence, custody, audit, manifest and signature are allowed)", safeName(name))
	}
	if b.header == nil {
		return nil // the header itself; run makes sure it comes first
	}
	if !slices.Contains(kindPhases[b.header.Kind].allowed, phase) {
		return refuse(ErrCorrupt, "%s has no %s (entry %q)", KindPhrase(b.header.Kind), phaseNames[phase], safeName(name))
	}
	if phase < b.phase || single && phase == b.phase {
		return refuse(ErrCorrupt, "entry %q is out of order or repeated", safeName(name))
	}
	if b.pending != nil && name != "evidence/"+b.pending.ID+".bin" {
		return refuse(ErrCorrupt, "evidence record %s is not followed by its file", b.pending.ID)
	}
	b.phase = phase
	return nil
}

// complete checks that the bundle held every entry its kind must.
func (b *bundleReader) complete() error {
	if b.pending != nil {
		return refuse(ErrCorrupt, "evidence record %s has no file", b.pending.ID)
	}
	for _, p := range kindPhases[b.header.Kind].required {
		if !b.had[p] {
			return refuse(ErrCorrupt, "%s without %s", KindPhrase(b.header.Kind), phaseNames[p])
		}
	}
	return nil
}

// entry checks one content entry's name and size, and hands it to the sink.
func (b *bundleReader) entry(h *tar.Header, r io.Reader, n int) error {
	if err := b.order(h.Name); err != nil {
		return err
	}
	if p, _ := phaseOf(h.Name); p >= 0 {
		b.had[p] = true
	}
	sink := b.sink
	switch {
	case h.Name == entryHeader:
		if n != 0 {
			return refuse(ErrCorrupt, "a second header")
		}
		data, err := readAll(r, h, maxJSONEntry)
		if err != nil {
			return err
		}
		var hdr Header
		if err := strictJSON(data, &hdr); err != nil {
			return refuse(ErrCorrupt, "the header is malformed (%v)", err)
		}
		if hdr.Format != BundleFormat {
			return refuse(ErrCorrupt, "not a Dossier bundle")
		}
		if hdr.Version > BundleVersion {
			return refuse(ErrNewerFormat, "format version %d, this version of Dossier reads up to %d", hdr.Version, BundleVersion)
		}
		if hdr.Version < 1 {
			return refuse(ErrCorrupt, "format version %d", hdr.Version)
		}
		if _, ok := kindPhases[hdr.Kind]; !ok {
			return refuse(ErrCorrupt, "%s", KindPhrase(hdr.Kind))
		}
		b.header = &hdr
		if sink != nil {
			return sink.Header(&hdr)
		}
	case h.Name == entryMeta:
		data, err := readAll(r, h, maxJSONEntry)
		if err != nil {
			return err
		}
		var meta map[string][]byte
		if err := strictJSON(data, &meta); err != nil {
			return refuse(ErrCorrupt, "the settings are malformed (%v)", err)
		}
		if sink != nil {
			return sink.Meta(meta)
		}
	case h.Name == entryContacts:
		data, err := readAll(r, h, maxJSONEntry)
		if err != nil {
			return err
		}
		var cs []store.Contact
		if err := strictJSON(data, &cs); err != nil {
			return refuse(ErrCorrupt, "the contacts are malformed (%v)", err)
		}
		if sink != nil {
			return sink.Contacts(cs)
		}
	case h.Name == entryDeleted:
		data, err := readAll(r, h, maxJSONEntry)
		if err != nil {
			return err
		}
		var ids []string
		if err := strictJSON(data, &ids); err != nil {
			return refuse(ErrCorrupt, "the list of deleted cases is malformed (%v)", err)
		}
		if sink != nil {
			return sink.Deleted(ids)
		}
	case custodyEntry.MatchString(h.Name):
		data, err := readAll(r, h, maxJSONEntry)
		if err != nil {
			return err
		}
		var e store.Evidence
		if err := strictJSON(data, &e); err != nil || e.ID != custodyEntry.FindStringSubmatch(h.Name)[1] {
			return refuse(ErrCorrupt, "%s is malformed", h.Name)
		}
		if b.custody[e.ID] {
			return refuse(ErrCorrupt, "%s is repeated", h.Name)
		}
		b.custody[e.ID] = true
		if sink != nil {
			return sink.Custody(&e)
		}
	case caseEntry.MatchString(h.Name):
		data, err := readAll(r, h, maxJSONEntry)
		if err != nil {
			return err
		}
		var rec store.CaseRecord
		// The HURIDOCS codes beside the record are for other readers.
		if err := strictJSON(data, &caseEntryRecord{CaseRecord: &rec}); err != nil {
			return refuse(ErrCorrupt, "%s is malformed (%v)", h.Name, err)
		}
		// The entry's name is the id the case has inside: a reader that
		// trusted either alone could be told two stories.
		var doc struct {
			ID string `json:"id"`
		}
		id := caseEntry.FindStringSubmatch(h.Name)[1]
		if json.Unmarshal(rec.Doc, &doc) != nil || doc.ID != id {
			return refuse(ErrCorrupt, "%s holds a case of another id", h.Name)
		}
		if b.cases[id] {
			return refuse(ErrCorrupt, "%s is repeated", h.Name)
		}
		b.cases[id] = true
		b.ncases++
		if sink != nil {
			return sink.Case(&rec)
		}
	case evidenceEntry.MatchString(h.Name):
		g := evidenceEntry.FindStringSubmatch(h.Name)
		if g[2] == "json" {
			data, err := readAll(r, h, maxJSONEntry)
			if err != nil {
				return err
			}
			var e store.Evidence
			if err := strictJSON(data, &e); err != nil || e.ID != g[1] {
				return refuse(ErrCorrupt, "%s is malformed", h.Name)
			}
			if b.evidence[e.ID] {
				return refuse(ErrCorrupt, "%s is repeated", h.Name)
			}
			// A full backup and a share carry each item after its case,
			// and a full backup each stripped copy after its original;
			// an incremental one may add evidence to cases and originals
			// that earlier bundles carried.
			if b.header.Kind != KindIncremental && !b.cases[e.CaseID] {
				return refuse(ErrCorrupt, "%s comes before its case, or without it", h.Name)
			}
			if b.header.Kind == KindFull && e.DerivedFrom != "" && !b.evidence[e.DerivedFrom] {
				return refuse(ErrCorrupt, "%s comes before the original it was made from, or without it", h.Name)
			}
			b.evidence[e.ID] = true
			if e.Kind == store.EvidenceStripped {
				b.stripped++
			} else {
				b.originals++
			}
			b.pending = &e
			return nil
		}
		e := b.pending
		b.pending = nil
		if e == nil || e.ID != g[1] || e.Size != h.Size {
			return refuse(ErrCorrupt, "%s does not follow its record", h.Name)
		}
		if h.Size > store.MaxEvidenceSize {
			return refuse(ErrCorrupt, "%s is larger than any evidence can be", h.Name)
		}
		if sink != nil {
			return sink.Evidence(e, io.LimitReader(r, h.Size))
		}
	case h.Name == entryAudit:
		if h.Size > maxAudit {
			return refuse(ErrCorrupt, "the audit log is larger than %d MiB", maxAudit>>20)
		}
		sc := bufio.NewScanner(io.LimitReader(r, h.Size))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var links store.AuditLinks
		first := true
		for sc.Scan() {
			var e store.AuditEntry
			if err := strictJSON(sc.Bytes(), &e); err != nil {
				return refuse(ErrCorrupt, "an audit entry is malformed (%v)", err)
			}
			// A log that does not hold together is a damaged (or
			// forged) bundle, whoever reads it: checked here, not
			// left to a restore, where it read as the vault's own
			// log altered.
			if err := links.Add(e); err != nil {
				return refuse(ErrCorrupt, "the audit log in the bundle does not hold together (%v)", err)
			}
			// A full backup carries the whole log, from its first entry.
			if first && b.header.Kind == KindFull && (e.Seq != 1 || e.Prev != "") {
				return refuse(ErrCorrupt, "the audit log in the backup does not start at its first entry")
			}
			first = false
			if sink != nil {
				if err := sink.Audit(e); err != nil {
					return err
				}
			}
		}
		if err := sc.Err(); err != nil {
			return refuse(ErrCorrupt, "the audit log is malformed (%v)", err)
		}
	}
	return nil
}

// check compares the manifest with what was read and verifies its
// signature.
func (b *bundleReader) check(mb, sig []byte) (*Manifest, error) {
	var m Manifest
	if err := strictJSON(mb, &m); err != nil {
		return nil, refuse(ErrCorrupt, "the manifest is malformed (%v)", err)
	}
	if err := b.complete(); err != nil {
		return nil, err
	}
	if m.Format != BundleFormat || m.Version != b.header.Version || m.Kind != b.header.Kind ||
		m.CreatedAt != b.header.CreatedAt || m.Creator != b.header.Creator || m.Base != b.header.Base {
		return nil, refuse(ErrCorrupt, "the manifest does not match the header")
	}
	if len(m.Entries) != len(b.seen) {
		return nil, refuse(ErrCorrupt, "the manifest lists %d entries, the bundle holds %d", len(m.Entries), len(b.seen))
	}
	for i, e := range b.seen {
		if m.Entries[i] != e {
			return nil, refuse(ErrCorrupt, "entry %q does not match the manifest", safeName(e.Name))
		}
	}
	// The counts people are shown must be what the bundle holds.
	if m.Cases != b.ncases || m.Evidence != b.originals+b.stripped {
		return nil, refuse(ErrCorrupt, "the manifest counts %d cases and %d evidence items, the bundle holds %d and %d",
			m.Cases, m.Evidence, b.ncases, b.originals+b.stripped)
	}
	m.Originals, m.Stripped = b.originals, b.stripped
	pk, err := m.Creator.PublicKey()
	if err != nil {
		return nil, refuse(ErrBadSignature, "%v", err)
	}
	if err := m.Creator.Check(); err != nil {
		return nil, refuse(ErrBadSignature, "%v", err)
	}
	if !ed25519.Verify(pk, mb, sig) {
		return nil, refuse(ErrBadSignature, "made with another key than the creator's")
	}
	sum := sha256.Sum256(mb)
	m.Hash = hex.EncodeToString(sum[:])
	return &m, nil
}

type hashingReader struct {
	r io.Reader
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	k, err := h.r.Read(p)
	h.h.Write(p[:k])
	h.n += int64(k)
	return k, err
}

func readAll(r io.Reader, h *tar.Header, max int64) ([]byte, error) {
	if h.Size > max {
		return nil, refuse(ErrCorrupt, "entry %q is %d bytes, more than the %d allowed", safeName(h.Name), h.Size, max)
	}
	data, err := io.ReadAll(io.LimitReader(r, h.Size))
	if err != nil {
		return nil, refuse(ErrCorrupt, "reading %q (%v)", safeName(h.Name), err)
	}
	if int64(len(data)) != h.Size {
		return nil, refuse(ErrCorrupt, "entry %q is shorter than it says", safeName(h.Name))
	}
	return data, nil
}

// strictJSON decodes one JSON entry of a bundle: no unknown field, no
// duplicate key, no text that is not UTF-8 (store.CheckJSON).
func strictJSON(data []byte, v any) error {
	if err := store.CheckJSON(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the object")
	}
	return nil
}

// safeName quotes an entry name for a message, cut short.
func safeName(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
