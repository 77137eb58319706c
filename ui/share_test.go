package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// legalPartner makes a partner vault and adds its card to the app's
// contacts.
func legalPartner(t *testing.T, a *App) *store.Vault {
	t.Helper()
	p, _, err := store.Create(filepath.Join(t.TempDir(), "p"), "pp", store.CreateOptions{OrgName: "Legal Partner"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	theirs, _ := export.OwnCard(p)
	c, _ := theirs.Contact()
	if err := a.Vault().AddContact(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShareFromTheApp(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	p := legalPartner(t, a)
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
	res, err := export.Import(t.Context(), p, path, export.ImportOptions{})
	if err != nil || res.Added != 1 {
		t.Fatalf("the partner imports: %+v %v", res, err)
	}
	got, _ := p.List(t.Context(), store.Query{})
	gc, _ := p.Get(t.Context(), got[0].ID)
	if gc.People[0].Pseudonym != "Person 1" {
		t.Fatalf("partner got %+v", gc.People)
	}
}

// A share with a one-off passphrase, for someone outside the contacts;
// the app imports such a bundle by asking for the passphrase.
func TestShareWithPassphraseAndImportIt(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	onUI(func() { a.main.list.Select(2) })
	eventually(t, "the case", func() bool { return labelWith(w, "Задержание у аптеки") })
	var f *shareForm
	onUI(func() {
		f = a.main.showShare(a.main.current)
		f.byPass.SetChecked(true)
		f.pass.SetText("short")
	})
	if !f.write.Disabled() || !strings.Contains(f.passNote.Text, "Too short") {
		t.Fatalf("a weak bundle passphrase is accepted: %q", f.passNote.Text)
	}
	onUI(func() { f.pass.SetText("copper kettle 47 under the bridge") })
	if f.write.Disabled() || !strings.Contains(f.passNote.Text, "never with the file") {
		t.Fatalf("a strong bundle passphrase is refused: %q", f.passNote.Text)
	}
	path := filepath.Join(t.TempDir(), "share.age")
	onUI(func() { a.main.writeShare(a.main.current, f, path) })
	eventually(t, "the share", func() bool { return labelWith(w, "tell the passphrase another way") })
	head, _ := os.ReadFile(path)
	if !strings.Contains(string(head[:200]), "-> scrypt") {
		t.Fatalf("not a passphrase bundle: %q", head[:80])
	}
	onUI(func() { test.Tap(button(t, w, "OK")) })
	onUI(func() { test.Tap(button(t, w, "Cancel")) })

	// Importing it: no key opens it, so the app asks for the passphrase; a
	// wrong one is said so, the right one leads to the summary.
	onUI(func() { a.main.importFrom(path) })
	eventually(t, "the passphrase question", func() bool { return labelWith(w, "No key of this vault opens this bundle") })
	pass, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "One-off passphrase for this bundle" })
	onUI(func() {
		pass.SetText("not the one")
		test.Tap(button(t, w, "Next"))
	})
	eventually(t, "the refusal", func() bool { return labelWith(w, "This passphrase does not open the bundle either") })
	onUI(func() { test.Tap(button(t, w, "OK")) })
	onUI(func() { a.main.askBundlePassphrase(path) })
	pass, _ = find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "One-off passphrase for this bundle" })
	onUI(func() {
		pass.SetText("copper kettle 47 under the bridge")
		test.Tap(button(t, w, "Next"))
	})
	eventually(t, "the summary", func() bool {
		return labelWith(w, "Made by: UI Test") && labelWith(w, "(this vault)") && labelWith(w, "Nothing has been imported yet.")
	})
	onUI(func() { test.Tap(button(t, w, "Import")) })
	eventually(t, "the result", func() bool { return labelWith(w, "Imported: 0 cases added, 0 updated, 1 unchanged") })
}

func TestShareForOldAgeTools(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	legalPartner(t, a)
	onUI(func() { a.main.list.Select(2) })
	eventually(t, "the case", func() bool { return labelWith(w, "Задержание у аптеки") })
	var f *shareForm
	onUI(func() {
		f = a.main.showShare(a.main.current)
		f.to.SetSelected([]string{f.to.Options[0]})
		f.classic.SetChecked(true)
	})
	path := filepath.Join(t.TempDir(), "share.age")
	onUI(func() { a.main.writeShare(a.main.current, f, path) })
	eventually(t, "the share", func() bool { return labelWith(w, "Share written and verified.") })
	head, _ := os.ReadFile(path)
	if !strings.Contains(string(head[:300]), "-> X25519") || strings.Contains(string(head[:2000]), "mlkem768x25519") {
		t.Fatalf("not a classic X25519 bundle: %q", head[:120])
	}
}

func TestShareCancel(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	legalPartner(t, a)
	list, _ := a.Vault().List(t.Context(), store.Query{Text: "аптеки"})
	if _, err := a.Vault().Attach(t.Context(), list[0].ID, bytes.NewReader(bytes.Repeat([]byte("video "), 8<<20)), store.AttachOptions{Name: "v.bin"}); err != nil {
		t.Fatal(err)
	}
	onUI(func() { a.main.list.Select(2) })
	eventually(t, "the case", func() bool { return labelWith(w, "Задержание у аптеки") })
	var f *shareForm
	onUI(func() {
		f = a.main.showShare(a.main.current)
		f.to.SetSelected([]string{f.to.Options[0]})
		f.redact.SetSelected(f.redact.Options[0]) // none: the file goes too
	})
	path := filepath.Join(t.TempDir(), "share.age")
	onUI(func() {
		a.main.writeShare(a.main.current, f, path)
		var stops []*widget.Button
		for _, o := range w.Canvas().Overlays().List() {
			for _, x := range test.LaidOutObjects(o) {
				if b, ok := x.(*widget.Button); ok && b.Text == "Cancel" && b.Visible() {
					stops = append(stops, b)
				}
			}
		}
		test.Tap(stops[len(stops)-1]) // the progress dialog's, on top
	})
	eventually(t, "the cancelled message", func() bool { return labelWith(w, "Share cancelled. Nothing was written.") })
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 0 {
		t.Fatalf("a cancelled share left %v", ents)
	}
}

// Clicking the redaction already chosen keeps it chosen: it once left none
// chosen with "Write the bundle…" enabled, and writing crashed the app.
func TestShareRedactionClickedAgain(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	theirs, _ := export.OwnCard(legalPartner(t, a))
	clickText(t, w, "Задержание у аптеки")
	eventually(t, "the case", func() bool { return labelWith(w, "Полиция изъяла шприцы.") })
	onUI(func() { test.Tap(button(t, w, "Share…")) })
	clickText(t, w, "Legal Partner · "+theirs.Fingerprint)
	clickText(t, w, "Pseudonymise: no legal names, contacts or perpetrator names")
	f := a.main.lastShare
	var sel string
	var disabled bool
	onUI(func() { sel, disabled = f.redact.Selected, f.write.Disabled() })
	if sel == "" || disabled {
		t.Fatalf("after a second click on the chosen redaction: chosen %q, write disabled %v", sel, disabled)
	}
}
