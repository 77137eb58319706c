package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The wheel over any field of the editor moves the form: over an entry it
// used to scroll the entry's own text, which had nothing to scroll.
func TestWheelOverFieldsScrollsTheForm(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	onUI(func() { w.Resize(fyne.NewSize(1024, 600)) })
	press(t, w, "New case")
	e := a.main.editorForTest()
	for i, field := range []fyne.CanvasObject{e.title, e.narrative, e.region} {
		var before, after float32
		onUI(func() {
			before = a.main.detailScroll.Offset.Y
			pos := centre(field)
			if pos.Y > 560 || pos.Y < 0 {
				a.main.scrollTo(field) // bring it into view first
				pos = centre(field)
			}
			before = a.main.detailScroll.Offset.Y
			test.Scroll(w.Canvas(), pos, 0, -60) // the wheel, down
			after = a.main.detailScroll.Offset.Y
		})
		if after <= before {
			t.Errorf("the wheel over field %d did not move the form (offset %v → %v)", i, before, after)
		}
	}
	// A narrative of many lines grows with its text instead of scrolling
	// inside itself.
	var h1, h2 float32
	onUI(func() { h1 = e.narrative.Size().Height })
	typeIn(t, w, e.narrative, strings.Repeat("They came at night and took everything. ", 40))
	onUI(func() { h2 = e.narrative.MinSize().Height })
	if h2 <= h1 {
		t.Fatalf("the narrative did not grow with its text: %v → %v", h1, h2)
	}
}
