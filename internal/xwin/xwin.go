// Package xwin drives a program's real window the way a person does: an
// Xvfb display of its own, keys and clicks through xdotool, screenshots
// through ImageMagick's import, and the words on screen read by tesseract.
// It serves cmd/dossier's window tests.
//
// Every wait is bounded, every failure names its step and leaves a
// screenshot in the artifact folder, and the program's standard error is
// watched for crashes, Go panics and error-level log lines.
package xwin

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"
)

// Tools are the programs the package runs; all come from `make deps`.
var Tools = []struct{ Name, Package string }{
	{"Xvfb", "xvfb"},
	{"xdotool", "xdotool"},
	{"import", "imagemagick"},
	{"tesseract", "tesseract-ocr"},
}

// CheckTools fails the test, saying what to install, when a tool is
// missing. It never skips: a test that cannot see the window must not pass.
func CheckTools(t testing.TB) {
	t.Helper()
	var missing []string
	for _, tool := range Tools {
		if _, err := exec.LookPath(tool.Name); err != nil {
			missing = append(missing, fmt.Sprintf("%s (Debian package %s)", tool.Name, tool.Package))
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the real-window tests need %s: run `make deps`", strings.Join(missing, ", "))
	}
}

// Display is an Xvfb server of its own, on a display number Xvfb chose
// free (-displayfd), killed when the test ends.
type Display struct {
	Name      string // ":N"
	Artifacts string // where screenshots and logs go
	cmd       *exec.Cmd
	shots     int
	mu        sync.Mutex
}

// Size of the virtual screen; the app's window is 1000x540.
const screenW, screenH = 1280, 800

// StartDisplay starts Xvfb and waits (bounded) until it accepts clients.
func StartDisplay(t testing.TB, artifacts string) *Display {
	t.Helper()
	CheckTools(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", screenW, screenH),
		"-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logf, err := os.Create(filepath.Join(artifacts, "xvfb.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting Xvfb: %v (run `make deps`)", err)
	}
	w.Close()
	d := &Display{Artifacts: artifacts, cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
		r.Close()
	}()
	select {
	case n := <-got:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb did not start (it said %q; its log is %s)", n, logf.Name())
		}
		d.Name = ":" + n
	case <-time.After(Patience):
		t.Fatalf("Xvfb gave no display number within %s (log: %s)", Patience, logf.Name())
	}
	return d
}

// Env is the environment of programs run on this display.
func (d *Display) Env() []string {
	return []string{"DISPLAY=" + d.Name, "PATH=" + os.Getenv("PATH")}
}

// run runs a helper program (xdotool, import) on the display, bounded by
// timeout, and at least by Patience: only a hung helper times out.
func (d *Display) run(timeout time.Duration, name string, args ...string) ([]byte, error) {
	timeout = max(timeout, Patience)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(d.Env(), "OMP_THREAD_LIMIT=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s %s: timed out after %s", name, strings.Join(args, " "), timeout)
	}
	if err != nil {
		return out, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Shot takes a screenshot of part of the screen (all of it when area is
// empty).
func (d *Display) Shot(area image.Rectangle) (*image.RGBA, error) {
	args := []string{"-window", "root"}
	if !area.Empty() {
		args = append(args, "-crop", fmt.Sprintf("%dx%d+%d+%d", area.Dx(), area.Dy(), area.Min.X, area.Min.Y), "+repage")
	}
	out, err := d.run(30*time.Second, "import", append(args, "png:-")...)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("reading the screenshot: %v", err)
	}
	// Screen coordinates, so that boxes found in it can be clicked.
	rgba := image.NewRGBA(img.Bounds().Sub(img.Bounds().Min).Add(area.Min))
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba, nil
}

// Save writes img into the artifact folder as NN-name.png and returns the
// path.
func (d *Display) Save(img image.Image, name string) string {
	d.mu.Lock()
	d.shots++
	n := d.shots
	d.mu.Unlock()
	p := filepath.Join(d.Artifacts, fmt.Sprintf("%03d-%s.png", n, safeName(name)))
	f, err := os.Create(p)
	if err != nil {
		return "(screenshot not saved: " + err.Error() + ")"
	}
	defer f.Close()
	png.Encode(f, img)
	return p
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string {
	s = strings.Trim(unsafeChars.ReplaceAllString(s, "-"), "-")
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// Diff counts the pixels that differ between two screenshots of the same
// size (all of them when the sizes differ).
func Diff(a, b *image.RGBA) int {
	if a == nil || b == nil || a.Bounds() != b.Bounds() {
		return 1 << 30
	}
	n := 0
	for i := 0; i+3 < len(a.Pix); i += 4 {
		if a.Pix[i] != b.Pix[i] || a.Pix[i+1] != b.Pix[i+1] || a.Pix[i+2] != b.Pix[i+2] {
			n++
		}
	}
	return n
}

// Word is a word tesseract read, with its box on the screen.
type Word struct {
	Text string
	Box  image.Rectangle
	Line int // words of one line share it
}

// Screen is what was on screen at one moment: the picture and its words.
type Screen struct {
	Img   *image.RGBA
	Words []Word
}

// Text is the screen's words, a line per line.
func (s *Screen) Text() string {
	var b strings.Builder
	line := -1
	for _, w := range s.Words {
		if w.Line != line {
			if line != -1 {
				b.WriteByte('\n')
			}
			line = w.Line
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w.Text)
	}
	return b.String()
}

// norm folds what OCR confuses: case, spaces and punctuation, O and 0,
// l, I and 1.
func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'o':
			b.WriteRune('0')
		case r == 'l' || r == 'i' || r == '|' || r == '!':
			b.WriteRune('1')
		case unicode.IsLetter(r), unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Has reports whether the screen shows the phrase (compared loosely).
func (s *Screen) Has(phrase string) bool {
	_, ok := s.Find(phrase)
	return ok
}

// Find returns the box of the first place, top to bottom, where the screen
// shows the phrase within one line.
func (s *Screen) Find(phrase string) (image.Rectangle, bool) {
	all := s.FindAll(phrase)
	if len(all) == 0 {
		return image.Rectangle{}, false
	}
	return all[0], true
}

// FindAll returns the boxes of every line that shows the phrase, top to
// bottom.
func (s *Screen) FindAll(phrase string) []image.Rectangle {
	want := norm(phrase)
	if want == "" {
		return nil
	}
	var out []image.Rectangle
	for i := 0; i < len(s.Words); {
		j := i
		for j < len(s.Words) && s.Words[j].Line == s.Words[i].Line {
			j++
		}
		// The line's text, folded, with the word each character is from.
		var text strings.Builder
		var owner []int
		for k := i; k < j; k++ {
			n := norm(s.Words[k].Text)
			text.WriteString(n)
			for range len(n) {
				owner = append(owner, k)
			}
		}
		if at := strings.Index(text.String(), want); at >= 0 {
			box := s.Words[owner[at]].Box
			for c := at; c < at+len(want); c++ {
				box = box.Union(s.Words[owner[c]].Box)
			}
			out = append(out, box)
		}
		i = j
	}
	return out
}

// gap is the space, in pixels, that separates two controls on one row
// (a label and a field, two buttons); words of one text stand closer.
const gap = 12

// Lines returns the boxes where the phrase stands alone, top to bottom:
// its words (compared loosely), with nothing else within a few pixels on
// either side but a button's icon (read as a word of one or two
// characters, or as punctuation). That is a field's placeholder, a
// button's label, a title, apart from longer texts with the same words:
// "Violation" finds the picker, not "Add a violation".
func (s *Screen) Lines(phrase string) []image.Rectangle {
	want := norm(phrase)
	if want == "" {
		return nil
	}
	junk := func(w Word) bool {
		n := norm(w.Text)
		return len([]rune(n)) <= 2 && len([]rune(w.Text)) <= 2 || n == ""
	}
	var out []image.Rectangle
	for i := 0; i < len(s.Words); {
		j := i
		for j < len(s.Words) && s.Words[j].Line == s.Words[i].Line {
			j++
		}
		row := s.Words[i:j]
		for a := range row {
			if norm(row[a].Text) == "" {
				continue // an icon or punctuation: a match starts after it
			}
			var text strings.Builder
			for b := a; b < len(row) && text.Len() < len(want); b++ {
				if b > a && row[b].Box.Min.X-row[b-1].Box.Max.X > gap*3 {
					break // another control
				}
				text.WriteString(norm(row[b].Text))
				if text.String() != want {
					continue
				}
				left := a == 0 || row[a].Box.Min.X-row[a-1].Box.Max.X > gap ||
					junk(row[a-1]) && (a == 1 || row[a-1].Box.Min.X-row[a-2].Box.Max.X > gap)
				right := b == len(row)-1 || row[b+1].Box.Min.X-row[b].Box.Max.X > gap || junk(row[b+1])
				if left && right {
					box := row[a].Box
					for k := a; k <= b; k++ {
						box = box.Union(row[k].Box)
					}
					out = append(out, box)
				}
			}
		}
		i = j
	}
	return out
}

// Read takes a screenshot of an area (all the screen when empty) and reads
// its words. The picture is made grey, dark text on a light ground:
// tesseract reads that best, and the app's theme may be dark.
func (d *Display) Read(area image.Rectangle) (*Screen, error) {
	img, err := d.Shot(area)
	if err != nil {
		return nil, err
	}
	words, err := d.ocr(img)
	if err != nil {
		return nil, err
	}
	return &Screen{Img: img, Words: words}, nil
}

// ocrScale enlarges the picture for tesseract; the app's text reads well
// enough at its own size, twice as fast.
const ocrScale = 1

func (d *Display) ocr(img *image.RGBA) ([]Word, error) {
	b := img.Bounds()
	grey := Ink(img)
	f, err := os.CreateTemp(d.Artifacts, ".ocr-*.png")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if err := png.Encode(f, grey); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	out, err := d.run(60*time.Second, "tesseract", f.Name(), "stdout", "--psm", "11", "tsv")
	if err != nil {
		return nil, err
	}
	return parseTSV(out, b.Min), nil
}

// Ink turns a screenshot of a dark theme into black text on white for
// tesseract, whatever the ground: white on blue buttons, grey
// placeholders, red and orange messages on near black. It is a white
// top-hat: a pixel's ink is how much lighter it is than the picture
// opened (darkest around, then lightest around that), which keeps grounds
// of any size and colour, edges included, and drops only strokes
// thinner than the window: text.
func Ink(img *image.RGBA) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	lum := make([]uint8, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			o := img.PixOffset(b.Min.X+x, b.Min.Y+y)
			lum[y*w+x] = uint8((int(img.Pix[o])*299 + int(img.Pix[o+1])*587 + int(img.Pix[o+2])*114) / 1000)
		}
	}
	const r = 4 // the window is 2r+1 pixels square
	open := filter(filter(filter(filter(lum, w, h, r, true, false), w, h, r, false, false), w, h, r, true, true), w, h, r, false, true)
	out := image.NewGray(image.Rect(0, 0, w*ocrScale, h*ocrScale))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			ink := min(255, int(lum[y*w+x]-open[y*w+x])*3/2)
			for sy := 0; sy < ocrScale; sy++ {
				for sx := 0; sx < ocrScale; sx++ {
					out.Pix[(y*ocrScale+sy)*out.Stride+x*ocrScale+sx] = uint8(255 - ink)
				}
			}
		}
	}
	return out
}

// filter is the minimum (or, with lightest, the maximum) of each pixel's
// neighbours within r along rows (or columns).
func filter(p []uint8, w, h, r int, rows, lightest bool) []uint8 {
	out := make([]uint8, len(p))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m := p[y*w+x]
			if rows {
				for i := max(0, x-r); i <= min(w-1, x+r); i++ {
					if v := p[y*w+i]; (v > m) == lightest && v != m {
						m = v
					}
				}
			} else {
				for i := max(0, y-r); i <= min(h-1, y+r); i++ {
					if v := p[i*w+x]; (v > m) == lightest && v != m {
						m = v
					}
				}
			}
			out[y*w+x] = m
		}
	}
	return out
}

// parseTSV reads tesseract's TSV: level page block par line word left top
// width height conf text. Sparse-text mode gives each word a block of its
// own, so lines are made again from the words' vertical positions.
func parseTSV(out []byte, origin image.Point) []Word {
	var words []Word
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 12 || f[0] != "5" {
			continue
		}
		text := strings.TrimSpace(f[11])
		if text == "" {
			continue
		}
		n := make([]int, 4)
		for i := range n {
			n[i], _ = strconv.Atoi(f[6+i])
		}
		box := image.Rect(n[0]/ocrScale, n[1]/ocrScale, (n[0]+n[2])/ocrScale, (n[1]+n[3])/ocrScale).Add(origin)
		words = append(words, Word{Text: text, Box: box})
	}
	return groupLines(words)
}

// groupLines orders words as read: rows top to bottom (words whose
// vertical middles are within a few pixels of the row's), words left to
// right. Line numbers the rows.
func groupLines(words []Word) []Word {
	mid := func(w Word) int { return (w.Box.Min.Y + w.Box.Max.Y) / 2 }
	sort.SliceStable(words, func(i, j int) bool { return mid(words[i]) < mid(words[j]) })
	var rows [][]Word
	sum := 0
	for _, w := range words {
		n := len(rows)
		if n > 0 && abs(mid(w)-sum/len(rows[n-1])) <= 7 {
			rows[n-1] = append(rows[n-1], w)
			sum += mid(w)
			continue
		}
		rows = append(rows, []Word{w})
		sum = mid(w)
	}
	var out []Word
	for line, r := range rows {
		sort.SliceStable(r, func(i, j int) bool { return r[i].Box.Min.X < r[j].Box.Min.X })
		for _, w := range r {
			w.Line = line
			out = append(out, w)
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Key presses keys (xdotool names: Tab, shift+Tab, space, Return, Down,
// ctrl+l…) one after another.
func (d *Display) Key(keys ...string) error {
	_, err := d.run(60*time.Second, "xdotool", append([]string{"key", "--delay", "30", "--"}, keys...)...)
	return err
}

// Type types text as keystrokes.
func (d *Display) Type(text string) error {
	_, err := d.run(120*time.Second, "xdotool", "type", "--delay", "20", "--", text)
	return err
}

// Click clicks the left button at a point of the screen, n times in a row
// (2: a double click).
func (d *Display) Click(p image.Point, n int) error {
	// No mousemove --sync: with the pointer there already, xdotool waits
	// 16 s for a move that never comes.
	_, err := d.run(30*time.Second, "xdotool", "mousemove", strconv.Itoa(p.X), strconv.Itoa(p.Y), "sleep", "0.1",
		"click", "--repeat", strconv.Itoa(n), "--delay", "90", "1")
	return err
}

// Scroll turns the mouse wheel over a point: down when n > 0, up when n < 0.
func (d *Display) Scroll(p image.Point, n int) error {
	button := "5"
	if n < 0 {
		button, n = "4", -n
	}
	_, err := d.run(30*time.Second, "xdotool", "mousemove", strconv.Itoa(p.X), strconv.Itoa(p.Y), "sleep", "0.1",
		"click", "--repeat", strconv.Itoa(n), "--delay", "40", button)
	return err
}

// Windows lists the visible windows of a process.
func (d *Display) Windows(pid int) ([]string, error) {
	out, err := d.run(10*time.Second, "xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid))
	if err != nil && len(out) == 0 {
		// xdotool exits 1 when nothing matches.
		return nil, nil
	}
	return strings.Fields(string(out)), nil
}

// Focus gives the keyboard focus to a window.
func (d *Display) Focus(win string) error {
	_, err := d.run(10*time.Second, "xdotool", "windowfocus", win)
	return err
}

// Geometry is a window's place on the screen.
func (d *Display) Geometry(win string) (image.Rectangle, error) {
	out, err := d.run(10*time.Second, "xdotool", "getwindowgeometry", "--shell", win)
	if err != nil {
		return image.Rectangle{}, err
	}
	v := map[string]int{}
	for _, l := range strings.Fields(string(out)) {
		if k, val, ok := strings.Cut(l, "="); ok {
			v[k], _ = strconv.Atoi(val)
		}
	}
	if v["WIDTH"] == 0 {
		return image.Rectangle{}, errors.New("no geometry for window " + win)
	}
	return image.Rect(v["X"], v["Y"], v["X"]+v["WIDTH"], v["Y"]+v["HEIGHT"]), nil
}
