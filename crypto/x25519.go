package crypto

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"strings"

	"filippo.io/age"
)

// Older age command-line tools (before 1.3) cannot decrypt post-quantum
// recipients. For bundles they must open, Dossier also has classic X25519
// identities, derived from the post-quantum ones with HKDF-SHA256 under a
// label of their own, so that the recovery key on paper still opens
// everything and nothing new has to be kept.

// X25519 returns the classic X25519 identity derived from the recovery key.
func (k *RecoveryKey) X25519() (*age.X25519Identity, error) {
	return deriveX25519(k.id.String(), "dossier recovery x25519 v1")
}

// X25519 returns the classic X25519 identity derived from the organisation
// identity.
func (o *OrgIdentity) X25519() (*age.X25519Identity, error) {
	return deriveX25519(o.Age.String(), "dossier organisation x25519 v1")
}

// Identities returns the identities the organisation decrypts bundles
// with: its post-quantum one and the classic one derived from it.
func (o *OrgIdentity) Identities() []age.Identity {
	ids := []age.Identity{o.Age}
	if x, err := o.X25519(); err == nil {
		ids = append(ids, x)
	}
	return ids
}

// Identities returns the identities the recovery key decrypts backups
// with: itself and the classic one derived from it.
func (k *RecoveryKey) Identities() []age.Identity {
	ids := []age.Identity{k.Identity()}
	if x, err := k.X25519(); err == nil {
		ids = append(ids, x)
	}
	return ids
}

// RecipientString returns the organisation's own age recipient: the
// post-quantum one, or with classic the X25519 one derived from it.
func (o *OrgIdentity) RecipientString(classic bool) (string, error) {
	if !classic {
		return o.Age.Recipient().String(), nil
	}
	x, err := o.X25519()
	if err != nil {
		return "", err
	}
	return x.Recipient().String(), nil
}

func deriveX25519(secret, label string) (*age.X25519Identity, error) {
	scalar, err := hkdf.Key(sha256.New, []byte(secret), nil, label, 32)
	if err != nil {
		return nil, fmt.Errorf("deriving an X25519 identity: %w", err)
	}
	s := bech32Encode("age-secret-key-", scalar)
	id, err := age.ParseX25519Identity(strings.ToUpper(s))
	if err != nil {
		return nil, fmt.Errorf("deriving an X25519 identity: %w", err)
	}
	return id, nil
}
