package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// startIn unlocks the fixture vault in lang and waits for the case list.
func startIn(t *testing.T, lang, count string) (*App, fyne.Window) {
	t.Helper()
	dir, _ := fixture(t)
	a, w := start(t, dir, lang)
	a.cfg.AutoLock = -1
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return a.main != nil && a.main.count.Text == count })
	return a, w
}

// In Russian, the import summary and result say each count with its
// plural form and the bundle's kind in Russian.
func TestImportCountsInRussian(t *testing.T) {
	a, w := startIn(t, "ru", "4 дела")
	path := shareFrom(t, a, true)
	onUI(func() { a.main.importFrom(path) })
	eventually(t, "the summary", func() bool {
		return labelWith(w, "Вид: передача (выбранные дела для партнёров)") &&
			labelWith(w, "Содержимое: 1 дело, 0 файлов доказательств") &&
			labelWith(w, "Импорт добавит 1 дело, обновит 0, оставит 0 без изменений, отметит 0 как конфликт (обе версии сохраняются для проверки) и добавит 0 файлов доказательств.")
	})
	onUI(func() { test.Tap(button(t, w, a.T("ui.import.confirm"))) })
	eventually(t, "the result", func() bool {
		return labelWith(w, "Импортировано: 1 дело добавлено, обновлено — 0, без изменений — 0, в конфликте — 0 (обе версии сохранены, требуют проверки); 0 файлов доказательств добавлено.")
	})
	eventually(t, "the list", func() bool { return a.main.count.Text == "5 дел" })
}

// A restore that starts from an incremental backup is refused in the
// person's language, not with the export package's English.
func TestWrongKindOfBundleInFrench(t *testing.T) {
	src, rk := fixture(t)
	v, err := store.Open(src, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	full, inc := filepath.Join(dir, "full.age"), filepath.Join(dir, "inc.age")
	for _, b := range []struct{ path, kind string }{{full, export.KindFull}, {inc, export.KindIncremental}} {
		if _, err := export.WriteFile(t.Context(), v, b.path, export.Options{Kind: b.kind}); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	_, err = export.Restore(t.Context(), []string{inc}, rk, filepath.Join(dir, "new"), "a new passphrase 77", export.RestoreOptions{})
	if err == nil {
		t.Fatal("a restore from an incremental backup alone succeeded")
	}
	got := (&App{lang: "fr"}).message(err)
	if !strings.Contains(got, "une restauration part de la sauvegarde complète") || strings.Contains(got, "incremental") {
		t.Fatalf("message %q", got)
	}
}
