package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/store"
)

// A vault written before the text rules may hold control characters in
// a case. The app shows them as visible escapes — in the list, the case
// view and the editor — never raw, and a save stores them as plain text.
func TestOldControlCharactersShownEscaped(t *testing.T) {
	dir, _ := fixture(t)
	v, err := store.Open(dir, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE cases SET title = 'Extorsión'||char(27)||'[2J'||char(8238)||'x' WHERE title = 'Extorsión en retén'`,
		`UPDATE case_docs SET doc = replace(doc, '"title":"Extorsión en retén"', '"title":"Extorsión\u001b[2J\u202ex"')`,
	} {
		if err := testhooks.VaultExec(v, stmt); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	const shown = `Extorsión\u001b[2J\u202ex`
	raw := func(s string) bool { return strings.ContainsAny(s, "\x1b\u202e") }
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the escaped title in the list", func() bool { return labelWith(w, shown) })
	clickText(t, w, shown)
	eventually(t, "the case view", func() bool { return labelWith(w, "Incident date: 2024") })
	if _, ok := find(w, func(l *widget.Label) bool { return raw(l.Text) }); ok {
		t.Fatal("a control character is on screen")
	}
	press(t, w, "Edit")
	title, ok := find(w, func(e *widget.Entry) bool { return strings.HasPrefix(e.Text, "Extorsión") })
	if !ok || title.Text != shown {
		t.Fatalf("the editor shows %q, want %q", title.Text, shown)
	}
	press(t, w, "Save")
	eventually(t, "the saved case", func() bool {
		found, _ := a.Vault().List(t.Context(), store.Query{Status: "closed"})
		if len(found) != 1 {
			return false
		}
		c, err := a.Vault().Get(t.Context(), found[0].ID)
		return err == nil && c.Revision == 2 && c.Title == shown
	})
}
