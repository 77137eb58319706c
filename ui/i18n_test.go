package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// startIn unlocks the fixture vault in lang and waits for the case list.
func startIn(t *testing.T, lang, count string) (*App, fyne.Window) {
	t.Helper()
	dir, _ := fixture(t)
	a, w := start(t, dir, lang)
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return a.main != nil && a.main.count.Text == count })
	return a, w
}

// In Russian, the import summary and result say each count with its
// plural form and the bundle's kind in Russian.
func TestImportCountsInRussian(t *testing.T) {
	a, w := startIn(t, "ru", "4 дела")
	path := shareFrom(t, a, true)
	press(t, w, a.T("ui.main.import"))
	openFile(t, w, path)
	eventually(t, "the summary", func() bool {
		return labelWith(w, "Вид: передача (выбранные дела для партнёров)") &&
			labelWith(w, "Содержимое: 1 дело, 0 файлов доказательств") &&
			labelWith(w, "Импорт добавит 1 дело, обновит 0, оставит 0 без изменений, отметит 0 как конфликт и добавит 0 файлов доказательств. У дела, изменённого и здесь, и в пакете, останется версия этого хранилища")
	})
	press(t, w, a.T("ui.import.confirm"))
	eventually(t, "the result", func() bool {
		return labelWith(w, "Импортировано: 1 дело добавлено, обновлено — 0, без изменений — 0, в конфликте — 0; 0 файлов доказательств добавлено. У дела с конфликтом остаётся версия этого хранилища")
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

// menuLabels returns the window's menu as a person reads it: the menu's
// title, then its items' labels ("—" for a separator), and whether the
// last item is the Quit item.
func menuLabels(w fyne.Window) (labels []string, quit bool) {
	onUI(func() {
		mm := w.MainMenu()
		if mm == nil {
			return
		}
		for _, m := range mm.Items {
			labels = append(labels, m.Label)
			for _, it := range m.Items {
				if it.IsSeparator {
					labels = append(labels, "—")
				} else {
					labels = append(labels, it.Label)
				}
				quit = quit || it.IsQuit
			}
		}
	})
	return labels, quit
}

var menus = map[string][]string{
	"en": {"Vault", "Lock", "Statistics…", "—", "Quit", "Case", "New case", "Save"},
	"fr": {"Coffre", "Verrouiller", "Statistiques…", "—", "Quitter", "Cas", "Nouveau cas", "Enregistrer"},
	"es": {"Bóveda", "Bloquear", "Estadísticas…", "—", "Salir", "Caso", "Nuevo caso", "Guardar"},
	"ru": {"Хранилище", "Заблокировать", "Статистика…", "—", "Выход", "Дело", "Новое дело", "Сохранить"},
	"pt": {"Cofre", "Bloquear", "Estatísticas…", "—", "Sair", "Caso", "Novo caso", "Salvar"},
	"id": {"Brankas", "Kunci", "Statistik…", "—", "Keluar", "Kasus", "Kasus baru", "Simpan"},
}

// The whole menu, Quit included, is in the app's language, whatever the
// system's: Quit is Dossier's own, so Fyne adds none of its own.
func TestMenuInEachLanguage(t *testing.T) {
	dir, _ := fixture(t)
	for lang, want := range menus {
		_, w := start(t, dir, lang)
		got, quit := menuLabels(w)
		if strings.Join(got, "|") != strings.Join(want, "|") || !quit {
			t.Errorf("%s: menu %q (a Quit item: %v), want %q", lang, got, quit, want)
		}
	}
}

// walkRendered calls fn on o and everything it shows, as rendered on the
// canvas (test.LaidOutObjects would build new renderers, whose objects are
// not the ones on screen).
func walkRendered(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	for _, c := range children(o) {
		walkRendered(c, fn)
	}
}

// Unlocked in French, the menu is French; when the person picks Russian in
// Settings and saves, the menu turns Russian at once.
func TestMenuFollowsLanguageChange(t *testing.T) {
	a, w := startIn(t, "fr", "4 cas")
	if got, _ := menuLabels(w); strings.Join(got, "|") != strings.Join(menus["fr"], "|") {
		t.Fatalf("menu after unlocking in French: %q", got)
	}
	settings, ok := find(w, func(b *widget.Button) bool { return b.Text == "" && b.Icon == theme.SettingsIcon() })
	if !ok {
		t.Fatal("no Settings button")
	}
	tap(t, w, settings)
	lang, ok := find(w, func(s *widget.Select) bool { return s.Selected == "Français" })
	if !ok {
		t.Fatal("no language picker showing Français")
	}
	choose(t, w, lang, "Русский")
	press(t, w, "Enregistrer")
	eventually(t, "the Russian list", func() bool { return a.main != nil && a.main.count.Text == "4 дела" })
	if got, quit := menuLabels(w); strings.Join(got, "|") != strings.Join(menus["ru"], "|") || !quit {
		t.Fatalf("menu after choosing Russian: %q (a Quit item: %v)", got, quit)
	}
}

// noButton fails if a visible button says text.
func noButton(t *testing.T, w fyne.Window, text, where string) {
	t.Helper()
	if _, ok := find(w, func(b *widget.Button) bool { return b.Text == text }); ok {
		t.Errorf("%s: a button says %q", where, text)
	}
}

// Dialogs are in the person's language, not Fyne's: the message dialog's
// OK, the error dialog's title and OK, and the file dialog's title and
// buttons. (Fyne takes its own texts from the system's language, English
// here.)
func TestDialogsInRussian(t *testing.T) {
	a, w := startIn(t, "ru", "4 дела")

	// A message: the own card copied for a partner.
	press(t, w, "Контакты")
	press(t, w, "Копировать мою карточку")
	eventually(t, "the message", func() bool { return labelWith(w, "Ваша карточка в буфере обмена.") })
	noButton(t, w, "OK", "message")
	press(t, w, "ОК")

	// An error: something pasted that is not a card.
	press(t, w, "Вставить карточку партнёра…")
	pasted, ok := find(w, func(e *widget.Entry) bool {
		return e.MultiLine && strings.HasPrefix(e.PlaceHolder, "Вставьте карточку сюда")
	})
	if !ok {
		t.Fatal("no field to paste the card in")
	}
	typeIn(t, w, pasted, "not a card")
	press(t, w, "Далее")
	eventually(t, "the error", func() bool {
		return labelWith(w, "Этот файл — не карточка Dossier или он был изменён.")
	})
	if !labelWith(w, "Ошибка") {
		t.Error("the error dialog's title is not in Russian")
	}
	noButton(t, w, "OK", "error")
	press(t, w, "ОК")
	press(t, w, a.T("ui.close"))

	// The file dialog, where the backup goes.
	press(t, w, "Резервная копия")
	press(t, w, "Далее")
	eventually(t, "the file dialog", func() bool { return labelWith(w, "Сохранить как") })
	button(t, w, "Сохранить")
	noButton(t, w, "Save", "file dialog")
	noButton(t, w, "Cancel", "file dialog")
	press(t, w, "Отмена")
	chooserClosed(t, w)
}

// A new case's empty pickers show the app's "—", not Fyne's English
// "(Select one)".
func TestNewCasePickersInFrench(t *testing.T) {
	_, w := startIn(t, "fr", "4 cas")
	press(t, w, "Nouveau cas")
	eventually(t, "the editor", func() bool { return labelWith(w, "Titre") })
	onUI(func() {
		walkRendered(w.Content(), func(o fyne.CanvasObject) {
			if txt, ok := o.(*canvas.Text); ok && strings.Contains(txt.Text, "Select one") {
				t.Errorf("a picker says %q", txt.Text)
			}
		})
	})
}
