// Package testhooks holds the few knobs tests of one package need to turn
// in another: they are not API, and only this module can import them (the
// way filippo.io/age keeps its test hooks internal). Production code never
// sets them.
package testhooks

// ScryptWorkFactor, when not zero, replaces the scrypt work factor of new
// passphrase wraps and bundle passphrases (crypto's default is 18, about a
// second): tests set it low to stay fast. The factor is stored in each wrap,
// so unlocking works the same either way.
var ScryptWorkFactor int

// VaultExec runs a statement on an open vault's database (a *store.Vault),
// bypassing every rule of package store: for tests that tamper with a vault
// the way an attacker holding the key could. Package store sets it.
var VaultExec func(vault any, stmt string) error

// VaultQuery runs a query on an open vault's database (a *store.Vault)
// and scans its first row into dest, bypassing package store: for tests
// that look at what the store's API does not show (rows left in a table).
// Package store sets it.
var VaultQuery func(vault any, query string, dest ...any) error

// ExtractWrote, when set, is called by store's ExtractTo each time bytes
// of the evidence reached its temporary file: a test that kills an
// extract midway blocks in it, then kills the process.
var ExtractWrote func()

// EvidenceFile returns the path of the stored (encrypted) file of an
// evidence record of an open vault (a *store.Vault), for tests that damage
// it the way a failing disk or an attacker would. Package store sets it.
var EvidenceFile func(vault any, evidenceID string) (string, error)
