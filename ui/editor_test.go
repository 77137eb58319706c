package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

func TestNewCaseValidationAndSave(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	var e *editor
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
	})
	// No title: refused, the message next to the field, nothing saved.
	onUI(func() { test.Tap(button(t, w, "Save")) })
	if !e.errs["title"].Visible() || e.errs["title"].Text != "Required." || !labelWith(w, "Not saved. Check: Title.") {
		t.Fatalf("no message next to the title: %q", e.errs["title"].Text)
	}
	if n, _ := a.Vault().Count(t.Context(), store.Query{}); n != 4 {
		t.Fatal("an invalid case was saved")
	}
	// A bad date, then a bad country.
	onUI(func() {
		test.Type(e.title, "Detained at the pharmacy")
		test.Type(e.date, "2025-13")
		test.Tap(button(t, w, "Save"))
	})
	if !e.errs["incident_date"].Visible() || e.errs["title"].Visible() {
		t.Fatal("a bad date is not shown next to the date")
	}
	onUI(func() {
		e.date.SetText("2025-03-14")
		test.Type(e.country, "XX")
		test.Tap(button(t, w, "Save"))
	})
	if !e.errs["country"].Visible() || !strings.Contains(e.errs["country"].Text, "two letters") {
		t.Fatal("a bad country is not shown next to the country")
	}
	// Fixed, with a violation and a person picked by their labels.
	onUI(func() {
		e.country.SetText("ru")
		test.Tap(button(t, w, "Add a violation"))
		test.Tap(button(t, w, "Add a person"))
		e.vrows[0].typ.SetSelected("Extortion")
		e.vrows[0].perp.SetSelected("Police")
		e.prows[0].role.SetSelected("Victim")
		test.Type(e.prows[0].pseudonym, "Пётр")
		e.consent.SetChecked(true)
		e.scopes.SetSelected([]string{"Share with legal partners"})
		e.prows[0].age.SetText("thirty")
		test.Tap(button(t, w, "Save"))
	})
	if !e.errs["people"].Visible() || e.errs["people"].Text != "No. 1: Age — Age must be a whole number of years." {
		t.Fatalf("a non-numeric age was not refused: %q", e.errs["people"].Text)
	}
	onUI(func() {
		e.prows[0].age.SetText("34")
		e.prows[0].legalName.SetText("Пётр Иванов")
		for _, c := range e.prows[0].characteristics {
			c.SetChecked(c.Text == "Injects drugs" || c.Text == "Living with HIV")
		}
		e.priority.SetSelected("High")
		e.vstatus.SetSelected("Confirmed")
		e.endDate.SetText("2025-03-16")
		e.vrows[0].date.SetText("2025-03-15")
		test.Tap(button(t, w, "Add a response"))
		e.irows[0].typ.SetSelected("Legal aid")
		e.irows[0].status.SetSelected("In progress")
		e.irows[0].date.SetText("2099-01-01")
		test.Tap(button(t, w, "Save"))
	})
	// A refusal inside a row names the row, in the person's language.
	if !e.errs["interventions"].Visible() || e.errs["interventions"].Text != "No. 1: Date (optional) — The date is in the future: check it." {
		t.Fatalf("a future response date was not refused next to the responses: %q", e.errs["interventions"].Text)
	}
	onUI(func() {
		e.irows[0].date.SetText("2025-03-20")
		e.irows[0].by.SetText("Lawyer of the network")
		e.estimated.SetChecked(true)
		e.vrows[0].victim.SetSelected("Пётр")
		e.vrows[0].perpDetails.SetText("Two officers of the district unit")
		e.vrows[0].method.SetText("Threatened with a planted syringe")
		e.vrows[0].consequences.SetText("Paid 5,000 roubles")
		e.consentDate.SetText("2025-03-18")
		e.consentBy.SetText("Outreach worker")
		test.Tap(button(t, w, "Add a note"))
		e.newNotes[0].SetText("Lawyer to call back on Monday.")
		test.Tap(button(t, w, "Save"))
	})
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
	onUI(func() { a.main.list.Select(2) }) // the Russian case, with a violation and a person
	eventually(t, "the case", func() bool { return labelWith(w, "Задержание у аптеки") })
	var e *editor
	onUI(func() {
		test.Tap(button(t, w, "Edit"))
		e = a.main.editorForTest()
	})
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
	onUI(func() {
		e.status.SetSelected("Referred")
		test.Tap(button(t, w, "Save"))
	})
	eventually(t, "revision 2", func() bool { return labelWith(w, "Saved as revision 2.") && labelWith(w, "Status: Referred") })
	onUI(func() { test.Tap(button(t, w, "History")) })
	eventually(t, "the history", func() bool {
		return labelWith(w, "Revision 2, saved") && labelWith(w, "Status: Open → Referred") && labelWith(w, "Revision 1, created")
	})
}

func TestEditorInFrench(t *testing.T) {
	dir, _ := fixture(t)
	newApp(t)
	w := test.NewWindow(nil)
	a := New(w, Config{VaultDir: dir, Lang: "fr", AutoLock: -1})
	a.Start()
	t.Cleanup(func() { onUI(a.Lock); w.Close() }) // onUI: background refreshes may still be landing
	var e *editor
	onUI(func() {
		p, _ := find(w, func(x *widget.Entry) bool { return x.Password })
		test.Type(p, "the right passphrase")
		test.Tap(button(t, w, "Déverrouiller"))
	})
	eventually(t, "the list", func() bool { return labelWith(w, "4 cas") })
	onUI(func() {
		test.Tap(button(t, w, "Nouveau cas"))
		e = a.main.editorForTest()
		test.Tap(button(t, w, "Ajouter une violation"))
	})
	if !containsString(e.vrows[0].typ.Options, "Extorsion") || !containsString(e.vrows[0].perp.Options, "Police") {
		t.Fatal("vocabulary pickers are not in French")
	}
	onUI(func() { test.Tap(button(t, w, "Enregistrer")) })
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
	var e *editor
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
		test.Type(e.title, "Half-written account")
		test.Type(e.narrative, "They came at night and")
		test.Tap(button(t, w, "Add a note"))
		e.newNotes[0].SetText("call the lawyer")
	})
	// Locked before the periodic draft: the lock keeps it.
	onUI(func() { a.Lock() })
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
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
	})
	if e.title.Text != "Half-written account" || e.narrative.Text != "They came at night and" || !labelWith(w, "Continuing the draft saved at") {
		t.Fatalf("draft not offered back: %q", e.title.Text)
	}
	// The periodic draft follows further typing.
	onUI(func() { e.narrative.SetText(e.narrative.Text + " took his phone.") })
	eventually(t, "the periodic draft", func() bool {
		d, _, _ := a.Vault().Draft(t.Context(), store.DraftNew)
		return d != nil && d.Narrative == "They came at night and took his phone."
	})
	onUI(func() { test.Tap(button(t, w, "Save")) })
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
	// Cancel drops a draft too.
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
		test.Type(e.title, "abandoned")
		e.keepDraft()
		test.Tap(button(t, w, "Cancel"))
	})
	if d, _, _ := a.Vault().Draft(t.Context(), store.DraftNew); d != nil {
		t.Fatal("the draft stays after Cancel")
	}
}

// Remove drops a row from the form and from what is saved.
func TestEditorRemoveRow(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	var e *editor
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
		test.Type(e.title, "two violations, one removed")
		test.Tap(button(t, w, "Add a violation"))
		test.Tap(button(t, w, "Add a violation"))
		e.vrows[0].typ.SetSelected("Extortion")
		e.vrows[1].typ.SetSelected("Surveillance")
	})
	if len(e.violations.Objects) != 2 {
		t.Fatalf("%d violation rows", len(e.violations.Objects))
	}
	onUI(func() {
		test.Tap(button(t, w, "Remove")) // the first row's
		test.Tap(button(t, w, "Save"))
	})
	if len(e.vrows) != 1 || len(e.violations.Objects) != 1 {
		t.Fatal("the row was not removed")
	}
	eventually(t, "saved", func() bool { return labelWith(w, "Saved as revision 1.") })
	got, _ := a.Vault().List(t.Context(), store.Query{Text: "removed"})
	c, _ := a.Vault().Get(t.Context(), got[0].ID)
	if len(c.Violations) != 1 || c.Violations[0].Type != "surveillance" {
		t.Fatalf("saved violations %+v", c.Violations)
	}
}

// The victim picker offers the case's people as they are typed, and
// forgets a choice whose person was removed.
func TestEditorVictimFollowsPeople(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	var e *editor
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
		test.Tap(button(t, w, "Add a violation"))
		test.Tap(button(t, w, "Add a person"))
		test.Tap(button(t, w, "Add a person"))
		test.Type(e.prows[0].pseudonym, "Ana")
		test.Type(e.prows[1].pseudonym, "Budi")
	})
	var opts []string
	onUI(func() { opts = e.vrows[0].victim.Options })
	if strings.Join(opts, "|") != "—|Ana|Budi" {
		t.Fatalf("victim choices %q", opts)
	}
	onUI(func() { e.vrows[0].victim.SetSelected("Budi") })
	onUI(func() { test.Type(e.prows[0].pseudonym, "na") }) // Ana → Anana: Budi stays chosen
	var sel string
	onUI(func() { sel = e.vrows[0].victim.Selected })
	if sel != "Budi" {
		t.Fatalf("choice lost when another person was renamed: %q", sel)
	}
	// Remove Budi's row (the second Remove button of the people).
	onUI(func() {
		var removes []*widget.Button
		for _, o := range test.LaidOutObjects(e.prows[1].box) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Remove" {
				removes = append(removes, b)
			}
		}
		test.Tap(removes[0])
		sel = e.vrows[0].victim.Selected
		opts = e.vrows[0].victim.Options
	})
	if sel != "" || strings.Join(opts, "|") != "—|Anana" {
		t.Fatalf("after removing the person: selected %q, choices %q", sel, opts)
	}
	if c := e.build(); c.Violations[0].Victim != "" {
		t.Fatalf("a removed person is still the victim: %q", c.Violations[0].Victim)
	}
}

// Every picker of the editor opens its list and takes a choice: each once
// crashed the app, because the picker was not the object in the window.
func TestEditorPickersOpen(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	var e *editor
	onUI(func() {
		test.Tap(button(t, w, "New case"))
		e = a.main.editorForTest()
		test.Tap(button(t, w, "Add a violation"))
	})
	choose(t, w, e.vrows[0].typ, "Extortion")
	if e.vrows[0].typ.Key() != "extortion" {
		t.Fatalf("chosen %q", e.vrows[0].typ.Key())
	}
}
