package crypto

import (
	"errors"
	"testing"
)

func TestCheckPassphrase(t *testing.T) {
	tests := []struct {
		p    string
		want error
	}{
		{"", ErrPassphraseShort},
		{"short", ErrPassphraseShort},
		{"   eleven   ", ErrPassphraseShort},
		{"aaaaaaaaaaaaaaaa", ErrPassphraseRepetitive},
		{"abcdefghijklmnop", ErrPassphraseRepetitive},
		{"1234567890123", ErrPassphraseRepetitive},
		{"password123456", ErrPassphraseCommon},
		{"Пароль 2026!!!", ErrPassphraseCommon},
		{"qwerty qwerty 99", ErrPassphraseCommon},
		{"Kangarooish", ErrPassphraseShort},
		{"kangaroowombat", ErrPassphraseFewKinds},
		{"correct horse battery staple", nil},
		{"kangaroo-wombat7", nil},
		{"зелёный чайник летит", nil},
		{"kopi tubruk pagi hari", nil},
		{"demo-dossier-2026", nil},
		{"kangaroowombatplatypus", nil}, // long enough alone
	}
	for _, tc := range tests {
		if got := CheckPassphrase(tc.p); !errors.Is(got, tc.want) && !(got == nil && tc.want == nil) {
			t.Errorf("CheckPassphrase(%q) = %v, want %v", tc.p, got, tc.want)
		}
	}
}
