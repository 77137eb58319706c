package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

var ctrlL = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}

// typeUnlock types the passphrase into the unlock screen and presses Enter.
func typeUnlock(t *testing.T, w fyne.Window, pass string) {
	t.Helper()
	e, ok := find(w, func(e *widget.Entry) bool { return e.Password })
	if !ok {
		t.Fatal("no passphrase field")
	}
	typeIn(t, w, e, pass)
	key(t, w, fyne.KeyReturn)
}

// After Ctrl+L and an unlock, the person is back where they were: the case
// they were reading, or the editor with what they had typed.
func TestLockKeepsThePlace(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	clickText(t, w, "Задержание у аптеки")
	eventually(t, "the case", func() bool { return labelWith(w, "Полиция изъяла шприцы.") })
	shortcut(t, w, ctrlL)
	if a.Vault() != nil || labelWith(w, "Полиция") {
		t.Fatal("not locked")
	}
	typeUnlock(t, w, "the right passphrase")
	eventually(t, "the same case after unlocking", func() bool { return a.Vault() != nil && labelWith(w, "Полиция изъяла шприцы.") })

	press(t, w, "Edit")
	e := a.main.editorForTest()
	typeIn(t, w, e.title, " (draft)")
	shortcut(t, w, ctrlL)
	typeUnlock(t, w, "the right passphrase")
	eventually(t, "the editor again", func() bool {
		m := a.main
		return m != nil && m.editor != nil && !m.editor.closed && m.editor.title.Text == "Задержание у аптеки (draft)"
	})
	if !labelWith(w, "Continuing the draft saved at") {
		t.Fatal("the draft is not said to be one")
	}
}

// "Unlocking…" is a state, not an error: it is not drawn in the error
// colour. The recovery key is hidden as it is typed, and Enter submits it.
func TestUnlockScreenStates(t *testing.T) {
	dir, rk := fixture(t)
	a, w := start(t, dir, "en")
	var col, errCol any
	onUI(func() {
		e, _ := find(w, func(e *widget.Entry) bool { return e.Password })
		typeIn(t, w, e, "the right passphrase")
		press(t, w, "Unlock") // the unlock runs off the UI goroutine, which this holds
		for _, o := range shown(w.Content()) {
			if tx, ok := o.(*canvas.Text); ok && tx.Text == "Unlocking…" {
				col = tx.Color
			}
		}
		errCol = theme.Color(theme.ColorNameError)
	})
	if col == nil || col == errCol {
		t.Fatalf("Unlocking… drawn in %v (the error colour is %v)", col, errCol)
	}
	eventually(t, "unlocked", func() bool { return a.Vault() != nil })
	shortcut(t, w, ctrlL)

	press(t, w, "Use the recovery key instead")
	rkField, ok := find(w, func(e *widget.Entry) bool { return strings.HasPrefix(e.PlaceHolder, "Recovery key") })
	if !ok || !rkField.Password {
		t.Fatal("the recovery key is shown in clear as it is typed")
	}
	typeIn(t, w, rkField, rk.String())
	key(t, w, fyne.KeyReturn)
	eventually(t, "unlocked with the recovery key", func() bool { return a.Vault() != nil })
}

// Enter moves through the create form and submits it from the last field.
func TestCreateWithTheKeyboard(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	_, w := start(t, dir, "en")
	onUI(func() {
		for _, s := range []string{"Réseau Test", "kopi tubruk pagi hari", "kopi tubruk pagi hari"} {
			f := w.Canvas().Focused()
			if f == nil {
				t.Fatal("no field has the focus")
			}
			typeIn(t, w, f, s)
			key(t, w, fyne.KeyReturn)
		}
	})
	eventually(t, "the recovery key screen", func() bool { return labelWith(w, "AGE-SECRET-KEY-PQ-1") })
	if !store.Exists(dir) {
		t.Fatal("no vault")
	}
}

// Settings: the second passphrase field is labelled, there is no blank gap
// before anything is typed, and Enter in it saves.
func TestSettingsPassphraseWithTheKeyboard(t *testing.T) {
	a, w, dir := unlocked(t, Config{AutoLock: -1})
	press(t, w, "") // the settings button has only its icon
	if _, ok := textAt(w, "Passphrase again"); !ok {
		t.Fatal("the second passphrase field has no label")
	}
	if _, ok := find(w, func(l *widget.Label) bool { return l.Text == "" && l.Wrapping == fyne.TextWrapWord }); ok {
		t.Fatal("an empty hint leaves a blank gap")
	}
	f := a.main.curSettings
	retype(t, w, f.autoLock, "5") // off in this test's configuration, which the form cannot show
	typeIn(t, w, f.pass, "a new kettle under the bridge")
	if !labelWith(w, "Strong enough.") {
		t.Fatal("no strength hint while typing")
	}
	typeIn(t, w, f.confirm, "a new kettle under the bridge")
	key(t, w, fyne.KeyReturn)
	eventually(t, "the new passphrase", func() bool {
		v, err := store.Open(dir, "a new kettle under the bridge", store.Options{})
		if err == nil {
			v.Close()
		}
		return err == nil
	})
}

// A stripped copy is not a second evidence file: counts say the
// originals, and the copies beside them, in the person's language.
func TestEvidenceCountsCopiesApart(t *testing.T) {
	for _, c := range []struct {
		lang                string
		originals, stripped int
		want                string
	}{
		{"en", 1, 1, "1 evidence file (plus 1 stripped copy)"},
		{"en", 2, 0, "2 evidence files"},
		{"ru", 2, 5, "2 файла доказательств (и 5 копий без метаданных)"},
	} {
		a := &App{lang: c.lang}
		if got := a.evidenceCount("ui.n.evidence_files", c.originals, c.stripped); got != c.want {
			t.Errorf("%s %d+%d: %q, want %q", c.lang, c.originals, c.stripped, got, c.want)
		}
	}
}
