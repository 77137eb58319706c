package crypto

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// A full backup carries the organisation's identity and is encrypted to
// the vault's recovery key. Its recovery recipient is public (key files
// and backups name it), so encryption to it proves nothing about who made
// the backup: anyone could make one, signed by an organisation of their
// own. The recovery binding closes that: a tag over the organisation's
// signing key that only the holder of the recovery key (its secret) can
// make. The vault keeps it in its settings, every full and incremental
// backup carries it, and a restore recomputes it with the recovery key it
// is given and refuses a backup whose tag does not match.

const (
	// bindingLabel derives the binding's MAC key from the recovery key.
	bindingLabel = "dossier recovery binding v1"
	// bindingDomain opens the message the tag covers, so the tag cannot
	// be taken for any other MAC under the same key.
	bindingDomain = "dossier organisation signing key\n"
)

// RecoveryBinding returns the tag that binds the organisation signing key
// signPub to the recovery key rk: HMAC-SHA256, keyed with HKDF-SHA256 of
// the recovery key's secret under its own label, over a domain string and
// signPub. The same inputs always give the same 32 bytes; without the
// recovery key's secret no one can make them.
func RecoveryBinding(rk *RecoveryKey, signPub ed25519.PublicKey) []byte {
	key, err := hkdf.Key(sha256.New, []byte(rk.id.String()), nil, bindingLabel, sha256.Size)
	if err != nil {
		panic(err) // only for lengths over 255*32 bytes
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(bindingDomain))
	mac.Write(signPub)
	return mac.Sum(nil)
}

// CheckRecoveryBinding reports whether tag is RecoveryBinding(rk,
// signPub), in constant time.
func CheckRecoveryBinding(rk *RecoveryKey, signPub ed25519.PublicKey, tag []byte) bool {
	return hmac.Equal(tag, RecoveryBinding(rk, signPub))
}

// RecoveryKeyID returns a short public name of the recovery key whose
// post-quantum recipient (age's text form) is recipient: the first 80 bits
// of SHA-256 over a label and the recipient, in base32, grouped by four
// like a Fingerprint. Recovery key files print it, and a backup says which
// key opens it by it, so a person can check, without the secret, that a
// backup opens with the key they hold.
func RecoveryKeyID(recipient string) string {
	h := sha256.New()
	h.Write([]byte("dossier-recovery-key-id-v1\n"))
	h.Write([]byte(recipient))
	s := base32.StdEncoding.EncodeToString(h.Sum(nil)[:10]) // 16 characters
	var parts []string
	for i := 0; i < len(s); i += 4 {
		parts = append(parts, s[i:i+4])
	}
	return strings.Join(parts, "-")
}

// ID returns the recovery key's short public name (RecoveryKeyID).
func (k *RecoveryKey) ID() string { return RecoveryKeyID(k.RecipientString()) }
