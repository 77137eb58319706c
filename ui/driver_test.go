package ui

import (
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
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
	switch x := root.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			if holds(c, o) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if holds(c, o) {
				return true
			}
		}
	}
	return false
}
