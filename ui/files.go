package ui

import (
	"cmp"
	"errors"
	"image/color"
	"io/fs"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

// Dossier's own file chooser, for every "choose a file" and "save as" of
// the app: backup, import, restore, evidence in and out, contact cards,
// the recovery key file. It replaces Fyne's file dialog, which
//   - was about 480x290 px, too small to use;
//   - opened a folder on one click, so the second click of a double-click
//     landed on whatever the new listing put under the pointer (a
//     double-click attached a random file as evidence);
//   - kept the last folder in Fyne's preferences file, in plain text and
//     outside the vault, where a folder's name can name a person.
//
// Here one click selects; a double-click, or Enter, opens a folder or
// chooses a file; a double-click that comes right after the listing
// changed only selects. The last folder is kept in memory, for the vault
// session (a lock forgets it). The chooser writes nothing anywhere: Save
// gives the caller a path, and the caller writes the file (under a
// temporary name, renamed into place).

// settle is how long after a listing changes a double-click on it only
// selects: the rest of a double-click, or a second one, begun on the
// listing before lands on a row the person has not seen.
const settle = 500 * time.Millisecond

// chooserClock tells the chooser the time; tests stop it and move it on
// themselves, so that "right after the listing" does not depend on how
// fast the machine is.
var chooserClock = time.Now

// watchEvery is how often an open chooser checks that the vault it was
// opened on is still open; after a lock it closes, so no folder name stays
// on screen over the unlock screen.
const watchEvery = 250 * time.Millisecond

// askSavePath and askOpenPath (app.go) open a fileChooser.

// fileEntry is one row of a listing.
type fileEntry struct {
	name string
	dir  bool
	size int64
	mod  time.Time
}

// fileChooser is one open chooser.
type fileChooser struct {
	a    *App
	save bool
	then func(path string)
	d    dialog.Dialog
	ask  dialog.Dialog // the "replace?" question, while shown

	dir      string
	entries  []fileEntry
	selected int       // index in entries, or -1
	listedAt time.Time // when entries last changed
	hidden   bool      // dot files listed
	closed   bool
	naming   bool // the name field is being set by the chooser, not typed
	stop     chan struct{}

	path    *widget.Entry
	name    *widget.Entry // Save only
	list    *fileList
	status  *widget.Label
	up      *widget.Button
	confirm *widget.Button
}

// chooseFile opens a chooser: to pick an existing file (save false), or
// to name a file to write, starting with name (save true). then is called
// on the UI goroutine with the path chosen, never on Cancel.
func (a *App) chooseFile(save bool, name string, then func(path string)) *fileChooser {
	a.touch()
	c := &fileChooser{a: a, save: save, then: then, selected: -1}
	c.path = widget.NewEntry()
	c.path.SetPlaceHolder(a.T("ui.files.path"))
	c.path.OnChanged = safe(func(string) { a.touch() })
	c.path.OnSubmitted = safe(func(string) { c.submitPath() })
	c.up = widget.NewButtonWithIcon(a.T("ui.files.up"), theme.MoveUpIcon(), safe(c.goUp))
	c.list = newFileList(c)
	c.status = widget.NewLabel("")
	c.status.Wrapping = fyne.TextWrapWord
	hidden := widget.NewCheck(a.T("ui.files.show_hidden"), safe(func(on bool) {
		a.touch()
		c.hidden = on
		c.open(c.dir)
	}))
	cancel := widget.NewButtonWithIcon(a.T("ui.cancel"), theme.CancelIcon(), safe(c.cancel))
	title, confirm, icon := a.T("ui.files.open_title"), a.T("ui.files.choose"), theme.ConfirmIcon()
	if save {
		title, confirm, icon = a.T("ui.files.save_title"), a.T("ui.files.save"), theme.DocumentSaveIcon()
	}
	c.confirm = widget.NewButtonWithIcon(confirm, icon, safe(c.confirmTapped))
	c.confirm.Importance = widget.HighImportance

	top := container.NewBorder(nil, nil, c.up, nil, c.path)
	header := newFileHeader(a)
	files := container.NewBorder(header, nil, nil, nil, c.list)
	places := container.NewVScroll(c.placesBox())
	body := container.NewBorder(nil, nil, places, nil, files)
	buttons := container.NewHBox(cancel, c.confirm)
	bottom := container.NewVBox()
	if save {
		c.name = widget.NewEntry()
		c.name.OnChanged = safe(func(string) {
			a.touch()
			if !c.naming && c.selected >= 0 {
				c.list.UnselectAll() // typing a name: the name is what Save uses
			}
			c.updateConfirm()
		})
		c.name.OnSubmitted = safe(func(string) { c.saveByName() })
		nameLabel := widget.NewLabel(a.T("ui.files.name"))
		bottom.Add(container.NewBorder(nil, nil, nameLabel, nil, c.name))
	}
	bottom.Add(container.NewBorder(nil, nil, hidden, buttons, c.status))
	content := container.NewBorder(top, bottom, nil, nil, body)

	c.d = dialog.NewCustomWithoutButtons(title, content, a.win)
	start := a.lastFolder()
	if !isDir(start) {
		start = homeDir()
	}
	if !c.open(start) {
		c.open(string(filepath.Separator))
	}
	if save {
		c.setName(name)
	}
	c.d.Resize(chooserSize(a.win.Canvas().Size()))
	c.d.Show()
	if save {
		a.win.Canvas().Focus(c.name)
	} else {
		a.win.Canvas().Focus(c.list)
	}
	c.watch()
	return c
}

// chooserSize is most of the window: a listing needs room.
func chooserSize(win fyne.Size) fyne.Size {
	return fyne.NewSize(min(win.Width*0.94, 1400), min(win.Height*0.94, 1000))
}

// open lists dir; it says so and reports false when it cannot.
func (c *fileChooser) open(dir string) bool {
	entries, err := readFolder(dir, c.hidden)
	if err != nil {
		c.fail(c.a.T("ui.files.unreadable", dir))
		return false
	}
	c.a.touch()
	c.dir, c.entries, c.selected = dir, entries, -1
	c.listedAt = chooserClock()
	c.path.SetText(dir)
	c.list.UnselectAll()
	c.list.Refresh()
	c.list.ScrollToTop()
	if filepath.Dir(dir) == dir {
		c.up.Disable()
	} else {
		c.up.Enable()
	}
	c.hint()
	c.updateConfirm()
	return true
}

// hint shows how the chooser works, or that the folder is empty.
func (c *fileChooser) hint() {
	c.status.Importance = widget.MediumImportance
	switch {
	case len(c.entries) == 0:
		c.status.SetText(c.a.T("ui.files.empty"))
	case c.save:
		c.status.SetText(c.a.T("ui.files.hint_save"))
	default:
		c.status.SetText(c.a.T("ui.files.hint"))
	}
}

// fail says what went wrong, in place of the hint.
func (c *fileChooser) fail(msg string) {
	c.status.Importance = widget.DangerImportance
	c.status.SetText(msg)
}

func (c *fileChooser) setName(name string) {
	c.naming = true
	c.name.SetText(name)
	c.naming = false
}

func (c *fileChooser) updateConfirm() {
	ok := c.selected >= 0
	if c.save {
		ok = c.selected >= 0 && c.entries[c.selected].dir || strings.TrimSpace(c.name.Text) != ""
	}
	if ok {
		c.confirm.Enable()
	} else {
		c.confirm.Disable()
	}
}

// selectedRow is called by the list when a row becomes selected.
func (c *fileChooser) selectedRow(id int) {
	if id < 0 || id >= len(c.entries) {
		return
	}
	c.selected = id
	if c.save && !c.entries[id].dir {
		c.setName(c.entries[id].name)
	}
	c.updateConfirm()
}

// click selects a row: one click never opens or chooses anything.
func (c *fileChooser) click(id int) {
	c.a.touch()
	if c.closed || id < 0 || id >= len(c.entries) {
		return
	}
	c.list.Select(id)
	c.a.win.Canvas().Focus(c.list)
}

// doubleClick opens the folder or chooses the file of a row, unless the
// listing changed just before: then it only selects.
func (c *fileChooser) doubleClick(id int) {
	if c.closed || id < 0 || id >= len(c.entries) {
		return
	}
	c.click(id)
	if chooserClock().Sub(c.listedAt) < settle {
		return
	}
	c.activate(id)
}

// activate opens a folder or chooses a file, as a double-click or Enter.
func (c *fileChooser) activate(id int) {
	if c.closed || id < 0 || id >= len(c.entries) {
		return
	}
	e := c.entries[id]
	p := filepath.Join(c.dir, e.name)
	switch {
	case e.dir:
		c.open(p)
	case c.save:
		c.saveTo(p)
	default:
		c.choose(p)
	}
}

// move selects the row below (+1) or above (-1) the selection.
func (c *fileChooser) move(by int) {
	if len(c.entries) == 0 {
		return
	}
	id := c.selected + by
	if c.selected < 0 {
		id = 0
	}
	id = max(0, min(id, len(c.entries)-1))
	c.list.Select(id)
	c.list.ScrollTo(id)
}

func (c *fileChooser) goUp() {
	c.a.touch()
	from := c.dir
	parent := filepath.Dir(from)
	if parent == from || !c.open(parent) {
		return
	}
	// The folder we came from stays in view, not selected.
	for i, e := range c.entries {
		if e.name == filepath.Base(from) {
			c.list.ScrollTo(i)
			break
		}
	}
}

// confirmTapped is the Choose or Save button.
func (c *fileChooser) confirmTapped() {
	c.a.touch()
	if c.save && (c.selected < 0 || !c.entries[c.selected].dir) {
		c.saveByName()
		return
	}
	c.activate(c.selected)
}

// saveByName saves under the name typed, in the folder shown.
func (c *fileChooser) saveByName() {
	name := strings.TrimSpace(c.name.Text)
	if name == "" || c.closed {
		return
	}
	p := expandPath(name, c.dir)
	if !isDir(filepath.Dir(p)) {
		c.fail(c.a.T("ui.files.not_found", filepath.Dir(p)))
		return
	}
	c.saveTo(p)
}

// submitPath is Enter in the path field: a folder is opened, a file is
// chosen (asking before replacing one, for Save); for Save, a new name in
// an existing folder opens that folder with the name filled in.
func (c *fileChooser) submitPath() {
	c.a.touch()
	text := strings.TrimSpace(c.path.Text)
	if text == "" || c.closed {
		return
	}
	p := expandPath(text, c.dir)
	info, err := os.Stat(p)
	switch {
	case err == nil && info.IsDir():
		c.open(p)
	case err == nil && !info.Mode().IsRegular():
		c.fail(c.a.T("ui.files.not_file", p))
	case err == nil && c.save:
		c.saveTo(p)
	case err == nil:
		c.choose(p)
	case c.save && errors.Is(err, fs.ErrNotExist) && isDir(filepath.Dir(p)):
		if c.open(filepath.Dir(p)) {
			c.setName(filepath.Base(p))
			c.updateConfirm()
			c.a.win.Canvas().Focus(c.name)
		}
	default:
		c.fail(c.a.T("ui.files.not_found", p))
	}
}

// saveTo gives path to the caller, asking first if a file is there.
func (c *fileChooser) saveTo(p string) {
	info, err := os.Stat(p)
	switch {
	case err == nil && info.IsDir():
		c.open(p)
	case err == nil && !info.Mode().IsRegular():
		c.fail(c.a.T("ui.files.not_file", p))
	case err == nil:
		a := c.a
		msg := widget.NewLabel(a.T("ui.files.replace", filepath.Base(p), filepath.Dir(p)))
		msg.Wrapping = fyne.TextWrapWord
		ask := dialog.NewCustomConfirm(a.T("ui.files.replace_title"), a.T("ui.files.replace_button"), a.T("ui.cancel"), msg, safe(func(ok bool) {
			c.ask = nil
			a.touch()
			if ok {
				c.choose(p)
			}
		}), a.win)
		ask.SetConfirmImportance(widget.DangerImportance)
		ask.Resize(fyne.NewSize(min(520, a.win.Canvas().Size().Width*0.9), 220))
		c.ask = ask
		ask.Show()
	case errors.Is(err, fs.ErrNotExist):
		c.choose(p)
	default:
		c.fail(c.a.T("ui.files.not_found", p))
	}
}

// choose closes the chooser, remembers the folder and gives path to the
// caller.
func (c *fileChooser) choose(p string) {
	if c.closed {
		return
	}
	c.close()
	c.a.rememberFolder(filepath.Dir(p))
	c.a.touch()
	c.then(p)
}

func (c *fileChooser) cancel() {
	c.a.touch()
	c.close()
}

func (c *fileChooser) close() {
	if c.closed {
		return
	}
	c.closed = true
	if c.stop != nil {
		close(c.stop)
	}
	if c.ask != nil {
		c.ask.Hide()
		c.ask = nil
	}
	c.d.Hide()
}

// watch closes the chooser when the vault it was opened on locks.
func (c *fileChooser) watch() {
	v := c.a.Vault()
	if v == nil {
		return // before unlocking there is no lock to follow
	}
	content := c.a.win.Content()
	c.stop = make(chan struct{})
	stop := c.stop
	goSafe(func() {
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				do(func() {
					if !c.closed && (c.a.Vault() != v || c.a.win.Content() != content) {
						c.close()
					}
				})
			}
		}
	})
}

// The last folder, per App, in memory only, for the vault session it was
// used in: a lock forgets it. (It lives here rather than in App to keep
// the chooser in one file.)
var lastFolders = struct {
	sync.Mutex
	m map[*App]folderMemory
}{m: map[*App]folderMemory{}}

type folderMemory struct {
	vault *store.Vault // open when it was used; nil before any unlock
	dir   string
}

func (a *App) lastFolder() string {
	v := a.Vault()
	lastFolders.Lock()
	defer lastFolders.Unlock()
	mem, ok := lastFolders.m[a]
	if ok && mem.vault != v {
		delete(lastFolders.m, a)
		return ""
	}
	return mem.dir
}

func (a *App) rememberFolder(dir string) {
	v := a.Vault()
	lastFolders.Lock()
	lastFolders.m[a] = folderMemory{vault: v, dir: dir}
	lastFolders.Unlock()
}

// readFolder lists dir: folders first, then files, each sorted by name
// regardless of case; dot files only when hidden is set. What is neither
// a folder nor a regular file (a pipe, a device) is left out: reading it
// could hang the app.
func readFolder(dir string, hidden bool) ([]fileEntry, error) {
	ents, err := os.ReadDir(dir)
	if err != nil && len(ents) == 0 {
		return nil, err
	}
	out := make([]fileEntry, 0, len(ents))
	for _, e := range ents {
		n := e.Name()
		if !hidden && strings.HasPrefix(n, ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone since
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			if info, err = os.Stat(filepath.Join(dir, n)); err != nil {
				continue // a broken link
			}
		}
		if !info.IsDir() && !info.Mode().IsRegular() {
			continue
		}
		out = append(out, fileEntry{name: n, dir: info.IsDir(), size: info.Size(), mod: info.ModTime()})
	}
	slices.SortFunc(out, func(x, y fileEntry) int {
		if x.dir != y.dir {
			if x.dir {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(strings.ToLower(x.name), strings.ToLower(y.name)), cmp.Compare(x.name, y.name))
	})
	return out, nil
}

func isDir(p string) bool {
	if p == "" {
		return false
	}
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func homeDir() string {
	if h, err := os.UserHomeDir(); err == nil && isDir(h) {
		return h
	}
	if wd, err := os.Getwd(); err == nil {
		return wd
	}
	return string(filepath.Separator)
}

// expandPath reads what a person typed or pasted: ~ is the home folder,
// a file:// address is its path, and a relative path is taken from dir.
func expandPath(s, dir string) string {
	if strings.HasPrefix(s, "file://") {
		if u, err := url.Parse(s); err == nil && u.Path != "" {
			s = u.Path
			if runtime.GOOS == "windows" {
				s = strings.TrimPrefix(s, "/") // file:///C:/x
			}
			s = filepath.FromSlash(s)
		}
	}
	if s == "~" || strings.HasPrefix(s, "~/") || strings.HasPrefix(s, "~"+string(filepath.Separator)) {
		s = filepath.Join(homeDir(), s[1:])
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(dir, s)
	}
	return filepath.Clean(s)
}

// place is a folder offered on the left: home, desktop, documents,
// downloads, removable media.
type place struct {
	label string
	dir   string
	icon  fyne.Resource
}

func (c *fileChooser) placesBox() fyne.CanvasObject {
	box := container.NewVBox()
	for _, p := range places(c.a) {
		dir := p.dir
		b := widget.NewButtonWithIcon(p.label, p.icon, safe(func() { c.open(dir) }))
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		box.Add(b)
	}
	return box
}

// places lists the folders offered, those that exist, each once; looked up
// each time a chooser opens, so a USB stick put in since is there.
func places(a *App) []place {
	home := homeDir()
	var out []place
	add := func(label, dir string, icon fyne.Resource) {
		if !isDir(dir) || slices.ContainsFunc(out, func(p place) bool { return p.dir == dir }) {
			return
		}
		out = append(out, place{label, dir, icon})
	}
	xdg := userDirs(home)
	add(a.T("ui.files.home"), home, theme.HomeIcon())
	add(a.T("ui.files.desktop"), cmp.Or(xdg["DESKTOP"], filepath.Join(home, "Desktop")), theme.ComputerIcon())
	add(a.T("ui.files.documents"), cmp.Or(xdg["DOCUMENTS"], filepath.Join(home, "Documents")), theme.DocumentIcon())
	add(a.T("ui.files.downloads"), cmp.Or(xdg["DOWNLOAD"], filepath.Join(home, "Downloads")), theme.DownloadIcon())
	for _, m := range removableMedia() {
		label := filepath.Base(m)
		if runtime.GOOS == "windows" {
			label = m[:2] // C:
		}
		add(label, m, theme.StorageIcon())
	}
	return out
}

// userDirs reads the desktop's own names for its folders (XDG user dirs,
// which are translated on many Linux desktops): DESKTOP, DOCUMENTS,
// DOWNLOAD… to their paths.
func userDirs(home string) map[string]string {
	out := map[string]string{}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return out
	}
	conf := os.Getenv("XDG_CONFIG_HOME")
	if conf == "" {
		conf = filepath.Join(home, ".config")
	}
	b, err := os.ReadFile(filepath.Join(conf, "user-dirs.dirs"))
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || !strings.HasPrefix(k, "XDG_") || !strings.HasSuffix(k, "_DIR") {
			continue
		}
		v = strings.Trim(v, `"`)
		v = strings.Replace(v, "$HOME", home, 1)
		if filepath.IsAbs(v) && filepath.Clean(v) != filepath.Clean(home) {
			out[strings.TrimSuffix(strings.TrimPrefix(k, "XDG_"), "_DIR")] = v
		}
	}
	return out
}

// removableMedia lists mounted drives: drive letters on Windows, volumes
// on macOS, what the desktop mounts under /media and /run/media on Linux.
func removableMedia() []string {
	switch runtime.GOOS {
	case "windows":
		var out []string
		for l := 'C'; l <= 'Z'; l++ {
			if d := string(l) + `:\`; isDir(d) {
				out = append(out, d)
			}
		}
		return out
	case "darwin":
		return subfolders("/Volumes")
	}
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	var out []string
	if name != "" {
		out = append(out, subfolders(filepath.Join("/media", name))...)
		out = append(out, subfolders(filepath.Join("/run/media", name))...)
	}
	// Some systems mount straight under /media; another user's folder
	// there is not readable, so it is not listed.
	for _, d := range subfolders("/media") {
		if filepath.Base(d) != name {
			if _, err := os.ReadDir(d); err == nil {
				out = append(out, d)
			}
		}
	}
	return out
}

// subfolders lists the folders in dir, sorted.
func subfolders(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if p := filepath.Join(dir, e.Name()); !strings.HasPrefix(e.Name(), ".") && isDir(p) {
			out = append(out, p)
		}
	}
	return out
}

// fileList is the listing. Its keys: Up and Down move the selection,
// Enter opens or chooses it, Backspace goes up. It draws no focus ring
// of its own: the selection is where the keys act.
type fileList struct {
	widget.List
	c *fileChooser
}

func newFileList(c *fileChooser) *fileList {
	l := &fileList{c: c}
	l.Length = func() int { return len(c.entries) }
	l.CreateItem = func() fyne.CanvasObject { return newFileRow(c) }
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(c.entries) {
			o.(*fileRow).show(id, c.entries[id])
		}
	}
	l.OnSelected = safe(c.selectedRow)
	l.OnUnselected = safe(func(id widget.ListItemID) {
		if c.selected == id {
			c.selected = -1
			c.updateConfirm()
		}
	})
	l.ExtendBaseWidget(l)
	return l
}

func (l *fileList) FocusGained() {}
func (l *fileList) FocusLost()   {}

func (l *fileList) TypedKey(ev *fyne.KeyEvent) {
	c := l.c
	c.a.touch()
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if c.save && c.selected < 0 {
			c.saveByName()
			return
		}
		c.activate(c.selected)
	case fyne.KeyDown:
		c.move(1)
	case fyne.KeyUp:
		c.move(-1)
	case fyne.KeyBackspace:
		c.goUp()
	}
}

// fileRow is one row: icon, name, size, date. It takes the clicks itself,
// so that one click selects and a double-click opens.
type fileRow struct {
	widget.BaseWidget
	c    *fileChooser
	id   int
	icon *widget.Icon
	name *canvas.Text
	size *canvas.Text
	date *canvas.Text
	cols *columns
}

func newFileRow(c *fileChooser) *fileRow {
	r := &fileRow{c: c, id: -1, icon: widget.NewIcon(theme.FileIcon())}
	r.name = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	r.size = canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	r.size.Alignment = fyne.TextAlignTrailing
	r.date = canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	r.cols = newColumns()
	r.ExtendBaseWidget(r)
	return r
}

func (r *fileRow) show(id int, e fileEntry) {
	r.id = id
	r.cols.full = e.name
	r.name.Text = e.name
	r.size.Text = ""
	if e.dir {
		r.icon.SetResource(theme.FolderIcon())
	} else {
		r.icon.SetResource(theme.FileIcon())
		r.size.Text = size(e.size)
	}
	r.date.Text = e.mod.Local().Format("2006-01-02 15:04")
	r.Refresh()
}

func (r *fileRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(r.cols, r.icon, r.name, r.size, r.date))
}

func (r *fileRow) Tapped(*fyne.PointEvent)       { r.c.click(r.id) }
func (r *fileRow) DoubleTapped(*fyne.PointEvent) { r.c.doubleClick(r.id) }

// newFileHeader is the columns' titles above the listing.
func newFileHeader(a *App) fyne.CanvasObject {
	text := func(s string, align fyne.TextAlign) *canvas.Text {
		t := canvas.NewText(s, theme.Color(theme.ColorNameForeground))
		t.TextStyle.Bold = true
		t.Alignment = align
		return t
	}
	icon := canvas.NewRectangle(color.Transparent)
	cols := newColumns()
	cols.full = a.T("ui.files.col_name")
	row := container.New(cols, icon, text(cols.full, fyne.TextAlignLeading),
		text(a.T("ui.files.col_size"), fyne.TextAlignTrailing), text(a.T("ui.files.col_modified"), fyne.TextAlignLeading))
	// The list draws its rows inside a padding; the titles line up.
	return container.NewPadded(row)
}

// columns lays out a row: an icon, the name (cut with … when too long),
// the size and the date in columns of fixed width.
type columns struct {
	full       string // the name uncut
	size, date float32
}

func newColumns() *columns {
	ts := theme.TextSize()
	return &columns{
		size: fyne.MeasureText("0000.0 MiB", ts, fyne.TextStyle{}).Width,
		date: fyne.MeasureText("2006-01-02 15:04 ", ts, fyne.TextStyle{}).Width,
	}
}

func (l *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	icon := theme.IconInlineSize()
	h := icon
	for _, o := range objs[1:] {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(icon+80+l.size+l.date+5*pad, h)
}

func (l *columns) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	pad := theme.Padding()
	icon := theme.IconInlineSize()
	objs[0].Resize(fyne.NewSquareSize(icon))
	objs[0].Move(fyne.NewPos(0, (s.Height-icon)/2))
	nameW := max(0, s.Width-icon-l.size-l.date-5*pad)
	x := icon + pad
	for i, w := range []float32{nameW, l.size, l.date} {
		o := objs[i+1]
		h := o.MinSize().Height
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(x, (s.Height-h)/2))
		x += w + 2*pad
	}
	if t, ok := objs[1].(*canvas.Text); ok {
		t.Text = cut(l.full, nameW, t.TextSize, t.TextStyle)
	}
}

// cut shortens s with … to fit width.
func cut(s string, width, size float32, style fyne.TextStyle) string {
	if fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(r[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}
