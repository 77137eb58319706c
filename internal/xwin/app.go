package xwin

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// App is one run of the program under test, in a window on the display.
type App struct {
	D      *Display
	Name   string // for messages and file names
	Win    string // its X window
	Rect   image.Rectangle
	Stderr string // the file its standard error goes to

	cmd      *exec.Cmd
	done     chan struct{}
	exitErr  error
	mu       sync.Mutex
	reported int  // bytes of stderr already scanned for errors
	Expected bool // set before an exit the test asked for
}

// Launch starts bin with args on the display, its standard output and
// error in files of the artifact folder, and waits (bounded) for its
// window, which it gives the keyboard focus. env is added to the display's.
// The caller ends it (Kill, Terminate), with t.Cleanup of whichever test
// outlives it; on failure here it is killed.
func (d *Display) Launch(t testing.TB, name, bin string, args, env []string) *App {
	t.Helper()
	a := &App{D: d, Name: name, done: make(chan struct{})}
	a.Stderr = filepath.Join(d.Artifacts, name+".stderr.log")
	errf, err := os.OpenFile(a.Stderr, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(errf, "==== %s %s\n", bin, strings.Join(args, " "))
	outf, err := os.OpenFile(filepath.Join(d.Artifacts, name+".stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	a.cmd = exec.Command(bin, args...)
	a.cmd.Env = append(d.Env(), env...)
	a.cmd.Stdout, a.cmd.Stderr = outf, errf
	// Its own process group, killed with the test process even if that
	// dies without cleaning up (go test's -timeout).
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if st, err := os.Stat(a.Stderr); err == nil {
		a.reported = int(st.Size())
	}
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("%s: starting %s: %v", name, bin, err)
	}
	go func() {
		a.exitErr = a.cmd.Wait()
		errf.Close()
		outf.Close()
		close(a.done)
	}()
	deadline := time.Now().Add(Patience)
	for {
		if a.Exited() {
			a.Kill()
			t.Fatalf("%s: the program exited before showing a window: %v\n%s", name, a.exitErr, a.StderrTail(60))
		}
		wins, _ := d.Windows(a.cmd.Process.Pid)
		for _, w := range wins {
			if r, err := d.Geometry(w); err == nil && r.Dx() > 200 && r.Dy() > 200 {
				a.Win, a.Rect = w, r
			}
		}
		if a.Win != "" {
			break
		}
		if time.Now().After(deadline) {
			a.Kill()
			t.Fatalf("%s: no window within %s\n%s", name, Patience, a.StderrTail(60))
		}
		time.Sleep(300 * time.Millisecond)
	}
	if err := d.Focus(a.Win); err != nil {
		a.Kill()
		t.Fatalf("%s: focusing its window: %v", name, err)
	}
	return a
}

// Pid is the program's process id.
func (a *App) Pid() int { return a.cmd.Process.Pid }

// Exited reports whether the program has ended.
func (a *App) Exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// ExitErr is how the program ended (nil: status 0); call after Exited.
func (a *App) ExitErr() error { return a.exitErr }

// Wait waits up to timeout, and at least Patience, for the program to end
// and reports whether it did.
func (a *App) Wait(timeout time.Duration) bool {
	select {
	case <-a.done:
		return true
	case <-time.After(max(timeout, Patience)):
		return false
	}
}

// Kill ends the program and its children, if still running.
func (a *App) Kill() {
	if a.cmd == nil || a.cmd.Process == nil || a.Exited() {
		return
	}
	a.Expected = true
	syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
	a.Wait(10 * time.Second)
}

// Terminate asks the program to quit (SIGTERM, which Fyne turns into a
// normal quit) and waits for it, as Wait does.
func (a *App) Terminate(timeout time.Duration) bool {
	if a.Exited() {
		return true
	}
	a.Expected = true
	a.cmd.Process.Signal(syscall.SIGTERM)
	return a.Wait(timeout)
}

// StderrTail returns the last n lines of the program's standard error.
func (a *App) StderrTail(n int) string {
	b, _ := os.ReadFile(a.Stderr)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "--- standard error of " + a.Name + " (" + a.Stderr + "), last lines:\n" + strings.Join(lines, "\n")
}

// Crash returns the program's standard error from its first panic or
// fatal error on (the stack), or "".
func (a *App) Crash() string {
	b, _ := os.ReadFile(a.Stderr)
	s := string(b)
	for _, m := range []string{"panic: ", "fatal error: ", "SIGSEGV", "SIGABRT"} {
		if i := strings.Index(s, m); i >= 0 {
			if j := strings.LastIndex(s[:i], "\n"); j >= 0 {
				i = j + 1
			}
			return s[i:]
		}
	}
	return ""
}

// badLine matches what must never be on the program's standard error: a
// log line at error level or worse (logrus's text format), a Fyne error, a
// Go panic or fatal error.
var badLine = regexp.MustCompile(`level=(error|fatal|panic)\b|^panic: |^fatal error: |Fyne error:|^\[signal |^SIGSEGV|^goroutine \d+ \[`)

// NewErrors returns the bad lines written to standard error since the
// last call.
func (a *App) NewErrors() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, err := os.ReadFile(a.Stderr)
	if err != nil || len(b) <= a.reported {
		return nil
	}
	chunk := string(b[a.reported:])
	// Only whole lines; the rest waits for the next call.
	end := strings.LastIndex(chunk, "\n")
	if end < 0 {
		return nil
	}
	chunk = chunk[:end+1]
	a.reported += len(chunk)
	var bad []string
	lines := strings.Split(chunk, "\n")
	for i, l := range lines {
		if badLine.MatchString(l) {
			// Fyne's errors give the cause and place on the next lines.
			for j := i + 1; j < len(lines) && j <= i+2 && strings.HasPrefix(lines[j], "20") && !badLine.MatchString(lines[j]) && strings.Contains(lines[j], "  "); j++ {
				l += " | " + strings.TrimSpace(lines[j][strings.Index(lines[j], "  "):])
			}
			bad = append(bad, l)
		}
	}
	return bad
}
