package store

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/google/uuid"
)

// newUUID returns a UUID version 7 (RFC 9562) in lower-case canonical
// form: 48 bits of Unix milliseconds, then a counter and randomness, so
// ids sort by creation time — strictly, within one process, even for ids
// made in the same millisecond — and never collide across organisations
// that merge each other's cases. The time is the system clock's, not the
// vault's (Options.Now): ids only need to be unique and roughly ordered.
func newUUID() string {
	u, err := uuid.NewV7()
	if err != nil {
		panic("store: reading randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return u.String()
}

// validUUID reports whether s is a UUID in lower-case canonical form.
// uuid.Parse also accepts braces, a urn: prefix, upper case and no
// hyphens; ids are compared as text, so only the one form is allowed.
func validUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// newRevisionID returns a fresh revision id: 128 random bits in hex. It is
// random rather than a hash of the version's content because a share
// carries the ids of versions its receiver must not read (redacted, or
// edited since), and a plain hash of low-entropy content — a status, a
// date, a short name — could be confirmed by guessing.
func newRevisionID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: reading randomness: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// validRevisionID reports whether s has the form newRevisionID gives.
func validRevisionID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}
