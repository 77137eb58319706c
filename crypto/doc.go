// Package crypto holds Dossier's key hierarchy: the random key that opens a
// vault's SQLCipher database, the key file that keeps it wrapped by the
// user's passphrase and by a recovery key, atomic writes for files that must
// never be half-written, and the organisation identity (an age identity for
// receiving bundles and an Ed25519 key for signing them).
//
// Wrapping uses age (filippo.io/age): the passphrase wrap is an age scrypt
// stanza, memory-hard and tuned to about a second on a 2-core machine; the
// recovery wrap is to a post-quantum hybrid age identity that the user writes
// down once. Either unwrap authenticates, so a wrong secret is detected before
// the database is touched.
package crypto
