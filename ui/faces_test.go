package ui

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// The rules the app and dossierctl share live in crypto and store; these
// tests check the app's side of each (the command line's are in
// cmd/dossierctl/testdata/script/faces.txtar).

func hashFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return string(h[:])
}

// A recovery key file as dossierctl writes it (crypto.RecoveryKeyText)
// opens the vault through "Read the recovery key from a file…"; one that
// holds no key says so.
func TestRecoveryKeyFromFile(t *testing.T) {
	dir, rk := fixture(t)
	files := t.TempDir()
	good := filepath.Join(files, "recovery.txt")
	if err := os.WriteFile(good, []byte(crypto.RecoveryKeyText(rk, "UI Test")), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(files, "notes.txt")
	os.WriteFile(bad, []byte("# nothing here\nhello\n"), 0o600)
	a, w := start(t, dir, "en")
	press(t, w, "Use the recovery key instead")
	press(t, w, "Read the recovery key from a file…")
	openFile(t, w, bad)
	eventually(t, "the not-a-key message", func() bool { return labelWith(w, "This is not a recovery key") })
	press(t, w, "Read the recovery key from a file…")
	openFile(t, w, good)
	press(t, w, "Unlock")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	if a.Vault() == nil {
		t.Fatal("not unlocked")
	}
}

// The file the app saves is the one format: an age identity file (the key
// on one line, which age -d -i and dossierctl --recovery-key read) naming
// the organisation, with the key in groups in its comments.
func TestSavedRecoveryKeyFileFormat(t *testing.T) {
	dir, _ := fixture(t)
	a, w := start(t, dir, "en")
	a.cfg.AutoLock = -1
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	openSettings(t, a, w)
	press(t, w, "Replace the recovery key…")
	shown, ok := find(w, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "AGE-SECRET-KEY-PQ-1") })
	if !ok {
		t.Fatal("no key shown")
	}
	rk, err := crypto.ParseRecoveryKey(shown.Text)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "rk.txt")
	press(t, w, "Save to a file, to print…")
	saveFile(t, w, keyFile)
	eventually(t, "the saved message", func() bool { return labelWith(w, "Saved, readable only by you.") })
	b, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != crypto.RecoveryKeyText(rk, "UI Test") {
		t.Fatalf("the app's file is not crypto.RecoveryKeyText:\n%s", b)
	}
	if !strings.Contains("\n"+string(b), "\n"+rk.String()+"\n") {
		t.Fatal("the key is not on one line: age -d -i cannot read the file")
	}
}

// Two wrong passphrases: the app says what store counted, as dossierctl
// does — with the guard off, how many are recorded for the audit log; on,
// how many remain.
func TestWrongPassphraseTwiceCounts(t *testing.T) {
	dir, _ := fixture(t)
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, "not it")
	eventually(t, "one recorded", func() bool { return labelWith(w, "The attempt was recorded: 1 wrong attempt since the last unlock") })
	unlockWith(t, a, w, "not it")
	eventually(t, "two recorded", func() bool { return labelWith(w, "The attempt was recorded: 2 wrong attempts since the last unlock") })
	if g, _ := store.ReadUnlockGuard(dir); g.Failed != 2 {
		t.Fatalf("the key file counts %d", g.Failed)
	}
	// A wrong passphrase given to dossierctl counts the same: store does.
	if _, err := store.Open(dir, "from the command line", store.Options{}); err == nil {
		t.Fatal("opened")
	}
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	log, err := a.Vault().AuditLog(t.Context())
	if err != nil || log[len(log)-1].Action != store.AuditUnlockFailed || log[len(log)-1].Detail != "3 failed attempt(s) before this unlock" {
		t.Fatalf("audit: %v %v", log[len(log)-1], err)
	}

	// The guard on, after 3: two wrong leave one.
	if err := a.Vault().SetWipeAfter(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	a.cfg.AutoLock = -1
	a.stopIdle()
	press(t, w, "Lock")
	unlockWith(t, a, w, "not it")
	eventually(t, "two left", func() bool { return labelWith(w, "The attempt was counted: 2 more wrong passphrases") })
	unlockWith(t, a, w, "not it")
	eventually(t, "one left", func() bool { return labelWith(w, "The attempt was counted: 1 more wrong passphrase will destroy") })
}

// A passphrase pasted with a line break is refused before any attempt,
// in the person's language, and not counted; a new one with a control
// character is refused when the vault is created, in their language too.
func TestPassphraseLineBreakAndControlTranslated(t *testing.T) {
	dir, _ := fixture(t)
	_, w := start(t, dir, "fr")
	e, ok := find(w, func(e *widget.Entry) bool { return e.Password })
	if !ok {
		t.Fatal("no passphrase field")
	}
	paste(t, w, e, "the right passphrase\r\nand more")
	press(t, w, "Déverrouiller")
	eventually(t, "the line-break message", func() bool { return labelWith(w, "contient un saut de ligne") })
	if g, _ := store.ReadUnlockGuard(dir); g.Failed != 0 {
		t.Fatalf("a refused passphrase was counted: %+v", g)
	}

	fresh := filepath.Join(t.TempDir(), "new")
	_, w = start(t, fresh, "fr")
	pass, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Phrase secrète" })
	confirm, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder != "Phrase secrète" })
	paste(t, w, pass, "copper lantern\u0007 harbour meadow 47")
	paste(t, w, confirm, "copper lantern\u0007 harbour meadow 47")
	press(t, w, "Créer le coffre")
	eventually(t, "the control message", func() bool { return labelWith(w, "contient une tabulation ou un autre caractère de contrôle") })
	if store.Exists(fresh) {
		t.Fatal("a vault was created")
	}
}
