package ui

import (
	"flag"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
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
			c.Content().Refresh() // lay out again with what the widgets say now
			for _, o := range c.Overlays().List() {
				o.Refresh()
			}
			for _, p := range cramped(clickable(w)) {
				t.Errorf("%s: %s", screen, p)
			}
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
	shot("editor")
	press(t, w, a.T("ui.edit.add_violation"))
	press(t, w, a.T("ui.edit.add_intervention"))
	shot("editor-rows")
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

// cramped lists the controls under root that are drawn smaller than they
// need (their words cut), and those that overlap another where both can
// be seen (a scrolling pane hides what is scrolled out of it).
func cramped(root fyne.CanvasObject) []string {
	type rect struct{ x0, y0, x1, y1 float32 }
	type box struct {
		r        rect
		describe string
	}
	var boxes []box
	var out []string
	var walk func(o fyne.CanvasObject, clip rect)
	walk = func(o fyne.CanvasObject, clip rect) {
		if o == nil || !o.Visible() {
			return
		}
		at, size := absRect(o)
		r := rect{max(at.X, clip.x0), max(at.Y, clip.y0), min(at.X+size.Width, clip.x1), min(at.Y+size.Height, clip.y1)}
		if d, ok := describe(o, ""); ok {
			if r.x1 <= r.x0 || r.y1 <= r.y0 {
				return // scrolled out of sight
			}
			if m := o.MinSize(); size.Width+0.5 < m.Width || size.Height+0.5 < m.Height {
				out = append(out, fmt.Sprintf("%s is drawn %.0fx%.0f but needs %.0fx%.0f", d, size.Width, size.Height, m.Width, m.Height))
			}
			boxes = append(boxes, box{r, d})
			return // its parts are its own
		}
		if _, ok := o.(*container.Scroll); ok {
			clip = r
		}
		for _, k := range children(o) {
			walk(k, clip)
		}
	}
	walk(root, rect{-1e9, -1e9, 1e9, 1e9})
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if a.r.x1 > b.r.x0+1 && b.r.x1 > a.r.x0+1 && a.r.y1 > b.r.y0+1 && b.r.y1 > a.r.y0+1 {
				out = append(out, fmt.Sprintf("%s overlaps %s", a.describe, b.describe))
			}
		}
	}
	return out
}

// The layout check sees what it must: two controls on top of each other,
// and a button too small for its words; not what a pane scrolled away.
func TestCrampedSeesOverlapAndCutWords(t *testing.T) {
	newApp(t)
	a := widget.NewButton("Save the case", nil)
	b := widget.NewButton("Cancel", nil)
	hidden := widget.NewButton("Scrolled away", nil)
	c := container.NewWithoutLayout(a, b)
	a.Move(fyne.NewPos(10, 10))
	a.Resize(fyne.NewSize(30, a.MinSize().Height)) // too narrow for its words
	b.Move(fyne.NewPos(20, 12))
	b.Resize(b.MinSize())
	inner := container.NewVBox(layoutSpacer(400), hidden)
	scroll := container.NewVScroll(inner)
	scroll.Resize(fyne.NewSize(200, 100))
	scroll.Move(fyne.NewPos(0, 0))
	w := test.NewWindow(container.NewWithoutLayout(c, scroll))
	w.Resize(fyne.NewSize(400, 400))
	var got []string
	onUI(func() { got = cramped(w.Content()) })
	joined := fmt.Sprint(got)
	for _, want := range []string{"button Save the case is drawn 30x", "button Save the case overlaps button Cancel"} {
		if !strings.Contains(joined, want) {
			t.Errorf("not seen: %q in %q", want, joined)
		}
	}
	if strings.Contains(joined, "Scrolled away") {
		t.Errorf("a control scrolled out of sight was checked: %q", joined)
	}
}

func layoutSpacer(h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(10, h))
	return r
}
