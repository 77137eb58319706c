package crypto

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"

	"filippo.io/age"
)

// OrgIdentity is a vault's organisation identity: an age identity partners
// encrypt bundles to, and an Ed25519 key that signs the bundles this vault
// makes. Both live inside the encrypted database.
type OrgIdentity struct {
	Age  *age.HybridIdentity
	Sign ed25519.PrivateKey
}

// NewOrgIdentity generates an organisation identity.
func NewOrgIdentity() (*OrgIdentity, error) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, fmt.Errorf("generating age identity: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating signing key: %w", err)
	}
	return &OrgIdentity{Age: id, Sign: priv}, nil
}

// ParseOrgIdentity rebuilds an identity from its stored parts.
func ParseOrgIdentity(ageIdentity string, signSeed []byte) (*OrgIdentity, error) {
	id, err := age.ParseHybridIdentity(ageIdentity)
	if err != nil {
		return nil, fmt.Errorf("organisation identity: %w", err)
	}
	if len(signSeed) != ed25519.SeedSize {
		return nil, fmt.Errorf("organisation signing key has %d bytes, want %d", len(signSeed), ed25519.SeedSize)
	}
	return &OrgIdentity{Age: id, Sign: ed25519.NewKeyFromSeed(signSeed)}, nil
}

// PublicKey returns the Ed25519 public key.
func (o *OrgIdentity) PublicKey() ed25519.PublicKey {
	return o.Sign.Public().(ed25519.PublicKey)
}

// Fingerprint returns a short string two people can read to each other by
// phone to confirm a contact card: the first 80 bits of SHA-256 over the
// signing key and the age recipients, in base32, grouped by four.
func Fingerprint(signKey ed25519.PublicKey, ageRecipients ...string) string {
	h := sha256.New()
	h.Write([]byte("dossier-fingerprint-v1\n"))
	h.Write(signKey)
	for _, r := range ageRecipients {
		h.Write([]byte("\n" + r))
	}
	sum := h.Sum(nil)
	s := base32.StdEncoding.EncodeToString(sum[:10]) // 16 characters
	var parts []string
	for i := 0; i < len(s); i += 4 {
		parts = append(parts, s[i:i+4])
	}
	return strings.Join(parts, "-")
}

// Fingerprint returns this identity's fingerprint.
func (o *OrgIdentity) Fingerprint() string {
	x, err := o.X25519()
	if err != nil {
		panic(err) // derivation from a valid identity cannot fail
	}
	return Fingerprint(o.PublicKey(), o.Age.Recipient().String(), x.Recipient().String())
}
