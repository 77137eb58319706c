package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// What a person does, and nothing else: click where words are shown, type
// into the field that has the focus, press keys. No test sets a widget's
// value or calls its callback in a person's place.

// shown lists what is drawn under root, as the window draws it: the
// widgets' own renderers (not fresh ones, as test.LaidOutObjects makes),
// leaving out whatever is hidden or under something hidden.
func shown(root fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(x fyne.CanvasObject)
	walk = func(x fyne.CanvasObject) {
		if x == nil || !x.Visible() {
			return
		}
		out = append(out, x)
		switch y := x.(type) {
		case *fyne.Container:
			for _, k := range y.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(y).Objects() {
				walk(k)
			}
		}
	}
	walk(root)
	return out
}

// clickable returns what takes a person's clicks: the top pop-up or
// dialog if one is open, else the window's content.
func clickable(w fyne.Window) fyne.CanvasObject {
	if top := w.Canvas().Overlays().Top(); top != nil {
		return top
	}
	return w.Content()
}

// textAt finds the words as drawn on the window where a click would
// reach them and returns where they are.
func textAt(w fyne.Window, text string) (fyne.Position, bool) {
	var pos fyne.Position
	found := false
	onUI(func() {
		for _, o := range shown(clickable(w)) {
			t, ok := o.(*canvas.Text)
			if !ok || t.Text != text {
				continue
			}
			p := fyne.CurrentApp().Driver().AbsolutePositionForObject(t)
			pos = p.Add(fyne.NewPos(t.Size().Width/2, t.Size().Height/2))
			found = true
			return
		}
	})
	return pos, found
}

// clickText clicks on the words shown, as a person does with the mouse.
func clickText(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	pos, ok := textAt(w, text)
	if !ok {
		t.Fatalf("%q is not on the screen", text)
	}
	onUI(func() { test.TapCanvas(w.Canvas(), pos) })
}

// choose opens a picker with a click and clicks the option in its list.
func choose(t *testing.T, w fyne.Window, picker fyne.Tappable, option string) {
	t.Helper()
	onUI(func() { test.Tap(picker) })
	if _, ok := find(w, func(m *widget.PopUpMenu) bool { return true }); !ok {
		t.Fatalf("the picker opened no list")
	}
	clickText(t, w, option)
	if _, ok := find(w, func(m *widget.PopUpMenu) bool { return true }); ok {
		t.Fatalf("the list stays open after choosing %q", option)
	}
}
