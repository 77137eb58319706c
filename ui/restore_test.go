package ui

import (
	"fyne.io/fyne/v2"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/testhooks"
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

// A restore that was killed before it finished leaves a folder the app
// does not try to unlock: it says what happened and offers the restore
// again, which completes it in the same folder.
func TestInterruptedRestoreAtFirstRun(t *testing.T) {
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
	// What a restore killed while loading leaves behind.
	dir := filepath.Join(t.TempDir(), "new")
	half, err := store.CreateForRestore(dir, "a new laptop passphrase 9", rk, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	half.Close()

	_, w := start(t, dir, "en")
	if !labelWith(w, "A restore into this folder was interrupted before it finished. Choose the backups again and restore: it starts over.") {
		t.Fatal("the app does not say the restore was interrupted")
	}
	press(t, w, "Add a backup file…")
	openFile(t, w, backup)
	eventually(t, "the chosen backup", func() bool { return labelWith(w, "1. backup.age") })
	key, _ := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "Recovery key (starts with AGE-SECRET-KEY-PQ-1)" })
	pass, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase" })
	confirm, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase again" })
	typeIn(t, w, key, rk.String())
	typeIn(t, w, pass, "a new laptop passphrase 9")
	typeIn(t, w, confirm, "a new laptop passphrase 9")
	press(t, w, "Restore")
	eventually(t, "the restored list", func() bool { return labelWith(w, "4 cases") })
	if store.RestoreInterrupted(dir) {
		t.Fatal("the folder is still marked as an interrupted restore")
	}
}

// A backup made by an older Dossier (no recovery binding) is restored only
// once the person confirms the fingerprint of the organisation that made
// it; without, nothing is restored.
func TestRestoreOfAnOldBackupAsksForTheOrganisation(t *testing.T) {
	src, rk := fixture(t)
	v, err := store.Open(src, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := testhooks.VaultExec(v, "DELETE FROM meta WHERE key = 'recovery_binding'"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "old.age")
	if _, err := export.WriteFile(t.Context(), v, backup, export.Options{}); err != nil {
		t.Fatal(err)
	}
	id, _ := v.Identity()
	fp := id.Fingerprint()
	v.Close()

	dir := filepath.Join(t.TempDir(), "new")
	_, w := start(t, dir, "en")
	press(t, w, "Restore from a backup instead")
	press(t, w, "Add a backup file…")
	openFile(t, w, backup)
	eventually(t, "the chosen backup", func() bool { return labelWith(w, "1. old.age") })
	key, _ := find(w, func(e *widget.Entry) bool { return e.PlaceHolder == "Recovery key (starts with AGE-SECRET-KEY-PQ-1)" })
	pass, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase" })
	confirm, _ := find(w, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder == "Passphrase again" })
	typeIn(t, w, key, rk.String())
	typeIn(t, w, pass, "a new laptop passphrase 9")
	typeIn(t, w, confirm, "a new laptop passphrase 9")
	press(t, w, "Restore")
	eventually(t, "the question", func() bool { return labelWith(w, "It was made by the organisation with the fingerprint\n\n"+fp+"\n\n") })
	if !labelWith(w, "does not say which organisation its recovery key belongs to") {
		t.Fatal("the screen does not say why the backup was not restored")
	}
	press(t, w, "Cancel")
	if store.Exists(dir) {
		t.Fatal("restored without the organisation confirmed")
	}
	press(t, w, "Restore")
	eventually(t, "the question again", func() bool { return labelWith(w, fp) })
	press(t, w, "It is ours: restore")
	eventually(t, "the restored list", func() bool { return labelWith(w, "4 cases") })
	if !store.Exists(dir) {
		t.Fatal("no vault restored")
	}
}
