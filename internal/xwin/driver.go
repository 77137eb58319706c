package xwin

import (
	"fmt"
	"image"
	"os"
	"strings"
	"testing"
	"time"
)

// Driver acts on one app as a person would, step by step. Every action
// first checks that the app is still running and that its standard error
// holds no new error; a failure names the step, saves a screenshot and
// quotes the app's standard error.
type Driver struct {
	T     *testing.T
	D     *Display
	A     *App
	step  string
	start time.Time
	last  *Screen
	// Scale multiplies every timeout, for slow machines.
	Scale float64
	// Forbidden are phrases that must never be on screen (the app's own
	// "something went wrong"): reading one fails the step.
	Forbidden []string
}

// trace (DOSSIER_XWIN_TRACE=1) saves every screen read into the artifact
// folder, to follow a run afterwards.
var trace = os.Getenv("DOSSIER_XWIN_TRACE") != ""

// Changed is how many pixels must differ for the screen to count as
// repainted: more than a blinking text cursor.
const Changed = 150

// Step names what comes next, for the messages.
func (x *Driver) Step(format string, args ...any) {
	if x.start.IsZero() {
		x.start = time.Now()
	}
	x.step = fmt.Sprintf(format, args...)
	x.T.Logf("%5.1fs step: %s", time.Since(x.start).Seconds(), x.step)
}

// Current is the step's name.
func (x *Driver) Current() string { return x.step }

// area is the app's window, or the whole screen.
func (x *Driver) area() image.Rectangle {
	if x.A != nil {
		return x.A.Rect
	}
	return image.Rectangle{}
}

// Patience is the least any wait here that fails a step lasts: a step
// fails for a hang or a bug, never because a loaded machine (a 2-core
// laptop building something else) was slow. The durations the tests pass
// say how long a step ought to take; scaled by Scale, they only ever make
// the wait longer. It stays below the app's auto-lock (five minutes by
// default): a wait that scrolls or reads without a key or a click would
// otherwise see the vault lock under it and fail for that, hiding why.
const Patience = 3 * time.Minute

func (x *Driver) timeout(d time.Duration) time.Duration {
	return max(x.scaled(d), Patience)
}

// scaled is d multiplied by Scale: the bound of a wait that does not fail
// (TryText, Settle), whose caller decides what a timeout means.
func (x *Driver) scaled(d time.Duration) time.Duration {
	if x.Scale > 0 {
		return time.Duration(float64(d) * x.Scale)
	}
	return d
}

// Failf stops the current (sub)test: the step, what went wrong, a
// screenshot and the end of the app's standard error.
func (x *Driver) Failf(format string, args ...any) {
	x.T.Helper()
	msg := fmt.Sprintf(format, args...)
	where := x.Snapshot("FAILED " + x.step)
	tail := ""
	if x.A != nil {
		if c := x.A.Crash(); c != "" {
			tail = "\n--- the app crashed; its standard error from the panic on:\n" + clip(c, 80)
		} else {
			tail = "\n" + x.A.StderrTail(25)
		}
	}
	x.T.Fatalf("step %q: %s\nscreenshot: %s%s", x.step, msg, where, tail)
}

func clip(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = append(l[:lines], fmt.Sprintf("… (%d more lines)", len(l)-lines))
	}
	return strings.Join(l, "\n")
}

// Snapshot saves what is on screen now into the artifact folder and
// returns its path.
func (x *Driver) Snapshot(name string) string {
	img, err := x.D.Shot(x.area())
	if err != nil {
		if x.last != nil {
			return x.D.Save(x.last.Img, name) + " (the last one taken; a new one failed: " + err.Error() + ")"
		}
		return "(none: " + err.Error() + ")"
	}
	return x.D.Save(img, name)
}

// Check fails the step if the app is gone, and reports (without stopping)
// any new error on its standard error.
func (x *Driver) Check() {
	x.T.Helper()
	if x.A == nil {
		return
	}
	if bad := x.A.NewErrors(); len(bad) > 0 {
		x.T.Errorf("step %q: the app wrote errors on its standard error (%s):\n%s", x.step, x.A.Stderr, strings.Join(bad, "\n"))
	}
	if x.A.Exited() && !x.A.Expected {
		x.Failf("the app exited unexpectedly (%v): a crash", x.A.ExitErr())
	}
}

// Keys presses keys in order.
func (x *Driver) Keys(keys ...string) {
	x.T.Helper()
	x.Check()
	if err := x.D.Key(keys...); err != nil {
		x.Failf("pressing %v: %v", keys, err)
	}
}

// Tabs presses Tab n times (Shift+Tab when n < 0).
func (x *Driver) Tabs(n int) {
	x.T.Helper()
	key := "Tab"
	if n < 0 {
		key, n = "shift+Tab", -n
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = key
	}
	if n > 0 {
		x.Keys(keys...)
	}
}

// Type types text.
func (x *Driver) Type(text string) {
	x.T.Helper()
	x.Check()
	if err := x.D.Type(text); err != nil {
		x.Failf("typing: %v", err)
	}
}

// Shot takes a screenshot (for a later WaitChange).
func (x *Driver) Shot() *image.RGBA {
	x.T.Helper()
	x.Check()
	img, err := x.D.Shot(x.area())
	if err != nil {
		x.Failf("screenshot: %v", err)
	}
	return img
}

// WaitChange waits until the screen differs from before: after an action
// that must repaint, no change within the bound is a hang.
func (x *Driver) WaitChange(before *image.RGBA, timeout time.Duration, what string) *image.RGBA {
	x.T.Helper()
	deadline := time.Now().Add(x.timeout(timeout))
	for {
		x.Check()
		img, err := x.D.Shot(x.area())
		if err != nil {
			x.Failf("screenshot: %v", err)
		}
		if Diff(before, img) > Changed {
			return img
		}
		if time.Now().After(deadline) {
			x.Failf("HANG: the window did not change within %s after %s", x.timeout(timeout), what)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// Settle waits until two screenshots a moment apart are (nearly) the
// same: animations and redraws are over. Bounded by max (scaled, without
// Patience: it never fails, it only waits for calm).
func (x *Driver) Settle(max time.Duration) *image.RGBA {
	x.T.Helper()
	deadline := time.Now().Add(x.scaled(max))
	prev := x.Shot()
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		img := x.Shot()
		if Diff(prev, img) <= Changed {
			return img
		}
		prev = img
	}
	return prev
}

// Read reads the screen (the app's window) now.
func (x *Driver) Read() *Screen { x.T.Helper(); return x.ReadIn(image.Rectangle{}) }

// ReadIn reads a part of the window (relative to it; empty: all of it).
func (x *Driver) ReadIn(part image.Rectangle) *Screen {
	x.T.Helper()
	x.Check()
	area := x.area()
	if !part.Empty() && !area.Empty() {
		area = part.Add(area.Min).Intersect(area)
	}
	start := time.Now()
	s, err := x.D.Read(area)
	if d := time.Since(start); d > 5*time.Second {
		x.T.Logf("reading the screen took %s (a loaded machine?)", d.Round(100*time.Millisecond))
	}
	if err != nil {
		x.Failf("reading the screen: %v", err)
	}
	x.last = s
	if trace {
		x.D.Save(s.Img, "read "+x.step)
	}
	for _, f := range x.Forbidden {
		if s.Has(f) {
			x.Failf("the app shows %q; the screen reads:\n%s", f, indent(s.Text()))
		}
	}
	return s
}

// WaitText waits until the screen shows every phrase.
func (x *Driver) WaitText(timeout time.Duration, phrases ...string) *Screen {
	x.T.Helper()
	deadline := time.Now().Add(x.timeout(timeout))
	for {
		s := x.Read()
		var missing []string
		for _, p := range phrases {
			if !s.Has(p) {
				missing = append(missing, p)
			}
		}
		if len(missing) == 0 {
			return s
		}
		if time.Now().After(deadline) {
			x.Failf("waited %s for %q on screen; it shows:\n%s", x.timeout(timeout), missing, indent(s.Text()))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// WaitAny waits until the screen shows one of the phrases and returns its
// index.
func (x *Driver) WaitAny(timeout time.Duration, phrases ...string) (int, *Screen) {
	x.T.Helper()
	deadline := time.Now().Add(x.timeout(timeout))
	for {
		s := x.Read()
		for i, p := range phrases {
			if s.Has(p) {
				return i, s
			}
		}
		if time.Now().After(deadline) {
			x.Failf("waited %s for one of %q on screen; it shows:\n%s", x.timeout(timeout), phrases, indent(s.Text()))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TryText waits up to timeout (scaled, without Patience) for the phrase
// and reports whether it came; it does not fail. A caller that reports an
// error when it did not come passes a timeout no loaded machine reaches.
func (x *Driver) TryText(timeout time.Duration, phrase string) (bool, *Screen) {
	x.T.Helper()
	return x.TryTextIn(image.Rectangle{}, timeout, phrase)
}

// TryTextIn is TryText in a part of the window (relative to it).
func (x *Driver) TryTextIn(part image.Rectangle, timeout time.Duration, phrase string) (bool, *Screen) {
	x.T.Helper()
	deadline := time.Now().Add(x.scaled(timeout))
	for {
		s := x.ReadIn(part)
		if s.Has(phrase) {
			return true, s
		}
		if time.Now().After(deadline) {
			return false, s
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// WaitGone waits until the screen no longer shows the phrase.
func (x *Driver) WaitGone(timeout time.Duration, phrase string) *Screen {
	x.T.Helper()
	deadline := time.Now().Add(x.timeout(timeout))
	for {
		s := x.Read()
		if !s.Has(phrase) {
			return s
		}
		if time.Now().After(deadline) {
			x.Failf("waited %s for %q to go from the screen", x.timeout(timeout), phrase)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// Center is the middle of a box.
func Center(r image.Rectangle) image.Point {
	return image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2)
}

// Target says where to click: the nth place (0: the first from the top)
// showing Text, as part of a line, or as a whole line when Line is set.
// While it is not on screen, the mouse wheel turns Wheel notches (down
// when positive) over At between reads.
type Target struct {
	Text  string
	Nth   int
	Line  bool
	At    image.Point
	Wheel int
	// In limits the reading to a part of the window (relative to it),
	// which is quicker; empty: all of it.
	In image.Rectangle
}

func (g Target) find(s *Screen) []image.Rectangle {
	if g.Line {
		return s.Lines(g.Text)
	}
	return s.FindAll(g.Text)
}

// Seek waits up to timeout for the target to be on screen, turning the
// mouse wheel as the target says, and returns its box.
//
// A loaded machine draws late: a screen read right after a turn of the
// wheel can show the page before the turn lands, and a click aimed at it
// then hits whatever moved there. So after any turn, the target counts
// as found only when two reads in a row show it at the same place. And a
// turn that changes nothing has reached the end of the page: the wheel
// then turns back the other way, so a target that appeared behind (a row
// added above the view) is found too.
func (x *Driver) Seek(g Target, timeout time.Duration) image.Rectangle {
	x.T.Helper()
	deadline := time.Now().Add(x.timeout(timeout))
	wheel := g.Wheel
	turned := false
	var seen *image.Rectangle // where the last read showed it, after a turn
	prev := ""
	for {
		s := x.ReadIn(g.In)
		if all := g.find(s); len(all) > g.Nth {
			box := all[g.Nth]
			if !turned || (seen != nil && *seen == box) {
				return box
			}
			seen = &box
			time.Sleep(300 * time.Millisecond)
			continue
		}
		seen = nil
		if time.Now().After(deadline) {
			x.Failf("waited %s for %q (number %d) on screen; the screen shows:\n%s", x.timeout(timeout), g.Text, g.Nth+1, indent(s.Text()))
		}
		if wheel != 0 {
			if text := s.Text(); turned && text == prev {
				wheel = -wheel // the end of the page: look the other way
			} else {
				prev = text
			}
			if err := x.D.Scroll(g.At, wheel); err != nil {
				x.Failf("scrolling: %v", err)
			}
			turned = true
			time.Sleep(300 * time.Millisecond)
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// ClickOn clicks n times (2: a double click) on the target, waiting for it
// up to timeout.
func (x *Driver) ClickOn(g Target, n int, timeout time.Duration) {
	x.T.Helper()
	box := x.Seek(g, timeout)
	if err := x.D.Click(Center(box), n); err != nil {
		x.Failf("clicking %q: %v", g.Text, err)
	}
}

// ClickText clicks once on the first place showing the phrase.
func (x *Driver) ClickText(phrase string, timeout time.Duration) {
	x.T.Helper()
	x.ClickOn(Target{Text: phrase}, 1, timeout)
}

// Click clicks a point.
func (x *Driver) Click(p image.Point, n int) {
	x.T.Helper()
	x.Check()
	if err := x.D.Click(p, n); err != nil {
		x.Failf("clicking at %v: %v", p, err)
	}
}

// Scroll turns the mouse wheel over p (down when n > 0).
func (x *Driver) Scroll(p image.Point, n int) {
	x.T.Helper()
	x.Check()
	if err := x.D.Scroll(p, n); err != nil {
		x.Failf("scrolling: %v", err)
	}
}

// Pick chooses in the focused picker (a Select) as a person does with the
// keyboard: Space opens its menu, then Choose.
func (x *Driver) Pick(moves int, what string) {
	x.T.Helper()
	before := x.Shot()
	x.Keys("space")
	x.WaitChange(before, 20*time.Second, "Space on the "+what+" picker (its menu should open)")
	x.Choose(moves, what)
}

// Choose picks in an open picker menu: Down (or Up when moves < 0) that
// many times, then Enter, which must close the menu (repaint).
func (x *Driver) Choose(moves int, what string) {
	x.T.Helper()
	key := "Down"
	if moves < 0 {
		key, moves = "Up", -moves
	}
	keys := make([]string, moves)
	for i := range keys {
		keys[i] = key
	}
	x.Keys(keys...)
	open := x.Shot()
	x.Keys("Return")
	x.WaitChange(open, 20*time.Second, "Enter in the "+what+" menu (it should close; a hang, or the key did nothing)")
}
