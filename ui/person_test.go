package ui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
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
		for _, k := range children(x) {
			walk(k)
		}
	}
	walk(root)
	return out
}

// children are what o draws, as the window draws it: a container's
// objects, a widget's rendered objects (its own renderer, not a fresh one
// as test.LaidOutObjects makes).
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch x := o.(type) {
	case *fyne.Container:
		return x.Objects
	case fyne.Widget:
		return test.WidgetRenderer(x).Objects()
	}
	return nil
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

// drawnAs reports whether drawn shows text: the same words, or their
// start cut with an ellipsis where they do not fit (a list's titles).
func drawnAs(drawn, text string) bool {
	if drawn == text {
		return true
	}
	cut, ok := strings.CutSuffix(drawn, "…")
	return ok && cut != "" && strings.HasPrefix(text, cut)
}

// textAt finds the words as drawn on the window where a click would
// reach them (the top pop-up or dialog, else the window's content).
func textAt(w fyne.Window, text string) (*canvas.Text, bool) {
	var found *canvas.Text
	onUI(func() {
		for _, o := range shown(clickable(w)) {
			if t, ok := o.(*canvas.Text); ok && drawnAs(t.Text, text) {
				found = t
				return
			}
		}
	})
	return found, found != nil
}

// centre is the middle of where o is drawn on the window; for words, the
// middle of the words themselves, which may be narrower than their box (a
// check's label stretched across a form, whose box the check does not
// take clicks in).
func centre(o fyne.CanvasObject) fyne.Position {
	at, size := absRect(o)
	if t, ok := o.(*canvas.Text); ok {
		drawn := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle).Width
		switch {
		case drawn >= size.Width:
		case t.Alignment == fyne.TextAlignCenter:
			at.X += (size.Width - drawn) / 2
			size.Width = drawn
		case t.Alignment == fyne.TextAlignTrailing:
			at.X += size.Width - drawn
			size.Width = drawn
		default:
			size.Width = drawn
		}
	}
	return at.Add(fyne.NewPos(size.Width/2, size.Height/2))
}

// path returns the objects from root down to o, both included, as the
// window draws them; nil if o is not under root.
func path(root, o fyne.CanvasObject) []fyne.CanvasObject {
	if root == nil || !root.Visible() {
		return nil
	}
	if root == o {
		return []fyne.CanvasObject{root}
	}
	for _, k := range children(root) {
		if p := path(k, o); p != nil {
			return append([]fyne.CanvasObject{root}, p...)
		}
	}
	return nil
}

// relayout lays out everything under o again, top down, as the desktop
// driver does before it draws a frame for objects whose size changed. Fyne's
// test canvas does not: a scrolling pane whose content grew (a form opened
// in the case pane) would keep the old size and could not be scrolled.
func relayout(o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		if x.Layout != nil {
			x.Layout.Layout(x.Objects, x.Size())
		}
		for _, k := range x.Objects {
			relayout(k)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		r.Layout(x.Size())
		for _, k := range r.Objects() {
			relayout(k)
		}
	}
}

// reveal scrolls o into view with the mouse wheel, as a person scrolls to
// what they want to click: every scrolling pane that holds it, outermost
// first. A click reaches only what is in view.
func reveal(w fyne.Window, o fyne.CanvasObject) {
	onUI(func() {
		relayout(clickable(w))
		for _, x := range path(clickable(w), o) {
			s, ok := x.(*container.Scroll)
			if !ok || s == o {
				continue
			}
			sAt, sSize := absRect(s)
			oAt, oSize := absRect(o)
			var dy, dx float32
			switch {
			case oAt.Y < sAt.Y:
				dy = sAt.Y - oAt.Y
			case oAt.Y+oSize.Height > sAt.Y+sSize.Height:
				dy = -min(oAt.Y+oSize.Height-(sAt.Y+sSize.Height), oAt.Y-sAt.Y)
			}
			switch {
			case oAt.X < sAt.X:
				dx = sAt.X - oAt.X
			case oAt.X+oSize.Width > sAt.X+sSize.Width:
				dx = -min(oAt.X+oSize.Width-(sAt.X+sSize.Width), oAt.X-sAt.X)
			}
			if dy != 0 {
				s.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, dy)})
			}
			if dx != 0 {
				s.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(dx, 0)})
			}
		}
	})
}

// clickAt clicks the window at pos, as the mouse does, and counts the
// control under it as touched.
func clickAt(w fyne.Window, pos fyne.Position) {
	onUI(func() {
		touchAt(w, pos)
		test.TapCanvas(w.Canvas(), pos)
	})
}

// touchAt counts the innermost interactive control under the pointer at
// pos as touched.
func touchAt(w fyne.Window, pos fyne.Position) {
	onUI(func() {
		census.look(w)
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
	})
}

// clickText clicks on the words shown, as a person does with the mouse,
// scrolling them into view first.
func clickText(t testing.TB, w fyne.Window, text string) {
	t.Helper()
	o, ok := textAt(w, text)
	if !ok {
		t.Fatalf("%q is not on the screen", text)
	}
	reveal(w, o)
	var pos fyne.Position
	onUI(func() { pos = centre(o) })
	clickAt(w, pos)
}

// tap clicks a control found on the screen. It must be shown where a click
// reaches it: a control hidden or under a dialog cannot be clicked; one
// scrolled out of view is scrolled into it first.
func tap(t testing.TB, w fyne.Window, o fyne.Tappable) {
	t.Helper()
	reachable := false
	onUI(func() {
		for _, x := range shown(clickable(w)) {
			if x == o.(fyne.CanvasObject) {
				reachable = true
			}
		}
	})
	if !reachable {
		t.Fatalf("%T is not where a click reaches it", o)
	}
	reveal(w, o.(fyne.CanvasObject))
	onUI(func() {
		census.look(w)
		census.touch(o.(fyne.CanvasObject))
		test.Tap(o)
	})
}

// press clicks the button with that text, where a click reaches it (in the
// top dialog if one is open).
func press(t testing.TB, w fyne.Window, text string) {
	t.Helper()
	var b *widget.Button
	onUI(func() {
		for _, o := range shown(clickable(w)) {
			if x, ok := o.(*widget.Button); ok && x.Text == text {
				b = x
				return
			}
		}
	})
	if b == nil {
		t.Fatalf("no button %q where a click reaches", text)
	}
	tap(t, w, b)
}

// menu opens a menu of the window's menu bar and clicks one of its items,
// as the desktop's menu bar does: the menu drops down as a pop-up.
func menu(t testing.TB, w fyne.Window, name, item string) {
	t.Helper()
	var m *fyne.Menu
	onUI(func() {
		if mm := w.MainMenu(); mm != nil {
			for _, x := range mm.Items {
				if x.Label == name {
					m = x
				}
			}
		}
	})
	if m == nil {
		t.Fatalf("no menu %q", name)
	}
	onUI(func() { widget.ShowPopUpMenuAtPosition(m, w.Canvas(), fyne.NewPos(0, 0)) })
	clickText(t, w, item)
}

// typeIn clicks into a field and types after what it holds.
func typeIn(t testing.TB, w fyne.Window, e fyne.Focusable, s string) {
	t.Helper()
	if tp, ok := e.(fyne.Tappable); ok {
		tap(t, w, tp)
	}
	onUI(func() {
		w.Canvas().Focus(e)
		if en, ok := e.(*widget.Entry); ok {
			// A click leaves the cursor where it landed: End, as a
			// person would, to type after what the field holds.
			en.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
		}
		test.Type(e, s)
	})
}

// pressIcon clicks the button that shows only that icon.
func pressIcon(t testing.TB, w fyne.Window, icon fyne.Resource) {
	t.Helper()
	b, ok := find(w, func(b *widget.Button) bool { return b.Text == "" && b.Icon != nil && b.Icon.Name() == icon.Name() })
	if !ok {
		t.Fatalf("no button with the icon %s", icon.Name())
	}
	tap(t, w, b)
}

// retype clicks into a field, selects all it holds and types s over it, as
// a person replaces a value (Ctrl+A, then typing; Delete for nothing).
func retype(t testing.TB, w fyne.Window, e *widget.Entry, s string) {
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

// paste puts text on the clipboard, as if copied from elsewhere (a
// message, the screen), then clicks into the field, selects all it holds
// and pastes over it (Ctrl+A, Ctrl+V).
func paste(t testing.TB, w fyne.Window, e *widget.Entry, text string) {
	t.Helper()
	typeIn(t, w, e, "")
	onUI(func() {
		cb := fyne.CurrentApp().Clipboard()
		cb.SetContent(text)
		e.TypedShortcut(&fyne.ShortcutSelectAll{})
		e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
	})
}

// key presses a key in the focused control, or on the window if none has
// the focus.
func key(t testing.TB, w fyne.Window, name fyne.KeyName) {
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
func shortcut(t testing.TB, w fyne.Window, s fyne.Shortcut) {
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
func choose(t testing.TB, w fyne.Window, picker fyne.Tappable, option string) {
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

// The app's file chooser (files.go), used as a person who knows where the
// file is: the path typed where the chooser asks for a folder or a file,
// then Enter; to save, the folder typed there, the file's name typed in
// its name field, then Save. (files_test.go clicks through its listing.)

// said is what the app under test says for a key, in its language.
func said(key string) string { return current.Load().T(key) }

// chooserFields waits for the file chooser the app opened and returns its
// path field and, when it saves, its name field.
func chooserFields(t *testing.T, w fyne.Window) (path, name *widget.Entry) {
	t.Helper()
	eventually(t, "the file chooser", func() bool {
		path, name = nil, nil
		for _, o := range shown(clickable(w)) {
			if e, ok := o.(*widget.Entry); ok {
				if e.PlaceHolder == said("ui.files.path") {
					path = e
				} else {
					name = e
				}
			}
		}
		return path != nil
	})
	return path, name
}

// typePath types path where the open chooser asks for one, without Enter.
func typePath(t *testing.T, w fyne.Window, path string) {
	t.Helper()
	field, _ := chooserFields(t, w)
	retype(t, w, field, path)
}

// openFile chooses the file at path in the chooser the app opened.
func openFile(t *testing.T, w fyne.Window, path string) {
	t.Helper()
	typePath(t, w, path)
	key(t, w, fyne.KeyReturn)
	chooserClosed(t, w)
}

// nameFile opens the folder of path in the chooser the app opened to
// save, and types the file's name, without pressing Save.
func nameFile(t *testing.T, w fyne.Window, path string) {
	t.Helper()
	typePath(t, w, filepath.Dir(path))
	key(t, w, fyne.KeyReturn)
	_, name := chooserFields(t, w)
	if name == nil {
		t.Fatal("the chooser has no name field: it does not save")
	}
	eventually(t, "the folder opened", func() bool {
		f, _ := chooserFields(t, w)
		return f.Text == filepath.Dir(path)
	})
	retype(t, w, name, filepath.Base(path))
}

// saveFile saves to path in the chooser the app opened.
func saveFile(t *testing.T, w fyne.Window, path string) {
	t.Helper()
	nameFile(t, w, path)
	press(t, w, said("ui.files.save"))
	chooserClosed(t, w)
}

func chooserClosed(t *testing.T, w fyne.Window) {
	t.Helper()
	onUI(func() {
		for _, o := range shown(clickable(w)) {
			if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == said("ui.files.path") {
				t.Fatal("the file chooser stays open")
			}
		}
	})
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

// defaultPlaceHolders are what a picker shows when the code sets none, or
// the app's own for "no value" (the same on many pickers): such a picker
// is named by its first options instead.
var defaultPlaceHolders = map[string]bool{"": true, "(Choose one)": true, "(Select one)": true, "—": true}

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
		if x.Icon != nil && x.Icon.Name() == theme.StorageIcon().Name() {
			return "button [a drive]", true // the file chooser's places: the drives mounted here
		}
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
	case *fileList:
		return "file list", true
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
			// A form's labels are bold words alone in their box.
			if b, ok := x.(*fyne.Container); ok && len(b.Objects) == 1 {
				if t, ok := b.Objects[0].(*canvas.Text); ok && t.TextStyle.Bold && t.Text != "" {
					lastLabel = t.Text
				}
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
			for _, k := range children(x) {
				walk(k)
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
var exempt = map[string]string{
	"button [a drive]": "the file chooser's places for the drives mounted where the tests run: there may be none, and a test cannot mount one; the places work alike and are used through Home and Documents (files_test.go)",
}

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

// censusEnforced turns the census from a report into a failure: every
// test acts as a person, and a control no test uses fails the package.
const censusEnforced = true

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
