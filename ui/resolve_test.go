package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// conflictFixture is the UI fixture vault with one more case, received
// from a partner and changed on both sides since: the partner changed its
// narrative and added a person (with a legal name), this vault closed it.
// It returns the vault's folder and the case's id.
func conflictFixture(t *testing.T) (string, string) {
	t.Helper()
	dir, _ := fixture(t)
	ctx := t.Context()
	b, err := store.Open(dir, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a, _, err := store.Create(filepath.Join(t.TempDir(), "partner"), "partner passphrase", store.CreateOptions{OrgName: "Origin Network"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	befriend := func(from, to *store.Vault) export.Card {
		card, err := export.OwnCard(to)
		if err != nil {
			t.Fatal(err)
		}
		c, err := card.Contact()
		if err != nil {
			t.Fatal(err)
		}
		if err := from.AddContact(ctx, c); err != nil {
			t.Fatal(err)
		}
		return card
	}
	toB := befriend(a, b)
	befriend(b, a)
	ids, err := a.AddCases(ctx, strings.NewReader(`{"title":"Raid on the drop-in centre","narrative":"First account.","country":"UA",`+
		`"people":[{"role":"victim","pseudonym":"Olena"}],"consent":{"obtained":true,"scope":["legal_partners"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	share := func() {
		path := filepath.Join(t.TempDir(), "share.age")
		if _, err := export.WriteFile(ctx, a, path, export.Options{Kind: export.KindShare, To: []export.Card{toB}, Cases: ids, Redact: export.RedactNone}); err != nil {
			t.Fatal(err)
		}
		if _, err := export.Import(ctx, b, path, export.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	share()
	if _, err := a.Edit(ctx, ids[0], []byte(`{"narrative":"Second account.","people":[{"role":"victim","pseudonym":"Olena"},{"role":"witness","pseudonym":"Taras","legal_name":"Taras Bondar"}]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Edit(ctx, ids[0], []byte(`{"status":"closed"}`)); err != nil {
		t.Fatal(err)
	}
	share()
	if c, _ := b.Get(ctx, ids[0]); !c.NeedsReview {
		t.Fatal("the fixture's case is not in conflict")
	}
	return dir, ids[0]
}

// pickFor clicks an option of the choice under a heading of the Resolve
// dialog, as a person clicks the words of a radio button.
func pickFor(t *testing.T, w fyne.Window, heading, option string) {
	t.Helper()
	var target *canvas.Text
	onUI(func() {
		top := w.Canvas().Overlays().Top()
		last := ""
		for _, o := range shown(top) {
			if l, ok := o.(*widget.Label); ok && l.TextStyle.Bold {
				last = l.Text
			}
			g, ok := o.(*widget.RadioGroup)
			if !ok || last != heading {
				continue
			}
			for _, x := range shown(g) {
				if txt, ok := x.(*canvas.Text); ok && txt.Text == option {
					target = txt
				}
			}
			return
		}
	})
	if target == nil {
		t.Fatalf("no %q under %q in the dialog", option, heading)
	}
	reveal(w, target)
	var pos fyne.Position
	onUI(func() { pos = centre(target) })
	clickAt(w, pos)
}

// A person finds the case flagged for review, opens it, presses
// Resolve…, reads both versions side by side and keeps the partner's
// narrative and the person they added, and their own status; the vault
// then holds that as a new revision, no longer flagged, audited.
func TestResolveConflictFieldByField(t *testing.T) {
	dir, id := conflictFixture(t)
	a, w := start(t, dir, "en")
	onUI(func() { w.Resize(fyne.NewSize(1100, 750)) })
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return a.main != nil && a.main.count.Text == "5 cases" })
	// Findable: the list marks it, and the review filter finds it alone.
	eventually(t, "the review mark in the list", func() bool { return labelWith(w, "⚑ Needs review") })
	clickText(t, w, a.T("ui.main.needs_review_only"))
	eventually(t, "only the flagged case", func() bool { return a.main.count.Text == "1 case" })
	openCase(t, a, w, "Raid on the drop-in centre", "Edit")
	press(t, w, "Resolve…")
	eventually(t, "the Resolve dialog", func() bool { return inDialog(w, "Keep yours or theirs") || inDialog(w, "keep yours or theirs") })
	for _, want := range []string{"Yours: revision 2", "Origin Network: revision 2", "Closed", "Open", "First account.", "Second account.", "Not in this version", "Pseudonym: Taras", "Role: Witness", "Legal name: hidden"} {
		if !inDialog(w, want) {
			t.Errorf("the dialog does not show %q", want)
		}
	}
	if inDialog(w, "Taras Bondar") {
		t.Fatal("the legal name is shown before Show was pressed")
	}
	press(t, w, "Show")
	if !inDialog(w, "Legal name: Taras Bondar") {
		t.Error("Show does not show the legal name")
	}
	press(t, w, "Hide")
	if inDialog(w, "Taras Bondar") {
		t.Error("Hide does not hide the legal name again")
	}
	pickFor(t, w, "Narrative", "Keep theirs")
	pickFor(t, w, "Person Taras", "Keep theirs")
	press(t, w, "Save the resolution")
	eventually(t, "the case resolved", func() bool { return labelWith(w, "Resolved: revision 3.") })
	if _, ok := find(w, func(b *widget.Button) bool { return b.Text == "Resolve…" }); ok {
		t.Error("Resolve… is still offered")
	}

	v := a.Vault()
	got, err := v.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	var taras *store.Person
	for i := range got.People {
		if got.People[i].Pseudonym == "Taras" {
			taras = &got.People[i]
		}
	}
	if got.Narrative != "Second account." || got.Status != "closed" || taras == nil || taras.LegalName != "Taras Bondar" || got.NeedsReview || got.Revision != 3 {
		t.Fatalf("resolved case: %q %q %+v review %v revision %d", got.Narrative, got.Status, taras, got.NeedsReview, got.Revision)
	}
	if open, _ := v.Conflicts(t.Context(), id); len(open) != 0 {
		t.Fatalf("%d conflicting versions still open", len(open))
	}
	log, err := v.AuditLog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if last := log[len(log)-1]; last.Action != store.AuditResolve || last.Record != id {
		t.Fatalf("last audit entry %+v", last)
	}
}

// A case flagged without another version (an anonymised share) is marked
// reviewed from the same button.
func TestResolveMarkReviewed(t *testing.T) {
	dir, _ := fixture(t)
	v, err := store.Open(dir, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := v.BeginLoad(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"id":"019ca945-0a00-7a10-b559-8426dfde7813","reference":"ON-2026-0001","title":"Anonymised account","people":[{"id":"019ca945-0a00-7a10-b559-8426dfde7814","roles":["victim"],"pseudonym":"Person 1"}],` +
		`"status":"open","origin_org":"Origin Network","revision":1,"revision_id":"e07137c55281608157fe49256b9a39e4","needs_review":true}`
	if _, err := l.MergeCase(&store.CaseRecord{Doc: []byte(doc)}, "Origin Network"); err != nil {
		t.Fatal(err)
	}
	if err := l.Commit(); err != nil {
		t.Fatal(err)
	}
	v.Close()
	a, w := start(t, dir, "en")
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return a.main != nil && a.main.count.Text == "5 cases" })
	openCase(t, a, w, "Anonymised account", "Edit")
	press(t, w, "Resolve…")
	eventually(t, "the dialog", func() bool { return inDialog(w, "No other version was received") })
	press(t, w, "Mark reviewed")
	eventually(t, "the case reviewed", func() bool { return labelWith(w, "Resolved: revision 2.") })
	if got, _ := a.Vault().Get(t.Context(), "ON-2026-0001"); got.NeedsReview {
		t.Fatal("still flagged")
	}
}
