package ui

import (
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
)

// -screenshots DIR writes every screen the layout test visits as a PNG.
// `make screenshots` refreshes docs/screenshots with it.
var screenshots = flag.String("screenshots", "", "write the layout test's screens as PNG files into this folder")

// The screens and dialogs a person meets, at the sizes of small old
// laptops, in every language and in the light and dark themes: each must
// fit in the window (a screen or dialog wider or taller than the window
// is cut off at its edge), and none may need more room than it has.
func TestLayoutFitsSmallScreens(t *testing.T) {
	sizes := []fyne.Size{{Width: 1366, Height: 768}, {Width: 1024, Height: 600}}
	themes := map[string]fyne.Theme{"light": theme.LightTheme(), "dark": theme.DarkTheme()} //nolint:staticcheck // the variants, whatever the system says
	for _, lang := range assets.Languages {
		for _, size := range sizes {
			for tname, th := range themes {
				name := fmt.Sprintf("%s-%dx%d-%s", lang, int(size.Width), int(size.Height), tname)
				t.Run(name, func(t *testing.T) {
					if testing.Short() && (tname == "light" || size.Width > 1100) {
						t.Skip("-short: the dark theme at 1024x600 only")
					}
					layoutTour(t, lang, size, th, name)
				})
			}
		}
	}
}

func layoutTour(t *testing.T, lang string, size fyne.Size, th fyne.Theme, name string) {
	dir, _ := fixture(t)
	a, w := start(t, dir, lang)
	fyne.CurrentApp().Settings().SetTheme(th)
	onUI(func() { w.Resize(size) })
	shot := func(screen string) {
		t.Helper()
		onUI(func() {
			c := w.Canvas()
			if min := c.Content().MinSize(); min.Width > size.Width || min.Height > size.Height {
				t.Errorf("%s: the screen needs %.0fx%.0f, more than the window", screen, min.Width, min.Height)
			}
			for _, o := range c.Overlays().List() {
				if min := o.MinSize(); min.Width > size.Width || min.Height > size.Height {
					t.Errorf("%s: a dialog needs %.0fx%.0f, more than the window", screen, min.Width, min.Height)
				}
			}
		})
		if *screenshots == "" {
			return
		}
		var err error
		onUI(func() {
			img := w.Canvas().Capture()
			var f *os.File
			if f, err = os.Create(filepath.Join(*screenshots, name+"-"+screen+".png")); err == nil {
				err = png.Encode(f, img)
				f.Close()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	shot("unlock")
	typeUnlock(t, w, "the right passphrase")
	eventually(t, "the list", func() bool { return a.main != nil && a.main.total == 4 })
	shot("list")
	clickText(t, w, "Задержание у аптеки")
	eventually(t, "the case", func() bool { return a.main.current != nil })
	shot("case")
	press(t, w, a.T("ui.case.history"))
	shot("history")
	closeDialogs(t, a, w)
	press(t, w, a.T("ui.share.button"))
	shot("share")
	closeDialogs(t, a, w)
	press(t, w, a.T("ui.case.edit"))
	press(t, w, a.T("ui.edit.add_violation"))
	press(t, w, a.T("ui.edit.add_intervention"))
	shot("editor")
	press(t, w, a.T("ui.cancel"))
	press(t, w, a.T("ui.main.backup"))
	shot("backup")
	closeDialogs(t, a, w)
	press(t, w, a.T("ui.main.contacts"))
	shot("contacts")
	closeDialogs(t, a, w)
	pressIcon(t, w, theme.SettingsIcon())
	shot("settings")
	closeDialogs(t, a, w)
	press(t, w, a.T("ui.main.import"))
	shot("chooser")
	closeDialogs(t, a, w)
}

// closeDialogs closes the dialogs on top with their Close or Cancel
// button, as a person does.
func closeDialogs(t *testing.T, a *App, w fyne.Window) {
	t.Helper()
	for i := 0; i < 3; i++ {
		var top fyne.CanvasObject
		onUI(func() { top = w.Canvas().Overlays().Top() })
		if top == nil {
			return
		}
		closed := false
		for _, label := range []string{a.T("ui.close"), a.T("ui.cancel"), a.T("ui.ok")} {
			if b, ok := find(w, func(b *widget.Button) bool { return b.Text == label }); ok {
				tap(t, w, b)
				closed = true
				break
			}
		}
		if !closed {
			t.Fatal("a dialog without Close or Cancel")
		}
	}
}
