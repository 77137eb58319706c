package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

func TestNewCaseValidationAndSave(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	// No title: refused, the message next to the field, nothing saved.
	press(t, w, "Save")
	if !e.errs["title"].Visible() || e.errs["title"].Text != "Required." || !labelWith(w, "Not saved. Check: Title.") {
		t.Fatalf("no message next to the title: %q", e.errs["title"].Text)
	}
	if n, _ := a.Vault().Count(t.Context(), store.Query{}); n != 4 {
		t.Fatal("an invalid case was saved")
	}
	// A bad date, then a bad country.
	typeIn(t, w, e.title, "Detained at the pharmacy")
	typeIn(t, w, e.date, "2025-13")
	press(t, w, "Save")
	if !e.errs["incident_date"].Visible() || e.errs["title"].Visible() {
		t.Fatal("a bad date is not shown next to the date")
	}
	retype(t, w, e.date, "2025-03-14")
	typeIn(t, w, e.country, "XX")
	press(t, w, "Save")
	if !e.errs["country"].Visible() || !strings.Contains(e.errs["country"].Text, "two letters") {
		t.Fatal("a bad country is not shown next to the country")
	}
	// Fixed, with a violation and a person picked by their labels.
	retype(t, w, e.country, "ru")
	press(t, w, "Add a violation")
	press(t, w, "Add a person")
	choose(t, w, e.vrows[0].typ, "Extortion")
	choose(t, w, e.vrows[0].perp, "Police")
	choose(t, w, e.prows[0].role, "Victim")
	typeIn(t, w, e.prows[0].pseudonym, "Пётр")
	clickText(t, w, "Consent obtained")
	clickText(t, w, "Share with legal partners")
	typeIn(t, w, e.prows[0].age, "thirty")
	press(t, w, "Save")
	if !e.errs["people"].Visible() || e.errs["people"].Text != "No. 1: Age — Age must be a whole number of years." {
		t.Fatalf("a non-numeric age was not refused: %q", e.errs["people"].Text)
	}
	retype(t, w, e.prows[0].age, "34")
	typeIn(t, w, e.prows[0].legalName, "Пётр Иванов")
	clickText(t, w, "Injects drugs")
	clickText(t, w, "Living with HIV")
	choose(t, w, e.priority, "High")
	choose(t, w, e.vstatus, "Confirmed")
	typeIn(t, w, e.endDate, "2025-03-16")
	typeIn(t, w, e.vrows[0].date, "2025-03-15")
	press(t, w, "Add a response")
	choose(t, w, e.irows[0].typ, "Legal aid")
	choose(t, w, e.irows[0].status, "In progress")
	typeIn(t, w, e.irows[0].date, "2099-01-01")
	press(t, w, "Save")
	// A refusal inside a row names the row, in the person's language.
	if !e.errs["interventions"].Visible() || e.errs["interventions"].Text != "No. 1: Date (optional) — The date is in the future: check it." {
		t.Fatalf("a future response date was not refused next to the responses: %q", e.errs["interventions"].Text)
	}
	retype(t, w, e.irows[0].date, "2025-03-20")
	typeIn(t, w, e.irows[0].by, "Lawyer of the network")
	clickText(t, w, "The date is an estimate")
	choose(t, w, e.vrows[0].victim, "Пётр")
	typeIn(t, w, e.vrows[0].perpDetails, "Two officers of the district unit")
	typeIn(t, w, e.vrows[0].method, "Threatened with a planted syringe")
	typeIn(t, w, e.vrows[0].consequences, "Paid 5,000 roubles")
	typeIn(t, w, e.consentDate, "2025-03-18")
	typeIn(t, w, e.consentBy, "Outreach worker")
	press(t, w, "Add a note")
	typeIn(t, w, e.newNotes[0], "Lawyer to call back on Monday.")
	press(t, w, "Save")
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 1.") && a.main.count.Text == "5 cases" })
	// The case view shows what was entered.
	for _, want := range []string{"2025-03-14 – 2025-03-16 (estimated)", "(Two officers of the district unit) → Пётр", "Consequences for the victim — Paid 5,000 roubles", "2025-03-20 Lawyer of the network", "2025-03-18 Outreach worker"} {
		if !labelWith(w, want) {
			t.Errorf("the case view does not show %q", want)
		}
	}
	got, err := a.Vault().List(t.Context(), store.Query{Text: "pharmacy"})
	if err != nil || len(got) != 1 {
		t.Fatalf("saved case not found: %v", err)
	}
	c, _ := a.Vault().Get(t.Context(), got[0].ID)
	if c.Country != "RU" || c.Violations[0].Type != "extortion" || c.Violations[0].Perpetrator != "police" ||
		c.People[0].Pseudonym != "Пётр" || c.People[0].Roles[0] != "victim" || !c.Consent.Obtained || c.Consent.Scope[0] != "legal_partners" ||
		len(c.Interventions) != 1 || c.Interventions[0].Type != "legal_aid" || c.Interventions[0].Status != "in_progress" ||
		len(c.Notes) != 1 || c.Notes[0].Text != "Lawyer to call back on Monday." ||
		c.People[0].Age == nil || *c.People[0].Age != 34 || c.People[0].LegalName != "Пётр Иванов" ||
		strings.Join(c.People[0].Characteristics, ",") != "injects_drugs,living_with_hiv" ||
		c.Priority != "high" || c.ViolationStatus != "confirmed" || c.IncidentEndDate != "2025-03-16" || c.Violations[0].Date != "2025-03-15" ||
		!c.DateEstimated || c.Violations[0].Victim != "Пётр" || c.Violations[0].PerpetratorDetails != "Two officers of the district unit" ||
		c.Violations[0].Method != "Threatened with a planted syringe" || c.Violations[0].Consequences != "Paid 5,000 roubles" ||
		c.Interventions[0].Date != "2025-03-20" || c.Interventions[0].By != "Lawyer of the network" ||
		c.Consent.Date != "2025-03-18" || c.Consent.By != "Outreach worker" {
		t.Fatalf("saved case %+v", c)
	}
}

func TestEditKeepsHistory(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	clickText(t, w, "Задержание у аптеки") // the Russian case, with a violation and a person
	eventually(t, "the case", func() bool { return labelWith(w, "Полиция изъяла шприцы.") })
	press(t, w, "Edit")
	e := a.main.editorForTest()
	if e.title.Text != "Задержание у аптеки" || len(e.vrows) != 1 || e.vrows[0].typ.Key() != "arbitrary_arrest" || len(e.prows) != 1 {
		t.Fatal("the editor does not show the case as it is")
	}
	// The form must fit beside the list on a laptop screen: one row of
	// fourteen characteristics once made it wider than the window.
	var width float32
	onUI(func() { width = e.content.MinSize().Width })
	if width > 640 {
		t.Fatalf("the editor needs %.0f px of width", width)
	}
	choose(t, w, e.status, "Referred")
	press(t, w, "Save")
	eventually(t, "revision 2", func() bool { return labelWith(w, "Saved as revision 2.") && labelWith(w, "Status: Referred") })
	press(t, w, "History")
	eventually(t, "the history", func() bool {
		return labelWith(w, "Revision 2, saved") && labelWith(w, "Status: Open → Referred") && labelWith(w, "Revision 1, created")
	})
}

func TestEditorInFrench(t *testing.T) {
	dir, _ := fixture(t)
	a, w := start(t, dir, "fr")
	a.cfg.AutoLock = -1
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the list", func() bool { return labelWith(w, "4 cas") })
	press(t, w, "Nouveau cas")
	e := a.main.editorForTest()
	press(t, w, "Ajouter une violation")
	if !containsString(e.vrows[0].typ.Options, "Extorsion") || !containsString(e.vrows[0].perp.Options, "Police") {
		t.Fatal("vocabulary pickers are not in French")
	}
	choose(t, w, e.vrows[0].typ, "Extorsion")
	press(t, w, "Enregistrer")
	if e.errs["title"].Text != "Obligatoire." {
		t.Fatalf("validation message not in French: %q", e.errs["title"].Text)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *mainScreen) editorForTest() *editor { return m.editor }

// What is typed survives a lock without Save, as a draft inside the vault;
// Save or Cancel drops it.
func TestDraftSurvivesLock(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	typeIn(t, w, e.title, "Half-written account")
	typeIn(t, w, e.narrative, "They came at night and")
	press(t, w, "Add a note")
	typeIn(t, w, e.newNotes[0], "call the lawyer")
	// Locked with Ctrl+L, before the periodic draft: the lock keeps it.
	shortcut(t, w, &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if a.Vault() != nil {
		t.Fatal("Ctrl+L in the editor did not lock")
	}
	if d, _, _ := func() (*store.Case, string, error) {
		v, err := store.Open(a.cfg.VaultDir, "the right passphrase", store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		return v.Draft(t.Context(), store.DraftNew)
	}(); d == nil || d.Title != "Half-written account" || len(d.Notes) != 1 {
		t.Fatalf("no draft after lock: %+v", d)
	}
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the list", func() bool { return a.main != nil && a.main.count.Text == "4 cases" })
	// Back where the person was: the editor, with the draft.
	eventually(t, "the editor again", func() bool { return a.main.editor != nil && !a.main.editor.closed })
	e = a.main.editorForTest()
	if e.title.Text != "Half-written account" || e.narrative.Text != "They came at night and" || !labelWith(w, "Continuing the draft saved at") {
		t.Fatalf("draft not offered back: %q", e.title.Text)
	}
	// The periodic draft follows further typing.
	typeIn(t, w, e.narrative, " took his phone.")
	eventually(t, "the periodic draft", func() bool {
		d, _, _ := a.Vault().Draft(t.Context(), store.DraftNew)
		return d != nil && d.Narrative == "They came at night and took his phone."
	})
	press(t, w, "Save")
	eventually(t, "saved", func() bool { return labelWith(w, "Saved as revision 1.") })
	if d, _, _ := a.Vault().Draft(t.Context(), store.DraftNew); d != nil {
		t.Fatal("the draft stays after Save")
	}
	got, _ := a.Vault().List(t.Context(), store.Query{Text: "half written"})
	if len(got) != 1 {
		t.Fatal("the saved case is not found")
	}
	c, _ := a.Vault().Get(t.Context(), got[0].ID)
	if len(c.Notes) != 1 || c.Notes[0].Text != "call the lawyer" {
		t.Fatalf("the draft's note was lost: %+v", c.Notes)
	}
	// Cancel drops a draft too, once the periodic one is written.
	press(t, w, "New case")
	e = a.main.editorForTest()
	typeIn(t, w, e.title, "abandoned")
	eventually(t, "the periodic draft", func() bool {
		d, _, _ := a.Vault().Draft(t.Context(), store.DraftNew)
		return d != nil && d.Title == "abandoned"
	})
	press(t, w, "Cancel")
	if d, _, _ := a.Vault().Draft(t.Context(), store.DraftNew); d != nil {
		t.Fatal("the draft stays after Cancel")
	}
}

// Remove drops a row from the form and from what is saved.
func TestEditorRemoveRow(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	typeIn(t, w, e.title, "two violations, one removed")
	press(t, w, "Add a violation")
	press(t, w, "Add a violation")
	choose(t, w, e.vrows[0].typ, "Extortion")
	choose(t, w, e.vrows[1].typ, "Surveillance")
	if len(e.violations.Objects) != 2 {
		t.Fatalf("%d violation rows", len(e.violations.Objects))
	}
	press(t, w, "Remove") // the first row's
	if len(e.vrows) != 1 || len(e.violations.Objects) != 1 {
		t.Fatal("the row was not removed")
	}
	press(t, w, "Save")
	eventually(t, "saved", func() bool { return labelWith(w, "Saved as revision 1.") })
	got, _ := a.Vault().List(t.Context(), store.Query{Text: "removed"})
	c, _ := a.Vault().Get(t.Context(), got[0].ID)
	if len(c.Violations) != 1 || c.Violations[0].Type != "surveillance" {
		t.Fatalf("saved violations %+v", c.Violations)
	}
}

// removeIn presses the Remove button inside a row of the editor.
func removeIn(t *testing.T, w fyne.Window, row fyne.CanvasObject) {
	t.Helper()
	var remove *widget.Button
	onUI(func() {
		for _, o := range shown(row) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Remove" {
				remove = b
			}
		}
	})
	if remove == nil {
		t.Fatal("no Remove button in the row")
	}
	tap(t, w, remove)
}

// The victim picker offers the case's people as they are typed, and
// forgets a choice whose person was removed.
func TestEditorVictimFollowsPeople(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	typeIn(t, w, e.title, "a victim removed")
	press(t, w, "Add a violation")
	press(t, w, "Add a person")
	press(t, w, "Add a person")
	typeIn(t, w, e.prows[0].pseudonym, "Ana")
	typeIn(t, w, e.prows[1].pseudonym, "Budi")
	var opts []string
	onUI(func() { opts = e.vrows[0].victim.Options })
	if strings.Join(opts, "|") != "—|Ana|Budi" {
		t.Fatalf("victim choices %q", opts)
	}
	choose(t, w, e.vrows[0].victim, "Budi")
	typeIn(t, w, e.prows[0].pseudonym, "na") // Ana → Anana: Budi stays chosen
	var sel string
	onUI(func() { sel = e.vrows[0].victim.Selected })
	if sel != "Budi" {
		t.Fatalf("choice lost when another person was renamed: %q", sel)
	}
	// Remove Budi's row.
	removeIn(t, w, e.prows[1].box)
	onUI(func() {
		sel = e.vrows[0].victim.Selected
		opts = e.vrows[0].victim.Options
	})
	if sel != "" || strings.Join(opts, "|") != "—|Anana" {
		t.Fatalf("after removing the person: selected %q, choices %q", sel, opts)
	}
	// Saved, the case has no victim.
	choose(t, w, e.vrows[0].typ, "Physical assault")
	choose(t, w, e.prows[0].role, "Witness")
	press(t, w, "Save")
	eventually(t, "saved", func() bool { return labelWith(w, "Saved as revision 1.") })
	got, _ := a.Vault().List(t.Context(), store.Query{Text: "victim removed"})
	if len(got) != 1 {
		t.Fatal("the saved case is not found")
	}
	if c, _ := a.Vault().Get(t.Context(), got[0].ID); len(c.People) != 1 || c.Violations[0].Victim != "" {
		t.Fatalf("a removed person is still the victim: %+v %q", c.People, c.Violations[0].Victim)
	}
}

// Every picker of the editor opens its list and takes a choice: each once
// crashed the app, because the picker was not the object in the window.
func TestEditorPickersOpen(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	press(t, w, "Add a violation")
	choose(t, w, e.vrows[0].typ, "Extortion")
	if e.vrows[0].typ.Key() != "extortion" {
		t.Fatalf("chosen %q", e.vrows[0].typ.Key())
	}
}

// Every field of the editor, filled as a person does, is saved and read
// back, and the case view shows it: each of a person's fourteen
// characteristics ticked, every consent scope, the pickers nothing else
// uses.
func TestEditorEveryField(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	typeIn(t, w, e.title, "Raid on the night shelter")
	typeIn(t, w, e.date, "2025-11")
	typeIn(t, w, e.country, "KZ")
	typeIn(t, w, e.region, "Almaty Region")
	typeIn(t, w, e.locality, "Almaty")
	choose(t, w, e.place, "Street")
	typeIn(t, w, e.tags, "raid, night , shelter")
	typeIn(t, w, e.narrative, "Police came at two in the morning.")

	press(t, w, "Add a person")
	p := e.prows[0]
	typeIn(t, w, p.pseudonym, "Aigerim")
	choose(t, w, p.role, "Victim")
	choose(t, w, p.gender, "Transgender woman")
	choose(t, w, p.ageGroup, "25–34")
	typeIn(t, w, p.legalName, "Aigerim S.")
	typeIn(t, w, p.contact, "+7 700 000 0000")
	var labels []string
	onUI(func() {
		for _, c := range p.characteristics {
			labels = append(labels, c.Text)
		}
	})
	if len(labels) != len(store.Characteristics) {
		t.Fatalf("%d characteristic boxes for %d characteristics", len(labels), len(store.Characteristics))
	}
	for _, l := range labels {
		clickText(t, w, l)
	}

	press(t, w, "Add a violation")
	v := e.vrows[0]
	choose(t, w, v.typ, "Illegal search")
	choose(t, w, v.perp, "Drug control agency")
	typeIn(t, w, v.desc, "Searched every bed")
	choose(t, w, v.victim, "Aigerim")

	press(t, w, "Add a response")
	r := e.irows[0]
	choose(t, w, r.typ, "Complaint filed")
	choose(t, w, r.status, "Done")
	typeIn(t, w, r.outcome, "Complaint registered")

	clickText(t, w, "Consent obtained")
	for _, scope := range []string{"Store only", "Share with legal partners", "Anonymised statistics", "Public advocacy"} {
		clickText(t, w, scope)
	}
	press(t, w, "Save")
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 1.") })

	got, _ := a.Vault().List(t.Context(), store.Query{Text: "night shelter"})
	if len(got) != 1 {
		t.Fatal("the saved case is not found")
	}
	c, _ := a.Vault().Get(t.Context(), got[0].ID)
	pp := c.People[0]
	if c.Region != "Almaty Region" || c.Locality != "Almaty" || c.PlaceType != "street" || strings.Join(c.Tags, "|") != "night|raid|shelter" ||
		c.Narrative != "Police came at two in the morning." ||
		pp.Gender != "transgender_woman" || pp.AgeGroup != "25_34" || pp.Contact != "+7 700 000 0000" || pp.LegalName != "Aigerim S." ||
		c.Violations[0].Description != "Searched every bed" || c.Violations[0].Perpetrator != "drug_control_agency" ||
		c.Interventions[0].Type != "complaint_filed" || c.Interventions[0].Status != "done" || c.Interventions[0].Outcome != "Complaint registered" ||
		len(c.Consent.Scope) != 4 {
		t.Fatalf("saved case %+v", c)
	}
	want := append([]string(nil), store.Characteristics...)
	slices.Sort(want)
	have := append([]string(nil), pp.Characteristics...)
	slices.Sort(have)
	if !slices.Equal(have, want) {
		t.Fatalf("characteristics saved %q, want every one", pp.Characteristics)
	}
	for _, shown := range []string{"Place: Almaty, Almaty Region, KZ, Street", "Tags: night, raid, shelter",
		"Illegal search — Drug control agency → Aigerim: Searched every bed", "Complaint filed (Done): Complaint registered"} {
		if !labelWith(w, shown) {
			t.Errorf("the case view does not show %q", shown)
		}
	}
	// Read back in the editor: every box still ticked.
	press(t, w, "Edit")
	e = a.main.editorForTest()
	onUI(func() {
		for _, c := range e.prows[0].characteristics {
			if !c.Checked {
				t.Errorf("%q is not ticked when the case is edited again", c.Text)
			}
		}
	})
}

// A draft offered back can be discarded: the editor starts empty and the
// draft is gone from the vault.
func TestDraftDiscarded(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	typeIn(t, w, e.title, "not worth keeping")
	shortcut(t, w, &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the draft offered back", func() bool { return labelWith(w, "Continuing the draft saved at") })
	press(t, w, "Discard the draft")
	e = a.main.editorForTest()
	if e.title.Text != "" || labelWith(w, "Continuing the draft saved at") {
		t.Fatalf("the editor after Discard: %q", e.title.Text)
	}
	if d, _, _ := a.Vault().Draft(t.Context(), store.DraftNew); d != nil {
		t.Fatal("the draft stays after Discard")
	}
}
