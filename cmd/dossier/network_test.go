package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/internal/nettrace"
	"github.com/dossier-hr/dossier/internal/xwin"
)

// TestNoNetworkWindow: the README promises "no network access, ever".
// The app, built as people get it, starts under strace (every thread
// followed from its first instruction), shows the unlock screen, is
// unlocked and shows the case list, and quits; in all that it opens no
// socket but AF_UNIX (its connection to the X server, and glibc's name
// service cache when it looks up the user) and gives no call an address
// of another family: internal/nettrace says what is allowed and why.
// strace must be installed: make deps installs it, and without it the
// test fails.
func TestNoNetworkWindow(t *testing.T) {
	xwin.CheckTools(t)
	if _, err := exec.LookPath("strace"); err != nil {
		t.Fatal(nettrace.ErrNoStrace)
	}
	root := repoRoot(t)
	art := artifactDir(t)
	bin, ctl := buildBinaries(t, root)
	base := t.TempDir()
	vault, home := filepath.Join(base, "vault"), newHome(t, filepath.Join(base, "home"))

	// A vault with one case, made with dossierctl.
	env := append(os.Environ(), "DOSSIER_PASSPHRASE="+passA)
	for _, args := range [][]string{
		{"init", "--vault", vault, "--org", "Network Check", "--recovery-out", filepath.Join(base, "rk")},
		{"add", "--vault", vault},
	} {
		cmd := exec.Command(ctl, args...)
		cmd.Env = env
		if args[0] == "add" {
			cmd.Stdin = strings.NewReader(`{"title":"Checkpoint search near the clinic","country":"ID"}`)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dossierctl %s: %v\n%s", args[0], err, out)
		}
	}

	trace := filepath.Join(art, "app.strace")
	wrapper, err := nettrace.Wrapper(base, bin, trace)
	if err != nil {
		t.Fatal(err)
	}
	d := xwin.StartDisplay(t, art)
	a := d.Launch(t, "app-traced", wrapper, []string{"--vault", vault, "--lang", "en", "--log-level", "info"}, []string{
		"HOME=" + home,
		"LANG=en_US.UTF-8",
		"LIBGL_ALWAYS_SOFTWARE=1",
		"FYNE_THEME=dark",
		"TMPDIR=" + os.TempDir(),
	})
	t.Cleanup(a.Kill)
	x := &xwin.Driver{T: t, D: d, A: a, Forbidden: []string{T("ui.crash.title")}}
	x.Step("unlock the app running under strace")
	s := &suite{}
	s.unlockWith(x, passA)
	x.WaitText(60*time.Second, "Checkpoint search")
	x.Check()

	x.Step("quit, and wait for strace to finish the trace")
	if !a.Terminate(30 * time.Second) {
		t.Fatal("the app did not quit within 30 s of SIGTERM")
	}
	// strace is in the app's process group; the trace is whole once no
	// process of the group is left.
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Kill(-a.Pid(), 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("strace still running 30 s after the app quit")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := syscall.Kill(-a.Pid(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("checking the app's process group: %v", err)
	}

	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	// The trace must show the app's own connection to the X server: that
	// proves strace followed the app's threads, not only the wrapper.
	if !strings.Contains(string(b), ".X11-unix/X") {
		t.Fatalf("the trace (%s) shows no connection to the X server: strace did not follow the app", trace)
	}
	bad, err := nettrace.Check(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("the app used the network (trace: %s):\n%s", trace, strings.Join(bad, "\n"))
	}
}
