// Package store is a Dossier vault: a folder holding one SQLCipher database,
// keyed with a random 256-bit key, and the key file that keeps that key
// wrapped by the user's passphrase and by a recovery key (see package crypto).
//
// A vault holds cases after the HURIDOCS Events Standard Formats: people in
// roles, violations with a drug-policy vocabulary, interventions, consent,
// notes and tags. Every edit keeps the previous version as a revision.
// Vocabulary keys are stable values stored in the database; their labels in
// each language live in package assets.
//
// Nothing leaves the database unencrypted: temporary tables stay in memory,
// the write-ahead log is encrypted page by page like the database, and every
// commit is synced (synchronous=FULL) so a save that was reported survives a
// power cut.
package store
