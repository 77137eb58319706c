package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// openSettings presses the settings button (it has only its icon) and
// returns the dialog's form, to reach its fields.
func openSettings(t *testing.T, a *App, w fyne.Window) *settingsForm {
	t.Helper()
	gear, ok := find(w, func(b *widget.Button) bool {
		return b.Text == "" && b.Icon != nil && b.Icon.Name() == theme.SettingsIcon().Name()
	})
	if !ok {
		t.Fatal("no settings button")
	}
	tap(t, w, gear)
	var f *settingsForm
	onUI(func() { f = a.main.curSettings })
	return f
}

func settingsMessage(f *settingsForm) string {
	var m string
	onUI(func() { m = f.message.Text })
	return m
}

func TestSettingsPersistAndApply(t *testing.T) {
	a, w, dir := unlocked(t, Config{AutoLock: -1})
	f := openSettings(t, a, w)
	retype(t, w, f.autoLock, "soon")
	press(t, w, "Save")
	if m := settingsMessage(f); !strings.Contains(m, "whole number") {
		t.Fatalf("bad number accepted: %q", m)
	}
	retype(t, w, f.autoLock, "2")
	retype(t, w, f.remind, "30")
	typeIn(t, w, f.pass, "short")
	press(t, w, "Save")
	if m := settingsMessage(f); !strings.Contains(m, "Too short") {
		t.Fatalf("weak passphrase accepted: %q", m)
	}
	retype(t, w, f.pass, "a much better passphrase 7")
	typeIn(t, w, f.confirm, "a much better passphrase 7")
	press(t, w, "Save")
	eventually(t, "the passphrase change", func() bool { return labelWith(w, "Passphrase changed.") })
	if a.cfg.AutoLock != 2*time.Minute || a.cfg.BackupReminder != 30*24*time.Hour {
		t.Fatalf("settings not applied: %v %v", a.cfg.AutoLock, a.cfg.BackupReminder)
	}
	if _, err := store.Open(dir, "the right passphrase", store.Options{}); !errors.Is(err, crypto.ErrWrongPassphrase) {
		t.Fatalf("old passphrase after change: %v", err)
	}
	press(t, w, "OK")
	// Kept in the vault: they come back after a lock.
	a.cfg.AutoLock = -1
	press(t, w, "Lock")
	unlockWith(t, a, w, "a much better passphrase 7")
	eventually(t, "the list", func() bool { return a.Vault() != nil && a.main != nil })
	if a.cfg.AutoLock != 2*time.Minute {
		t.Fatalf("auto-lock not restored: %v", a.cfg.AutoLock)
	}
	a.cfg.AutoLock = -1
	a.stopIdle()
	// Cancel keeps what was.
	f = openSettings(t, a, w)
	retype(t, w, f.remind, "99")
	press(t, w, "Cancel")
	if s, _ := a.Vault().Setting(t.Context(), "backup_reminder_days"); s != "30" {
		t.Fatalf("Cancel saved the reminder: %q", s)
	}
	// Language: the interface changes at once.
	f = openSettings(t, a, w)
	choose(t, w, f.lang, "Español")
	retype(t, w, f.autoLock, "5")
	press(t, w, "Save")
	eventually(t, "Spanish", func() bool { return labelWith(w, "4 casos") })
	a.stopIdle()
	if _, ok := find(w, func(b *widget.Button) bool { return b.Text == "Nuevo caso" }); !ok {
		t.Fatal("buttons not in Spanish")
	}
}

func TestContactsAddWithFingerprint(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	p, _, err := store.Create(filepath.Join(t.TempDir(), "p"), "pp", store.CreateOptions{OrgName: "Partner Network"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	card, _ := export.OwnCard(p)
	path := filepath.Join(t.TempDir(), "partner.card")
	if err := saveCard(card, path); err != nil {
		t.Fatal(err)
	}
	press(t, w, "Contacts")
	if !labelWith(w, "No partner organisations yet.") {
		t.Fatal("the contacts do not say there are none")
	}
	press(t, w, "Add a partner's card…")
	openFile(t, w, path)
	typed, ok := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "XXXX-XXXX-XXXX-XXXX" })
	if !ok {
		t.Fatal("no fingerprint field")
	}
	typeIn(t, w, typed, "AAAA-BBBB-CCCC-DDDD")
	press(t, w, "Add")
	if !labelWith(w, "does not match this card") {
		t.Fatal("a wrong fingerprint was not refused")
	}
	if cs, _ := a.Vault().Contacts(t.Context()); len(cs) != 0 {
		t.Fatal("added despite a wrong fingerprint")
	}
	retype(t, w, typed, strings.ToLower(strings.ReplaceAll(card.Fingerprint, "-", " ")))
	press(t, w, "Add")
	eventually(t, "the contact", func() bool { return labelWith(w, "Partner Network added to your contacts.") })
	if cs, _ := a.Vault().Contacts(t.Context()); len(cs) != 1 || cs[0].Fingerprint != card.Fingerprint {
		t.Fatalf("contacts %v", cs)
	}
	press(t, w, "OK")
	// The Contacts dialog, still open behind, lists the partner at once.
	if !labelWith(w, "Partner Network · "+card.Fingerprint) || labelWith(w, "No partner organisations yet.") {
		t.Fatal("the open Contacts dialog does not list the partner just added")
	}
	// An altered card is refused outright: a changed key (the fingerprint
	// no longer matches) or a changed name (the card's signature does not).
	b, _ := os.ReadFile(path)
	for _, altered := range []string{
		strings.Replace(string(b), card.SignKey[:8], "AAAAAAAA", 1),
		strings.Replace(string(b), "Partner Network", "Someone Else", 1),
	} {
		os.WriteFile(path, []byte(altered), 0o600)
		press(t, w, "Add a partner's card…")
		openFile(t, w, path)
		if _, asked := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "XXXX-XXXX-XXXX-XXXX" }); asked || !labelWith(w, "not a valid Dossier contact card") {
			t.Fatal("an altered card was offered for adding")
		}
		press(t, w, "OK")
	}
	// Contacts opened again list the partner.
	press(t, w, "Close")
	press(t, w, "Contacts")
	if !labelWith(w, "Partner Network · "+card.Fingerprint) {
		t.Fatal("the partner is not listed in the contacts")
	}
}

func TestUnlockGuardWorkflow(t *testing.T) {
	dir, rk := fixture(t)
	a, w := start(t, dir, "en")
	a.cfg.AutoLock = -1
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })

	// Turning the guard on asks first, with the stern explanation;
	// Cancel leaves it off.
	for _, answer := range []string{"Cancel", "I understand: turn it on"} {
		f := openSettings(t, a, w)
		choose(t, w, f.guard, "After 3 wrong passphrases in a row")
		retype(t, w, f.autoLock, "30")
		press(t, w, "Save")
		eventually(t, "the warning", func() bool { return labelWith(w, "ONLY THE RECOVERY KEY opens this vault") })
		press(t, w, answer)
		want := map[string]int{"Cancel": 0, "I understand: turn it on": 3}[answer]
		if g := a.Vault().UnlockGuard(); g.WipeAfter != want {
			t.Fatalf("after %q: guard %+v", answer, g)
		}
	}

	// Locked: each wrong passphrase says how many remain; the third
	// destroys the passphrase key and leaves only the recovery key.
	a.cfg.AutoLock = -1
	a.stopIdle()
	press(t, w, "Lock")
	for left := 2; left >= 1; left-- {
		unlockWith(t, a, w, "not it")
		want := strings.Replace("The attempt was counted: N more wrong", "N", string(rune('0'+left)), 1)
		eventually(t, want, func() bool { return labelWith(w, want) })
	}
	unlockWith(t, a, w, "not it either")
	eventually(t, "the wiped message", func() bool { return labelWith(w, "The passphrase no longer opens this vault") })
	if _, ok := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase" }); ok {
		t.Fatal("the passphrase field is still offered after the wipe")
	}
	if _, err := store.Open(dir, "the right passphrase", store.Options{}); !errors.Is(err, crypto.ErrPassphraseWiped) {
		t.Fatalf("right passphrase after the wipe: %v", err)
	}

	// The recovery key opens, and the app asks for a new passphrase.
	rkField, _ := find(w, func(e *widget.Entry) bool { return strings.HasPrefix(e.PlaceHolder, "Recovery key") })
	typeIn(t, w, rkField, rk.String())
	press(t, w, "Unlock")
	eventually(t, "the request for a new passphrase", func() bool { return labelWith(w, "This vault has no passphrase any more") })
	var f *settingsForm
	onUI(func() { f = a.main.curSettings })
	typeIn(t, w, f.pass, "a fresh passphrase 2026")
	typeIn(t, w, f.confirm, "a fresh passphrase 2026")
	retype(t, w, f.autoLock, "30")
	press(t, w, "Save")
	eventually(t, "the passphrase change", func() bool { return labelWith(w, "Passphrase changed.") })
	a.cfg.AutoLock = -1
	a.stopIdle()
	if g := a.Vault().UnlockGuard(); g.Wiped || g.WipeAfter != 3 || g.Failed != 0 {
		t.Fatalf("guard after a new passphrase: %+v", g)
	}
	log, _ := a.Vault().AuditLog(t.Context())
	found := false
	for _, e := range log {
		found = found || (e.Action == store.AuditUnlockFailed && strings.HasPrefix(e.Detail, "3 "))
	}
	if !found {
		t.Fatal("the three failed attempts are not in the audit log")
	}
	// Turning it off asks nothing.
	press(t, w, "OK")
	f = openSettings(t, a, w)
	choose(t, w, f.guard, "Never (recommended)")
	retype(t, w, f.autoLock, "30")
	press(t, w, "Save")
	a.cfg.AutoLock = -1
	a.stopIdle()
	if g := a.Vault().UnlockGuard(); g.WipeAfter != 0 {
		t.Fatalf("the guard stays on: %+v", g)
	}
}

func TestContactCardCopyAndPaste(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	own, err := export.OwnCard(a.Vault())
	if err != nil {
		t.Fatal(err)
	}
	// Nothing reaches the clipboard until the person asks.
	clip := fyne.CurrentApp().Clipboard()
	if got := clip.Content(); got != "" {
		t.Fatalf("clipboard holds %q before any copy", got)
	}
	press(t, w, "Contacts")
	press(t, w, "Copy my card")
	pasted, err := export.ParseCard([]byte(clip.Content()))
	if err != nil || pasted.Fingerprint != own.Fingerprint {
		t.Fatalf("clipboard does not hold our card: %v", err)
	}
	eventually(t, "the copied message", func() bool { return labelWith(w, "Your card is on the clipboard") })
	press(t, w, "OK")
	// Saved to a file, it is the same card.
	cardFile := filepath.Join(t.TempDir(), "ours.card")
	press(t, w, "Save my card…")
	saveFile(t, w, cardFile)
	eventually(t, "the card file", func() bool {
		b, err := os.ReadFile(cardFile)
		c, perr := export.ParseCard(b)
		return err == nil && perr == nil && c.Fingerprint == own.Fingerprint
	})
	press(t, w, "Close")

	// A partner's card pasted as text: garbage is refused, a real card
	// goes on to the fingerprint check.
	p, _, err := store.Create(filepath.Join(t.TempDir(), "p"), "pp", store.CreateOptions{OrgName: "Paste Partner"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	card, _ := export.OwnCard(p)
	pasteField := func() *widget.Entry {
		t.Helper()
		text, ok := find(w, func(e *widget.Entry) bool {
			return e.PlaceHolder == "Paste the card here: the text that starts with { and ends with }"
		})
		if !ok {
			t.Fatal("no field to paste the card into")
		}
		return text
	}
	press(t, w, "Contacts")
	press(t, w, "Paste a partner's card…")
	paste(t, w, pasteField(), "hello, this is not a card")
	press(t, w, "Next")
	eventually(t, "the refusal", func() bool { return labelWith(w, "not a valid Dossier contact card") })
	press(t, w, "OK")
	press(t, w, "Paste a partner's card…")
	paste(t, w, pasteField(), "\n"+string(cardBytes(card))+"\n")
	press(t, w, "Next")
	eventually(t, "the fingerprint question", func() bool { return labelWith(w, "Paste Partner sent this card") })
	typed, ok := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "XXXX-XXXX-XXXX-XXXX" })
	if !ok {
		t.Fatal("no fingerprint field")
	}
	typeIn(t, w, typed, card.Fingerprint)
	press(t, w, "Add")
	eventually(t, "the contact", func() bool { return labelWith(w, "Paste Partner added to your contacts.") })
}

func TestWhen(t *testing.T) {
	ts := time.Date(2026, 3, 1, 12, 34, 56, 789, time.UTC)
	if got, want := when(ts.Format(time.RFC3339Nano)), ts.Local().Format("2006-01-02 15:04"); got != want {
		t.Fatalf("when = %q, want %q", got, want)
	}
	if got := when("2025-06"); got != "2025-06" {
		t.Fatalf("a non-timestamp changed: %q", got)
	}
}

func TestReplaceRecoveryKeyFromSettings(t *testing.T) {
	dir, old := fixture(t)
	a, w := start(t, dir, "en")
	a.cfg.AutoLock = -1
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	openSettings(t, a, w)
	press(t, w, "Replace the recovery key…")
	if !button(t, w, "Replace the recovery key").Disabled() || !labelWith(w, "the old key no longer opens this vault") {
		t.Fatal("Replace offered before the new key was confirmed saved")
	}
	key, ok := find(w, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "AGE-SECRET-KEY-PQ-1") })
	if !ok {
		t.Fatal("the new key is not shown")
	}
	fresh, err := crypto.ParseRecoveryKey(key.Text)
	if err != nil {
		t.Fatal(err)
	}
	// Cancel changes nothing.
	press(t, w, "Cancel")
	if r, _ := a.Vault().RecoveryRecipient(t.Context()); r == fresh.RecipientString() {
		t.Fatal("replaced without Replace")
	}
	press(t, w, "Replace the recovery key…")
	key, _ = find(w, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "AGE-SECRET-KEY-PQ-1") })
	fresh, _ = crypto.ParseRecoveryKey(key.Text)
	press(t, w, "Replace the recovery key") // disabled: nothing happens
	if r, _ := a.Vault().RecoveryRecipient(t.Context()); r == fresh.RecipientString() {
		t.Fatal("replaced before the key was confirmed saved")
	}
	clickText(t, w, "I have written down or printed the recovery key")
	press(t, w, "Replace the recovery key")
	eventually(t, "the confirmation", func() bool { return labelWith(w, "The recovery key was replaced. Make a full backup now") })
	shortcut(t, w, &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if a.Vault() != nil {
		t.Fatal("Ctrl+L did not lock")
	}
	if _, err := store.OpenWithRecoveryKey(dir, old, store.Options{}); !errors.Is(err, crypto.ErrWrongRecoveryKey) {
		t.Fatalf("old key after replacement: %v", err)
	}
	v, err := store.OpenWithRecoveryKey(dir, fresh, store.Options{})
	if err != nil {
		t.Fatalf("new key: %v", err)
	}
	v.Close()
}

// Errors a person can meet are said in their language, wrapped or not.
func TestMessagesForErrors(t *testing.T) {
	a := &App{lang: "fr"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("store: committing: %w", store.ErrDiskFull), "Le disque est plein"},
		{fmt.Errorf("write: %w", syscall.ENOSPC), "Le disque est plein"},
		{fmt.Errorf("store: %w", store.ErrClosed), "verrouillé pendant l'opération"},
		{store.ErrEvidenceCorrupt, "il est endommagé"},
		{fmt.Errorf("crypto: %w: bad", crypto.ErrCorruptKeyFile), "Les fichiers du coffre sont endommagés"},
		{&os.PathError{Op: "open", Path: "/x", Err: os.ErrPermission}, "n'a pas le droit d'écrire"},
		{fmt.Errorf("store: %w", crypto.ErrWrongPassphrase), "Phrase secrète incorrecte"},
		{errors.New("something else"), "something else"},
	} {
		if got := a.message(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

// The emergency erase shortcut: off by default (the keys do nothing);
// turning it on asks sternly, and Cancel leaves it off; once on, the keys
// destroy the vault with no question and show the create screen.
func TestEmergencyEraseWorkflow(t *testing.T) {
	dir, rk := fixture(t)
	a, w := start(t, dir, "en")
	a.cfg.AutoLock = -1
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })

	shortcut(t, w, eraseShortcut)
	if a.Vault() == nil || !store.Exists(dir) {
		t.Fatal("the shortcut erased a vault whose setting is off")
	}
	for _, answer := range []string{"Cancel", "I understand: turn it on"} {
		f := openSettings(t, a, w)
		tap(t, w, f.erase)
		retype(t, w, f.autoLock, "30")
		press(t, w, "Save")
		eventually(t, "the warning", func() bool { return labelWith(w, "DESTROY IT AT ONCE") })
		press(t, w, answer)
		want := answer != "Cancel"
		if s, _ := a.Vault().Setting(t.Context(), settingEraseShortcut); (s == "1") != want {
			t.Fatalf("after %q: setting %q", answer, s)
		}
	}

	// It is kept in the vault: after a lock and unlock it is still on.
	press(t, w, "Lock")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })

	shortcut(t, w, eraseShortcut)
	eventually(t, "the create screen", func() bool { return labelWith(w, "Create a vault") })
	if a.Vault() != nil {
		t.Fatal("the app still holds the vault")
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the vault folder after the erase: %v", err)
	}
	if _, err := store.OpenWithRecoveryKey(dir, rk, store.Options{}); !errors.Is(err, store.ErrNoVault) {
		t.Fatalf("the recovery key after the erase: %v", err)
	}
}
