// Package store is a Dossier vault: a folder holding one SQLCipher database,
// keyed with a random 256-bit key, and the key file that keeps that key
// wrapped by the user's passphrase and by a recovery key (see package
// [crypto]).
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
// power cut. Every write goes through one transaction helper, so that it is
// atomic and recorded in the hash-chained audit log ([Vault.AuditLog],
// [Vault.VerifyAudit]).
//
// Evidence files are stored in chunks with their SHA-256; JPEG and PNG
// images also get a copy with the metadata stripped, made by package
// [github.com/dossier-hr/dossier/store/strip] ([Vault.Attach]).
//
// Bundles are written and read by package export; the vault's side of them
// is here. A [Loader] stages what a bundle brings inside one transaction:
// [Loader.MergeCase] merges a partner's case by revision ids, keeping any
// version it cannot place as a conflict and flagging the case for review;
// a restore stages a full backup and its incrementals into a vault made
// with [CreateForRestore], which opens only once [Vault.FinishRestore] says
// the staging was committed. Full and incremental backups form a chain:
// [Vault.RecordBundle] notes the last one's manifest hash and audit
// position, which the next incremental names as its base.
package store
