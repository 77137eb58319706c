package crypto

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// KeySize is the length in bytes of a vault's database key.
const KeySize = 32

// DataKey is the random key of a vault's SQLCipher database. It never leaves
// memory unwrapped; Wipe it as soon as the database is closed.
type DataKey struct {
	b [KeySize]byte
}

// NewDataKey returns a fresh random database key.
func NewDataKey() (*DataKey, error) {
	k := new(DataKey)
	if _, err := rand.Read(k.b[:]); err != nil {
		return nil, fmt.Errorf("reading randomness: %w", err)
	}
	return k, nil
}

func dataKeyFromBytes(b []byte) (*DataKey, error) {
	if len(b) != KeySize {
		return nil, fmt.Errorf("%w: unwrapped key has %d bytes, want %d", ErrCorruptKeyFile, len(b), KeySize)
	}
	k := new(DataKey)
	copy(k.b[:], b)
	return k, nil
}

// SQLCipherKey returns the key in SQLCipher's raw-key syntax, x'…', which
// skips SQLCipher's own (slow, passphrase-oriented) key derivation.
func (k *DataKey) SQLCipherKey() string {
	return "x'" + hex.EncodeToString(k.b[:]) + "'"
}

// Bytes returns a copy of the key bytes.
func (k *DataKey) Bytes() []byte {
	b := make([]byte, KeySize)
	copy(b, k.b[:])
	return b
}

// Wipe overwrites the key in memory. Go may have copied it elsewhere (the
// garbage collector moves nothing here, but strings made from it persist), so
// this narrows the window rather than closing it.
func (k *DataKey) Wipe() {
	if k == nil {
		return
	}
	for i := range k.b {
		k.b[i] = 0
	}
}
