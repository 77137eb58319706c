package ui

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The file chooser, used as a person uses it: clicks and double-clicks on
// the names shown, keys typed into the field that has the focus.

// filesHome makes a home folder for the test and points $HOME at it:
//
//	Cases/  Maria Ivanova/statement.txt  notes.txt  photo.jpg
//	Documents/report.pdf
//	.hidden.txt  backup.age  zebra.txt
func filesHome(t *testing.T) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	for name, text := range map[string]string{
		"Cases/Maria Ivanova/statement.txt": "statement",
		"Cases/notes.txt":                   "notes",
		"Cases/photo.jpg":                   "jpeg",
		"Documents/report.pdf":              "pdf",
		".hidden.txt":                       "hidden",
		"backup.age":                        "the old backup",
		"zebra.txt":                         "z",
	} {
		p := filepath.Join(home, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	return home
}

// noVault starts the app on a folder with no vault (the create screen):
// the chooser works before any unlock too (restore, recovery key file).
func noVault(t *testing.T) (*App, fyne.Window) {
	t.Helper()
	return start(t, filepath.Join(t.TempDir(), "none"), "en")
}

// chosen records what a chooser gave back. The chooser's own tests open
// it as the app's buttons do (askOpenPath, askSavePath) with a callback
// that records the path; what each button does with the path it gets is
// tested through the button (bundles_test.go, evidence_test.go…).
type chosen struct{ paths []string }

func (c *chosen) then(p string) { c.paths = append(c.paths, p) }

func (c *chosen) get() []string {
	var out []string
	onUI(func() { out = append(out, c.paths...) })
	return out
}

// pathField is the chooser's path field, if a chooser is open.
func pathField(a *App, w fyne.Window) (*widget.Entry, bool) {
	return find(w, func(e *widget.Entry) bool { return e.PlaceHolder == a.T("ui.files.path") })
}

// folderShown is the folder the open chooser lists.
func folderShown(t *testing.T, a *App, w fyne.Window) string {
	t.Helper()
	e, ok := pathField(a, w)
	if !ok {
		t.Fatal("no file chooser on the screen")
	}
	var s string
	onUI(func() { s = e.Text })
	return s
}

func onScreen(w fyne.Window, text string) bool {
	_, ok := textAt(w, text)
	return ok
}

// objectAt is what takes a click at pos, as the driver finds it: the
// deepest object there that takes taps or double taps.
func objectAt(w fyne.Window, pos fyne.Position) fyne.CanvasObject {
	var found fyne.CanvasObject
	for _, o := range shown(clickable(w)) {
		switch o.(type) {
		case fyne.Tappable, fyne.DoubleTappable:
		default:
			continue
		}
		p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
		s := o.Size()
		if pos.X >= p.X && pos.Y >= p.Y && pos.X < p.X+s.Width && pos.Y < p.Y+s.Height {
			found = o
		}
	}
	return found
}

// doubleClickText double-clicks on the words shown. As the desktop
// driver does, an object that takes double taps gets one; any other gets
// two clicks, the second on whatever is under the pointer by then.
func doubleClickText(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	txt, ok := textAt(w, text)
	if !ok {
		t.Fatalf("%q is not on the screen", text)
	}
	reveal(w, txt)
	var pos fyne.Position
	onUI(func() { pos = centre(txt) })
	onUI(func() {
		touchAt(w, pos)
		if d, ok := objectAt(w, pos).(fyne.DoubleTappable); ok {
			test.DoubleTap(d)
			return
		}
		test.TapCanvas(w.Canvas(), pos)
		test.TapCanvas(w.Canvas(), pos)
	})
}

// The chooser's clock stands still in the tests: only pause moves it.
var chooserNow atomic.Int64

func init() {
	chooserNow.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	chooserClock = func() time.Time { return time.Unix(0, chooserNow.Load()) }
}

// pause lets the time pass that a person takes between two double-clicks.
func pause() { chooserNow.Add(int64(settle + 100*time.Millisecond)) }

// pressEnter presses Enter in whatever has the focus.
func pressEnter(t *testing.T, w fyne.Window) {
	t.Helper()
	onUI(func() {
		f := w.Canvas().Focused()
		if f == nil {
			t.Fatal("Enter pressed with nothing focused")
		}
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
}

// typeOver clicks into a field (the driver focuses it), selects what is
// there (Ctrl+A) and types text over it.
func typeOver(t *testing.T, w fyne.Window, e *widget.Entry, text string) {
	t.Helper()
	retype(t, w, e, text)
}

// The chooser fills most of a 1024x600 window, and its buttons are on it.
func TestFileChooserSizeSmallScreen(t *testing.T) {
	filesHome(t)
	a, w := noVault(t)
	onUI(func() { w.Resize(fyne.NewSize(1024, 600)) })
	var got chosen
	onUI(func() { a.askSavePath("backup.age", got.then) })
	var size fyne.Size
	var pos fyne.Position
	onUI(func() {
		p, ok := w.Canvas().Overlays().Top().(*widget.PopUp)
		if !ok {
			t.Fatal("no dialog")
		}
		size = p.Content.Size()
		pos = fyne.CurrentApp().Driver().AbsolutePositionForObject(p.Content)
	})
	if size.Width < 0.85*1024 || size.Height < 0.8*600 {
		t.Fatalf("the file dialog is %v on a 1024x600 window", size)
	}
	if pos.X < 0 || pos.Y < 0 || pos.X+size.Width > 1024 || pos.Y+size.Height > 600 {
		t.Fatalf("the file dialog (%v at %v) goes off a 1024x600 window", size, pos)
	}
	for _, label := range []string{"Cancel", "Save", "Up"} {
		b := button(t, w, label)
		var p fyne.Position
		var s fyne.Size
		onUI(func() { p, s = fyne.CurrentApp().Driver().AbsolutePositionForObject(b), b.Size() })
		if p.X < 0 || p.Y < 0 || p.X+s.Width > 1024 || p.Y+s.Height > 600 || s.Width == 0 {
			t.Fatalf("%q (%v at %v) is not on the window", label, s, p)
		}
	}
	// The listing has room for a good many rows.
	var list fyne.Size
	onUI(func() {
		l, _ := find(w, func(l *fileList) bool { return true })
		list = l.Size()
	})
	if list.Height < 250 {
		t.Fatalf("the listing is only %v", list)
	}
}

// One click selects a folder; a double-click opens it.
func TestFileChooserClickSelectsDoubleClickOpens(t *testing.T) {
	home := filesHome(t)
	a, w := noVault(t)
	var got chosen
	onUI(func() { a.askOpenPath(got.then) })
	if f := folderShown(t, a, w); f != home {
		t.Fatalf("the chooser opened in %q, not the home folder", f)
	}
	// Folders first, names sorted; no dot files.
	var ys []float32
	for _, name := range []string{"Cases", "Documents", "backup.age", "zebra.txt"} {
		txt, ok := textAt(w, name)
		if !ok {
			t.Fatalf("%q not listed", name)
		}
		var p fyne.Position
		onUI(func() { p = centre(txt) })
		ys = append(ys, p.Y)
	}
	for i := 1; i < len(ys); i++ {
		if ys[i] <= ys[i-1] {
			t.Fatalf("not folders first, sorted by name: %v", ys)
		}
	}
	if onScreen(w, ".hidden.txt") {
		t.Fatal("a dot file is listed")
	}
	clickText(t, w, "Show hidden files")
	if !onScreen(w, ".hidden.txt") {
		t.Fatal("no dot file with Show hidden files")
	}
	clickText(t, w, "Show hidden files")

	clickText(t, w, "Cases")
	if f := folderShown(t, a, w); f != home || onScreen(w, "photo.jpg") {
		t.Fatalf("one click on a folder opened it (%q)", f)
	}
	if button(t, w, "Choose").Disabled() {
		t.Fatal("Choose is disabled with a folder selected")
	}
	pause()
	doubleClickText(t, w, "Cases")
	if f := folderShown(t, a, w); f != filepath.Join(home, "Cases") || !onScreen(w, "photo.jpg") {
		t.Fatalf("a double-click did not open the folder (%q)", f)
	}
	// Up goes back, and so does one click on a place.
	press(t, w, "Up")
	if f := folderShown(t, a, w); f != home {
		t.Fatalf("Up went to %q", f)
	}
	press(t, w, "Documents") // the place, on the left
	if f := folderShown(t, a, w); f != filepath.Join(home, "Documents") || !onScreen(w, "report.pdf") {
		t.Fatalf("the Documents place opened %q", f)
	}
	press(t, w, "Home")
	if f := folderShown(t, a, w); f != home {
		t.Fatalf("the Home place opened %q", f)
	}
	if len(got.get()) != 0 {
		t.Fatalf("chosen without a double-click or Choose: %v", got.get())
	}
}

// The defect: the second click of a double-click on a folder landed on a
// file of the new listing. After a double-click on a folder, a click only
// selects, and so does a double-click begun as the listing changed.
func TestFileChooserDoubleClickThenClickChoosesNothing(t *testing.T) {
	home := filesHome(t)
	a, w := noVault(t)
	var got chosen
	onUI(func() { a.askOpenPath(got.then) })
	pause()
	doubleClickText(t, w, "Cases")
	clickText(t, w, "photo.jpg")
	doubleClickText(t, w, "notes.txt") // no time passes: right after the listing
	if len(got.get()) != 0 {
		t.Fatalf("a click after the folder opened chose %v", got.get())
	}
	if _, open := pathField(a, w); !open {
		t.Fatal("the chooser closed")
	}
	// notes.txt is selected: Choose takes it.
	clickText(t, w, "Choose")
	if p := got.get(); len(p) != 1 || p[0] != filepath.Join(home, "Cases", "notes.txt") {
		t.Fatalf("Choose gave %v", p)
	}
	if _, open := pathField(a, w); open {
		t.Fatal("the chooser stays open after Choose")
	}
	// A double-click on a file, once the listing has been seen, chooses it.
	var again chosen
	onUI(func() { a.askOpenPath(again.then) })
	pause()
	doubleClickText(t, w, "photo.jpg")
	if p := again.get(); len(p) != 1 || p[0] != filepath.Join(home, "Cases", "photo.jpg") {
		t.Fatalf("a double-click on a file gave %v", p)
	}
}

// Enter in the path field opens a folder or chooses a file; Enter in the
// listing opens or chooses the selection; arrows move it.
func TestFileChooserEnter(t *testing.T) {
	home := filesHome(t)
	a, w := noVault(t)
	var got chosen
	onUI(func() { a.askOpenPath(got.then) })
	path, ok := pathField(a, w)
	if !ok {
		t.Fatal("no path field")
	}
	typeOver(t, w, path, filepath.Join(home, "Cases", "Maria Ivanova"))
	pressEnter(t, w)
	if f := folderShown(t, a, w); f != filepath.Join(home, "Cases", "Maria Ivanova") || !onScreen(w, "statement.txt") {
		t.Fatalf("Enter in the path field went to %q", f)
	}
	typeOver(t, w, path, "~/nowhere")
	pressEnter(t, w)
	if !labelWith(w, "There is no file or folder at "+filepath.Join(home, "nowhere")) {
		t.Fatal("no message for a path that does not exist")
	}
	typeOver(t, w, path, "~/Documents/report.pdf")
	pressEnter(t, w)
	if p := got.get(); len(p) != 1 || p[0] != filepath.Join(home, "Documents", "report.pdf") {
		t.Fatalf("Enter on a file's path gave %v", p)
	}

	// In the listing: a click, Down, Enter.
	var keys chosen
	onUI(func() { a.askOpenPath(keys.then) })
	if f := folderShown(t, a, w); f != filepath.Join(home, "Documents") {
		t.Fatalf("the chooser reopened in %q, not the last folder", f)
	}
	press(t, w, "Up")
	clickText(t, w, "Cases")
	pressEnter(t, w)
	if f := folderShown(t, a, w); f != filepath.Join(home, "Cases") {
		t.Fatalf("Enter on a folder went to %q", f)
	}
	key(t, w, fyne.KeyDown) // Maria Ivanova
	key(t, w, fyne.KeyDown) // notes.txt
	if len(keys.get()) != 0 {
		t.Fatal("arrows chose a file")
	}
	pressEnter(t, w)
	if p := keys.get(); len(p) != 1 || p[0] != filepath.Join(home, "Cases", "notes.txt") {
		t.Fatalf("Enter in the listing gave %v", p)
	}
}

// Save asks before replacing a file, and writes nothing itself.
func TestFileChooserSaveAsksBeforeReplacing(t *testing.T) {
	home := filesHome(t)
	a, w := noVault(t)
	var got chosen
	onUI(func() { a.askSavePath("backup.age", got.then) })
	clickText(t, w, "Save")
	if !labelWith(w, "backup.age already exists in "+home+". Replace it?") {
		t.Fatal("no question before replacing a file")
	}
	clickText(t, w, "Cancel") // the question's
	if len(got.get()) != 0 {
		t.Fatal("Cancel on the question gave a path")
	}
	if _, open := pathField(a, w); !open {
		t.Fatal("the chooser closed with the question")
	}
	clickText(t, w, "Save")
	clickText(t, w, "Replace")
	if p := got.get(); len(p) != 1 || p[0] != filepath.Join(home, "backup.age") {
		t.Fatalf("Replace gave %v", p)
	}
	if b, _ := os.ReadFile(filepath.Join(home, "backup.age")); string(b) != "the old backup" {
		t.Fatal("the chooser changed the file")
	}

	// A new name, typed, then Enter: the path, and no file made.
	var named chosen
	onUI(func() { a.askSavePath("dossier-backup.age", named.then) })
	name, ok := find(w, func(e *widget.Entry) bool { return e.Text == "dossier-backup.age" })
	if !ok || w.Canvas().Focused() != fyne.Focusable(name) {
		t.Fatal("the file name field is not focused with the name offered")
	}
	typeOver(t, w, name, "copy.age")
	pressEnter(t, w)
	want := filepath.Join(home, "copy.age")
	if p := named.get(); len(p) != 1 || p[0] != want {
		t.Fatalf("Save gave %v", p)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Fatal("the chooser made the file")
	}

	// A file clicked in the listing gives its name, then asks too; a
	// double-click on a folder opens it, Save then saves there.
	var clicked chosen
	onUI(func() { a.askSavePath("x.age", clicked.then) })
	clickText(t, w, "zebra.txt")
	clickText(t, w, "Save")
	if !labelWith(w, "zebra.txt already exists") {
		t.Fatal("no question for the file clicked")
	}
	clickText(t, w, "Cancel")
	pause()
	doubleClickText(t, w, "Documents")
	if name, ok = find(w, func(e *widget.Entry) bool { return e.Text == "zebra.txt" }); !ok {
		t.Fatal("the name of the file clicked is not in the name field")
	}
	typeOver(t, w, name, "new.txt")
	clickText(t, w, "Save")
	if p := clicked.get(); len(p) != 1 || p[0] != filepath.Join(home, "Documents", "new.txt") {
		t.Fatalf("Save in a folder opened gave %v", p)
	}
}

// Cancel gives nothing back and closes the chooser.
func TestFileChooserCancel(t *testing.T) {
	filesHome(t)
	a, w := noVault(t)
	var got chosen
	onUI(func() { a.askOpenPath(got.then) })
	clickText(t, w, "zebra.txt")
	clickText(t, w, "Cancel")
	if _, open := pathField(a, w); open {
		t.Fatal("the chooser stays open after Cancel")
	}
	if len(got.get()) != 0 {
		t.Fatalf("Cancel gave %v", got.get())
	}
	var saved chosen
	onUI(func() { a.askSavePath("x.age", saved.then) })
	clickText(t, w, "Cancel")
	if len(saved.get()) != 0 {
		t.Fatalf("Cancel gave %v", saved.get())
	}
}

// The last folder is offered next time, for the vault session only; the
// chooser closes when the vault locks; nothing is written anywhere, and
// no path goes to the preferences.
func TestFileChooserMemoryAndNoTrace(t *testing.T) {
	home := filesHome(t)
	before := tree(t, home)
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	var got chosen
	onUI(func() { a.askOpenPath(got.then) })
	pause()
	doubleClickText(t, w, "Cases")
	pause()
	doubleClickText(t, w, "Maria Ivanova")
	pause()
	doubleClickText(t, w, "statement.txt")
	if len(got.get()) != 1 {
		t.Fatalf("chosen: %v", got.get())
	}
	onUI(func() { a.askSavePath("card.card", got.then) })
	if f := folderShown(t, a, w); f != filepath.Join(home, "Cases", "Maria Ivanova") {
		t.Fatalf("the last folder is not offered again: %q", f)
	}
	clickText(t, w, "Cancel")
	onUI(func() { a.askOpenPath(got.then) })
	shortcut(t, w, &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	eventually(t, "the chooser closed by the lock", func() bool {
		_, open := pathField(a, w)
		return !open
	})
	if onScreen(w, "statement.txt") {
		t.Fatal("a file name stays on the screen after the lock")
	}
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return a.Vault() != nil })
	onUI(func() { a.askOpenPath(got.then) })
	if f := folderShown(t, a, w); f != home {
		t.Fatalf("the last folder outlived the lock: %q", f)
	}
	clickText(t, w, "Cancel")

	noPathInPreferences(t)
	if after := tree(t, home); after != before {
		t.Fatalf("the chooser wrote to the disk:\n%s\n---\n%s", before, after)
	}
}

// noPathInPreferences fails the test if any of the app's preferences holds
// a path (Fyne's file dialog kept "fyne:fileDialogLastFolder" there).
func noPathInPreferences(t *testing.T) {
	t.Helper()
	var values []string
	prefs, ok := fyne.CurrentApp().Preferences().(interface{ ReadValues(func(map[string]any)) })
	if !ok {
		t.Fatal("cannot read the test app's preferences")
	}
	onUI(func() {
		prefs.ReadValues(func(m map[string]any) {
			for k, v := range m {
				values = append(values, fmt.Sprintf("%s=%v", k, v))
			}
		})
	})
	for _, v := range values {
		if strings.Contains(v, string(filepath.Separator)) || strings.Contains(v, "Maria") {
			t.Errorf("a path in the preferences: %s", v)
		}
	}
}

// A session with the chooser, before any vault is open: nothing in the
// preferences, nothing written.
func TestFileChooserNoPathInPreferences(t *testing.T) {
	home := filesHome(t)
	before := tree(t, home)
	a, w := noVault(t)
	var got chosen
	onUI(func() { a.askOpenPath(got.then) })
	clickText(t, w, "Cancel")
	noPathInPreferences(t)

	onUI(func() { a.askSavePath("dossier-recovery-key.txt", got.then) })
	pause()
	doubleClickText(t, w, "Cases")
	pause()
	doubleClickText(t, w, "Maria Ivanova")
	clickText(t, w, "Save")
	onUI(func() { a.askOpenPath(got.then) })
	path, ok := pathField(a, w)
	if !ok {
		t.Fatal("no path field")
	}
	typeOver(t, w, path, "~/Documents/report.pdf")
	pressEnter(t, w)
	if p := got.get(); len(p) != 2 || p[0] != filepath.Join(home, "Cases", "Maria Ivanova", "dossier-recovery-key.txt") {
		t.Fatalf("chosen: %v", p)
	}
	noPathInPreferences(t)
	if after := tree(t, home); after != before {
		t.Fatalf("the chooser wrote to the disk:\n%s\n---\n%s", before, after)
	}
}

// tree lists everything under dir: names, sizes and times.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		fmt.Fprintf(&b, "%s %d %v\n", p, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return b.String()
}

// The defect as it was met: a double-click on a folder when adding
// evidence, its second click on a file of the new listing. Nothing is
// attached until a file is double-clicked.
func TestAttachDoubleClickOnFolder(t *testing.T) {
	filesHome(t)
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	clickText(t, w, "Internação compulsória")
	eventually(t, "the case", func() bool { return labelWith(w, "No evidence yet") })
	clickText(t, w, "Add files")
	pause()
	doubleClickText(t, w, "Cases")
	clickText(t, w, "photo.jpg")
	if _, ok := find(w, func(b *widget.Button) bool { return b.Text == "Attach" }); ok {
		t.Fatal("a click after opening a folder offered a file to attach")
	}
	pause()
	doubleClickText(t, w, "photo.jpg")
	if !labelWith(w, "photo.jpg") || !onScreen(w, "Attach") {
		t.Fatal("a double-click on the file did not offer it to attach")
	}
	if _, open := pathField(a, w); open {
		t.Fatal("the chooser stays open")
	}
}

// Import through the main screen's button and the chooser.
func TestImportThroughChooser(t *testing.T) {
	filesHome(t)
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	bundle := shareFrom(t, a, true)
	clickText(t, w, "Import")
	path, ok := pathField(a, w)
	if !ok {
		t.Fatal("no path field")
	}
	typeOver(t, w, path, bundle)
	pressEnter(t, w)
	eventually(t, "the summary", func() bool { return labelWith(w, "Made by: Partner Network") })
}

func TestExpandPath(t *testing.T) {
	home := filesHome(t)
	for in, want := range map[string]string{
		"~":                         home,
		"~/Cases":                   filepath.Join(home, "Cases"),
		"notes.txt":                 filepath.Join(home, "Cases", "notes.txt"),
		"../zebra.txt":              filepath.Join(home, "zebra.txt"),
		"file://" + home + "/a%20b": filepath.Join(home, "a b"),
	} {
		if got := expandPath(in, filepath.Join(home, "Cases")); got != want {
			t.Errorf("expandPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUserDirsAndMedia(t *testing.T) {
	home := filesHome(t)
	os.MkdirAll(filepath.Join(home, ".config"), 0o700)
	os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"), []byte("# comment\nXDG_DESKTOP_DIR=\"$HOME/Рабочий стол\"\nXDG_DOCUMENTS_DIR=\"$HOME/Documents\"\nXDG_MUSIC_DIR=\"$HOME/\"\n"), 0o600)
	d := userDirs(home)
	if d["DESKTOP"] != filepath.Join(home, "Рабочий стол") || d["DOCUMENTS"] != filepath.Join(home, "Documents") || d["MUSIC"] != "" {
		t.Fatalf("user dirs: %v", d)
	}
	media := t.TempDir()
	os.Mkdir(filepath.Join(media, "USB STICK"), 0o700)
	os.WriteFile(filepath.Join(media, "file"), nil, 0o600)
	if got := subfolders(media); len(got) != 1 || got[0] != filepath.Join(media, "USB STICK") {
		t.Fatalf("subfolders: %v", got)
	}
}

// Fyne's file dialogs keep the last folder in the preferences file, in
// plain text: none may come back into the app.
func TestNoFyneFileDialog(t *testing.T) {
	for _, dir := range []string{".", "../cmd/dossier"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, call := range []string{"NewFileOpen", "NewFileSave", "ShowFileOpen", "ShowFileSave", "NewFolderOpen", "ShowFolderOpen"} {
				if strings.Contains(string(b), "dialog."+call) {
					t.Errorf("%s uses Fyne's dialog.%s", f, call)
				}
			}
		}
	}
}
