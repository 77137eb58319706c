package crypto

import (
	"errors"
	"strings"
	"unicode"
)

// The passphrase rule, the same whether the passphrase comes from a file
// (dossierctl --passphrase-file), the environment (DOSSIER_PASSPHRASE), a
// terminal prompt or the app's field:
//
//   - One line ending at the end — "\n", "\r\n" or "\r" — is not part of
//     it: editors end a saved file with one, and `echo` adds one. Nothing
//     else is trimmed: spaces are part of a passphrase.
//   - What is left may not hold a line break (ErrPassphraseLineBreak): a
//     passphrase is one line, and a file holds it alone, so a second line
//     is a mistake to report, not text to drop or to try.
//   - A new passphrase (create, change, restore) may not hold any other
//     control character either, tab included (ErrPassphraseControl): the
//     app's field cannot type them, and a passphrase must be typeable in
//     every face.
//   - Unicode is compared in NFC form (KeyFile.UnlockPassphrase): "é"
//     typed as one code point or as "e" and a combining accent is the same
//     passphrase.
//
// A vault whose passphrase was set before this rule, from the environment
// with a line ending kept, still opens with the passphrase given as it
// was set (UnlockPassphrase tries it as given when the rule's form fails).

// Errors of the passphrase rule.
var (
	ErrPassphraseLineBreak = errors.New("the passphrase holds a line break: a passphrase is one line (a passphrase file holds it alone, on its first line)")
	ErrPassphraseControl   = errors.New("the passphrase holds a tab or another control character, which cannot be typed everywhere Dossier asks for it")
)

// NormalizePassphrase applies the passphrase rule above to a passphrase
// as given: it removes one line ending at the end and refuses a line
// break within.
func NormalizePassphrase(p string) (string, error) {
	for _, end := range []string{"\r\n", "\n", "\r"} {
		if s, ok := strings.CutSuffix(p, end); ok {
			p = s
			break
		}
	}
	if strings.ContainsAny(p, "\r\n") {
		return "", ErrPassphraseLineBreak
	}
	return p, nil
}

// newPassphrase applies the rule to a passphrase being set.
func newPassphrase(p string) (string, error) {
	p, err := NormalizePassphrase(p)
	if err != nil {
		return "", err
	}
	if strings.IndexFunc(p, unicode.IsControl) >= 0 {
		return "", ErrPassphraseControl
	}
	return p, nil
}
