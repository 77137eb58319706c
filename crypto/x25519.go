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
	s, err := bech32Encode("age-secret-key-", scalar)
	if err != nil {
		return nil, err
	}
	id, err := age.ParseX25519Identity(strings.ToUpper(s))
	if err != nil {
		return nil, fmt.Errorf("deriving an X25519 identity: %w", err)
	}
	return id, nil
}

// bech32Encode is BIP 173's encoding, as age uses for keys (without its
// length limit, which age does not apply either).
func bech32Encode(hrp string, data []byte) (string, error) {
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	// Regroup 8-bit bytes into 5-bit values.
	var values []byte
	acc, bits := 0, 0
	for _, b := range data {
		acc = acc<<8 | int(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			values = append(values, byte(acc>>bits)&31)
		}
	}
	if bits > 0 {
		values = append(values, byte(acc<<(5-bits))&31)
	}
	polymod := func(v []byte) uint32 {
		gen := []uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
		chk := uint32(1)
		for _, x := range v {
			top := chk >> 25
			chk = (chk&0x1ffffff)<<5 ^ uint32(x)
			for i := 0; i < 5; i++ {
				if (top>>i)&1 == 1 {
					chk ^= gen[i]
				}
			}
		}
		return chk
	}
	var expanded []byte
	for i := 0; i < len(hrp); i++ {
		expanded = append(expanded, hrp[i]>>5)
	}
	expanded = append(expanded, 0)
	for i := 0; i < len(hrp); i++ {
		expanded = append(expanded, hrp[i]&31)
	}
	mod := polymod(append(append(expanded, values...), 0, 0, 0, 0, 0, 0)) ^ 1
	var b strings.Builder
	b.WriteString(hrp)
	b.WriteByte('1')
	for _, v := range values {
		b.WriteByte(charset[v])
	}
	for i := 0; i < 6; i++ {
		b.WriteByte(charset[(mod>>uint(5*(5-i)))&31])
	}
	return b.String(), nil
}
