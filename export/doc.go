// Package export writes and reads Dossier bundles: one file that holds
// what is needed to rebuild a vault (a full backup) or to share cases with
// a partner, encrypted with age and signed by the organisation that made
// it. The format is in docs/bundle-format.md. [Write] and [WriteFile]
// make a bundle, [Read] checks one, [Import] merges a partner's into a
// vault, [Restore] rebuilds a vault from a full backup and its
// incrementals, [PreviewShare] shows what a share would hold.
//
// A bundle is an age file. Inside is a tar stream: a header, the records,
// the evidence files, then a manifest listing every entry with its SHA-256,
// then the manifest's Ed25519 signature. The manifest comes last so that
// the writer can stream and hash in one pass. A reader stages what it reads
// in an uncommitted transaction and commits only after the last entry, the
// signature and age's final chunk have all been checked: age releases
// plaintext chunk by chunk, so an early chunk can decrypt before a later
// one turns out to be corrupt.
package export
