package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/sirupsen/logrus"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/oswatch"
	"github.com/dossier-hr/dossier/store"
)

// Config is what the program passes in.
type Config struct {
	VaultDir string         // the vault folder
	Lang     string         // a code of assets.Languages; empty means English
	Log      *logrus.Logger // nil: logging off
	// AutoLock locks the vault after that long without activity; zero
	// means the default, five minutes; negative turns it off.
	AutoLock time.Duration
	// BackupReminder shows a banner when the last backup is older; zero
	// means the default, seven days.
	BackupReminder time.Duration
	// SaveLanguage keeps the language chosen in Settings for the next
	// start (the unlock screen is in it, before any vault is open); nil
	// keeps it for this run only.
	SaveLanguage func(lang string) error
	// WatchOS starts watching what the operating system says (Watch of
	// internal/oswatch, or a test's private buses): the vault locks on
	// each report, as the lock shortcut does. It is called once, off the
	// UI goroutine, by Start; stop is called when the window closes. nil:
	// nothing is watched.
	WatchOS func(onLock func(oswatch.Reason)) (stop func(), err error)
	// NeutralWindow titles the window "Notes" (in the person's language)
	// instead of "Dossier", for a laptop others look at; the program
	// sets the plain page icon (assets.NeutralIcon) too. Cosmetic only:
	// see docs/security.md.
	NeutralWindow bool
}

// Defaults of Config.
const (
	DefaultAutoLock       = 5 * time.Minute
	DefaultBackupReminder = 7 * 24 * time.Hour
)

// App is one window of Dossier on one vault.
type App struct {
	cfg  Config
	win  fyne.Window
	log  *logrus.Logger
	lang string

	mu    sync.Mutex
	vault *store.Vault // nil while locked

	main *mainScreen // nil while locked

	idleMu  sync.Mutex
	idle    func() bool // stops the auto-lock's timer; nil while none is armed
	idleGen int         // which arming of the timer may still lock
	jobs    int         // long work the person started, still running: the auto-lock waits
	// afterFunc arms the auto-lock's timer: time.AfterFunc, replaced by
	// tests that fire it themselves.
	afterFunc func(d time.Duration, f func()) (stop func() bool)
	// progressHook, set by tests only, is called with each progress report
	// of long work, on the work's goroutine: it may hold the work there.
	progressHook func(done, total int64)

	lockedIdle bool // the last lock was the idle timer's; UI goroutine only

	// eraseOn: the open vault's emergency erase shortcut is enabled (its
	// setting, read at unlock). UI goroutine only.
	eraseOn bool

	crashes atomic.Int64 // faults recovered in the interface, for tests

	osMu      sync.Mutex
	osStop    func() // ends the watching of WatchOS; nil while none runs
	osStarted bool   // Start began the watching
	closed    bool   // the window closed: a watching that starts now stops at once

	// Where the person was when the vault locked: only the case's id,
	// so that no content stays in memory while locked. UI goroutine only.
	resume resumePoint
}

// resumePoint is where to go back to after an unlock.
type resumePoint struct {
	caseID  string // the case shown or edited; "" for none or a new case
	editing bool   // its editor was open (what was typed is in its draft)
}

// New prepares the interface in win. Call Start to show the first screen.
func New(win fyne.Window, cfg Config) *App {
	a := &App{cfg: cfg, win: win, log: cfg.Log, lang: cfg.Lang,
		afterFunc: func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }}
	current.Store(a)
	if a.log == nil {
		a.log = logrus.New()
		a.log.SetLevel(logrus.PanicLevel)
	}
	if a.lang == "" {
		a.lang = "en"
	}
	if a.cfg.AutoLock == 0 {
		a.cfg.AutoLock = DefaultAutoLock
	}
	if a.cfg.BackupReminder == 0 {
		a.cfg.BackupReminder = DefaultBackupReminder
	}
	// Keys typed anywhere count as activity for the auto-lock.
	win.Canvas().SetOnTypedKey(safe(func(*fyne.KeyEvent) { a.touch() }))
	win.Canvas().SetOnTypedRune(safe(func(rune) { a.touch() }))
	win.Canvas().AddShortcut(lockShortcut, safe(func(fyne.Shortcut) { a.Lock() }))
	win.SetOnClosed(safe(a.stopWatchingOS))
	win.Canvas().AddShortcut(eraseShortcut, safe(func(fyne.Shortcut) { a.emergencyErase() }))
	a.setMenu()
	return a
}

// lockShortcut locks the vault at once: Ctrl+L, or Cmd+L on macOS.
var lockShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}

// setMenu gives the window its menu in the current language; changing the
// language calls it again. Quit is Dossier's own (IsQuit, so Fyne adds
// none and gives it its usual action): the one Fyne adds is labelled in
// the system's language, not in the one chosen in Dossier. Shortcuts in
// the menu reach the app even while a field has the focus: the desktop
// driver gives the focused field only those it does not find in the menu.
func (a *App) setMenu() {
	lock := fyne.NewMenuItem(a.T("ui.main.lock"), safe(a.Lock))
	lock.Shortcut = lockShortcut
	stats := fyne.NewMenuItem(a.T("ui.stats.button")+"…", safe(func() {
		if a.main != nil && a.Vault() != nil {
			a.main.showStats()
		}
	}))
	quit := fyne.NewMenuItem(a.T("ui.menu.quit"), nil)
	quit.IsQuit = true
	save := fyne.NewMenuItem(a.T("ui.edit.save"), safe(func() {
		if m := a.main; m != nil && m.editor != nil && !m.editor.closed {
			m.editor.save()
		}
	}))
	save.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	newCase := fyne.NewMenuItem(a.T("ui.main.new_case"), safe(func() {
		if m := a.main; m != nil {
			m.newCase()
		}
	}))
	newCase.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	vault := []*fyne.MenuItem{lock, stats}
	if a.eraseOn && a.Vault() != nil {
		// Only while enabled: the menu is what carries a shortcut to the
		// app when a field has the focus, and nobody else sees the item.
		// Set apart by separators, so that a slip from Lock or
		// Statistics does not land on it.
		erase := fyne.NewMenuItem(a.T("ui.settings.erase_menu"), safe(a.emergencyErase))
		erase.Shortcut = eraseShortcut
		vault = append(vault, fyne.NewMenuItemSeparator(), erase)
	}
	vault = append(vault, fyne.NewMenuItemSeparator(), quit)
	a.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(a.T("ui.menu.vault"), vault...),
		fyne.NewMenu(a.T("ui.menu.case"), newCase, save)))
}

// T returns the text of a UI key in the current language; with arguments
// it is a format string.
func (a *App) T(key string, args ...any) string {
	s := assets.Label(a.lang, key)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// title is the window's title: the app's name, or the neutral one.
func (a *App) title() string {
	if a.cfg.NeutralWindow {
		return a.T("ui.neutral_title")
	}
	return a.T("ui.app_title")
}

// percent writes a percentage as the person's language does: "35%" in
// English and Indonesian, "35 %" (a no-break space) in French, Russian,
// Spanish and Portuguese.
func (a *App) percent(n int) string {
	switch a.lang {
	case "en", "id":
		return strconv.Itoa(n) + "%"
	}
	return strconv.Itoa(n) + "\u00a0%"
}

// N returns the count message key for the count n in the current
// language, such as "1 case" or "22 дела".
func (a *App) N(key string, n int) string {
	return assets.Plural(a.lang, key, n)
}

// Start shows the unlock screen, or the create screen if there is no vault,
// or the restore screen if a restore into the folder was interrupted.
func (a *App) Start() {
	a.win.SetTitle(a.title())
	a.watchOS()
	switch {
	case store.RestoreInterrupted(a.cfg.VaultDir):
		// Not the unlock screen: there is nothing to unlock yet, and
		// restoring again into the folder completes it.
		s := a.showRestore()
		s.status.SetText(a.T("ui.restore.interrupted"))
	case store.Exists(a.cfg.VaultDir):
		a.showUnlock()
	default:
		a.showCreate()
	}
}

// Vault returns the open vault, or nil while locked.
func (a *App) Vault() *store.Vault {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.vault
}

func (a *App) setVault(v *store.Vault) {
	a.mu.Lock()
	a.vault = v
	a.mu.Unlock()
}

// Lock closes the database, drops the key and returns to the unlock
// screen at once.
func (a *App) Lock() {
	a.mu.Lock()
	v := a.vault
	a.vault = nil
	a.mu.Unlock()
	if v == nil {
		return
	}
	a.stopIdle()
	// Dialogs go too: a history, a preview or a summary shows content.
	for _, o := range a.win.Canvas().Overlays().List() {
		a.win.Canvas().Overlays().Remove(o)
	}
	if a.main != nil {
		a.resume = a.main.where()
		a.main.stop()
		a.main = nil
	}
	if err := v.Close(); err != nil {
		a.logErr(err).Warn("closing the vault")
	}
	a.log.Info("vault locked")
	if a.eraseOn {
		a.eraseOn = false
		a.setMenu()
	}
	a.showUnlock()
}

// watchOS starts Config.WatchOS once, off the UI goroutine: connecting to
// the buses must not hold the first screen. A system without the buses
// is logged once, at info, and the app works as before.
func (a *App) watchOS() {
	a.osMu.Lock()
	defer a.osMu.Unlock()
	if a.cfg.WatchOS == nil || a.osStarted {
		return
	}
	a.osStarted = true
	goSafe(func() {
		stop, err := a.cfg.WatchOS(a.osLock)
		switch {
		case errors.Is(err, oswatch.ErrNotSupported):
			a.log.Info("the system's screen lock and sleep are not watched on this system")
		case err != nil && stop == nil:
			a.logErr(err).Info("the system's screen lock and sleep are not watched: no bus")
		case err != nil:
			a.logErr(err).Info("some of the system's lock and sleep signals are not watched")
		}
		if stop == nil {
			return
		}
		a.osMu.Lock()
		defer a.osMu.Unlock()
		if a.closed {
			stop()
			return
		}
		a.osStop = stop
	})
}

// stopWatchingOS ends the watching as the window closes.
func (a *App) stopWatchingOS() {
	a.osMu.Lock()
	stop := a.osStop
	a.osStop, a.closed = nil, true
	a.osMu.Unlock()
	if stop != nil {
		stop()
	}
}

// osLock locks the vault when the system says the person left: the
// screen locked, the session switched away, or the machine about to
// sleep. Called on the watcher's goroutine; the log gets the kind of
// reason only.
func (a *App) osLock(r oswatch.Reason) {
	do(func() {
		if a.Vault() == nil {
			return
		}
		a.log.WithField("reason", r.String()).Info("the system says the person left: locking")
		a.Lock()
	})
}

// eraseShortcut is the emergency erase: Ctrl+Shift+Alt+E (Cmd on macOS),
// three modifiers so that no slip of the hand presses it.
var eraseShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyE,
	Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift | fyne.KeyModifierAlt}

// emergencyErase destroys the open vault at once, with no question, if the
// person enabled it in Settings, and shows the create screen: nothing on
// it says there was a vault. Nothing is saved first (a draft would be
// written into the vault being destroyed).
func (a *App) emergencyErase() {
	a.mu.Lock()
	v := a.vault
	if v == nil || !a.eraseOn {
		a.mu.Unlock()
		return
	}
	a.vault = nil
	a.mu.Unlock()
	a.stopIdle()
	for _, o := range a.win.Canvas().Overlays().List() {
		a.win.Canvas().Overlays().Remove(o)
	}
	if a.main != nil {
		a.main.stop()
		a.main = nil
	}
	a.resume = resumePoint{}
	a.eraseOn = false
	// Erase closes the database first: SQLite must not write pages back
	// into the files after they were overwritten.
	if err := v.Erase(); err != nil {
		a.logErr(err).Error("vault erase incomplete")
	} else {
		a.log.Info("vault erased")
	}
	a.setMenu()
	a.showCreate()
}

// opened is called on the UI goroutine once a vault is unlocked.
func (a *App) opened(v *store.Vault) {
	a.setVault(v)
	a.log.Info("vault unlocked")
	a.loadSettings(context.Background())
	a.main = newMainScreen(a, v)
	a.win.SetContent(a.main.content)
	a.win.SetOnDropped(safe(func(_ fyne.Position, uris []fyne.URI) {
		if a.main != nil {
			a.main.dropped(uris)
		}
	}))
	a.win.Canvas().Focus(a.main.search)
	a.main.refresh()
	a.main.goBack(a.resume)
	a.resume = resumePoint{}
	a.touch()
}

// readScroll is a scroll of something a person reads: moving it with the
// wheel or the bar counts as activity, so that reading a long case with
// the mouse alone does not lock the vault under the reader.
func (a *App) readScroll(content fyne.CanvasObject) *container.Scroll {
	s := container.NewVScroll(content)
	s.OnScrolled = safe(func(fyne.Position) { a.touch() })
	return s
}

// touch records activity: the auto-lock starts counting again, unless
// long work is running (see beginWork), which holds it off altogether.
func (a *App) touch() {
	if a.cfg.AutoLock < 0 || a.Vault() == nil {
		return
	}
	a.idleMu.Lock()
	defer a.idleMu.Unlock()
	if a.jobs > 0 {
		return
	}
	a.armIdle()
}

// armIdle (re)starts the auto-lock's timer from zero; idleMu is held. Each
// arming has its own generation: a timer that fired just before it was
// stopped finds a newer generation, or work running, and does nothing.
func (a *App) armIdle() {
	if a.idle != nil {
		a.idle()
	}
	a.idleGen++
	gen := a.idleGen
	a.idle = a.afterFunc(a.cfg.AutoLock, func() {
		do(func() {
			a.idleMu.Lock()
			stale := gen != a.idleGen || a.jobs > 0
			a.idleMu.Unlock()
			if !stale && a.Vault() != nil {
				a.log.Info("vault locked after inactivity")
				a.lockedIdle = true
				a.Lock()
			}
		})
	})
}

func (a *App) stopIdle() {
	a.idleMu.Lock()
	defer a.idleMu.Unlock()
	a.stopIdleLocked()
}

func (a *App) stopIdleLocked() {
	if a.idle != nil {
		a.idle()
		a.idle = nil
	}
	a.idleGen++
}

// beginWork pauses the auto-lock while long work the person started runs
// (a backup, a share, an import, attaching or saving a large file): such
// work gives no sign of activity for minutes, and locking under it would
// close the vault it works on. The returned end, called once the work is
// over (more calls do nothing), lets the auto-lock count again from zero
// when no other work is left. Safe from any goroutine.
func (a *App) beginWork() (end func()) {
	a.idleMu.Lock()
	a.jobs++
	a.stopIdleLocked()
	a.idleMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			a.idleMu.Lock()
			a.jobs--
			left := a.jobs
			a.idleMu.Unlock()
			if left == 0 {
				a.touch()
			}
		})
	}
}

// messages maps the errors a person can cause to what the interface says
// about them, in their language.
var messages = []struct {
	err error
	key string
}{
	{crypto.ErrPassphraseWiped, "ui.unlock.wiped"}, // before ErrWrongPassphrase: a wiping attempt is both
	{crypto.ErrWrongPassphrase, "ui.unlock.wrong"},
	{crypto.ErrWrongRecoveryKey, "ui.unlock.wrong_recovery"},
	{crypto.ErrBadRecoveryKey, "ui.unlock.bad_recovery"},
	{store.ErrDiskFull, "ui.err.disk_full"},
	{syscall.ENOSPC, "ui.err.disk_full"},
	{store.ErrClosed, "ui.err.locked"},
	{store.ErrEvidenceCorrupt, "ui.err.evidence_corrupt"},
	{store.ErrContactExists, "ui.err.contact_exists"},
	{store.ErrNotFound, "ui.err.not_found"},
	{store.ErrRestoreIncomplete, "ui.err.restore_incomplete"},
	{store.ErrNewerVault, "ui.err.newer_vault"},
	{store.ErrUnknownSchema, "ui.err.unknown_schema"},
	{store.ErrKeyFileAltered, "ui.err.key_file_altered"},
	{store.ErrNotDatabase, "ui.err.damaged"},
	{crypto.ErrCorruptKeyFile, "ui.err.damaged"},
	{store.ErrCipherMissing, "ui.err.cipher_missing"},
	{os.ErrPermission, "ui.err.permission"},
	{crypto.ErrPassphraseShort, "ui.weak.short"},
	{crypto.ErrPassphraseRepetitive, "ui.weak.repetitive"},
	{crypto.ErrPassphraseCommon, "ui.weak.common"},
	{crypto.ErrPassphraseFewKinds, "ui.weak.few_kinds"},
	{crypto.ErrPassphraseLineBreak, "ui.passphrase.line_break"},
	{crypto.ErrPassphraseControl, "ui.passphrase.control"},
}

// bundleReasons say why a bundle was refused.
var bundleReasons = []struct {
	err error
	key string
}{
	{export.ErrNotAddressed, "ui.bundle.not_addressed"},
	{export.ErrUnknownSigner, "ui.bundle.unknown_signer"},
	{export.ErrBadSignature, "ui.bundle.bad_signature"},
	{export.ErrUnsigned, "ui.bundle.unsigned"},
	{export.ErrCorrupt, "ui.bundle.corrupt"},
	{export.ErrWrongKind, "ui.bundle.wrong_kind"},
	{export.ErrNotBound, "ui.bundle.not_bound"},
	{export.ErrNoBinding, "ui.bundle.no_binding"},
}

// message says err in the person's language: the message for a known
// error, else the generic one with the error's text.
func (a *App) message(err error) string {
	if errors.Is(err, export.ErrVerify) {
		why := err.Error()
		for _, r := range bundleReasons {
			if errors.Is(err, r.err) {
				why = a.T(r.key)
				break
			}
		}
		return a.T("ui.bundle.refused", why)
	}
	for _, m := range messages {
		if errors.Is(err, m.err) {
			return a.T(m.key)
		}
	}
	return a.T("ui.error", err.Error())
}

// showInfo tells the person something in a dialog whose button is in
// their language: Fyne's dialog.ShowInformation labels it "OK" in the
// system's language.
func (a *App) showInfo(title, msg string) {
	d := dialog.NewInformation(title, msg, a.win)
	d.SetDismissText(a.T("ui.ok"))
	d.Show()
}

// showError says what went wrong in a dialog titled and buttoned in the
// person's language: Fyne's dialog.ShowError takes both from the system's
// language. Like Fyne's, it is as wide as the message on one line, up to
// 600 and nine tenths of the window.
func (a *App) showError(msg string) {
	text := &widget.Label{Text: msg, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	icon := widget.NewIcon(theme.ErrorIcon())
	d := dialog.NewCustom(a.T("ui.error_title"), a.T("ui.ok"), container.NewBorder(nil, nil, icon, nil, text), a.win)
	width := widget.NewLabel(msg).MinSize().Width + icon.MinSize().Width + 4*theme.Padding() + 32
	width = min(width, 600, a.win.Canvas().Size().Width*0.9)
	d.Resize(fyne.NewSize(width, d.MinSize().Height))
	d.Show()
}

// askSavePath asks where to save a file, offering name, and calls then
// with the path; if a file is there the person has agreed to replace it.
// Nothing is written: the caller writes under a temporary name and
// renames into place. Dossier's own chooser (files.go), not Fyne's.
func (a *App) askSavePath(name string, then func(path string)) {
	a.chooseFile(true, name, then)
}

// askOpenPath asks for a file and calls then with its path.
func (a *App) askOpenPath(then func(path string)) {
	a.chooseFile(false, "", then)
}

// when shows a timestamp from the vault (RFC 3339, UTC) as the person's
// local date and time to the minute; anything else is shown as it is.
func when(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.Local().Format("2006-01-02 15:04")
}
