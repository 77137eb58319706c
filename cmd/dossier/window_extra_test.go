package main

// The flows the lead's first version of the suite did not have yet: the
// rows of a case (people, violations, responses: every picker), consent
// and tags; settings; the language; backup, restore at first run, a
// passphrase share and its import in a second vault; a photo.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/internal/xwin"
	"github.com/dossier-hr/dossier/store"
)

// menu is where the window's menu bar reads, relative to the window.
var menu = image.Rect(0, 0, 300, 28)

// rows is what CaseRows adds to the case, as dossierctl must read it back.
var rows = store.Case{
	Violations: []store.Violation{
		{Type: "confiscation_of_harm_reduction_supplies", Perpetrator: "police", Date: "2026-03-14", Victim: "Ayu", PerpetratorDetails: "Unit 5"},
		{Type: "arbitrary_arrest", Perpetrator: "drug_control_agency", Date: "2026-03-15", Victim: "Ayu"},
	},
	People: []store.Person{
		{Pseudonym: "Ayu", Roles: []string{"victim"}, Gender: "female", AgeGroup: "25_34", LegalName: "Ayu Lestari", Contact: "+62 800 0000", Characteristics: []string{"uses_drugs", "on_oat"}},
		{Pseudonym: "Budi", Roles: []string{"witness"}, Gender: "undisclosed", AgeGroup: "unknown"},
	},
	Interventions: []store.Intervention{{Type: "legal_aid", Status: "in_progress", Date: "2026-03-20", By: "LBH lawyer", Outcome: "Complaint drafted"}},
	Consent:       &store.Consent{Obtained: true, Scope: []string{"legal_partners", "anonymised_statistics"}, Date: "2026-03-16", By: "XW tester"},
	Tags:          []string{"raid", "syringes"},
}

// openCase clicks the case in the list and waits for its buttons.
func (s *suite) openCase(x *xwin.Driver) {
	x.T.Helper()
	x.Step("click the case in the list")
	x.ClickOn(xwin.Target{Text: "Raid on the harm", In: list}, 1, 30*time.Second)
	x.Seek(xwin.Target{Text: T("ui.case.history"), Line: true, In: pane, At: detail, Wheel: -14}, 60*time.Second)
}

// caseRows: Edit; two people, two violations and a response added with the
// mouse (a click on "Add…", then on the new row's first field) and filled
// with the keyboard, every picker opened (Space, or the click) and chosen
// with Down or Up and Enter; consent and tags; Ctrl+S; dossierctl reads
// back every row.
func (s *suite) caseRows(t *testing.T, x *xwin.Driver) {
	w := rows
	s.openCase(x)
	x.Step("Edit")
	s.clickButton(x, T("ui.case.edit"), -14)
	x.WaitText(30*time.Second, T("ui.edit.title"))

	for i, p := range w.People {
		x.Step("add person %d (%s) with the mouse", i+1, p.Pseudonym)
		s.clickButton(x, T("ui.edit.add_person"), 14)
		x.ClickOn(xwin.Target{Text: T("ui.edit.pseudonym"), Line: true, In: pane, At: detail, Wheel: 6}, 1, 30*time.Second)
		x.Type(p.Pseudonym)
		x.Step("person %d: role picker", i+1)
		x.Keys("Tab")
		x.Pick(down(store.Roles, p.Roles[0], false), "role")
		x.Step("person %d: gender picker", i+1)
		x.Keys("Tab")
		if p.Gender == "undisclosed" {
			x.Pick(up(store.Genders, p.Gender), "gender")
		} else {
			x.Pick(down(store.Genders, p.Gender, true), "gender")
		}
		x.Step("person %d: age group picker", i+1)
		x.Keys("Tab", "Tab") // past the age
		if p.AgeGroup == "unknown" {
			x.Pick(up(store.AgeGroups, p.AgeGroup), "age group")
		} else {
			x.Pick(down(store.AgeGroups, p.AgeGroup, true), "age group")
		}
		x.Step("person %d: legal name, contact, characteristics", i+1)
		x.Keys("Tab")
		x.Type(p.LegalName)
		x.Keys("Tab")
		x.Type(p.Contact)
		for _, c := range store.Characteristics {
			x.Keys("Tab")
			if slices.Contains(p.Characteristics, c) {
				x.Keys("space")
			}
			if c == "on_oat" {
				break
			}
		}
	}

	for i, v := range w.Violations {
		x.Step("add violation %d with the mouse", i+1)
		s.clickButton(x, T("ui.edit.add_violation"), -14)
		x.Step("violation %d: type picker (a click opens its menu)", i+1)
		x.ClickOn(xwin.Target{Text: T("ui.edit.violation_type"), Line: true, In: pane, At: detail, Wheel: 6}, 1, 30*time.Second)
		x.Choose(down(store.ViolationTypes, v.Type, false), "violation type")
		x.Step("violation %d: perpetrator picker", i+1)
		x.Keys("Tab")
		x.Pick(down(store.Perpetrators, v.Perpetrator, true), "perpetrator")
		x.Step("violation %d: date, victim picker, perpetrator details", i+1)
		x.Keys("Tab")
		x.Type(v.Date)
		x.Keys("Tab")
		x.Pick(2, "victim") // —, Ayu, Budi
		x.Keys("Tab")
		x.Type(v.PerpetratorDetails)
	}

	r := w.Interventions[0]
	x.Step("add a response with the mouse")
	s.clickButton(x, T("ui.edit.add_intervention"), 14)
	x.Step("response type picker (a click opens its menu)")
	x.ClickOn(xwin.Target{Text: T("ui.edit.intervention_type"), Line: true, In: pane, At: detail, Wheel: 6}, 1, 30*time.Second)
	x.Choose(down(store.InterventionType, r.Type, false), "response type")
	x.Step("response status picker")
	x.Keys("Tab")
	x.Pick(down(store.InterventionStat, r.Status, true), "response status")
	x.Step("response date, by whom, outcome")
	x.Keys("Tab")
	x.Type(r.Date)
	x.Keys("Tab")
	x.Type(r.By)
	x.Keys("Tab")
	x.Type(r.Outcome)

	x.Step("consent: obtained, its uses, date, by whom; tags")
	x.Keys("Tab", "Tab", "Tab") // Remove, Add a response, Consent obtained
	x.Keys("space")
	for _, sc := range store.ConsentScopes {
		x.Keys("Tab")
		if slices.Contains(w.Consent.Scope, sc) {
			x.Keys("space")
		}
	}
	x.Keys("Tab")
	x.Type(w.Consent.Date)
	x.Keys("Tab")
	x.Type(w.Consent.By)
	x.Keys("Tab")
	x.Type(strings.Join(w.Tags, ", "))

	x.Step("save with Ctrl+S")
	x.Keys("ctrl+s")
	s.waitSaved(x, words(T("ui.edit.saved"), 3))

	x.Step("dossierctl reads back every row, picker and field")
	got := s.showCase(t, s.vaultA, s.passA, s.ref)
	full := want
	full.People, full.Violations, full.Interventions, full.Consent, full.Tags = w.People, w.Violations, w.Interventions, w.Consent, w.Tags
	for _, d := range diffCase(&full, got) {
		t.Errorf("the saved case differs from what was typed and chosen: %s", d)
	}
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
	x.Step("auto-lock 30 minutes (not less: the flows after this one must not be locked out while another app runs), a new passphrase twice, Save")
	x.Keys("Tab", "Tab", "Tab", "ctrl+a") // language, your name, auto-lock
	x.Type("30")
	x.Keys("Tab", "Tab") // reminder, new passphrase
	x.Type(passA2)
	x.Keys("Tab")
	x.Type(passA2)
	s.clickButton(x, T("ui.save"), 0)
	x.WaitText(120*time.Second, words(T("ui.settings.passphrase_changed"), 2))
	s.passA = passA2
	x.Keys("Tab", "space") // OK
	x.WaitGone(30*time.Second, words(T("ui.settings.passphrase_changed"), 2))

	x.Step("dossierctl: the new passphrase opens the vault, the old one no longer")
	s.ctlRun(t, s.vaultA, passA2, "list")
	if _, err := s.ctlTry(s.vaultA, passA, "list"); err == nil {
		t.Errorf("the old passphrase still opens the vault after it was changed in Settings")
	}
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
	x.Pick(2, "language") // English, Français
	s.clickButton(x, T("ui.save"), 0)
	x.WaitText(30*time.Second, "Nouveau cas", "Importer")
	s.menuIn(x, "fr")

	x.Step("quit and start again without --lang: still in French")
	if !s.app.Terminate(30 * time.Second) {
		t.Fatalf("the app did not quit within %s of SIGTERM", xwin.Patience)
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
	s.clickButton(x, assets.Label("fr", "ui.save"), 0)
	x.WaitText(30*time.Second, T("ui.main.new_case"), T("ui.main.import"))
	s.menuIn(x, "en")
	s.clean = true
}

// menuIn checks that the window's menu is in the language the window was
// just switched to.
func (s *suite) menuIn(x *xwin.Driver, lang string) {
	x.T.Helper()
	want := assets.Label(lang, "ui.menu.vault")
	if ok, scr := x.TryTextIn(menu, time.Minute, want); !ok {
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
	x.WaitText(30*time.Second, T("ui.files.name"))
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
	x.ClickOn(xwin.Target{Text: T("ui.restore.open"), Line: true}, 1, 30*time.Second)
	x.WaitText(30*time.Second, T("ui.restore.title"))
	x.Step("Add a backup file: the chooser, its path typed")
	x.Keys("Tab", "space")
	s.chooseFile(x, filepath.Join(home, "backup.age"))
	x.WaitText(30*time.Second, "1. backup.age")
	x.Step("the cursor is in the recovery key's field: type it as on paper (its groups, spaced), Enter; the new passphrase twice, Enter")
	var groups []string
	for _, l := range strings.Split(string(key), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			groups = append(groups, l)
		}
	}
	x.Type(strings.Join(groups, " "))
	x.Keys("Return")
	x.Type(passC)
	x.Keys("Return")
	x.Type(passC)
	x.Keys("Return")
	x.Step("the restored vault opens on its case list")
	x.WaitText(180*time.Second, T("ui.main.new_case"), assets.Plural("en", "ui.n.cases", 1))
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
	x.WaitText(30*time.Second, T("ui.files.name"))
	x.Keys("ctrl+a")
	x.Type("share.age")
	x.Keys("Return")
	x.WaitText(180*time.Second, words(T("ui.share.done_passphrase"), 4))
	x.Keys("Tab", "space")
	x.WaitGone(30*time.Second, words(T("ui.share.done_passphrase"), 4))
	x.Step("close the share dialog (its button says Cancel)")
	x.ClickOn(xwin.Target{Text: T("ui.cancel"), Line: true}, 1, 30*time.Second)
	x.WaitGone(30*time.Second, T("ui.share.title"))
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
	x.Step("Import: Tab from the search field, Space; the share's path typed in the chooser")
	s.focusSearch(x)
	x.Keys("Tab", "Tab", "Tab", "space") // New case, Back up, Import
	s.chooseFile(x, filepath.Join(home, "share.age"))
	x.Step("no key opens it: type the one-off passphrase, Next")
	x.WaitText(60*time.Second, words(T("ui.import.ask_passphrase"), 5))
	x.Type(sharePass)
	x.ClickOn(xwin.Target{Text: T("ui.next"), Line: true}, 1, 30*time.Second)
	x.Step("the summary before anything is imported; Import anyway")
	x.WaitText(120*time.Second, words(T("ui.import.summary"), 3))
	// The red button's white words do not read well: the keyboard.
	x.Keys("Tab", "Tab", "space") // Cancel, Import anyway
	x.WaitText(120*time.Second, words(fmt.Sprintf(T("ui.import.done"), assets.Plural("en", "ui.import.done_added", 1)), 3))
	x.Keys("Tab", "space")
	x.WaitText(30*time.Second, assets.Plural("en", "ui.n.cases", 1))
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
	x.Step("Add files: the chooser, the photo's path typed")
	s.clickButton(x, T("ui.evidence.add"), 14)
	s.chooseFile(x, filepath.Join(s.homeA, "photo.jpg"))
	x.Step("who gave it and how; Attach")
	x.WaitText(30*time.Second, words(T("ui.evidence.received_from"), 2))
	x.Keys("Tab")
	x.Type("outreach worker")
	x.Keys("Tab")
	x.Type("in person")
	x.ClickOn(xwin.Target{Text: T("ui.evidence.attach"), Line: true}, 1, 30*time.Second)
	x.WaitText(120*time.Second, words(assets.Plural("en", "ui.evidence.attached", 1), 3))
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

// chooseFile picks a file in the chooser as a person who knows where it
// is: a click into the path field (it shows the folder it opened, the
// file's), the path typed over it, Enter.
func (s *suite) chooseFile(x *xwin.Driver, path string) {
	x.T.Helper()
	title := T("ui.files.open_title")
	x.WaitText(30*time.Second, title)
	x.ClickOn(xwin.Target{Text: filepath.Base(filepath.Dir(path))}, 1, 30*time.Second)
	x.Keys("ctrl+a")
	x.Type(path)
	x.Keys("Return")
	x.WaitGone(30*time.Second, title)
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

var _ = json.Marshal
