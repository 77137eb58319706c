package crypto

import (
	"bytes"
	"errors"
	"testing"

	"filippo.io/age"
)

func TestNormalizePassphrase(t *testing.T) {
	for in, want := range map[string]string{
		"pass phrase":      "pass phrase",
		"pass phrase\n":    "pass phrase",
		"pass phrase\r\n":  "pass phrase",
		"pass phrase\r":    "pass phrase",
		"  spaced  \n":     "  spaced  ",
		"tab\tinside\r\n":  "tab\tinside",
		"\n":               "",
		"ends in space \n": "ends in space ",
	} {
		if got, err := NormalizePassphrase(in); err != nil || got != want {
			t.Errorf("NormalizePassphrase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"one\ntwo", "one\n\n", "one\r\ntwo\r\n", "a\rb"} {
		if _, err := NormalizePassphrase(in); !errors.Is(err, ErrPassphraseLineBreak) {
			t.Errorf("NormalizePassphrase(%q): %v, want ErrPassphraseLineBreak", in, err)
		}
	}
}

// The same text opens the vault however it ends: given as a file line
// ("\n", "\r\n") or without. A line break within is refused before any
// attempt (not a wrong passphrase), and a new passphrase with a control
// character is refused.
func TestPassphraseRuleUnlock(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, err := NewKeyFile(key, "river stone 42 lantern\r\n", rk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"river stone 42 lantern", "river stone 42 lantern\n", "river stone 42 lantern\r\n"} {
		got, err := kf.UnlockPassphrase(p)
		if err != nil || !bytes.Equal(got.Bytes(), key.Bytes()) {
			t.Fatalf("%q: %v", p, err)
		}
	}
	if _, err := kf.UnlockPassphrase("river stone 42 lantern\nsecond line"); !errors.Is(err, ErrPassphraseLineBreak) || errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("two lines: %v", err)
	}
	for _, p := range []string{"with\ttab", "esc\x1b[A", "two\nlines"} {
		if err := kf.SetPassphrase(key, p); !errors.Is(err, ErrPassphraseControl) && !errors.Is(err, ErrPassphraseLineBreak) {
			t.Errorf("SetPassphrase(%q): %v", p, err)
		}
	}
}

// A wrap made before the rule from a passphrase with its line ending kept
// (DOSSIER_PASSPHRASE kept it) still opens with the passphrase as given.
func TestPassphraseRuleOlderWrap(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, err := NewKeyFile(key, "placeholder words here", rk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	// As the older SetPassphrase did: the text as given, line ending and all.
	r, err := age.NewScryptRecipient("old one\n")
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(scryptWorkFactor())
	if kf.Passphrase, err = wrap(key, r); err != nil {
		t.Fatal(err)
	}
	if got, err := kf.UnlockPassphrase("old one\n"); err != nil || !bytes.Equal(got.Bytes(), key.Bytes()) {
		t.Fatalf("older wrap: %v", err)
	}
}
