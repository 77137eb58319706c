package crypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"unicode"

	"filippo.io/age"
	"golang.org/x/text/unicode/norm"
)

// Sentinel errors callers test with errors.Is.
var (
	// ErrWrongPassphrase means the passphrase did not unwrap the key.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrWrongRecoveryKey means the recovery key did not unwrap the key.
	ErrWrongRecoveryKey = errors.New("wrong recovery key")
	// ErrCorruptKeyFile means the key file is damaged or not a key file.
	ErrCorruptKeyFile = errors.New("key file is damaged or not a Dossier key file")
	// ErrBadRecoveryKey means a string is not a recovery key at all.
	ErrBadRecoveryKey = errors.New("not a Dossier recovery key")
	// ErrPassphraseWiped means the passphrase's copy of the key was
	// destroyed after too many wrong attempts (see KeyFile.WipeAfter): only
	// the recovery key opens the vault now.
	ErrPassphraseWiped = errors.New("the passphrase no longer opens this vault: its copy of the key was destroyed after too many wrong attempts")
)

// KeyFileFormat names the key file format; KeyFileVersion is its version.
const (
	KeyFileFormat  = "dossier-vault-key"
	KeyFileVersion = 1
)

// maxScryptWorkFactor bounds what an unwrap will attempt, so a tampered key
// file cannot make unlock run for hours or exhaust memory (2^22 = 4 GiB).
const maxScryptWorkFactor = 22

// KeyFile is the on-disk record of a vault's wrapped database key. It holds
// two age ciphertexts of the same 32-byte key and nothing about the vault's
// content or owner.
type KeyFile struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Passphrase []byte `json:"passphrase"` // age file, one scrypt stanza; empty once wiped
	Recovery   []byte `json:"recovery"`   // age file, one mlkem768x25519 stanza

	// The optional guard against guessing: after WipeAfter wrong
	// passphrases in a row (0: never) the passphrase wrap is destroyed
	// and PassphraseWiped set, leaving the recovery wrap. FailedUnlocks is
	// the running count, kept here because it must survive restarts and
	// the database cannot be written while locked. These fields are only
	// written when the guard is on, so by default a wrong passphrase
	// changes no byte on disk.
	WipeAfter       int  `json:"wipe_after,omitempty"`
	FailedUnlocks   int  `json:"failed_unlocks,omitempty"`
	PassphraseWiped bool `json:"passphrase_wiped,omitempty"`

	// The public recipients of the recovery wrap, written when the recovery
	// key is replaced, so that the vault's settings (which backups are
	// encrypted to) can be brought back in line with the key file if a
	// replacement was interrupted between the two. Empty in key files of
	// vaults whose recovery key was never replaced.
	RecoveryRecipient       string `json:"recovery_recipient,omitempty"`
	RecoveryRecipientX25519 string `json:"recovery_recipient_x25519,omitempty"`

	// MAC authenticates the fields above that only Dossier, holding the
	// data key, writes: see Seal for which and why. Key files written
	// before Dossier sealed them have none.
	MAC []byte `json:"mac,omitempty"`
}

// MaxWipeAfter bounds KeyFile.WipeAfter; a larger number protects nothing.
const MaxWipeAfter = 100

// NewKeyFile wraps key with passphrase and to the recovery recipient.
func NewKeyFile(key *DataKey, passphrase string, recovery age.Recipient) (*KeyFile, error) {
	kf := &KeyFile{Format: KeyFileFormat, Version: KeyFileVersion}
	if err := kf.SetPassphrase(key, passphrase); err != nil {
		return nil, err
	}
	rec, err := wrap(key, recovery)
	if err != nil {
		return nil, err
	}
	kf.Recovery = rec
	return kf, nil
}

// SetPassphrase replaces the passphrase wrap; the recovery wrap is kept.
// Persist the result with Write for the change to take effect.
//
// The passphrase follows the passphrase rule (passphrase.go): one line
// ending at its end is dropped; a line break or another control character
// within is refused with ErrPassphraseLineBreak or ErrPassphraseControl.
func (kf *KeyFile) SetPassphrase(key *DataKey, passphrase string) error {
	passphrase, err := newPassphrase(passphrase)
	if err != nil {
		return err
	}
	if passphrase == "" {
		return errors.New("the passphrase is empty")
	}
	r, err := age.NewScryptRecipient(norm.NFC.String(passphrase))
	if err != nil {
		return err
	}
	r.SetWorkFactor(scryptWorkFactor())
	w, err := wrap(key, r)
	debug.FreeOSMemory() // scrypt's 256 MiB, as after an unlock
	if err != nil {
		return err
	}
	kf.Passphrase = w
	kf.PassphraseWiped = false
	kf.FailedUnlocks = 0
	return nil
}

// SetRecovery replaces the recovery wrap with one to rk, keeping the
// passphrase wrap. Persist the result with Write.
func (kf *KeyFile) SetRecovery(key *DataKey, rk *RecoveryKey) error {
	x, err := rk.X25519()
	if err != nil {
		return err
	}
	w, err := wrap(key, rk.Recipient())
	if err != nil {
		return err
	}
	kf.Recovery = w
	kf.RecoveryRecipient, kf.RecoveryRecipientX25519 = rk.RecipientString(), x.Recipient().String()
	return nil
}

// WipePassphrase drops the passphrase wrap. Persist with Write, which also
// overwrites the old file's bytes.
func (kf *KeyFile) WipePassphrase() {
	kf.Passphrase = nil
	kf.PassphraseWiped = true
}

// UnlockPassphrase unwraps the database key with the passphrase. It returns
// an error wrapping ErrWrongPassphrase when the passphrase is not the one.
//
// Passphrases are wrapped in Unicode NFC form, so "é" typed as one code
// point or as "e" and a combining accent (as some keyboards, input methods
// and copy-pastes do) opens the same vault. A wrap made before that was
// the rule, from a non-NFC passphrase, still opens with the passphrase as
// typed: that second attempt costs another KDF run, and only happens for
// such text.
//
// The passphrase follows the passphrase rule (passphrase.go): one line
// ending at its end is dropped, and one holding a line break within is
// refused with ErrPassphraseLineBreak before any attempt, so it never
// counts as a wrong passphrase. A wrap made before the rule, from a
// passphrase with a line ending kept, still opens with the passphrase as
// given.
func (kf *KeyFile) UnlockPassphrase(given string) (*DataKey, error) {
	if kf.PassphraseWiped {
		return nil, ErrPassphraseWiped
	}
	passphrase, err := NormalizePassphrase(given)
	if err != nil {
		return nil, err
	}
	key, err := kf.unlockExactly(norm.NFC.String(passphrase))
	if errors.Is(err, ErrWrongPassphrase) && !norm.NFC.IsNormalString(passphrase) {
		key, err = kf.unlockExactly(passphrase)
	}
	if errors.Is(err, ErrWrongPassphrase) && given != passphrase {
		key, err = kf.unlockExactly(given)
	}
	return key, err
}

func (kf *KeyFile) unlockExactly(passphrase string) (*DataKey, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	id.SetMaxWorkFactor(maxScryptWorkFactor)
	key, err := unwrap(kf.Passphrase, id, ErrWrongPassphrase)
	// scrypt leaves 256 MiB of garbage behind. Collect it and give it back
	// to the system now: left to the runtime, it slowed a 10,000-case add
	// that followed by over a second here, and an old laptop needs the
	// memory back anyway.
	debug.FreeOSMemory()
	return key, err
}

// UnlockRecovery unwraps the database key with the recovery identity.
func (kf *KeyFile) UnlockRecovery(id age.Identity) (*DataKey, error) {
	return unwrap(kf.Recovery, id, ErrWrongRecoveryKey)
}

func wrap(key *DataKey, r age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("wrapping key: %w", err)
	}
	if _, err := w.Write(key.b[:]); err != nil {
		return nil, fmt.Errorf("wrapping key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("wrapping key: %w", err)
	}
	return buf.Bytes(), nil
}

func unwrap(ct []byte, id age.Identity, wrong error) (*DataKey, error) {
	if len(ct) == 0 {
		return nil, fmt.Errorf("%w: missing wrap", ErrCorruptKeyFile)
	}
	r, err := age.Decrypt(bytes.NewReader(ct), id)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) || errors.Is(err, age.ErrIncorrectIdentity) {
			return nil, wrong
		}
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, KeySize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	defer func() {
		for i := range b {
			b[i] = 0
		}
	}()
	return dataKeyFromBytes(b)
}

// ReadKeyFile reads and parses a key file.
func ReadKeyFile(path string) (*KeyFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading key file: %w", err)
	}
	return ParseKeyFile(data)
}

// ParseKeyFile parses the bytes of a key file.
func ParseKeyFile(data []byte) (*KeyFile, error) {
	var kf KeyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptKeyFile, err)
	}
	if kf.Format != KeyFileFormat {
		return nil, fmt.Errorf("%w: format %q", ErrCorruptKeyFile, kf.Format)
	}
	if kf.Version != KeyFileVersion {
		return nil, fmt.Errorf("key file version %d is not supported by this version of Dossier (it reads version %d); update Dossier", kf.Version, KeyFileVersion)
	}
	if (len(kf.Passphrase) == 0 && !kf.PassphraseWiped) || len(kf.Recovery) == 0 {
		return nil, fmt.Errorf("%w: a wrap is missing", ErrCorruptKeyFile)
	}
	if len(kf.Passphrase) > 0 && kf.PassphraseWiped {
		return nil, fmt.Errorf("%w: a wiped passphrase wrap is present", ErrCorruptKeyFile)
	}
	if kf.WipeAfter < 0 || kf.WipeAfter > MaxWipeAfter || kf.FailedUnlocks < 0 {
		return nil, fmt.Errorf("%w: bad unlock guard", ErrCorruptKeyFile)
	}
	return &kf, nil
}

// Marshal returns the key file's bytes.
func (kf *KeyFile) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Write stores the key file at path atomically, readable only by its owner,
// then overwrites the bytes of the file it replaced. The old file may hold
// a wrap that a former (perhaps disclosed) passphrase opens, or the wrap a
// wipe is meant to destroy; a rename alone would leave it in free blocks.
// The overwrite is best effort: on SSDs and copy-on-write or journalled
// file systems old blocks may survive elsewhere (docs/security.md).
func (kf *KeyFile) Write(path string) error {
	b, err := kf.Marshal()
	if err != nil {
		return err
	}
	var old *os.File
	if runtime.GOOS != "windows" {
		// Windows refuses to rename over a file that is open, and frees
		// the old file's clusters at once anyway: no overwrite there.
		old, _ = os.OpenFile(path, os.O_WRONLY, 0) // nil if there is none
	}
	if err := WriteFileAtomic(path, b, 0o600); err != nil {
		if old != nil {
			old.Close()
		}
		return err
	}
	if old != nil {
		shred(old)
	}
	return nil
}

// shred overwrites an (already replaced) file's bytes with zeros and syncs.
// Errors are ignored: the new file is in place, and this is a courtesy.
func shred(f *os.File) {
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return
	}
	zeros := make([]byte, fi.Size())
	if _, err := f.WriteAt(zeros, 0); err == nil {
		f.Sync()
	}
}

// RecoveryKey is the age identity that can unwrap a vault's key and decrypt
// its full backups. It is shown to the user once, at vault creation.
type RecoveryKey struct {
	id *age.HybridIdentity
}

// NewRecoveryKey generates a recovery key.
func NewRecoveryKey() (*RecoveryKey, error) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return nil, fmt.Errorf("generating recovery key: %w", err)
	}
	return &RecoveryKey{id: id}, nil
}

// ParseRecoveryKey parses a recovery key as the user may have written,
// pasted or saved it: the text of a recovery key file (RecoveryKeyText,
// or an older one), a key typed from paper, or one copied from the screen.
// Lines starting with '#' are comments, as in age identity files; in the
// rest, spaces, line breaks and letter case are forgiven.
func ParseRecoveryKey(s string) (*RecoveryKey, error) {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		keep = append(keep, line)
	}
	s = strings.ToUpper(strings.Join(strings.Fields(strings.Join(keep, " ")), ""))
	id, err := age.ParseHybridIdentity(s)
	if err != nil {
		return nil, fmt.Errorf("%w (it starts with AGE-SECRET-KEY-PQ-1)", ErrBadRecoveryKey)
	}
	return &RecoveryKey{id: id}, nil
}

// ReadRecoveryKey reads a recovery key file, as ParseRecoveryKey reads its
// text. Files written by RecoveryKeyText and by earlier versions (the key
// on one line, or in groups over several lines) all read.
func ReadRecoveryKey(path string) (*RecoveryKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading recovery key: %w", err)
	}
	defer f.Close()
	// A recovery key file is a few hundred bytes; a large file is some
	// other file given by mistake, not worth reading whole.
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("reading recovery key: %w", err)
	}
	return ParseRecoveryKey(string(data))
}

// RecoveryKeyText is the one format of a recovery key file, written by the
// app and by dossierctl alike: comment lines saying what it is (with the
// organisation's name), the key's public id (RecoveryKeyID) and the key
// grouped for copying by hand, then the
// key on one line. That line makes it an age identity file, so age 1.3 and
// later read it too (age -d -i FILE).
func RecoveryKeyText(rk *RecoveryKey, org string) string {
	var b strings.Builder
	b.WriteString("# Dossier recovery key of the vault of " + oneLine(org) + ".\n")
	b.WriteString("# It opens the vault, and its full backups made while it is the vault's\n")
	b.WriteString("# recovery key. Print it or copy it by hand, keep that away from the\n")
	b.WriteString("# laptop, then delete this file.\n#\n")
	// The id is public: backups name the key that opens them by it, so the
	// person can compare without taking the key out.
	b.WriteString("# Recovery key id: " + rk.ID() + "\n")
	b.WriteString("# (backups say \"opens with recovery key " + rk.ID() + "\").\n#\n")
	b.WriteString("# In groups, for copying by hand:\n#\n")
	for _, line := range strings.Split(GroupRecoveryKey(rk.String()), "\n") {
		b.WriteString("#   " + line + "\n")
	}
	b.WriteString("#\n" + rk.String() + "\n")
	return b.String()
}

// WriteRecoveryKey writes RecoveryKeyText to path atomically, readable only
// by its owner.
func WriteRecoveryKey(path string, rk *RecoveryKey, org string) error {
	return WriteFileAtomic(path, []byte(RecoveryKeyText(rk, org)), 0o600)
}

// oneLine keeps a name from ending a comment line: control characters
// (line breaks among them) become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}

// GroupRecoveryKey splits a key's text into groups of eight after its
// prefix, four groups a line, so it can be copied by hand without losing
// one's place. ParseRecoveryKey reads it back.
func GroupRecoveryKey(s string) string {
	const prefix = "AGE-SECRET-KEY-PQ-1"
	if len(s) <= len(prefix) {
		return s
	}
	out := prefix + "\n"
	rest := s[len(prefix):]
	for i := 0; i < len(rest); i += 8 {
		end := min(i+8, len(rest))
		out += rest[i:end]
		if end < len(rest) {
			if (i/8)%4 == 3 {
				out += "\n"
			} else {
				out += " "
			}
		}
	}
	return out
}

// String returns the key in age's text form. Treat it as a secret.
func (k *RecoveryKey) String() string { return k.id.String() }

// Identity returns the age identity, for decrypting.
func (k *RecoveryKey) Identity() age.Identity { return k.id }

// Recipient returns the public half, for encrypting backups to this key.
func (k *RecoveryKey) Recipient() age.Recipient { return k.id.Recipient() }

// RecipientString returns the public half in age's text form.
func (k *RecoveryKey) RecipientString() string { return k.id.Recipient().String() }

// Unlock unwraps kf's database key with this recovery key.
func (k *RecoveryKey) Unlock(kf *KeyFile) (*DataKey, error) {
	return kf.UnlockRecovery(k.id)
}
