package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
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

// openShare clicks the case in the list and presses Share…, and returns
// the dialog's form, to read what it shows.
func openShare(t *testing.T, a *App, w fyne.Window, title, shown string) *shareForm {
	t.Helper()
	clickText(t, w, title)
	eventually(t, "the case", func() bool { return labelWith(w, shown) })
	press(t, w, "Share…")
	var f *shareForm
	onUI(func() { f = a.main.lastShare })
	return f
}

// shareState is what the share dialog shows: the preview, and whether
// Write the bundle… can be pressed.
func shareState(f *shareForm) (preview string, canWrite bool) {
	onUI(func() { preview, canWrite = f.preview.Text, !f.write.Disabled() })
	return preview, canWrite
}

func TestShareFromTheApp(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	p := legalPartner(t, a)
	theirs, _ := export.OwnCard(p)
	mine, _ := export.OwnCard(a.Vault())
	mc, _ := mine.Contact()
	p.AddContact(t.Context(), mc)

	// The case without consent: refused in the preview, nothing to write.
	f := openShare(t, a, w, "Penolakan layanan metadon", "Penolakan layanan metadon")
	if preview, canWrite := shareState(f); !strings.Contains(preview, "consent does not allow") || canWrite {
		t.Fatalf("share without consent offered: %q", preview)
	}
	press(t, w, "Cancel")

	// The Russian case, consent to legal partners: the preview shows what
	// leaves, and anonymising changes it.
	f = openShare(t, a, w, "Задержание у аптеки", "Полиция изъяла шприцы.")
	if preview, canWrite := shareState(f); !strings.Contains(preview, "Пётр") || canWrite {
		t.Fatalf("preview %q, write enabled %v", preview, canWrite)
	}
	clickText(t, w, "Legal Partner · "+theirs.Fingerprint)
	clickText(t, w, "Anonymise: also no pseudonyms or exact places")
	if preview, canWrite := shareState(f); strings.Contains(preview, "Пётр") || !strings.Contains(preview, "Person 1") || !canWrite {
		t.Fatalf("anonymised preview %q", preview)
	}
	path := filepath.Join(t.TempDir(), "share.age")
	press(t, w, "Write the bundle…")
	saveFile(t, w, path)
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
	f := openShare(t, a, w, "Задержание у аптеки", "Полиция изъяла шприцы.")
	clickText(t, w, "Protect with a one-off passphrase instead (for someone not in your contacts)")
	var pass *widget.Entry
	onUI(func() { pass = f.pass })
	typeIn(t, w, pass, "short")
	var note string
	onUI(func() { note = f.passNote.Text })
	if _, canWrite := shareState(f); canWrite || !strings.Contains(note, "Too short") {
		t.Fatalf("a weak bundle passphrase is accepted: %q", note)
	}
	retype(t, w, pass, "copper kettle 47 under the bridge")
	onUI(func() { note = f.passNote.Text })
	if _, canWrite := shareState(f); !canWrite || !strings.Contains(note, "never with the file") {
		t.Fatalf("a strong bundle passphrase is refused: %q", note)
	}
	path := filepath.Join(t.TempDir(), "share.age")
	press(t, w, "Write the bundle…")
	saveFile(t, w, path)
	eventually(t, "the share", func() bool { return labelWith(w, "tell the passphrase another way") })
	head, _ := os.ReadFile(path)
	if !strings.Contains(string(head[:200]), "-> scrypt") {
		t.Fatalf("not a passphrase bundle: %q", head[:80])
	}
	press(t, w, "OK")
	press(t, w, "Cancel")

	// Importing it: no key opens it, so the app asks for the passphrase; a
	// wrong one is said so, the right one leads to the summary.
	press(t, w, "Import")
	openFile(t, w, path)
	eventually(t, "the passphrase question", func() bool { return labelWith(w, "No key of this vault opens this bundle") })
	pass, _ = find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "One-off passphrase for this bundle" })
	typeIn(t, w, pass, "not the one")
	press(t, w, "Next")
	// Asked again, saying so: a mistyped passphrase does not end the import.
	eventually(t, "the question again", func() bool { return labelWith(w, "This passphrase does not open the bundle either.") })
	pass, _ = find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "One-off passphrase for this bundle" })
	typeIn(t, w, pass, "copper kettle 47 under the bridge")
	key(t, w, fyne.KeyReturn) // Enter answers the question
	eventually(t, "the summary", func() bool {
		return labelWith(w, "Made by: UI Test") && labelWith(w, "(this vault)") && labelWith(w, "Nothing has been imported yet.")
	})
	press(t, w, "Import")
	eventually(t, "the result", func() bool { return labelWith(w, "Imported: 0 cases added, 0 updated, 1 unchanged") })
}

func TestShareForOldAgeTools(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	theirs, _ := export.OwnCard(legalPartner(t, a))
	openShare(t, a, w, "Задержание у аптеки", "Полиция изъяла шприцы.")
	clickText(t, w, "Legal Partner · "+theirs.Fingerprint)
	clickText(t, w, "Readable with age tools older than 1.3 (not post-quantum)")
	path := filepath.Join(t.TempDir(), "share.age")
	press(t, w, "Write the bundle…")
	saveFile(t, w, path)
	eventually(t, "the share", func() bool { return labelWith(w, "Share written and verified.") })
	head, _ := os.ReadFile(path)
	if !strings.Contains(string(head[:300]), "-> X25519") || strings.Contains(string(head[:2000]), "mlkem768x25519") {
		t.Fatalf("not a classic X25519 bundle: %q", head[:120])
	}
}

func TestShareCancel(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	theirs, _ := export.OwnCard(legalPartner(t, a))
	list, _ := a.Vault().List(t.Context(), store.Query{Text: "аптеки"})
	if _, err := a.Vault().Attach(t.Context(), list[0].ID, bytes.NewReader(bytes.Repeat([]byte("video "), 8<<20)), store.AttachOptions{Name: "v.bin"}); err != nil {
		t.Fatal(err)
	}
	openShare(t, a, w, "Задержание у аптеки", "Полиция изъяла шприцы.")
	clickText(t, w, "Legal Partner · "+theirs.Fingerprint)
	clickText(t, w, "None: as recorded, for a trusted legal partner") // the file goes too
	path := filepath.Join(t.TempDir(), "share.age")
	press(t, w, "Write the bundle…")
	nameFile(t, w, path)
	onUI(func() { // at once: the share must still be being written
		press(t, w, "Save")
		press(t, w, "Cancel") // the progress dialog's, on top
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
	press(t, w, "Share…")
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
