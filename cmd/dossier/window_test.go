package main

// The real-window suite: the app built as people get it, in a window of
// its own under Xvfb, driven with xdotool as a person does (the keyboard
// first, the mouse where a person would reach for it), the screen read
// from screenshots, the vault checked with dossierctl. docs/testing.md
// says what it covers; run it alone with
//
//	go test ./cmd/dossier -run Window -v
//
// DOSSIER_XWIN_ARTIFACTS=DIR keeps every screenshot and the app's logs in
// DIR; without it they go to a temporary folder that is removed when the
// test passes and named in every failure otherwise.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/internal/xwin"
	"github.com/dossier-hr/dossier/store"
)

// Passphrases of the vaults the suite makes; strong enough for the
// app's check.
const (
	passA     = "Violet-Tram-Harbour-2026-xw"
	passA2    = "Quiet-Ferry-Lantern-7731-xw"
	passB     = "Amber-Kettle-Meadow-4410-xw"
	passC     = "Silver-Comet-Pillow-5820-xw"
	wrongPass = "Violet-Tram-Harbour-2025-xw"
	sharePass = "Copper-Lantern-Orchard-88-xw"
)

// suite is what the flows share: one display, the binaries, the vaults,
// and the app running now.
type suite struct {
	top            *testing.T // the apps are ended when it ends
	root, bin, ctl string
	art            string
	d              *xwin.Display
	app            *xwin.App
	clean          bool // the last flow ended on the case list, unlocked

	vaultA, homeA string
	passA         string // the passphrase of vault A now
	recoveryFile  string
	ref           string // the case the flows work on
	backup        string // the full backup of A
	share         string // the share of the case
}

func TestWindow(t *testing.T) {
	xwin.CheckTools(t)
	s := &suite{top: t, root: repoRoot(t)}
	s.art = artifactDir(t)
	s.bin, s.ctl = buildBinaries(t, s.root)
	s.d = xwin.StartDisplay(t, s.art)
	base := t.TempDir()
	s.vaultA, s.homeA = filepath.Join(base, "vault-a"), newHome(t, filepath.Join(base, "home-a"))
	s.passA = passA
	start := time.Now()
	t.Cleanup(func() { t.Logf("the real-window suite took %s", time.Since(start).Round(time.Second)) })

	// Flows run in this order and build on each other. Those marked own
	// run an app of their own (a new vault, a partner's vault); the others
	// work in vault A's app, started again if the flow before left it in
	// an unknown state or crashed.
	flows := []struct {
		name       string
		own, needs bool // own app; needs the case in vault A
		run        func(*testing.T, *xwin.Driver)
	}{
		{"FirstRun", true, false, s.firstRun},
		{"Unlock", false, false, s.unlock},
		{"NewCase", false, false, s.newCase},
		{"CaseRows", false, true, s.caseRows},
		{"EditAndHistory", false, true, s.editAndHistory},
		{"LockShortcut", false, true, s.lockShortcut},
		{"Statistics", false, true, s.statistics},
		{"Settings", false, false, s.settings},
		{"Language", false, false, s.language},
		{"Backup", false, true, s.backupFlow},
		{"Restore", true, false, s.restore},
		{"Share", false, true, s.shareFlow},
		{"ImportShare", true, false, s.importShare},
		{"AttachPhoto", false, true, s.attachPhoto},
		{"Quit", false, false, s.quit},
	}
	for _, f := range flows {
		if d, ok := t.Deadline(); ok && time.Until(d) < 2*time.Minute {
			t.Fatalf("less than 2 minutes left before go test's -timeout, %s and the flows after it not run: give it -timeout 20m", f.name)
		}
		t.Run(f.name, func(t *testing.T) {
			x := &xwin.Driver{T: t, D: s.d, Forbidden: []string{T("ui.crash.title")}}
			if !f.own {
				s.ready(t, x, f.needs)
				s.clean = false
			}
			f.run(t, x)
			x.Check()
		})
	}
}

// ready makes sure vault A's app runs and shows the case list: after a
// flow that failed midway, or a crash, it starts the app again and
// unlocks.
func (s *suite) ready(t *testing.T, x *xwin.Driver, needCase bool) {
	x.A = s.app
	if s.app != nil && !s.app.Exited() && s.clean {
		return
	}
	x.Step("start the app again on vault A (the flow before did not end on the case list)")
	if s.app != nil && !s.app.Exited() {
		// As a person would: quit (Fyne keeps no preferences file: see main.go).
		if !s.app.Terminate(30 * time.Second) {
			s.app.Kill()
		}
	}
	if !store.Exists(s.vaultA) {
		t.Fatalf("vault A was not created (FirstRun failed): nothing to test")
	}
	if needCase {
		s.ensureCase(t)
	}
	s.app = s.launch(t, "app-a", s.vaultA, s.homeA, "en")
	x.A = s.app
	s.unlockWith(x, s.passA)
	s.clean = true
}

// launch starts the app on a vault, in English unless lang is "".
func (s *suite) launch(t *testing.T, name, vault, home, lang string) *xwin.App {
	args := []string{"--vault", vault, "--log-level", "info"}
	if lang != "" {
		args = append(args, "--lang", lang)
	}
	a := s.d.Launch(t, name, s.bin, args, []string{
		"HOME=" + home,
		// A locale Fyne can parse ("C" is not a language tag).
		"LANG=en_US.UTF-8",
		// Mesa's software renderer: there is no GPU under Xvfb.
		"LIBGL_ALWAYS_SOFTWARE=1",
		// The dark theme, as on most desktops; the screen reader
		// (xwin.Ink) expects light text.
		"FYNE_THEME=dark",
		"TMPDIR=" + os.TempDir(),
	})
	s.top.Cleanup(a.Kill)
	return a
}

// T is an English interface text (the suite runs in English except where
// it switches language).
func T(key string) string { return assets.Label("en", key) }

// words is the first n words of a text: long texts wrap, and the screen
// is read a line at a time.
func words(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

// unlockWith types the passphrase on the unlock screen and presses Enter.
func (s *suite) unlockWith(x *xwin.Driver, pass string) {
	x.T.Helper()
	x.WaitText(90*time.Second, T("ui.unlock.title"))
	x.Type(pass)
	x.Keys("Return")
	x.WaitText(120*time.Second, T("ui.main.new_case"))
}

// firstRun: create vault A as a person does the first time: organisation,
// passphrase twice, the recovery key shown and saved to a file, the
// confirmation, Continue.
func (s *suite) firstRun(t *testing.T, x *xwin.Driver) {
	x.Step("start the app on a folder without a vault")
	s.app = s.launch(t, "app-a", s.vaultA, s.homeA, "en")
	x.A = s.app
	x.WaitText(60*time.Second, T("ui.create.title"), T("ui.create.org"))

	x.Step("type the organisation and the passphrase twice (the organisation has the focus; Enter moves on)")
	x.Type("Harm Reduction Network XW")
	x.Keys("Return")
	x.Type(passA)
	x.Keys("Return")
	x.Type(passA)
	x.WaitText(30*time.Second, T("ui.strength.ok"))

	x.Step("Enter in the second passphrase field creates the vault")
	x.Keys("Return")
	if ok, _ := x.TryText(2*time.Minute, T("ui.recovery.title")); !ok {
		x.T.Errorf("step %q: Enter did not submit the create-vault form (nothing happened within 2 minutes); pressing the button instead", x.Current())
		x.Keys("Tab", "space")
	}
	scr := x.WaitText(120*time.Second, T("ui.recovery.title"), "AGE-SECRET-KEY-PQ-1")
	if saved := words(T("ui.recovery.saved"), 99)[2:]; !scr.Has(saved) { // "I " reads as "T "
		x.Failf("the recovery key screen has no %q check", saved)
	}
	if !store.Exists(s.vaultA) {
		x.Failf("the recovery key is shown but there is no vault in %s", s.vaultA)
	}

	x.Step("save the recovery key to a file: Tab to the button, Space; the chooser's file name, Enter")
	x.Keys("Tab", "space")
	x.WaitText(30*time.Second, T("ui.files.name"))
	x.Keys("Return")
	x.WaitText(30*time.Second, words(T("ui.recovery.saved_file"), 4))
	s.recoveryFile = filepath.Join(s.homeA, "dossier-recovery-key.txt")
	if _, err := os.Stat(s.recoveryFile); err != nil {
		// The Space that pressed the button can land in the chooser's
		// file-name field, which has the focus as soon as it opens.
		found, _ := filepath.Glob(filepath.Join(s.homeA, "*dossier-recovery-key.txt*"))
		if len(found) != 1 {
			x.Failf("the recovery key file was not written in %s: %v", s.homeA, err)
		}
		t.Errorf("step %q: BUG: the recovery key was saved as %q, not %q: the Space that pressed %q also typed into the file name",
			x.Current(), filepath.Base(found[0]), "dossier-recovery-key.txt", T("ui.recovery.save"))
		s.recoveryFile = found[0]
	}
	if st, err := os.Stat(s.recoveryFile); err == nil && st.Mode().Perm() != 0o600 {
		t.Errorf("the recovery key file has mode %v, want 0600", st.Mode().Perm())
	}
	x.ClickOn(xwin.Target{Text: "OK", Line: true}, 1, 30*time.Second)
	x.WaitGone(20*time.Second, words(T("ui.recovery.saved_file"), 4))

	x.Step("confirm the key is written down (a click on the check's words), then Continue")
	x.ClickOn(xwin.Target{Text: "written down or printed"}, 1, 30*time.Second) // "I have" reads as "Thave"
	x.ClickOn(xwin.Target{Text: T("ui.recovery.continue"), Line: true}, 1, 30*time.Second)
	x.WaitText(60*time.Second, T("ui.main.new_case"), assets.Plural("en", "ui.n.cases", 0))

	x.Step("dossierctl opens the new vault with the passphrase")
	if out := s.ctlRun(t, s.vaultA, passA, "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("a new vault should have no case; dossierctl list says %s", out)
	}
	s.clean = true
}

// unlock: lock, a wrong passphrase (refused, said on screen), then the
// right one, each submitted with Enter.
func (s *suite) unlock(t *testing.T, x *xwin.Driver) {
	x.Step("lock with Ctrl+L")
	x.Keys("ctrl+l")
	x.WaitText(30*time.Second, T("ui.unlock.title"))

	x.Step("a wrong passphrase, Enter")
	x.Type(wrongPass)
	x.Keys("Return")
	wrong := words(T("ui.unlock.wrong"), 2)
	if ok, _ := x.TryText(2*time.Minute, wrong); !ok {
		x.T.Errorf("step %q: Enter did not submit the unlock form, or no %q message came; pressing Unlock instead", x.Current(), wrong)
		x.Keys("Tab", "space")
		x.WaitText(60*time.Second, wrong)
	}

	x.Step("the right passphrase, Enter")
	x.Type(s.passA)
	x.Keys("Return")
	x.WaitText(120*time.Second, T("ui.main.new_case"))
	s.clean = true
}

// ctlRun runs dossierctl on a vault (with the passphrase, when not empty)
// and returns its standard output; a failure fails the test.
func (s *suite) ctlRun(t *testing.T, vault, pass string, args ...string) string {
	t.Helper()
	out, err := s.ctlTry(vault, pass, args...)
	if err != nil {
		t.Fatalf("dossierctl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (s *suite) ctlTry(vault, pass string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), xwin.Patience)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.ctl, append([]string{"--vault", vault}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	if pass != "" {
		cmd.Env = append(cmd.Env, "DOSSIER_PASSPHRASE="+pass)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// showCase reads a case with dossierctl.
func (s *suite) showCase(t *testing.T, vault, pass, ref string) *store.Case {
	t.Helper()
	var c store.Case
	out := s.ctlRun(t, vault, pass, "show", ref, "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("dossierctl show %s --json: %v\n%s", ref, err, out)
	}
	return &c
}

// listCases lists a vault's cases with dossierctl.
func (s *suite) listCases(t *testing.T, vault, pass string) []store.Summary {
	t.Helper()
	var list []store.Summary
	out := s.ctlRun(t, vault, pass, "list", "--json")
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("dossierctl list --json: %v\n%s", err, out)
	}
	return list
}

// repoRoot is the folder of go.mod.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// buildBinaries builds bin/dossier and bin/dossierctl as `make build` does
// (the build cache makes it quick after the first time).
func buildBinaries(t *testing.T, root string) (app, ctl string) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	app, ctl = filepath.Join(root, "bin", "dossier"), filepath.Join(root, "bin", "dossierctl")
	for _, b := range []struct{ out, pkg string }{{ctl, "./cmd/dossierctl"}, {app, "./cmd/dossier"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		cmd := exec.CommandContext(ctx, goCmd, "build", "-o", b.out, b.pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("go build -o %s %s: %v\n%s", b.out, b.pkg, err, out)
		}
	}
	return app, ctl
}

// artifactDir is where screenshots and logs go: DOSSIER_XWIN_ARTIFACTS,
// kept; else a temporary folder, kept only when the test fails.
func artifactDir(t *testing.T) string {
	if dir := os.Getenv("DOSSIER_XWIN_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(dir)
		return abs
	}
	dir, err := os.MkdirTemp("", "dossier-xwin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("screenshots and the app's logs are kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	return dir
}

// newHome makes a home folder for the app: its own Fyne preferences, and
// the XDG user folders defined (else Fyne's file dialog logs an error for
// each missing one: an artefact of a bare test machine, not of the app).
func newHome(t *testing.T, dir string) string {
	docs := filepath.Join(dir, "Documents")
	if err := os.MkdirAll(filepath.Join(dir, ".config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(docs, 0o700); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, k := range []string{"DESKTOP", "DOCUMENTS", "DOWNLOAD", "MUSIC", "PICTURES", "VIDEOS", "TEMPLATES", "PUBLICSHARE"} {
		fmt.Fprintf(&b, "XDG_%s_DIR=\"$HOME/Documents\"\n", k)
	}
	if err := os.WriteFile(filepath.Join(dir, ".config", "user-dirs.dirs"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}
