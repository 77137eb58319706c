package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

func TestShareFromTheApp(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	p, _, err := store.Create(filepath.Join(t.TempDir(), "p"), "pp", store.CreateOptions{OrgName: "Legal Partner"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	theirs, _ := export.OwnCard(p)
	c, _ := theirs.Contact()
	a.Vault().AddContact(t.Context(), c)
	mine, _ := export.OwnCard(a.Vault())
	mc, _ := mine.Contact()
	p.AddContact(t.Context(), mc)

	// The case without consent: refused in the preview, nothing to write.
	onUI(func() { a.main.list.Select(1) }) // Penolakan layanan metadon, no consent
	eventually(t, "the case", func() bool { return labelWith(w, "Penolakan layanan metadon") })
	var f *shareForm
	onUI(func() { f = a.main.showShare(a.main.current) })
	if !strings.Contains(f.preview.Text, "consent does not allow") || !f.write.Disabled() {
		t.Fatalf("share without consent offered: %q", f.preview.Text)
	}
	onUI(func() { test.Tap(button(t, w, "Cancel")) })

	// The Russian case, consent to legal partners: the preview shows what
	// leaves, and anonymising changes it.
	onUI(func() { a.main.list.Select(2) })
	eventually(t, "the case", func() bool { return labelWith(w, "Задержание у аптеки") })
	onUI(func() { f = a.main.showShare(a.main.current) })
	if !strings.Contains(f.preview.Text, "Пётр") || !f.write.Disabled() {
		t.Fatalf("preview %q, write enabled %v", f.preview.Text, !f.write.Disabled())
	}
	onUI(func() {
		f.to.SetSelected([]string{f.to.Options[0]})
		f.redact.SetSelected(f.redact.Options[2]) // anonymise
	})
	if strings.Contains(f.preview.Text, "Пётр") || !strings.Contains(f.preview.Text, "Person 1") || f.write.Disabled() {
		t.Fatalf("anonymised preview %q", f.preview.Text)
	}
	path := filepath.Join(t.TempDir(), "share.age")
	onUI(func() { a.main.writeShare(a.main.current, f, path) })
	eventually(t, "the share", func() bool { return labelWith(w, "Share written and verified.") })
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	res, err := export.Import(t.Context(), p, path, false)
	if err != nil || res.Added != 1 {
		t.Fatalf("the partner imports: %+v %v", res, err)
	}
	got, _ := p.List(t.Context(), store.Query{})
	gc, _ := p.Get(t.Context(), got[0].ID)
	if gc.People[0].Pseudonym != "Person 1" {
		t.Fatalf("partner got %+v", gc.People)
	}
}
