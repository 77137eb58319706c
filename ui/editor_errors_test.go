package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/dossier-hr/dossier/store"
)

// Every refusal is shown at once, under its field and naming it (and its
// row), summed up beside Save; the pane scrolls to the first.
func TestEditorShowsEveryRefusal(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	press(t, w, "New case")
	e := a.main.editorForTest()
	typeIn(t, w, e.date, "2025-13")
	typeIn(t, w, e.country, "XX")
	press(t, w, "Add a violation")
	press(t, w, "Add a person")
	typeIn(t, w, e.prows[0].pseudonym, "Ana")
	typeIn(t, w, e.prows[0].age, "thirty")
	press(t, w, "Save")
	want := map[string]string{
		"title":         "Required.",
		"incident_date": "Not a real date",
		"country":       "two letters",
		"violations":    "No. 1: Violation — Required.",
		"people":        "No. 1: Age — Age must be a whole number of years.\nNo. 1: Role — Required.",
	}
	for field, text := range want {
		var got string
		var visible bool
		onUI(func() { got, visible = e.errs[field].Text, e.errs[field].Visible() })
		if !visible || !strings.Contains(got, text) {
			t.Errorf("under %s: %q (shown %v), want %q", field, got, visible, text)
		}
	}
	sum := "Not saved. Check: Title, Incident date (YYYY, YYYY-MM or YYYY-MM-DD), Country (two letters: RU, ID, BO…), Violations (No. 1: Violation), People (No. 1: Age), People (No. 1: Role)."
	if !labelWith(w, sum) {
		var got string
		onUI(func() { got = e.message.Text })
		t.Fatalf("beside Save: %q\nwant %q", got, sum)
	}
	if n, _ := a.Vault().Count(t.Context(), store.Query{}); n != 4 {
		t.Fatal("a refused case was saved")
	}

	// Only a violation is wrong: the pane scrolls down to it.
	retype(t, w, e.title, "Stopped at the market")
	retype(t, w, e.date, "2025-03")
	retype(t, w, e.country, "ID")
	retype(t, w, e.prows[0].age, "30")
	choose(t, w, e.prows[0].role, "Victim")
	shortcut(t, w, &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	var off float32
	onUI(func() { off = a.main.detailScroll.Offset.Y })
	if off <= 0 || !labelWith(w, "Not saved. Check: Violations (No. 1: Violation).") {
		t.Fatalf("not scrolled to the refused violation: offset %v", off)
	}
	// Chosen, and saved with Ctrl+S: the case is shown.
	choose(t, w, e.vrows[0].typ, "Extortion")
	shortcut(t, w, &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	eventually(t, "the saved case", func() bool { return labelWith(w, "Saved as revision 1.") && labelWith(w, "Stopped at the market") })
	// ... from its top, where "Saved as revision 1." is, not from where
	// Save was (the pane looked empty in the real window).
	onUI(func() { off = a.main.detailScroll.Offset.Y })
	if off != 0 {
		t.Errorf("after saving, the case is shown scrolled down by %v: its top is out of view", off)
	}
}
