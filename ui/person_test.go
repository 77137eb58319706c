package ui

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// What a person does, and nothing else: click where words are shown, type
// into the field that has the focus, press keys and shortcuts. No test sets
// a widget's value or calls its callback in a person's place: the crash of
// every vocabulary picker went unseen for as long as tests did.
//
// The helpers also keep a census. Every interactive control on screen when
// a helper looks is counted as seen, under a key made of its kind and its
// words (in English); every control a helper clicks, types into or chooses
// from is counted as touched. TestMain fails the package when a control
// that any test saw was touched by none, unless it is exempt below with
// the reason.

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

// absRect is where o is drawn on the window.
func absRect(o fyne.CanvasObject) (fyne.Position, fyne.Size) {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o), o.Size()
}

func inside(p fyne.Position, at fyne.Position, size fyne.Size) bool {
	return p.X >= at.X && p.Y >= at.Y && p.X < at.X+size.Width && p.Y < at.Y+size.Height
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
			at, size := absRect(t)
			pos = at.Add(fyne.NewPos(size.Width/2, size.Height/2))
			found = true
			return
		}
	})
	return pos, found
}

// clickAt clicks the window at pos, as the mouse does, and counts the
// control under it as touched.
func clickAt(w fyne.Window, pos fyne.Position) {
	onUI(func() {
		census.look(w)
		// The innermost interactive control under the pointer.
		var hit fyne.CanvasObject
		for _, o := range shown(clickable(w)) {
			if _, ok := census.keyOf(o); !ok {
				continue
			}
			if at, size := absRect(o); inside(pos, at, size) {
				hit = o
			}
		}
		if hit != nil {
			census.touch(hit)
		}
		test.TapCanvas(w.Canvas(), pos)
	})
}

// clickText clicks on the words shown, as a person does with the mouse.
func clickText(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	pos, ok := textAt(w, text)
	if !ok {
		t.Fatalf("%q is not on the screen", text)
	}
	clickAt(w, pos)
}

// tap clicks a control found on the screen. It must be shown where a click
// reaches it: a control hidden or under a dialog cannot be clicked.
func tap(t *testing.T, w fyne.Window, o fyne.Tappable) {
	t.Helper()
	reachable := false
	onUI(func() {
		census.look(w)
		for _, x := range shown(clickable(w)) {
			if x == o.(fyne.CanvasObject) {
				reachable = true
			}
		}
		if reachable {
			census.touch(o.(fyne.CanvasObject))
			test.Tap(o)
		}
	})
	if !reachable {
		t.Fatalf("%T is not where a click reaches it", o)
	}
}

// press clicks the button with that text.
func press(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	tap(t, w, button(t, w, text))
}

// typeIn clicks into a field and types after what it holds.
func typeIn(t *testing.T, w fyne.Window, e fyne.Focusable, s string) {
	t.Helper()
	if tp, ok := e.(fyne.Tappable); ok {
		tap(t, w, tp)
	}
	onUI(func() {
		w.Canvas().Focus(e)
		test.Type(e, s)
	})
}

// retype clicks into a field, selects all it holds and types s over it, as
// a person replaces a value (Ctrl+A, then typing; Delete for nothing).
func retype(t *testing.T, w fyne.Window, e *widget.Entry, s string) {
	t.Helper()
	typeIn(t, w, e, "")
	onUI(func() {
		e.TypedShortcut(&fyne.ShortcutSelectAll{})
		if s == "" {
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
		} else {
			test.Type(e, s)
		}
	})
}

// key presses a key in the focused control, or on the window if none has
// the focus.
func key(t *testing.T, w fyne.Window, name fyne.KeyName) {
	t.Helper()
	onUI(func() {
		ev := &fyne.KeyEvent{Name: name}
		if f := w.Canvas().Focused(); f != nil {
			f.TypedKey(ev)
			return
		}
		if h := w.Canvas().OnTypedKey(); h != nil {
			h(ev)
		}
	})
}

// shortcut presses a shortcut (Ctrl+S, Ctrl+L…) as the desktop driver
// delivers it: to the menu item that has it, else to the focused control,
// else to the window.
func shortcut(t *testing.T, w fyne.Window, s fyne.Shortcut) {
	t.Helper()
	onUI(func() {
		if menu := w.MainMenu(); menu != nil {
			for _, m := range menu.Items {
				for _, it := range m.Items {
					if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
						it.Action()
						return
					}
				}
			}
		}
		if f, ok := w.Canvas().Focused().(fyne.Shortcutable); ok && f != nil {
			f.TypedShortcut(s)
			return
		}
		w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
	})
}

// choose opens a picker with a click and clicks the option in its list.
func choose(t *testing.T, w fyne.Window, picker fyne.Tappable, option string) {
	t.Helper()
	tap(t, w, picker)
	if _, ok := find(w, func(m *widget.PopUpMenu) bool { return true }); !ok {
		t.Fatalf("the picker opened no list")
	}
	clickText(t, w, option)
	if _, ok := find(w, func(m *widget.PopUpMenu) bool { return true }); ok {
		t.Fatalf("the list stays open after choosing %q", option)
	}
}

// The census of controls seen and touched.
var census = &controls{seen: map[string]string{}, touched: map[string]bool{}, keys: map[fyne.CanvasObject]string{}}

type controls struct {
	mu      sync.Mutex
	seen    map[string]string // key -> the test that first saw it
	touched map[string]bool
	keys    map[fyne.CanvasObject]string // the last look's keys
	test    string                       // the running test
}

var (
	digits      = regexp.MustCompile(`[0-9]+`)
	fingerprint = regexp.MustCompile(`[A-Z0-9]{4}(-[A-Z0-9]{4}){3}`)
)

// defaultPlaceHolders are what a picker shows when the code sets none.
var defaultPlaceHolders = map[string]bool{"": true, "(Choose one)": true, "(Select one)": true}

// keyOf names an interactive control by its kind and words; ok is false
// for what is not interactive.
func (c *controls) keyOf(o fyne.CanvasObject) (string, bool) {
	if k, ok := c.keys[o]; ok {
		return k, true
	}
	return "", false
}

func describe(o fyne.CanvasObject, lastLabel string) (string, bool) {
	switch x := o.(type) {
	case *widget.Button:
		if x.Text == "" && x.Icon != nil {
			return "button [" + x.Icon.Name() + "]", true
		}
		return "button " + x.Text, true
	case *widget.Entry:
		if x.PlaceHolder != "" {
			return "field " + x.PlaceHolder, true
		}
		return "field under " + lastLabel, true
	case *vocabSelect:
		return describe(x.Select, lastLabel)
	case *widget.Select:
		if !defaultPlaceHolders[x.PlaceHolder] {
			return "picker " + x.PlaceHolder, true // its options change (the victim: the case's people)
		}
		return "picker " + strings.Join(x.Options[:min(2, len(x.Options))], "|"), true
	case *widget.Check:
		return "check " + x.Text, true
	case *widget.CheckGroup:
		return "checks " + strings.Join(x.Options, "|"), true
	case *widget.RadioGroup:
		return "choice " + strings.Join(x.Options, "|"), true
	case *widget.List:
		return "list", true
	case *widget.Hyperlink:
		return "link " + x.Text, true
	}
	return "", false
}

// look counts the interactive controls on screen as seen. Controls inside
// another (a picker's parts, a group's boxes) are the outer one's.
func (c *controls) look(w fyne.Window) {
	if a := current.Load(); a == nil || a.lang != "en" {
		return // keys are English words
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys = map[fyne.CanvasObject]string{}
	roots := append(w.Canvas().Overlays().List(), w.Content())
	for _, r := range roots {
		lastLabel := ""
		var walk func(x fyne.CanvasObject)
		walk = func(x fyne.CanvasObject) {
			if x == nil || !x.Visible() {
				return
			}
			if l, ok := x.(*widget.Label); ok && l.Text != "" {
				lastLabel = l.Text
			}
			if k, ok := describe(x, lastLabel); ok {
				k = fingerprint.ReplaceAllString(k, "FINGERPRINT")
				k = digits.ReplaceAllString(k, "#")
				k = strings.ReplaceAll(k, "\n", " ")
				c.keys[x] = k
				if _, seen := c.seen[k]; !seen {
					c.seen[k] = c.test
				}
				return
			}
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
		walk(r)
	}
}

func (c *controls) touch(o fyne.CanvasObject) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[o]; ok {
		c.touched[k] = true
	}
}

// exempt are the controls no test needs to touch, with the reason.
var exempt = map[string]string{}

// untouched lists the controls seen and never touched, and not exempt.
func (c *controls) untouched() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, by := range c.seen {
		if !c.touched[k] && exempt[k] == "" {
			out = append(out, fmt.Sprintf("%s (seen in %s)", k, by))
		}
	}
	sort.Strings(out)
	return out
}

// censusEnforced turns the census from a report into a failure; it is on
// once every test acts as a person.
const censusEnforced = false

func TestMain(m *testing.M) {
	code := m.Run()
	// Only a run of the whole package sees every screen.
	if code == 0 && !testing.Short() && flagValue("test.run") == "" && flagValue("test.skip") == "" {
		if left := census.untouched(); len(left) > 0 {
			verdict := "--- FAIL"
			if !censusEnforced {
				verdict = "--- REPORT"
			}
			fmt.Fprintf(os.Stderr, "%s: the controls census: %d controls on screen were never used by a test as a person would (use them, or exempt them with the reason in person_test.go):\n", verdict, len(left))
			for _, l := range left {
				fmt.Fprintln(os.Stderr, "    "+l)
			}
			if censusEnforced {
				code = 1
			}
		}
	}
	os.Exit(code)
}

func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// begin names the running test in the census.
func begin(t testing.TB) {
	census.mu.Lock()
	census.test = t.Name()
	census.mu.Unlock()
}
