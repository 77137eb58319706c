package export

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// Format names and the version this package writes. It reads every
// version from 1 to BundleVersion (docs/bundle-format.md).
//
// Version 2 added revision ids and lineage to case records (case
// revision_id, record lineage, conflict_lineage and resolved), so that a
// re-shared case moves forward at its receiver instead of meeting a
// conflict; a version 1 reader would refuse such records as malformed, so
// the version says they are newer instead.
const (
	BundleFormat  = "dossier-bundle"
	BundleVersion = 2
	CardFormat    = "dossier-card"
)

// Kinds of bundle.
const (
	KindFull        = string(store.BundleFull)        // everything needed to rebuild the vault
	KindIncremental = string(store.BundleIncremental) // what changed since the last full or incremental backup
	KindShare       = string(store.BundleShare)       // chosen cases, redacted, for partners
)

// KindPhrase names a kind of bundle in an English sentence, article
// included: "a full backup", "an incremental backup", "a share". An unknown
// kind, from a damaged or newer bundle, is quoted.
func KindPhrase(kind string) string {
	switch kind {
	case KindFull:
		return "a full backup"
	case KindIncremental:
		return "an incremental backup"
	case KindShare:
		return "a share"
	}
	return fmt.Sprintf("a bundle of unknown kind %q", safeName(kind))
}

// Entry names inside a bundle. Any other name is refused.
const (
	entryHeader   = "header.json"
	entryMeta     = "meta.json"
	entryContacts = "contacts.json"
	entryDeleted  = "deleted.json"
	entryAudit    = "audit.ndjson"
	entryManifest = "manifest.json"
	entrySig      = "manifest.sig"
)

var (
	caseEntry     = regexp.MustCompile(`^cases/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$`)
	evidenceEntry = regexp.MustCompile(`^evidence/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(json|bin)$`)
	custodyEntry  = regexp.MustCompile(`^custody/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$`)
)

// Limits that refuse endless or oversized input before it exhausts memory
// or disk.
const (
	maxJSONEntry = 64 << 20 // a case with its revisions, an evidence record, settings
	maxAudit     = 1 << 30  // the audit log, read line by line
	maxEntries   = 10_000_000
	maxManifest  = 2 << 30 // read as a stream of entries; bounded anyway
)

// Card is an organisation's contact card: what partners exchange so they
// can send each other bundles and know who made one.
type Card struct {
	Format       string `json:"format"`
	Name         string `json:"name"`
	AgeRecipient string `json:"age_recipient"`
	// AgeRecipientX25519 is a classic recipient, for bundles that age
	// before 1.3 must open (export --x25519).
	AgeRecipientX25519 string `json:"age_recipient_x25519"`
	SignKey            string `json:"sign_key"` // base64 Ed25519 public key
	Fingerprint        string `json:"fingerprint"`
	// Signature is the card signed with its own signing key (base64
	// Ed25519 over cardSigned), so that the name, which the fingerprint
	// does not cover, cannot be changed on the way either. Card files carry
	// it; the creator cards inside bundles do not (the bundle's signature
	// covers them).
	Signature string `json:"signature,omitempty"`
}

// cardSigned is what a card's signature covers: a label, then the card
// without its signature, as canonical JSON.
func (c Card) cardSigned() []byte {
	c.Signature = ""
	return append([]byte("dossier contact card\n"), marshal(c)...)
}

// SignedCardOf returns the card of an organisation identity, signed, as
// card files carry it.
func SignedCardOf(name string, id *crypto.OrgIdentity) Card {
	c := CardOf(name, id)
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(id.Sign, c.cardSigned()))
	return c
}

// CardOf returns the card of an organisation identity.
func CardOf(name string, id *crypto.OrgIdentity) Card {
	x, _ := id.X25519() // cannot fail for a valid identity
	return Card{Format: CardFormat, Name: name, AgeRecipient: id.Age.Recipient().String(), AgeRecipientX25519: x.Recipient().String(),
		SignKey: base64.StdEncoding.EncodeToString(id.PublicKey()), Fingerprint: id.Fingerprint()}
}

// ParseCard reads a contact card file strictly and checks it.
func ParseCard(b []byte) (Card, error) {
	var c Card
	if len(b) > 64<<10 {
		return c, fmt.Errorf("%w: the file is too large for a card", ErrBadCard)
	}
	if err := strictJSON(b, &c); err != nil {
		return c, fmt.Errorf("%w: %v", ErrBadCard, err)
	}
	if err := c.Check(); err != nil {
		return c, err
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if c.Signature == "" || err != nil {
		return c, fmt.Errorf("%w: the card is not signed; ask for a card exported by this version of Dossier", ErrBadCard)
	}
	pk, _ := c.PublicKey() // checked by Check
	if !ed25519.Verify(pk, c.cardSigned(), sig) {
		return c, fmt.Errorf("%w: the card's signature does not match (its name or keys were altered)", ErrBadCard)
	}
	return c, nil
}

// PublicKey decodes the card's signing key.
func (c Card) PublicKey() (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(c.SignKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: the card's signing key is malformed", ErrBadCard)
	}
	return ed25519.PublicKey(b), nil
}

// Check verifies that the card is well formed and its fingerprint is the
// one its keys give.
func (c Card) Check() error {
	if c.Format != CardFormat {
		return fmt.Errorf("%w: not a Dossier contact card", ErrBadCard)
	}
	pk, err := c.PublicKey()
	if err != nil {
		return err
	}
	if c.Fingerprint != crypto.Fingerprint(pk, c.AgeRecipient, c.AgeRecipientX25519) {
		return fmt.Errorf("%w: the fingerprint does not match the keys (altered card?)", ErrBadCard)
	}
	return nil
}

// ErrBadCard means a contact card is malformed or altered.
var ErrBadCard = errors.New("bad contact card")

// Header opens a bundle.
type Header struct {
	Format    string `json:"format"`
	Version   int    `json:"version"`
	Kind      string `json:"kind"`
	CreatedAt string `json:"created_at"`
	Creator   Card   `json:"creator"`
	Base      string `json:"base,omitempty"` // incremental: hash of the manifest of the bundle it follows
}

// ManifestEntry is one entry of the bundle with its size and hash.
type ManifestEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest closes a bundle. Its signature covers these exact bytes.
type Manifest struct {
	Format    string          `json:"format"`
	Version   int             `json:"version"`
	Kind      string          `json:"kind"`
	CreatedAt string          `json:"created_at"`
	Creator   Card            `json:"creator"`
	Cases     int             `json:"cases"`
	Evidence  int             `json:"evidence"`
	Audit     int             `json:"audit_entries"`
	AuditHead string          `json:"audit_head,omitempty"`
	AuditSeq  int64           `json:"audit_seq,omitempty"` // the last audit entry the vault had (full, incremental)
	Base      string          `json:"base,omitempty"`      // incremental: hash of the manifest of the bundle it follows
	Entries   []ManifestEntry `json:"entries"`
	// Skipped are damaged evidence records the bundle was asked to leave
	// out (Options.SkipDamaged); absent when none were.
	Skipped []Skipped `json:"skipped,omitempty"`

	// Hash is the SHA-256 of the manifest's bytes, which the next
	// incremental names as its base. Not part of the manifest.
	Hash string `json:"-"`

	// LeftOut counts evidence files a redacted share left out because
	// they have no stripped copy. Not part of the bundle.
	LeftOut int `json:"-"`

	// Originals and Stripped split Evidence by kind: evidence files as
	// received, and copies of them with the metadata removed (a derivative
	// is not a second piece of evidence). Counted from the evidence
	// records written or read; not part of the manifest, whose evidence
	// count keeps covering both, as format version 1 defines it.
	Originals int `json:"-"`
	Stripped  int `json:"-"`

	// RecoveryKey is the public id (crypto.RecoveryKeyID) of the recovery
	// key a backup just written opens with, and RecoveryBound says whether
	// it carries the binding a restore checks (a vault made before
	// bindings has none until it is unlocked with its recovery key). For
	// a backup read by VerifyBackup, the id of the key that opened it
	// and bound to it. Not part of the bundle; empty for a share or a
	// bundle encrypted with a passphrase.
	RecoveryKey   string `json:"-"`
	RecoveryBound bool   `json:"-"`

	// damaged says, for the writer, what Skipped left out, with case
	// references. Not part of the bundle.
	damaged []store.Damage
}

// Damaged returns the damaged records a bundle just written left out,
// with their cases' references; nil for a bundle read.
func (m *Manifest) Damaged() []store.Damage { return m.damaged }

// caseEntryRecord is what a cases/ID.json entry holds: the vault's record
// of the case and, beside it, the HURIDOCS Micro-thesaurus 4 code of each
// violation type the case's current version uses (null for a type without
// a term), for people who read a bundle with other tools. The codes follow
// from the types, so a reader ignores them; bundles made before they were
// added lack them and read the same.
type caseEntryRecord struct {
	*store.CaseRecord
	HuridocsCodes map[string]*string `json:"huridocs_codes,omitempty"`
}

// caseEntryBytes encodes a case entry with its HURIDOCS codes.
func caseEntryBytes(rec *store.CaseRecord) []byte {
	e := caseEntryRecord{CaseRecord: rec}
	var doc struct {
		Violations []struct {
			Type string `json:"type"`
		} `json:"violations"`
	}
	if json.Unmarshal(rec.Doc, &doc) == nil { // our own document: always decodes
		for _, x := range doc.Violations {
			if e.HuridocsCodes == nil {
				e.HuridocsCodes = map[string]*string{}
			}
			if code, ok := store.HuridocsCode(x.Type); ok {
				e.HuridocsCodes[x.Type] = &code
			} else {
				e.HuridocsCodes[x.Type] = nil
			}
		}
	}
	return marshal(e)
}

func marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types, which always marshal
	}
	return b
}
