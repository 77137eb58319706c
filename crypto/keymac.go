package crypto

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"filippo.io/age"
)

// ErrKeyFileAltered means the key file's MAC (KeyFile.MAC) does not match
// the fields it covers, or is missing where one is required: something
// other than Dossier changed the key file.
var ErrKeyFileAltered = errors.New("the key file was changed outside Dossier")

// keyFileMACLabel separates the MAC key from every other use of the data
// key (SQLCipher uses it as its raw key).
const keyFileMACLabel = "dossier key file mac v1"

// The key file's MAC is HMAC-SHA256 under a key derived from the data key
// with HKDF-SHA256, so only someone who holds the data key (who unlocked
// the vault) can make one. It covers every field Dossier writes only with
// the data key at hand, each length-prefixed in this order, after the
// label:
//
//	format, version, recovery (the recovery wrap's bytes), wipe_after,
//	recovery_recipient, recovery_recipient_x25519
//
// It does not cover what changes while the vault is locked, without the
// key: failed_unlocks (each wrong passphrase counts), passphrase_wiped
// and the passphrase wrap (the guard destroys it at its limit). A
// changed passphrase wrap cannot give anyone the data key they did not
// have: the wrap is authenticated encryption, and it only ever opens to
// the key that also opens the database.
func (kf *KeyFile) mac(key *DataKey) ([]byte, error) {
	mk, err := hkdf.Key(sha256.New, key.b[:], nil, keyFileMACLabel, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("deriving the key file's MAC key: %w", err)
	}
	defer clear(mk)
	h := hmac.New(sha256.New, mk)
	field(h, []byte(keyFileMACLabel))
	field(h, []byte(kf.Format))
	number(h, kf.Version)
	field(h, kf.Recovery)
	number(h, kf.WipeAfter)
	field(h, []byte(kf.RecoveryRecipient))
	field(h, []byte(kf.RecoveryRecipientX25519))
	return h.Sum(nil), nil
}

// field writes b with its length before it, so that no two different
// sequences of fields encode the same.
func field(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

func number(h hash.Hash, v int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(int64(v)))
	field(h, b[:])
}

// Seal sets the key file's MAC for its current fields. Call it after every
// change made with the data key, before Write.
func (kf *KeyFile) Seal(key *DataKey) error {
	m, err := kf.mac(key)
	if err != nil {
		return err
	}
	kf.MAC = m
	return nil
}

// Sealed reports whether the key file carries a MAC. Key files written
// before Dossier sealed them have none.
func (kf *KeyFile) Sealed() bool { return len(kf.MAC) > 0 }

// CheckMAC checks the key file's MAC with the data key unwrapped from it.
// It returns an error wrapping ErrKeyFileAltered if the MAC is missing or
// does not match.
func (kf *KeyFile) CheckMAC(key *DataKey) error {
	if !kf.Sealed() {
		return fmt.Errorf("%w: it carries no MAC", ErrKeyFileAltered)
	}
	m, err := kf.mac(key)
	if err != nil {
		return err
	}
	if !hmac.Equal(m, kf.MAC) {
		return fmt.Errorf("%w: its MAC does not match", ErrKeyFileAltered)
	}
	return nil
}

// SetRecoveryRecipients replaces the recovery wrap with one to the
// recovery key whose public halves are given (as the vault's settings
// record them), keeping the passphrase wrap. It is for rewriting a key
// file whose recovery wrap cannot be trusted, when the recovery key
// itself is not at hand. x25519 may be empty (vaults made before it was
// recorded). Seal and Write the result.
func (kf *KeyFile) SetRecoveryRecipients(key *DataKey, recipient, x25519 string) error {
	r, err := age.ParseHybridRecipient(recipient)
	if err != nil {
		return fmt.Errorf("the recovery recipient: %w", err)
	}
	if x25519 != "" {
		if _, err := age.ParseX25519Recipient(x25519); err != nil {
			return fmt.Errorf("the classic recovery recipient: %w", err)
		}
	}
	w, err := wrap(key, r)
	if err != nil {
		return err
	}
	kf.Recovery = w
	kf.RecoveryRecipient, kf.RecoveryRecipientX25519 = recipient, x25519
	return nil
}
