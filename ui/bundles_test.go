package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/store"
)

func unlocked(t *testing.T, cfg Config) (*App, fyne.Window, string) {
	t.Helper()
	dir, _ := fixture(t)
	newApp(t)
	w := newWindow()
	cfg.VaultDir, cfg.Lang = dir, "en"
	a := New(w, cfg)
	a.Start()
	t.Cleanup(func() { onUI(a.Lock); w.Close() }) // onUI: background refreshes may still be landing
	unlockWith(t, a, w, "the right passphrase")
	eventually(t, "the case list", func() bool { return labelWith(w, "4 cases") })
	return a, w, dir
}

func TestAutoLockAfterIdle(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: time.Minute})
	clock := useIdleClock(a)
	var search *widget.Entry
	onUI(func() { search = a.main.search })
	// Activity restarts it from zero; a timer that fired just before it
	// was restarted does not lock.
	for i := 0; i < 3; i++ {
		before, old := clock.current()
		typeIn(t, w, search, "x")
		if after, _ := clock.current(); after == before || clock.armed() != time.Minute {
			t.Fatal("a key typed did not restart the auto-lock")
		}
		if old != nil {
			old() // fired as the key came: too late
		}
		if a.Vault() == nil {
			t.Fatal("a timer stopped by activity locked the vault")
		}
	}
	clock.elapse()
	if a.Vault() != nil || !labelWith(w, "Unlock the vault") {
		t.Fatal("no lock once the idle time passed")
	}
	if !labelWith(w, "Locked after") {
		t.Fatal("the unlock screen does not say why it locked")
	}
}

func TestBackupAndBanner(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	if !labelWith(w, "No full backup of this vault yet") || !a.main.bannerBox.Visible() {
		t.Fatal("no reminder for a vault never backed up")
	}
	// Before any full backup, only a full one is offered. The reminder's
	// button asks, as the toolbar's does.
	var remind *widget.Button
	onUI(func() {
		for _, o := range shown(a.main.bannerBox) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Back up" {
				remind = b
			}
		}
	})
	if remind == nil {
		t.Fatal("no button in the reminder")
	}
	tap(t, w, remind)
	if kinds := backupKinds(t, w); strings.Join(kinds, "|") != "Full backup: everything, enough to rebuild the vault on a new laptop" || !labelWith(w, "After a first full backup") {
		t.Fatalf("backup kinds offered before a full backup: %q", kinds)
	}
	press(t, w, "Cancel")
	press(t, w, "Back up")
	// A click on the only kind, already chosen, keeps it chosen.
	clickText(t, w, "Full backup: everything, enough to rebuild the vault on a new laptop")
	if k, _ := find(w, func(r *widget.RadioGroup) bool { return true }); k.Selected == "" {
		t.Fatal("a click on the chosen kind left none chosen")
	}
	press(t, w, "Next")
	path := filepath.Join(t.TempDir(), "backup.age")
	saveFile(t, w, path)
	eventually(t, "the backup summary", func() bool { return labelWith(w, "Backup written and verified: 4 cases") })
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	// It says which recovery key opens it, by the id the key's file states.
	rr, _ := a.Vault().RecoveryRecipient(t.Context())
	if !labelWith(w, "It opens with recovery key "+crypto.RecoveryKeyID(rr)+":") || labelWith(w, "made by an older Dossier") {
		t.Fatal("the summary does not say which recovery key opens the backup")
	}
	if a.main.bannerBox.Visible() {
		t.Fatal("the reminder stays after a backup")
	}
	// The file is a full backup that verifies.
	own, _ := a.Vault().Identity()
	file, _ := os.Open(path)
	defer file.Close()
	m, err := export.Read(t.Context(), file, own.Identities(), nil)
	if err != nil || m.Kind != export.KindFull || m.Cases != 4 {
		t.Fatalf("backup: %+v %v", m, err)
	}
	press(t, w, "OK")

	// Then an incremental one is offered, and holds only what changed.
	list, _ := a.Vault().List(t.Context(), store.Query{})
	if _, err := a.Vault().Edit(t.Context(), list[0].ID, []byte(`{"status":"closed"}`)); err != nil {
		t.Fatal(err)
	}
	press(t, w, "Back up")
	if kinds := backupKinds(t, w); len(kinds) != 2 || !labelWith(w, "a restore needs the full backup and every incremental") {
		t.Fatalf("backup kinds after a full backup: %q", kinds)
	}
	clickText(t, w, "Incremental backup: only what changed since the last backup")
	if k, _ := find(w, func(r *widget.RadioGroup) bool { return true }); k.Selected != "Incremental backup: only what changed since the last backup" {
		t.Fatalf("chosen %q", k.Selected)
	}
	press(t, w, "Next")
	inc := filepath.Join(t.TempDir(), "incremental.age")
	saveFile(t, w, inc)
	eventually(t, "the incremental summary", func() bool { return labelWith(w, "Incremental backup written and verified: 1 changed case") })
	g, _ := os.Open(inc)
	defer g.Close()
	if m2, err := export.Read(t.Context(), g, own.Identities(), nil); err != nil || m2.Kind != export.KindIncremental || m2.Base != m.Hash || m2.Cases != 1 {
		t.Fatalf("incremental: %+v %v", m2, err)
	}
}

// backupKinds are the kinds of backup the open backup dialog offers.
func backupKinds(t *testing.T, w fyne.Window) []string {
	t.Helper()
	r, ok := find(w, func(r *widget.RadioGroup) bool { return true })
	if !ok {
		t.Fatal("no choice of backup kinds")
	}
	var kinds []string
	onUI(func() { kinds = append(kinds, r.Options...) })
	return kinds
}

func TestBackupCancel(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	// Enough evidence that the backup is still running when cancelled.
	big := bytes.Repeat([]byte("evidence "), 8<<20)
	list, _ := a.Vault().List(t.Context(), store.Query{})
	if _, err := a.Vault().Attach(t.Context(), list[0].ID, bytes.NewReader(big), store.AttachOptions{Name: "v.bin"}); err != nil {
		t.Fatal(err)
	}
	press(t, w, "Back up")
	press(t, w, "Next")
	path := filepath.Join(t.TempDir(), "backup.age")
	nameFile(t, w, path)
	onUI(func() { // at once: the backup must still be running
		press(t, w, "Save")
		press(t, w, "Cancel")
	})
	eventually(t, "the cancelled message", func() bool { return labelWith(w, "Backup cancelled. Nothing was written.") })
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("a cancelled backup left a file")
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 0 {
		t.Fatalf("a cancelled backup left %v", ents)
	}
}

// shareFrom makes a partner vault that shares one case with the app's
// vault, known or not, and returns the bundle's path.
func shareFrom(t *testing.T, a *App, known bool) string {
	t.Helper()
	p, _, err := store.Create(filepath.Join(t.TempDir(), "p"), "pp", store.CreateOptions{OrgName: "Partner Network"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ids, _ := p.AddCases(t.Context(), strings.NewReader(`{"title":"Shared by the partner","consent":{"obtained":true,"scope":["legal_partners"]}}`))
	mine, _ := export.OwnCard(a.Vault())
	theirs, _ := export.OwnCard(p)
	if known {
		c, _ := theirs.Contact()
		if err := a.Vault().AddContact(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "share.age")
	if _, err := export.WriteFile(t.Context(), p, path, export.Options{Kind: export.KindShare, To: []export.Card{mine}, Cases: ids}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportShowsSummaryThenImports(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	path := shareFrom(t, a, true)
	press(t, w, "Import")
	openFile(t, w, path)
	eventually(t, "the summary", func() bool {
		return labelWith(w, "Made by: Partner Network") && labelWith(w, "a known contact: Partner Network") && labelWith(w, "Nothing has been imported yet.") &&
			labelWith(w, "Importing would add 1 case, update 0, leave 0 unchanged, flag 0 in conflict") &&
			labelWith(w, `the case marked "Needs review" in the list (Resolve… on the case shows the two versions side by side)`)
	})
	if n, _ := a.Vault().Count(t.Context(), store.Query{}); n != 4 {
		t.Fatal("something was imported before the confirmation")
	}
	press(t, w, "Import") // the summary's
	eventually(t, "the result", func() bool { return labelWith(w, "Imported: 1 case added") })
	eventually(t, "the list", func() bool { return a.main.count.Text == "5 cases" })
	press(t, w, "OK")
	// The same bundle again: the summary says it would change nothing.
	press(t, w, "Import")
	openFile(t, w, path)
	eventually(t, "the second summary", func() bool { return labelWith(w, "Importing would add 0 cases, update 0, leave 1 unchanged") })
	press(t, w, "Cancel")
	if n, _ := a.Vault().Count(t.Context(), store.Query{}); n != 5 {
		t.Fatalf("%d cases after a cancelled second import", n)
	}
}

func TestImportRefusals(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	// An unknown signer: a stern summary and "Import anyway".
	path := shareFrom(t, a, false)
	press(t, w, "Import")
	openFile(t, w, path)
	eventually(t, "the warning", func() bool { return labelWith(w, "NOT among your contacts") })
	button(t, w, "Import anyway")
	press(t, w, "Cancel")
	if n, _ := a.Vault().Count(t.Context(), store.Query{}); n != 4 {
		t.Fatal("a cancelled import changed the vault")
	}
	// A tampered bundle: refused, with the reason.
	data, _ := os.ReadFile(path)
	data[len(data)-30] ^= 1
	bad := filepath.Join(t.TempDir(), "bad.age")
	os.WriteFile(bad, data, 0o600)
	press(t, w, "Import")
	openFile(t, w, bad)
	eventually(t, "the refusal", func() bool {
		return labelWith(w, "This bundle was refused and nothing was changed") && labelWith(w, "damaged, truncated or was altered")
	})
	if _, ok := find(w, func(b *widget.Button) bool { return b.Text == "Import anyway" }); ok {
		t.Fatal("a tampered bundle was offered for import")
	}
	press(t, w, "OK")
	// The unknown signer's bundle, imported anyway.
	press(t, w, "Import")
	openFile(t, w, path)
	eventually(t, "the warning again", func() bool { return labelWith(w, "NOT among your contacts") })
	press(t, w, "Import anyway")
	eventually(t, "the result", func() bool { return labelWith(w, "Imported: 1 case added") })
	eventually(t, "the list", func() bool { return a.main.count.Text == "5 cases" })
}

// A long check can be cancelled; nothing is imported.
func TestImportCancel(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	p, _, err := store.Create(filepath.Join(t.TempDir(), "p"), "pp", store.CreateOptions{OrgName: "Partner Network"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ids, _ := p.AddCases(t.Context(), strings.NewReader(`{"title":"Shared with a large file","consent":{"obtained":true,"scope":["legal_partners","public_advocacy"]}}`))
	if _, err := p.Attach(t.Context(), ids[0], bytes.NewReader(bytes.Repeat([]byte("video "), 8<<20)), store.AttachOptions{Name: "v.bin"}); err != nil {
		t.Fatal(err)
	}
	mine, _ := export.OwnCard(a.Vault())
	path := filepath.Join(t.TempDir(), "share.age")
	if _, err := export.WriteFile(t.Context(), p, path, export.Options{Kind: export.KindShare, To: []export.Card{mine}, Cases: ids, Redact: export.RedactNone}); err != nil {
		t.Fatal(err)
	}
	press(t, w, "Import")
	typePath(t, w, path)
	onUI(func() { // at once: the check must still be running
		key(t, w, fyne.KeyReturn)
		press(t, w, "Cancel")
	})
	eventually(t, "the cancelled message", func() bool { return labelWith(w, "Import cancelled. Nothing was imported.") })
	if n, _ := a.Vault().Count(t.Context(), store.Query{}); n != 4 {
		t.Fatalf("%d cases after a cancelled import", n)
	}
}

// A long backup the person started keeps the vault open, however long it
// takes: the auto-lock is paused while it runs and counts again from zero
// once it ends. The backup is held in its middle and the test itself says
// when the idle time has passed, so nothing depends on the machine's speed.
func TestLongBackupPausesAutoLock(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	clock := useIdleClock(a)
	list, _ := a.Vault().List(t.Context(), store.Query{})
	if _, err := a.Vault().Attach(t.Context(), list[0].ID, bytes.NewReader(bytes.Repeat([]byte("evidence "), 1<<20)), store.AttachOptions{Name: "v.bin"}); err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a.progressHook = func(done, total int64) {
		if done > 0 && done < total {
			once.Do(func() { close(held); <-release })
		}
	}
	press(t, w, "Back up")
	press(t, w, "Next")
	nameFile(t, w, filepath.Join(t.TempDir(), "backup.age"))
	onUI(func() {
		a.cfg.AutoLock = time.Minute
		a.touch() // the person was active a moment ago: the timer runs
		press(t, w, "Save")
	})
	<-held
	// The idle time passes, as often as one likes: the vault stays open.
	for i := 0; i < 3; i++ {
		clock.elapse()
		if a.Vault() == nil {
			t.Fatal("the vault locked in the middle of a backup")
		}
	}
	close(release)
	eventually(t, "the backup", func() bool { return labelWith(w, "Backup written and verified") })
	// Done: the auto-lock counts again, from zero, and locks when the idle
	// time has passed with nothing happening.
	if d := clock.armed(); d != time.Minute {
		t.Fatalf("after the backup the auto-lock is armed for %v", d)
	}
	clock.elapse()
	if a.Vault() != nil || !labelWith(w, "Unlock the vault") {
		t.Fatal("no idle lock after the backup")
	}
}

// idleClock stands in for the auto-lock's timer: the test says when the
// idle time has passed.
type idleClock struct {
	mu  sync.Mutex
	id  int           // of the armed timer
	f   func()        // what the armed timer does; nil when none is armed
	dur time.Duration // of the armed timer
}

func useIdleClock(a *App) *idleClock {
	c := &idleClock{}
	onUI(func() {
		a.idleMu.Lock()
		defer a.idleMu.Unlock()
		a.stopIdleLocked()
		a.afterFunc = c.afterFunc
	})
	return c
}

func (c *idleClock) afterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id++
	id := c.id
	c.f, c.dur = f, d
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.id != id || c.f == nil {
			return false
		}
		c.f = nil
		return true
	}
}

// current is the number of the last arming and what the armed timer
// would do (nil when none is armed).
func (c *idleClock) current() (id int, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id, c.f
}

// armed says for how long the timer is armed; zero when it is not.
func (c *idleClock) armed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return 0
	}
	return c.dur
}

// elapse lets the idle time pass: the armed timer, if any, fires.
func (c *idleClock) elapse() {
	c.mu.Lock()
	f := c.f
	c.f = nil
	c.mu.Unlock()
	if f != nil {
		f()
	}
}

// A person reading a long case with the mouse wheel alone is active: the
// auto-lock counts again from zero at each turn of the wheel.
func TestReadingWithTheWheelIsActivity(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: time.Minute})
	onUI(func() { w.Resize(fyne.NewSize(800, 360)) })
	list, err := a.Vault().List(t.Context(), store.Query{})
	if err != nil || len(list) == 0 {
		t.Fatal(list, err)
	}
	clock := useIdleClock(a)
	clickText(t, w, list[0].Reference)
	eventually(t, "the case shown", func() bool {
		return labelWith(w, list[0].Reference) && a.main.detailScroll.Content.MinSize().Height > a.main.detailScroll.Size().Height
	})
	for i := 0; i < 3; i++ {
		before, _ := clock.current()
		var off0, off1 float32
		onUI(func() {
			off0 = a.main.detailScroll.Offset.Y
			test.Scroll(w.Canvas(), centre(a.main.detailScroll), 0, -40) // the wheel, down
			off1 = a.main.detailScroll.Offset.Y
		})
		if off1 <= off0 {
			t.Fatalf("the wheel did not move the case (offset %v → %v)", off0, off1)
		}
		if after, _ := clock.current(); after == before || clock.armed() != time.Minute {
			t.Fatalf("turn %d of the wheel did not restart the auto-lock", i)
		}
	}
}

// A vault made before recovery bindings says, after a backup, that its
// backups do not yet state whose recovery key they belong to.
func TestBackupOfAnUnboundVault(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	if err := testhooks.VaultExec(a.Vault(), "DELETE FROM meta WHERE key = 'recovery_binding'"); err != nil {
		t.Fatal(err)
	}
	press(t, w, "Back up")
	press(t, w, "Next")
	saveFile(t, w, filepath.Join(t.TempDir(), "old.age"))
	eventually(t, "the backup summary", func() bool { return labelWith(w, "Backup written and verified: 4 cases") })
	if !labelWith(w, "This vault was made by an older Dossier: its backups do not yet state which organisation the recovery key belongs to") {
		t.Fatal("the summary does not say the backup is not bound")
	}
	press(t, w, "OK")
}
