package crypto

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// ErrEvidenceKey means a wrapped evidence file key does not open: it was
// altered, or it belongs to another vault or another file.
var ErrEvidenceKey = errors.New("an evidence file key does not open with this vault's key")

// evidenceKeysInfo separates the key derived here from every other use
// of the data key (SQLCipher's, the key file MAC's).
const evidenceKeysInfo = "dossier evidence file keys v1"

// EvidenceKeys wraps the random per-file keys of the evidence chunk store
// (store/chunks) under a key derived from the vault's data key, so that a
// file key is kept in the database only wrapped: a copy of the database's
// plaintext rows (a debugging dump, a crash report) still does not open
// the evidence without the data key. The file's id is bound to its key as
// associated data, so a wrapped key moved to another record does not open.
type EvidenceKeys struct {
	aead cipher.AEAD
}

// NewEvidenceKeys derives the wrapping key from the data key with
// HKDF-SHA256.
func NewEvidenceKeys(k *DataKey) (*EvidenceKeys, error) {
	wk, err := hkdf.Key(sha256.New, k.b[:], nil, evidenceKeysInfo, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("deriving the evidence key: %w", err)
	}
	aead, err := chacha20poly1305.New(wk)
	clear(wk)
	if err != nil {
		return nil, err
	}
	return &EvidenceKeys{aead: aead}, nil
}

// WrappedEvidenceKeySize is the length of a wrapped file key: a random
// 12-byte nonce, the sealed key, its 16-byte tag.
//
// ChaCha20-Poly1305 with a random 96-bit nonce rather than XChaCha20: one
// wrap per stored file keeps nonce collisions out of reach (about 2^-48
// after 2^24 files), and plain ChaCha20 is what the openssl command line
// has, so a file key can be unwrapped without Dossier
// (docs/recover-without-dossier.md).
const WrappedEvidenceKeySize = chacha20poly1305.NonceSize + 32 + chacha20poly1305.Overhead

// Wrap seals a 32-byte file key for the file named fileID.
func (e *EvidenceKeys) Wrap(fileID, key []byte) ([]byte, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("an evidence file key has 32 bytes, not %d", len(key))
	}
	nonce := make([]byte, chacha20poly1305.NonceSize, WrappedEvidenceKeySize)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("reading randomness: %w", err)
	}
	return e.aead.Seal(nonce, nonce, key, fileID), nil
}

// Unwrap opens a key sealed by Wrap for fileID.
func (e *EvidenceKeys) Unwrap(fileID, wrapped []byte) ([]byte, error) {
	if len(wrapped) != WrappedEvidenceKeySize {
		return nil, ErrEvidenceKey
	}
	key, err := e.aead.Open(nil, wrapped[:chacha20poly1305.NonceSize], wrapped[chacha20poly1305.NonceSize:], fileID)
	if err != nil {
		return nil, ErrEvidenceKey
	}
	return key, nil
}
