package ui

import (
	"fyne.io/fyne/v2"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

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
	_, w := start(t, dir, "en")
	press(t, w, "Restore from a backup instead")
	press(t, w, "Back")
	if !labelWith(w, "Create a vault") {
		t.Fatal("Back does not return to the create screen")
	}
	press(t, w, "Restore from a backup instead")
	press(t, w, "Restore")
	if !labelWith(w, "Choose the full backup first.") {
		t.Fatal("no message without a bundle")
	}
	press(t, w, "Add a backup file…")
	openFile(t, w, backup)
	eventually(t, "the chosen backup", func() bool { return labelWith(w, "1. backup.age") })
	rkey, ok := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "Recovery key (starts with AGE-SECRET-KEY-PQ-1)" })
	if !ok || !rkey.Password {
		t.Fatal("no hidden field for the recovery key")
	}
	var focused fyne.Focusable
	onUI(func() { focused = w.Canvas().Focused() })
	if focused != rkey {
		t.Error("after a backup file is chosen, the cursor is not in the recovery key's field")
	}
	typeIn(t, w, rkey, "not a key")
	press(t, w, "Restore")
	if !labelWith(w, "This is not a recovery key") {
		t.Fatal("a bad key was not refused")
	}
	pass, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase" })
	confirm, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase again" })
	// From the keyboard: Enter goes from the key to the passphrase, to
	// the passphrase again, and restores.
	retype(t, w, rkey, strings.ToLower(rk.String()))
	for _, next := range []*widget.Entry{pass, confirm} {
		key(t, w, fyne.KeyReturn)
		onUI(func() { focused = w.Canvas().Focused() })
		if focused != next {
			t.Fatalf("Enter does not move on to %q", next.PlaceHolder)
		}
		typeIn(t, w, next, "a new laptop passphrase 9")
	}
	key(t, w, fyne.KeyReturn)
	eventually(t, "the restored list", func() bool { return labelWith(w, "4 cases") })
	if !store.Exists(dir) {
		t.Fatal("no vault restored")
	}
}
