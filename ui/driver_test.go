package ui

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

// Fyne's test driver answers CanvasForObject with the last window's canvas
// for any object at all, even one that is in no window. The desktop driver
// answers nil for an object that is not in a window's tree, and a widget
// that opens a pop-up from such an object crashes the app (it happened:
// every vocabulary picker did, while the headless suite was green). The
// tests run on a driver that answers like the desktop one.

type strictApp struct {
	fyne.App
	drv strictDriver
}

func (a *strictApp) Driver() fyne.Driver { return a.drv }

type strictDriver struct{ fyne.Driver }

var walking atomic.Bool // a CanvasForObject walk is under way

// CanvasForObject finds the window whose content, overlays or pop-ups hold
// o, as the desktop driver does, and answers nil when none does.
//
// Only widgets are looked up: pop-ups and menus are opened from widgets,
// and every canvas primitive's Refresh asks too, which would make each
// refresh walk the window. While a walk creates a renderer, the objects it
// refreshes are being drawn into the window, so the walk is not repeated.
func (d strictDriver) CanvasForObject(o fyne.CanvasObject) fyne.Canvas {
	if _, ok := o.(fyne.Widget); !ok || !walking.CompareAndSwap(false, true) {
		return d.Driver.CanvasForObject(o)
	}
	defer walking.Store(false)
	for _, w := range d.AllWindows() {
		c := w.Canvas()
		roots := c.Overlays().List()
		if c.Content() != nil {
			roots = append(roots, c.Content())
		}
		for _, r := range roots {
			if holds(r, o) {
				return c
			}
		}
	}
	return nil
}

// newApp starts a headless app for one test, on the strict driver.
func newApp(t testing.TB) fyne.App {
	t.Helper()
	begin(t)
	// A home of the test's own, unless the test made one: the file chooser
	// starts there and offers its places, the same on every machine.
	if own := filepath.Dir(t.TempDir()); !strings.HasPrefix(os.Getenv("HOME"), own+string(filepath.Separator)) {
		home := filepath.Join(t.TempDir(), "home")
		if err := os.Mkdir(home, 0o700); err != nil {
			t.Fatal(err)
		}
		t.Setenv("HOME", home)
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	}
	a := &strictApp{App: test.NewTempApp(t)}
	a.drv = strictDriver{a.App.Driver()}
	fyne.SetCurrentApp(a)
	return a
}

// holds walks the tree under root as the driver does, without laying it
// out again: containers' objects and widgets' rendered objects.
func holds(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	for _, c := range children(root) {
		if holds(c, o) {
			return true
		}
	}
	return false
}

// Fyne's test window differs from the desktop's in two ways a person
// meets: it forgets the callback for files dropped on it, and each call of
// its Clipboard gives a new, empty clipboard. The tests' windows keep the
// callback (drop calls it as the desktop driver does when a person drops
// files from their file manager) and share the app's clipboard, as the
// desktop's windows share the system's.
type dropWindow struct {
	fyne.Window
	dropped func(fyne.Position, []fyne.URI) // UI goroutine only
}

func (w *dropWindow) SetOnDropped(f func(fyne.Position, []fyne.URI)) { w.dropped = f }

func (w *dropWindow) Clipboard() fyne.Clipboard { return fyne.CurrentApp().Clipboard() }

// newWindow opens a window of 1000×700 for the app under test.
func newWindow() fyne.Window {
	w := &dropWindow{Window: test.NewWindow(nil)}
	w.Resize(fyne.NewSize(1000, 700))
	return w
}

// drop drops files on the middle of the window.
func drop(t testing.TB, w fyne.Window, paths ...string) {
	t.Helper()
	dw, ok := w.(*dropWindow)
	if !ok {
		t.Fatal("not a window made by newWindow")
	}
	var uris []fyne.URI
	for _, p := range paths {
		uris = append(uris, storage.NewFileURI(p))
	}
	onUI(func() {
		if dw.dropped == nil {
			t.Fatal("the window takes no dropped files")
		}
		dw.dropped(fyne.NewPos(500, 350), uris)
	})
}
