package crypto

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reasons a passphrase is refused as too weak. Each is a sentinel the
// interface translates; CheckPassphrase returns the first that applies.
var (
	ErrPassphraseShort      = errors.New("passphrase too short: use at least 12 characters")
	ErrPassphraseRepetitive = errors.New("passphrase too predictable: it repeats or follows a sequence")
	ErrPassphraseCommon     = errors.New("passphrase too common")
	ErrPassphraseFewKinds   = errors.New("passphrase too simple: mix words with other words, digits or symbols")
)

// MinPassphraseLength is the shortest passphrase CheckPassphrase accepts,
// in characters (not bytes, so Cyrillic counts the same as Latin).
const MinPassphraseLength = 12

// common holds passphrases and stems attackers try first; checked after
// lower-casing and removing spaces and digits.
var common = []string{
	"password", "passw0rd", "parol", "пароль", "qwerty", "йцукен", "azerty", "letmein",
	"iloveyou", "admin", "welcome", "dossier", "contraseña", "contrasena", "senha", "katasandi",
	"motdepasse", "abc", "asdf", "zxcv", "monkey", "dragon", "secret",
}

// CheckPassphrase refuses passphrases an attacker with the key file could
// guess quickly despite the slow KDF. It is deliberately simple and
// explainable: a length floor, no repeats or sequences, no common words
// alone, and some variety. It returns nil or one of the ErrPassphrase…
// sentinels.
func CheckPassphrase(p string) error {
	if utf8.RuneCountInString(strings.TrimSpace(p)) < MinPassphraseLength {
		return ErrPassphraseShort
	}
	runes := []rune(strings.ToLower(p))
	distinct := map[rune]bool{}
	seq := 0
	for i, r := range runes {
		distinct[r] = true
		if i > 0 && (r == runes[i-1]+1 || r == runes[i-1]) {
			seq++
		}
	}
	if len(distinct) < 5 || seq > len(runes)*2/3 {
		return ErrPassphraseRepetitive
	}
	core := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, strings.ToLower(p))
	for _, c := range common {
		if core == c || strings.Trim(core, c) == "" {
			return ErrPassphraseCommon
		}
	}
	kinds := 0
	var letters, digits, others, words bool
	for _, r := range p {
		switch {
		case unicode.IsLetter(r):
			letters = true
		case unicode.IsDigit(r):
			digits = true
		case unicode.IsSpace(r):
			words = true
		default:
			others = true
		}
	}
	for _, b := range []bool{letters, digits, others, words} {
		if b {
			kinds++
		}
	}
	// Four words or more of letters alone are fine (a diceware passphrase);
	// a single run of letters needs something else in it.
	if kinds < 2 && utf8.RuneCountInString(p) < 20 {
		return ErrPassphraseFewKinds
	}
	return nil
}
