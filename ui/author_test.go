package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

// typeHere types where the focus is, as a person does.
func typeHere(t *testing.T, w fyne.Window, s string) {
	t.Helper()
	onUI(func() {
		f := w.Canvas().Focused()
		if f == nil {
			t.Fatal("nothing has the focus to type into")
		}
		for _, r := range s {
			f.TypedRune(r)
		}
	})
}

// editAndSave opens a case, changes its status with the picker, adds a
// note if one is given, and presses Save.
func editAndSave(t *testing.T, a *App, w fyne.Window, title, from, to, note string) {
	t.Helper()
	openCase(t, a, w, title, "Edit")
	press(t, w, "Edit")
	choose(t, w, pickerWith(t, w, "status picker", func(s *vocabSelect) bool { return s.Selected == from }), to)
	if note != "" {
		press(t, w, "Add a note")
		typeHere(t, w, note)
	}
	press(t, w, "Save")
}

// The name set in Settings is recorded as the author of the revision, of a
// new note and of the audit entry, and History shows it; the revision
// before keeps "local".
func TestAuthorNameFromSettings(t *testing.T) {
	a, w, _ := unlocked(t, Config{}) // the default auto-lock, which Settings shows and saves
	gear, ok := find(w, func(b *widget.Button) bool { return b.Icon != nil && b.Icon.Name() == theme.SettingsIcon().Name() })
	if !ok {
		t.Fatal("no Settings button")
	}
	tap(t, w, gear)
	if _, ok := textAt(w, "Your name, as recorded in history and notes"); !ok {
		t.Fatal("Settings do not ask for the person's name")
	}
	typeIn(t, w, entryWith(t, w, "name field", func(e *widget.Entry) bool { return e.PlaceHolder == "Name or initials" }), "Anna Kovalenko")
	press(t, w, "Save")
	v := a.Vault()
	if name, _ := v.Setting(t.Context(), store.SettingAuthor); name != "Anna Kovalenko" || v.Author() != "Anna Kovalenko" {
		t.Fatalf("the name was not kept in the vault: setting %q, author %q", name, v.Author())
	}

	editAndSave(t, a, w, "Penolakan layanan metadon", "Under review", "Referred", "Called the clinic.")
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 2.") })
	found, _ := v.List(t.Context(), store.Query{Text: "metadon"})
	c, err := v.Get(t.Context(), found[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.UpdatedBy != "Anna Kovalenko" || len(c.Notes) != 1 || c.Notes[0].Author != "Anna Kovalenko" || c.Notes[0].Text != "Called the clinic." {
		t.Fatalf("revision by %q, notes %+v", c.UpdatedBy, c.Notes)
	}
	if revs, _ := v.Revisions(t.Context(), c.ID); len(revs) != 1 || revs[0].UpdatedBy != "local" {
		t.Fatalf("the earlier revision changed its author: %+v", revs)
	}
	log, _ := v.AuditLog(t.Context())
	if last := log[len(log)-1]; last.Action != store.AuditEdit || last.Actor != "Anna Kovalenko" {
		t.Fatalf("audit entry %+v", last)
	}
	press(t, w, "History")
	for _, want := range []string{"Revision 2, saved ", "by Anna Kovalenko (current version)", "Note added: " + c.Notes[0].Date + ", Anna Kovalenko", "Called the clinic.", "Revision 1, created ", " by local"} {
		if !inDialog(w, want) {
			t.Errorf("the history does not say %q", want)
		}
	}
}

// askedFixture is the fixture before anyone was asked their name.
func askedFixture(t *testing.T) string {
	dir, _ := fixture(t)
	v, err := store.Open(dir, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := v.SetSetting(t.Context(), settingAuthorAsked, ""); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The first save of a vault where no name was given asks for it; the name
// typed is recorded with that save, and the question is not asked again.
func TestAuthorAskedOnFirstSave(t *testing.T) {
	a, w := start(t, askedFixture(t), "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	editAndSave(t, a, w, "Internação compulsória", "Referred", "Closed", "")
	if !inDialog(w, "Your name, as recorded in history and notes.") {
		t.Fatal("the first save does not ask for the person's name")
	}
	typeHere(t, w, "Olga")
	press(t, w, "Record my name")
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 2.") })
	v := a.Vault()
	found, _ := v.List(t.Context(), store.Query{Text: "compulsória"})
	if c, _ := v.Get(t.Context(), found[0].ID); c.UpdatedBy != "Olga" || c.Status != "closed" {
		t.Fatalf("saved by %q, status %q", c.UpdatedBy, c.Status)
	}
	if name, _ := v.Setting(t.Context(), store.SettingAuthor); name != "Olga" {
		t.Fatalf("the name was not kept: %q", name)
	}
	// Asked once: the next save goes through.
	editAndSave(t, a, w, "Internação compulsória", "Closed", "Open", "")
	eventually(t, "the second save", func() bool { return labelWith(w, "Saved as revision 3.") })
}

// Skipping the question saves as before ("local") and is remembered.
func TestAuthorQuestionSkipped(t *testing.T) {
	a, w := start(t, askedFixture(t), "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	editAndSave(t, a, w, "Internação compulsória", "Referred", "Closed", "")
	if !inDialog(w, "Your name, as recorded in history and notes.") {
		t.Fatal("the first save does not ask for the person's name")
	}
	press(t, w, "Skip")
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 2.") })
	v := a.Vault()
	found, _ := v.List(t.Context(), store.Query{Text: "compulsória"})
	if c, _ := v.Get(t.Context(), found[0].ID); c.UpdatedBy != "local" {
		t.Fatalf("saved by %q", c.UpdatedBy)
	}
	editAndSave(t, a, w, "Internação compulsória", "Closed", "Open", "")
	eventually(t, "the second save", func() bool { return labelWith(w, "Saved as revision 3.") })
}
