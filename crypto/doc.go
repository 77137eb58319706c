// Package crypto holds Dossier's key hierarchy: the random [DataKey] that
// opens a vault's SQLCipher database, the [KeyFile] that keeps it wrapped
// by the user's passphrase and by a [RecoveryKey], the one rule for
// passphrases ([NormalizePassphrase], [CheckPassphrase]) and for recovery
// key files ([WriteRecoveryKey], [ReadRecoveryKey]), and the
// organisation's [OrgIdentity] (an age identity for receiving bundles and
// an Ed25519 key for signing them), with the identities that open
// bundles ([OrgIdentity.Identities], [RecoveryKey.Identities]).
//
// Wrapping uses age (filippo.io/age): the passphrase wrap is an age scrypt
// stanza, memory-hard and tuned to about a second on a 2-core machine; the
// recovery wrap is to a post-quantum hybrid age identity that the user writes
// down once. Either unwrap authenticates, so a wrong secret is detected before
// the database is touched. The key file is replaced atomically
// (internal/atomicfile), so a kill never leaves it half-written.
package crypto
