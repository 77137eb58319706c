package store

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// newUUIDv7 returns a UUID version 7 (RFC 9562): 48 bits of Unix
// milliseconds, then randomness, so ids sort roughly by creation time and
// never collide across organisations that merge each other's cases.
func newUUIDv7(now time.Time) string {
	var u [16]byte
	ms := uint64(now.UnixMilli())
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	if _, err := rand.Read(u[6:]); err != nil {
		panic("store: reading randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// validUUID reports whether s is a UUID in lower-case canonical form.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
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
