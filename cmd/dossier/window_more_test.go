package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/internal/xwin"
	"github.com/dossier-hr/dossier/store"
)

// editedTitle is the title EditAndHistory gives the case.
const editedTitle = "Raid on the harm reduction site XW (edited)"

// openCase selects the case in the list with the mouse and waits for its
// buttons, scrolling the pane up if it was left scrolled down.
func (s *suite) openCase(x *xwin.Driver) {
	x.T.Helper()
	x.Step("select the case in the list")
	x.ClickOn(xwin.Target{Text: "Raid on the harm", In: list}, 1, 30*time.Second)
	x.Seek(xwin.Target{Text: T("ui.case.history"), Line: true, In: pane, At: detail, Wheel: -14}, 60*time.Second)
}

// clickButton clicks a button by its label, scrolling the right-hand pane
// by wheel notches (negative: up) while it is not in view.
func (s *suite) clickButton(x *xwin.Driver, label string, wheel int) {
	x.T.Helper()
	x.ClickOn(xwin.Target{Text: label, Line: true, In: pane, At: detail, Wheel: wheel}, 1, 60*time.Second)
}

// ensureCase makes sure vault A holds the case the later flows work on:
// typed by NewCase, or (when that flow failed) added with dossierctl, so
// that one failure does not hide the rest.
func (s *suite) ensureCase(t *testing.T) {
	t.Helper()
	if s.ref != "" {
		return
	}
	list := s.listCases(t, s.vaultA, s.passA)
	if len(list) == 0 {
		t.Log("NewCase saved no case: adding it with dossierctl so the other flows can run")
		c := want
		b, _ := json.Marshal(&c)
		f := filepath.Join(t.TempDir(), "case.json")
		os.WriteFile(f, b, 0o600)
		s.ctlRun(t, s.vaultA, s.passA, "add", f)
		list = s.listCases(t, s.vaultA, s.passA)
	}
	s.ref = list[0].Reference
}

// editAndHistory: edit the title, save, see the earlier revision in
// History.
func (s *suite) editAndHistory(t *testing.T, x *xwin.Driver) {
	s.ensureCase(t)
	s.openCase(x)
	x.Step("Edit, change the title at its end")
	s.clickButton(x, T("ui.case.edit"), -14)
	x.WaitText(30*time.Second, words(T("ui.edit.date"), 2))
	x.Keys("End")
	x.Type(strings.TrimPrefix(editedTitle, want.Title))

	x.Step("save with Ctrl+S, else the Save button")
	saved := fmt.Sprintf(T("ui.edit.saved"), 2)
	x.Keys("ctrl+s")
	if ok, _ := x.TryText(10*time.Second, saved); !ok {
		t.Logf("NOTE: Ctrl+S did not save within 10 s; clicking Save")
		x.Step("save with the Save button")
		s.clickButton(x, T("ui.edit.save"), 14)
		s.waitSaved(x, saved)
	}
	x.WaitText(30*time.Second, editedTitle)

	x.Step("History shows revision 1 with the old title")
	s.clickButton(x, T("ui.case.history"), -14)
	scr := x.WaitText(30*time.Second, words(fmt.Sprintf(T("ui.case.revision_of"), 1, "", ""), 3))
	if !scr.Has(want.Title) {
		t.Errorf("step %q: the history does not show the old title %q", x.Current(), want.Title)
	}
	x.Step("close the history")
	s.clickButton(x, T("ui.close"), 0)
	x.WaitGone(30*time.Second, words(fmt.Sprintf(T("ui.case.revision_of"), 1, "", ""), 3))

	x.Step("dossierctl: revision 2 has the new title, the history keeps the old one")
	c := s.showCase(t, s.vaultA, s.passA, s.ref)
	if c.Title != editedTitle || c.Revision != 2 {
		t.Errorf("dossierctl show: title %q revision %d, want %q revision 2", c.Title, c.Revision, editedTitle)
	}
	var revs []store.Case
	out := s.ctlRun(t, s.vaultA, s.passA, "history", s.ref, "--json")
	if err := json.Unmarshal([]byte(out), &revs); err != nil || len(revs) != 1 || revs[0].Title != want.Title {
		t.Errorf("dossierctl history: want one earlier revision titled %q; got %s (%v)", want.Title, out, err)
	}
	s.clean = true
}

// lockShortcut: Ctrl+L while typing in the editor locks at once; after
// unlocking, the editor offers the draft with what was typed.
func (s *suite) lockShortcut(t *testing.T, x *xwin.Driver) {
	s.ensureCase(t)
	s.openCase(x)
	x.Step("Edit, type at the end of the title, then Ctrl+L")
	s.clickButton(x, T("ui.case.edit"), -14)
	x.WaitText(30*time.Second, words(T("ui.edit.date"), 2))
	x.Keys("End")
	x.Type(" draft")
	x.Keys("ctrl+l")
	x.WaitText(30*time.Second, T("ui.unlock.title"))
	x.Step("unlock with Enter")
	x.Type(s.passA)
	x.Keys("Return")
	x.WaitText(120*time.Second, T("ui.main.new_case"))

	s.openCase(x)
	x.Step("Edit offers the draft with what was typed before the lock")
	s.clickButton(x, T("ui.case.edit"), -14)
	scr := x.WaitText(30*time.Second, words(T("ui.edit.draft"), 3))
	if !scr.Has(editedTitle + " draft") {
		t.Errorf("step %q: the draft does not hold the title typed before the lock (%q); the screen shows:\n%s", x.Current(), editedTitle+" draft", scr.Text())
	}
	x.Step("discard the draft")
	s.clickButton(x, T("ui.edit.discard"), -14)
	x.WaitGone(30*time.Second, words(T("ui.edit.draft"), 3))
	x.Step("leave the editor: Cancel")
	s.clickButton(x, T("ui.cancel"), 14)
	x.Seek(xwin.Target{Text: T("ui.case.history"), Line: true, In: pane, At: detail, Wheel: -14}, 60*time.Second)
	s.clean = true
}

// statistics: the Vault menu's Statistics counts the case.
func (s *suite) statistics(t *testing.T, x *xwin.Driver) {
	s.ensureCase(t)
	x.Step("Vault menu, Statistics")
	x.ClickOn(xwin.Target{Text: T("ui.menu.vault"), Line: true}, 1, 30*time.Second)
	x.ClickText(T("ui.stats.button"), 30*time.Second)
	x.Step("the dialog counts the case by violation, perpetrator and status")
	x.WaitText(60*time.Second, T("ui.stats.by_violation"), T("ui.stats.by_perpetrator"), "Arbitrary arrest", "Police")
	x.Step("close it")
	s.clickButton(x, T("ui.close"), 0)
	x.WaitGone(30*time.Second, T("ui.stats.by_violation"))
	s.clean = true
}

// settings: a new passphrase typed twice and the auto-lock minutes, saved
// from the keyboard; dossierctl then opens the vault with the new
// passphrase only.
func (s *suite) settings(t *testing.T, x *xwin.Driver) {
	x.Step("Settings: Tab from the search field to the gear button, Space")
	s.focusSearch(x)
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "space") // New case, Back up, Import, Contacts, Settings
	x.WaitText(30*time.Second, T("ui.settings.language"), words(T("ui.settings.auto_lock"), 3))
	x.Step("auto-lock 3 minutes, a new passphrase twice, Save (keyboard)")
	x.Keys("Tab", "Tab", "ctrl+a") // language, auto-lock
	x.Type("3")
	x.Keys("Tab", "Tab") // reminder, new passphrase
	x.Type(passA2)
	x.Keys("Tab")
	x.Type(passA2)
	x.Keys("Tab", "Tab", "Tab", "space") // guard, replace recovery key, Save
	x.WaitText(120*time.Second, words(T("ui.settings.passphrase_changed"), 2))
	s.passA = passA2
	x.Keys("Tab", "space") // OK
	x.WaitGone(30*time.Second, words(T("ui.settings.passphrase_changed"), 2))

	x.Step("dossierctl: the new passphrase opens the vault, the old one no longer")
	s.ctlRun(t, s.vaultA, passA2, "list")
	if _, err := s.ctlTry(s.vaultA, passA, "list"); err == nil {
		t.Errorf("the old passphrase still opens the vault after it was changed in Settings")
	}
	x.Step("the settings dialog shows the saved auto-lock minutes")
	s.focusSearch(x)
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "space")
	scr := x.WaitText(30*time.Second, T("ui.settings.language"))
	if len(scr.Lines("3")) == 0 {
		t.Errorf("step %q: the auto-lock field does not show 3; the dialog reads:\n%s", x.Current(), scr.Text())
	}
	s.clickButton(x, T("ui.cancel"), 0)
	x.WaitGone(30*time.Second, T("ui.settings.language"))
	s.clean = true
}

// language: French chosen in Settings changes the window at once and is
// kept for the next start.
func (s *suite) language(t *testing.T, x *xwin.Driver) {
	x.Step("Settings, language picker: Français")
	s.focusSearch(x)
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "space")
	x.WaitText(30*time.Second, T("ui.settings.language"))
	x.Keys("Tab")
	x.Pick(2, "language")                                            // English, Français
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "space") // … Save
	x.WaitText(30*time.Second, "Nouveau cas", "Importer")
	s.menuIn(x, "fr")

	x.Step("quit and start again without --lang: still in French")
	if !s.app.Terminate(30 * time.Second) {
		t.Fatalf("the app did not quit within 30 s of SIGTERM")
	}
	s.app = s.launch(t, "app-a", s.vaultA, s.homeA, "")
	x.A = s.app
	x.WaitText(60*time.Second, "le coffre")
	x.Type(s.passA)
	x.Keys("Return")
	x.WaitText(120*time.Second, "Nouveau cas")

	x.Step("back to English in Settings")
	s.focusSearch(x, "fr")
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "space")
	x.WaitText(30*time.Second, "Langue")
	x.Keys("Tab")
	x.Pick(1, "language")
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "space")
	x.WaitText(30*time.Second, T("ui.main.new_case"), T("ui.main.import"))
	s.menuIn(x, "en")
	s.clean = true
}

// menuIn checks that the window's menu is in the language the window was
// just switched to.
func (s *suite) menuIn(x *xwin.Driver, lang string) {
	x.T.Helper()
	want := assets.Label(lang, "ui.menu.vault")
	if ok, scr := x.TryTextIn(menu, 3*time.Second, want); !ok {
		x.T.Errorf("step %q: BUG: the rest of the window changed language, but its menu did not: it reads %q, want %q", x.Current(), strings.TrimSpace(scr.Text()), want)
	}
}

// backupFlow: a full backup from the Back up button, written where the
// Save dialog says, verified with the recovery key.
func (s *suite) backupFlow(t *testing.T, x *xwin.Driver) {
	x.Step("Back up: Tab from the search field, Space; full backup is chosen; Next")
	s.focusSearch(x)
	x.Keys("Tab", "Tab", "space")
	x.WaitText(30*time.Second, words(T("ui.backup.full"), 2))
	x.ClickOn(xwin.Target{Text: T("ui.next"), Line: true}, 1, 30*time.Second)
	x.Step("the Save dialog: name the file, Enter")
	x.WaitText(30*time.Second, "Save File")
	x.Keys("ctrl+a")
	x.Type("backup.age")
	x.Keys("Return")
	x.WaitText(180*time.Second, words(T("ui.backup.done"), 4))
	x.Keys("Tab", "space") // OK
	x.WaitGone(30*time.Second, words(T("ui.backup.done"), 4))
	s.backup = filepath.Join(s.homeA, "backup.age")
	x.Step("dossierctl verifies the backup with the recovery key")
	if _, err := os.Stat(s.backup); err != nil {
		t.Fatalf("the backup is not where the Save dialog was: %v", err)
	}
	out := s.ctlRun(t, s.vaultA, "", "verify", s.backup, "--identity", s.recoveryFile)
	if !strings.Contains(out, "full") {
		t.Errorf("dossierctl verify does not say it is a full backup:\n%s", out)
	}
	s.clean = true
}

// restore: on a new laptop (another home, no vault), the first-run screen
// restores vault A's backup with the recovery key and a new passphrase.
func (s *suite) restore(t *testing.T, x *xwin.Driver) {
	if s.backup == "" {
		t.Fatal("no backup to restore (Backup failed)")
	}
	base := t.TempDir()
	home := newHome(t, filepath.Join(base, "home-c"))
	vault := filepath.Join(base, "vault-c")
	copyFile(t, s.backup, filepath.Join(home, "backup.age"))
	key, err := os.ReadFile(s.recoveryFile)
	if err != nil {
		t.Fatal(err)
	}
	x.Step("start the app where there is no vault; Restore from a backup instead")
	app := s.launch(t, "app-c", vault, home, "en")
	defer app.Kill()
	x.A = app
	x.WaitText(60*time.Second, T("ui.create.title"))
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "space") // organisation, passphrase, again, Create, Restore
	x.WaitText(30*time.Second, T("ui.restore.title"))
	x.Step("Add a backup file: the Open dialog, double-click the backup")
	x.Keys("Tab", "space")
	x.WaitText(30*time.Second, "Open File")
	x.ClickOn(xwin.Target{Text: "backup", Line: true}, 2, 30*time.Second)
	x.WaitText(30*time.Second, "1. backup.age")
	x.Step("type the recovery key as on paper, then the new passphrase twice")
	x.ClickOn(xwin.Target{Text: words(T("ui.unlock.recovery_key"), 2)}, 1, 30*time.Second)
	var lines []string
	for _, l := range strings.Split(string(key), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	x.Type(strings.Join(lines, "\n"))
	x.ClickOn(xwin.Target{Text: T("ui.unlock.passphrase"), Line: true}, 1, 30*time.Second)
	x.Type(passC)
	x.Keys("Tab")
	x.Type(passC)
	x.Keys("Tab", "space") // Restore
	x.Step("the restored vault opens on its case list")
	x.WaitText(180*time.Second, T("ui.main.new_case"), fmt.Sprintf(T("ui.main.count"), 1))
	x.Step("dossierctl reads the restored case")
	list := s.listCases(t, vault, passC)
	if len(list) != 1 || list[0].Reference != s.ref {
		t.Errorf("the restored vault lists %+v, want the one case %s", list, s.ref)
	}
	x.Check()
	app.Terminate(30 * time.Second)
}

// shareFlow: the case shared with a one-off passphrase.
func (s *suite) shareFlow(t *testing.T, x *xwin.Driver) {
	s.ensureCase(t)
	s.openCase(x)
	x.Step("Share…: protect with a one-off passphrase (keyboard)")
	s.clickButton(x, T("ui.share.button"), -14)
	x.WaitText(30*time.Second, T("ui.share.title"))
	x.Keys("Tab", "space")
	x.Keys("Tab")
	x.Type(sharePass)
	x.WaitText(30*time.Second, words(T("ui.share.passphrase_how"), 4))
	x.Step("Write the bundle…: Tab past the age option and the three redactions, Space; name it in the Save dialog")
	x.Keys("Tab", "Tab", "Tab", "Tab", "Tab", "space")
	x.WaitText(30*time.Second, "Save File")
	x.Keys("ctrl+a")
	x.Type("share.age")
	x.Keys("Return")
	x.WaitText(180*time.Second, words(T("ui.share.done_passphrase"), 4))
	x.Keys("Tab", "space")
	x.WaitGone(30*time.Second, words(T("ui.share.done_passphrase"), 4))
	s.share = filepath.Join(s.homeA, "share.age")
	if _, err := os.Stat(s.share); err != nil {
		t.Fatalf("the share is not where the Save dialog was: %v", err)
	}
	s.clean = true
}

// importShare: a partner's vault B imports the share with its passphrase.
func (s *suite) importShare(t *testing.T, x *xwin.Driver) {
	if s.share == "" {
		t.Fatal("no share to import (Share failed)")
	}
	base := t.TempDir()
	home := newHome(t, filepath.Join(base, "home-b"))
	vault := filepath.Join(base, "vault-b")
	copyFile(t, s.share, filepath.Join(home, "share.age"))
	s.ctlRun(t, vault, passB, "init", "--org", "Partner Network XW", "--recovery-out", filepath.Join(base, "b-recovery.txt"))
	x.Step("start the app on the partner's vault, unlock")
	app := s.launch(t, "app-b", vault, home, "en")
	defer app.Kill()
	x.A = app
	s.unlockWith(x, passB)
	x.Step("Import: Tab from the search field, Space; double-click the share")
	s.focusSearch(x)
	x.Keys("Tab", "Tab", "Tab", "space") // New case, Back up, Import
	x.WaitText(30*time.Second, "Open File")
	x.ClickOn(xwin.Target{Text: "share", Line: true}, 2, 30*time.Second)
	x.Step("no key opens it: type the one-off passphrase, Next")
	x.WaitText(60*time.Second, words(T("ui.import.ask_passphrase"), 5))
	x.Type(sharePass)
	x.ClickOn(xwin.Target{Text: T("ui.next"), Line: true}, 1, 30*time.Second)
	x.Step("the summary before anything is imported; Import anyway")
	x.WaitText(120*time.Second, words(T("ui.import.summary"), 3))
	x.ClickOn(xwin.Target{Text: T("ui.import.confirm_unknown"), Line: true}, 1, 30*time.Second)
	x.WaitText(120*time.Second, words(fmt.Sprintf(T("ui.import.done"), 1, 0, 0, 0, 0), 4))
	x.Keys("Tab", "space")
	x.WaitText(30*time.Second, fmt.Sprintf(T("ui.main.count"), 1))
	x.Step("dossierctl: the partner has the case, pseudonymised")
	list := s.listCases(t, vault, passB)
	if len(list) != 1 {
		t.Fatalf("the partner's vault lists %d cases, want 1", len(list))
	}
	c := s.showCase(t, vault, passB, list[0].ID)
	if !strings.HasPrefix(c.Title, want.Title) {
		t.Errorf("the imported case's title is %q", c.Title)
	}
	for _, p := range c.People {
		if p.LegalName != "" || p.Contact != "" {
			t.Errorf("the pseudonymised share carried %s's legal name or contact: %+v", p.Pseudonym, p)
		}
	}
	x.Check()
	app.Terminate(30 * time.Second)
}

// attachPhoto: a photo attached from the Open dialog, with who gave it and
// how; dossierctl lists it with its SHA-256; the preview shows it.
func (s *suite) attachPhoto(t *testing.T, x *xwin.Driver) {
	s.ensureCase(t)
	photo := testimg.JPEGWithMetadata()
	if err := os.WriteFile(filepath.Join(s.homeA, "photo.jpg"), photo, 0o600); err != nil {
		t.Fatal(err)
	}
	s.openCase(x)
	x.Step("Add files: the Open dialog, double-click the photo")
	s.clickButton(x, T("ui.evidence.add"), 14)
	x.WaitText(30*time.Second, "Open File")
	x.ClickOn(xwin.Target{Text: "photo", Line: true}, 2, 30*time.Second)
	x.Step("who gave it and how; Attach")
	x.WaitText(30*time.Second, words(T("ui.evidence.received_from"), 2))
	x.Keys("Tab")
	x.Type("outreach worker")
	x.Keys("Tab")
	x.Type("in person")
	x.ClickOn(xwin.Target{Text: T("ui.evidence.attach"), Line: true}, 1, 30*time.Second)
	x.WaitText(120*time.Second, words(fmt.Sprintf(T("ui.evidence.attached"), 1), 3))
	x.Keys("Tab", "space")
	x.Step("dossierctl lists the photo with its SHA-256")
	out := s.ctlRun(t, s.vaultA, s.passA, "evidence", "list", s.ref, "--json")
	sum := sha256.Sum256(photo)
	if !strings.Contains(out, hex.EncodeToString(sum[:])) || !strings.Contains(out, "photo.jpg") {
		t.Errorf("dossierctl evidence list does not hold photo.jpg with SHA-256 %x:\n%s", sum, out)
	}
	x.Step("Preview shows the photo inside the app")
	before := x.Shot()
	s.clickButton(x, T("ui.evidence.preview"), 14)
	x.WaitChange(before, 30*time.Second, "Preview")
	x.WaitText(30*time.Second, "photo.jpg")
	s.clickButton(x, T("ui.close"), 0)
	s.clean = true
}

// quit: the Vault menu's Quit ends the app normally; the vault passes
// dossierctl's checks afterwards.
func (s *suite) quit(t *testing.T, x *xwin.Driver) {
	x.Step("Vault menu, Quit")
	x.ClickOn(xwin.Target{Text: T("ui.menu.vault"), Line: true}, 1, 30*time.Second)
	s.app.Expected = true
	x.ClickOn(xwin.Target{Text: "Quit", Line: true}, 1, 30*time.Second)
	if !s.app.Wait(30 * time.Second) {
		x.Failf("the app did not end within 30 s of Quit")
	}
	if err := s.app.ExitErr(); err != nil {
		t.Errorf("the app ended with %v after Quit", err)
	}
	x.Step("dossierctl: the vault's integrity and audit log check out")
	s.ctlRun(t, s.vaultA, s.passA, "check")
	s.ctlRun(t, s.vaultA, s.passA, "audit", "verify")
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
