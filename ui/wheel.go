package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// In a long form, the mouse wheel must move the form wherever the pointer
// is. Fyne gives the wheel to the object under the pointer that scrolls,
// and every entry scrolls its own text, even when there is nothing to
// scroll: over the editor's many fields the wheel barely moved the form.
// So each field gets a transparent layer on top that takes only the wheel
// (clicks, drags and the text cursor still reach the field below) and
// hands it to the form; and a field of several lines grows with its text,
// so that it never needs a scroll of its own.

// wheelPass takes the mouse wheel over what it covers and hands it on.
type wheelPass struct {
	widget.BaseWidget
	to fyne.Scrollable
}

func newWheelPass(to fyne.Scrollable) *wheelPass {
	w := &wheelPass{to: to}
	w.ExtendBaseWidget(w)
	return w
}

// Scrolled hands the wheel to the form.
func (w *wheelPass) Scrolled(ev *fyne.ScrollEvent) { w.to.Scrolled(ev) }

func (w *wheelPass) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// MinSize is nothing: the layer takes the size of what it covers.
func (w *wheelPass) MinSize() fyne.Size { return fyne.Size{} }

// passWheel puts a wheelPass over every entry under root, in place, and
// makes the entries of several lines grow with their text.
func passWheel(root fyne.CanvasObject, to fyne.Scrollable) {
	c, ok := root.(*fyne.Container)
	if !ok {
		return
	}
	for i, o := range c.Objects {
		switch x := o.(type) {
		case *widget.Entry:
			c.Objects[i] = container.NewStack(x, newWheelPass(to))
			if x.MultiLine {
				growWithText(x)
			}
		case *fyne.Container:
			if len(x.Objects) == 2 {
				if _, done := x.Objects[1].(*wheelPass); done {
					continue
				}
			}
			passWheel(x, to)
		}
	}
}

// growWithText makes a wrapping entry as tall as its text, keeping the
// rows it asked for at least.
func growWithText(e *widget.Entry) {
	least := max(2, int(e.MinSize().Height/rowHeight()))
	prev := e.OnChanged
	e.OnChanged = safe(func(s string) {
		if prev != nil {
			prev(s)
		}
		e.SetMinRowsVisible(max(least, wrappedRows(s, e.Size().Width)+1))
	})
	e.SetMinRowsVisible(max(least, wrappedRows(e.Text, e.Size().Width)+1))
}

func rowHeight() float32 {
	return fyne.MeasureText("M", theme.Size(theme.SizeNameText), fyne.TextStyle{}).Height
}

// wrappedRows estimates how many lines s takes in an entry that wide.
func wrappedRows(s string, width float32) int {
	inner := width - 4*theme.Size(theme.SizeNameInnerPadding)
	rows := 0
	for _, para := range strings.Split(s, "\n") {
		w := fyne.MeasureText(para, theme.Size(theme.SizeNameText), fyne.TextStyle{}).Width
		n := 1
		if inner > 0 && w > inner {
			n = int(w/inner) + 1
		}
		rows += n
	}
	return rows
}
