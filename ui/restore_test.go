package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

func TestRestoreAtFirstRun(t *testing.T) {
	// The vault of the laptop that was seized, and its backup.
	src, rk := fixture(t)
	v, err := store.Open(src, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.age")
	if _, err := export.WriteFile(t.Context(), v, backup, export.Options{}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	// The new laptop.
	dir := filepath.Join(t.TempDir(), "new")
	a, w := start(t, dir, "en")
	var s *restoreScreen
	onUI(func() {
		test.Tap(button(t, w, "Restore from a backup instead"))
		s = a.showRestore()
		test.Tap(button(t, w, "Restore"))
	})
	if !labelWith(w, "Choose the full backup first.") {
		t.Fatal("no message without a bundle")
	}
	onUI(func() {
		s.addBundle(backup)
		s.key.SetText("not a key")
		test.Tap(button(t, w, "Restore"))
	})
	if !labelWith(w, "This is not a recovery key") {
		t.Fatal("a bad key was not refused")
	}
	onUI(func() {
		s.key.SetText(strings.ToLower(rk.String()))
		s.pass.SetText("a new laptop passphrase 9")
		s.confirm.SetText("a new laptop passphrase 9")
		test.Tap(button(t, w, "Restore"))
	})
	eventually(t, "the restored list", func() bool { return labelWith(w, "4 cases") })
	if !store.Exists(dir) {
		t.Fatal("no vault restored")
	}
}
