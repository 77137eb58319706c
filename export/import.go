package export

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"slices"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/store"
)

// ImportResult says what an import did.
type ImportResult struct {
	Manifest  *Manifest
	Signer    string // the contact's name, or "this vault"
	Known     bool   // the signer is this vault or one of its contacts
	Own       bool   // the signer is this vault itself
	DryRun    bool   // nothing was committed: the counts are what an import would do
	Added     int
	Updated   int
	Unchanged int
	Conflicts int
	Evidence  int // evidence items new to the vault, of either kind
	// Originals and Stripped split Evidence by kind, as in Manifest:
	// evidence files as received, and copies with the metadata removed.
	Originals int
	Stripped  int
}

// importSink stages a bundle's cases and evidence as merges.
type importSink struct {
	l    *store.Loader
	from string
	res  *ImportResult
	// trusted, if set, are the signing keys a bundle may come from: the
	// vault's own and its contacts'. The header names the creator, so a
	// stranger's bundle is refused before anything of it is staged; the
	// signature, at the end, then proves the header's creator made it.
	trusted []ed25519.PublicKey
}

func (s *importSink) Header(h *Header) error {
	s.from = h.Creator.Name
	if s.trusted == nil {
		return nil
	}
	if err := h.Creator.Check(); err != nil {
		return refuse(ErrBadSignature, "the creator's card: %v", err)
	}
	pk, _ := h.Creator.PublicKey() // checked by Check
	if !slices.ContainsFunc(s.trusted, func(k ed25519.PublicKey) bool { return k.Equal(pk) }) {
		return refuse(ErrUnknownSigner, "%q, fingerprint %s", h.Creator.Name, h.Creator.Fingerprint)
	}
	return nil
}

// A partner's full bundle is merged for its cases and evidence; its
// settings and audit log stay the partner's.
func (s *importSink) Meta(map[string][]byte) error   { return nil }
func (s *importSink) Contacts([]store.Contact) error { return nil }

// A partner's deletions and custody updates stay the partner's.
func (s *importSink) Deleted([]string) error        { return nil }
func (s *importSink) Custody(*store.Evidence) error { return nil }
func (s *importSink) Audit(store.AuditEntry) error  { return nil }

func (s *importSink) Case(rec *store.CaseRecord) error {
	out, err := s.l.MergeCase(rec, s.from)
	if err != nil {
		return err
	}
	switch out {
	case store.MergeAdded:
		s.res.Added++
	case store.MergeUpdated:
		s.res.Updated++
	case store.MergeConflict:
		s.res.Conflicts++
	default:
		s.res.Unchanged++
	}
	return nil
}

func (s *importSink) Evidence(e *store.Evidence, r io.Reader) error {
	added, err := s.l.MergeEvidence(e, r, s.from)
	switch {
	case !added:
	case e.Kind == store.EvidenceStripped:
		s.res.Evidence++
		s.res.Stripped++
	default:
		s.res.Evidence++
		s.res.Originals++
	}
	return err
}

// ImportOptions tune Import.
type ImportOptions struct {
	// AcceptUnknown imports a bundle signed by a key that is neither this
	// vault's nor a contact's (the person checked it another way).
	AcceptUnknown bool
	// Passphrase also tries the bundle as one encrypted with a one-off
	// passphrase (a share made for someone outside the contacts). The
	// signature is checked all the same.
	Passphrase string
	// DryRun verifies and merges everything in the transaction, then
	// rolls it back: the result says what an import would add, update and
	// flag as conflicts, and nothing changes. A dry run does not refuse an
	// unknown signer; Known says whether it is one.
	DryRun bool
	// Progress, if set, is called with the bytes of the bundle read so far
	// and its size.
	Progress func(done, total int64)
}

// withProgress wraps a bundle file so that reading it reports progress.
func withProgress(f *os.File, fn func(done, total int64)) (io.Reader, error) {
	if fn == nil {
		return f, nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	p := newProgress(fn, fi.Size())
	return &countingReader{r: f, fn: p.add}, nil
}

// Import verifies a bundle addressed to this vault and merges it, in one
// transaction committed only once everything has verified and the signer
// is known: this vault itself or one of its contacts (unless acceptUnknown).
// Ids are kept and each case's origin is its creator's; the same bundle
// imported twice changes nothing; a case both sides changed keeps both
// versions and is flagged for review.
func Import(ctx context.Context, v *store.Vault, path string, opts ImportOptions) (*ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in, err := withProgress(f, opts.Progress)
	if err != nil {
		return nil, err
	}
	own, err := v.Identity()
	if err != nil {
		return nil, err
	}
	sink := &importSink{res: &ImportResult{}}
	if !opts.AcceptUnknown && !opts.DryRun {
		contacts, err := v.Contacts(ctx)
		if err != nil {
			return nil, err
		}
		sink.trusted = []ed25519.PublicKey{own.PublicKey()}
		for _, c := range contacts {
			sink.trusted = append(sink.trusted, ed25519.PublicKey(c.SignKey))
		}
	}
	l, err := v.BeginLoad(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Rollback()
	sink.l = l
	res := sink.res
	ids := own.Identities()
	if opts.Passphrase != "" {
		sid, err := age.NewScryptIdentity(opts.Passphrase)
		if err != nil {
			return nil, err
		}
		ids = append(ids, sid)
	}
	m, err := Read(ctx, in, ids, sink)
	if err != nil {
		return nil, err
	}
	res.Manifest = m
	pk, _ := m.Creator.PublicKey() // checked by Read
	switch c, err := v.ContactBySignKey(ctx, pk); {
	case err != nil:
		return nil, err
	case bytes.Equal(pk, own.PublicKey()):
		res.Signer, res.Known, res.Own = "this vault", true, true
	case c != nil:
		res.Signer, res.Known = c.Name, true
	case opts.AcceptUnknown || opts.DryRun:
		res.Signer = m.Creator.Name + " (not a contact, accepted)"
		if !opts.AcceptUnknown {
			res.Signer = m.Creator.Name + " (not a contact)"
		}
	default:
		return nil, refuse(ErrUnknownSigner, "%q, fingerprint %s", m.Creator.Name, m.Creator.Fingerprint)
	}
	if opts.DryRun {
		res.DryRun = true
		return res, nil // the deferred rollback undoes the staging
	}
	if err := l.Audit(store.AuditImport, "", fmt.Sprintf("%s bundle signed by %s: %d added, %d updated, %d unchanged, %d conflict(s), %d evidence item(s)",
		m.Kind, m.Creator.Fingerprint, res.Added, res.Updated, res.Unchanged, res.Conflicts, res.Evidence)); err != nil {
		return nil, err
	}
	if err := l.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// Contact returns the store record of a checked card.
func (c Card) Contact() (store.Contact, error) {
	if err := c.Check(); err != nil {
		return store.Contact{}, err
	}
	pk, _ := c.PublicKey()
	return store.Contact{Name: c.Name, AgeRecipient: c.AgeRecipient, AgeRecipientX25519: c.AgeRecipientX25519, SignKey: pk, Fingerprint: c.Fingerprint}, nil
}

// OwnCard returns the vault's own contact card.
func OwnCard(v *store.Vault) (Card, error) {
	id, err := v.Identity()
	if err != nil {
		return Card{}, err
	}
	return SignedCardOf(v.Org().Name, id), nil
}

// CardOfContact returns the card a contact was added from.
func CardOfContact(c store.Contact) Card {
	return Card{Format: CardFormat, Name: c.Name, AgeRecipient: c.AgeRecipient, AgeRecipientX25519: c.AgeRecipientX25519,
		SignKey: base64.StdEncoding.EncodeToString(c.SignKey), Fingerprint: c.Fingerprint}
}
