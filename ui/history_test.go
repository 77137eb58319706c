package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

// openCase clicks the case's reference in the list, as a person picks a
// case, and waits for it to show.
func openCase(t *testing.T, a *App, w fyne.Window, title, edit string) {
	t.Helper()
	found, err := a.Vault().List(t.Context(), store.Query{Text: title})
	if err != nil || len(found) != 1 {
		t.Fatalf("case %q: %v %v", title, found, err)
	}
	eventually(t, "the case in the list", func() bool { _, ok := textAt(w, found[0].Reference); return ok })
	clickText(t, w, found[0].Reference)
	eventually(t, "the case "+title, func() bool {
		_, ok := find(w, func(b *widget.Button) bool { return b.Text == edit })
		return ok && labelWith(w, found[0].Reference)
	})
}

// typeAtEnd clicks into a field, presses End and types.
func typeAtEnd(t *testing.T, w fyne.Window, e *widget.Entry, s string) {
	t.Helper()
	typeIn(t, w, e, "") // the click into the field
	key(t, w, fyne.KeyEnd)
	onUI(func() {
		for _, r := range s {
			w.Canvas().Focused().TypedRune(r)
		}
	})
}

func entryWith(t *testing.T, w fyne.Window, what string, match func(e *widget.Entry) bool) *widget.Entry {
	t.Helper()
	e, ok := find(w, match)
	if !ok {
		t.Fatalf("no %s on the screen", what)
	}
	return e
}

// lastEntry finds the last field on the screen that matches: the one of
// the row just added.
func lastEntry(t *testing.T, w fyne.Window, what string, match func(e *widget.Entry) bool) *widget.Entry {
	t.Helper()
	var last *widget.Entry
	onUI(func() {
		for _, o := range shown(w.Content()) {
			if e, ok := o.(*widget.Entry); ok && match(e) {
				last = e
			}
		}
	})
	if last == nil {
		t.Fatalf("no %s on the screen", what)
	}
	return last
}

func pickerWith(t *testing.T, w fyne.Window, what string, match func(s *vocabSelect) bool) *vocabSelect {
	t.Helper()
	s, ok := find(w, match)
	if !ok {
		t.Fatalf("no %s on the screen", what)
	}
	return s
}

// inDialog reports whether a label in the top dialog shows text that
// contains sub: what the dialog shows, not the window under it.
func inDialog(w fyne.Window, sub string) bool {
	found := false
	onUI(func() {
		top := w.Canvas().Overlays().Top()
		if top == nil {
			return
		}
		for _, o := range shown(top) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, sub) {
				found = true
				return
			}
		}
	})
	return found
}

// words are the labels of one language the edit test reads and clicks.
type words struct {
	lang, count, edit, open, referred, addPerson, pseudonym, role, witness, legalName, save, saved, history, close string
	statusLine, titleLine, personAdded, roleLine, legalHidden, legalShown, show, revision2, revision1, narrative   string
}

var english = words{
	lang: "en", count: "4 cases", edit: "Edit", open: "Open", referred: "Referred", addPerson: "Add a person",
	pseudonym: "Pseudonym", role: "Role", witness: "Witness", legalName: "Legal name",
	save: "Save", saved: "Saved as revision 2.", history: "History", close: "Close",
	statusLine:  "Status: Open → Referred",
	titleLine:   "Title: Задержание у аптеки → Задержание у аптеки (повторно)",
	personAdded: "Person added: Ольга", roleLine: "Role: Witness",
	legalHidden: "Legal name: hidden", legalShown: "Legal name: Ольга Петрова", show: "Show",
	revision2: "Revision 2, saved ", revision1: "Revision 1, created ", narrative: "Narrative:",
}

var russian = words{
	lang: "ru", count: "4 дела", edit: "Изменить", open: "Открыто", referred: "Передано", addPerson: "Добавить человека",
	pseudonym: "Псевдоним", role: "Роль", witness: "Свидетель", legalName: "Настоящее имя",
	save: "Сохранить", saved: "Сохранено как редакция 2.", history: "История", close: "Закрыть",
	statusLine:  "Статус: Открыто → Передано",
	titleLine:   "Заголовок: Задержание у аптеки → Задержание у аптеки (повторно)",
	personAdded: "Добавлен человек: Ольга", roleLine: "Роль: Свидетель",
	legalHidden: "Настоящее имя: скрыто", legalShown: "Настоящее имя: Ольга Петрова", show: "Показать",
	revision2: "Редакция 2, сохранена ", revision1: "Редакция 1, создана ", narrative: "Описание:",
}

// editAndOpenHistory edits the Russian case of the fixture as a person
// does — the status with its picker, words typed at the end of the title
// and of the narrative, a person added with a role and a legal name —
// saves it and opens History.
func editAndOpenHistory(t *testing.T, l words, size fyne.Size) (*App, fyne.Window) {
	dir, _ := fixture(t)
	a, w := start(t, dir, l.lang)
	onUI(func() { w.Resize(size) })
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, l.count) })
	openCase(t, a, w, "Задержание у аптеки", l.edit)
	press(t, w, l.edit)

	status := pickerWith(t, w, "status picker", func(s *vocabSelect) bool { return s.Selected == l.open })
	choose(t, w, status, l.referred)
	typeAtEnd(t, w, entryWith(t, w, "title", func(e *widget.Entry) bool { return e.Text == "Задержание у аптеки" }), " (повторно)")
	typeAtEnd(t, w, entryWith(t, w, "narrative", func(e *widget.Entry) bool { return e.Text == "Полиция изъяла шприцы." }), " Потом отпустили.")
	press(t, w, l.addPerson)
	typeIn(t, w, entryWith(t, w, "new pseudonym", func(e *widget.Entry) bool { return e.PlaceHolder == l.pseudonym && e.Text == "" }), "Ольга")
	role := pickerWith(t, w, "new role picker", func(s *vocabSelect) bool { return s.PlaceHolder == l.role && s.Selected == "" })
	choose(t, w, role, l.witness)
	typeIn(t, w, lastEntry(t, w, "new legal name", func(e *widget.Entry) bool { return e.PlaceHolder == l.legalName }), "Ольга Петрова")
	press(t, w, l.save)
	eventually(t, "the saved case", func() bool { return labelWith(w, l.saved) })
	press(t, w, l.history)
	eventually(t, "the history", func() bool { return w.Canvas().Overlays().Top() != nil })
	return a, w
}

// checkHistory reads what the History dialog says of the edit.
func checkHistory(t *testing.T, a *App, w fyne.Window, l words) {
	t.Helper()
	for _, want := range []string{l.statusLine, l.titleLine, l.personAdded, l.roleLine, l.legalHidden, l.revision1, l.narrative} {
		if !inDialog(w, want) {
			t.Errorf("the history does not say %q", want)
		}
	}
	if !inDialog(w, l.revision2) || !inDialog(w, " local") {
		t.Error("the history does not say who saved revision 2")
	}
	// The narrative: the words added, marked, in the passage after.
	if _, ok := find(w, func(rt *widget.RichText) bool {
		for _, s := range rt.Segments {
			if ts, ok := s.(*widget.TextSegment); ok && ts.Style.ColorName == theme.ColorNameSuccess && strings.Contains(ts.Text, "Потом отпустили.") {
				return true
			}
		}
		return false
	}); !ok {
		t.Error("the words added to the narrative are not marked")
	}
	// The legal name is hidden until Show is pressed.
	if inDialog(w, "Ольга Петрова") {
		t.Fatal("the legal name is shown before Show was pressed")
	}
	press(t, w, l.show)
	if !inDialog(w, l.legalShown) {
		t.Fatalf("Show does not show the legal name %q", l.legalShown)
	}
}

func TestHistoryShowsChangesEnglish(t *testing.T) {
	a, w := editAndOpenHistory(t, english, fyne.NewSize(1000, 700))
	checkHistory(t, a, w, english)
	// Revision 1 shows what the case recorded at first.
	for _, want := range []string{"Title: Задержание у аптеки", "Status: Open", "Person added: Пётр", "Violation added: Arbitrary arrest", "Consent obtained: yes"} {
		if !inDialog(w, want) {
			t.Errorf("the first revision does not say %q", want)
		}
	}
	if inDialog(w, "Status: Open → Open") {
		t.Error("an unchanged field is listed as changed")
	}
}

func TestHistoryShowsChangesRussian(t *testing.T) {
	a, w := editAndOpenHistory(t, russian, fyne.NewSize(1000, 700))
	checkHistory(t, a, w, russian)
}

// The dialog fits a 1024×600 screen, its Close button can be reached and
// its content scrolls.
func TestHistoryFitsSmallScreen(t *testing.T) {
	_, w := editAndOpenHistory(t, english, fyne.NewSize(1024, 600))
	screen := fyne.NewSize(1024, 600)
	inside := func(o fyne.CanvasObject) bool {
		var p fyne.Position
		var s fyne.Size
		onUI(func() { p, s = fyne.CurrentApp().Driver().AbsolutePositionForObject(o), o.Size() })
		return p.X >= 0 && p.Y >= 0 && p.X+s.Width <= screen.Width && p.Y+s.Height <= screen.Height
	}
	closeBtn := button(t, w, english.close)
	if !inside(closeBtn) {
		t.Fatal("the Close button is outside a 1024×600 window")
	}
	scroll, ok := find(w, func(s *container.Scroll) bool { return s.Direction == container.ScrollVerticalOnly })
	if !ok {
		t.Fatal("the history does not scroll")
	}
	if !inside(scroll) {
		t.Fatal("the history runs outside a 1024×600 window")
	}
	var content, view fyne.Size
	onUI(func() { content, view = scroll.Content.MinSize(), scroll.Size() })
	if content.Height <= view.Height {
		t.Fatalf("a long history does not need to scroll? content %v, view %v", content, view)
	}
	if content.Width > view.Width+1 {
		t.Fatalf("the history is wider than its dialog: %v > %v", content.Width, view.Width)
	}
	tap(t, w, closeBtn)
	if inDialog(w, english.revision2) {
		t.Fatal("Close does not close the history")
	}
}

// A long history comes a page at a time: the newest revisions first, the
// earlier ones at a click.
func TestHistoryPages(t *testing.T) {
	dir, _ := fixture(t)
	v, err := store.Open(dir, "the right passphrase", store.Options{Actor: "script"})
	if err != nil {
		t.Fatal(err)
	}
	found, _ := v.List(t.Context(), store.Query{Text: "metadon"})
	for i := 0; i < historyPage+2; i++ {
		if _, err := v.Edit(t.Context(), found[0].ID, []byte(`{"tags":["visit-`+string(rune('a'+i))+`"]}`)); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	openCase(t, a, w, "Penolakan layanan metadon", "Edit")
	press(t, w, "History")
	if !inDialog(w, "Revision 13, saved ") || !inDialog(w, "by script (current version)") || !inDialog(w, "Tags: − visit-k, + visit-l") {
		t.Fatal("the newest revision is not shown first with its change")
	}
	if inDialog(w, "Revision 3, saved ") || inDialog(w, "Revision 1, created ") {
		t.Fatal("more than a page of revisions at first")
	}
	press(t, w, "Show earlier revisions")
	if !inDialog(w, "Revision 2, saved ") || !inDialog(w, "Tags: + visit-a") || !inDialog(w, "Revision 1, created ") {
		t.Fatal("the earlier revisions do not come at a click")
	}
	if _, ok := find(w, func(b *widget.Button) bool { return b.Text == "Show earlier revisions" }); ok {
		t.Fatal("the button stays when every revision is shown")
	}
}
