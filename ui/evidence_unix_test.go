//go:build unix

package ui

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Attaching a file that takes long to read (here a pipe the test writes
// into when it likes) pauses the auto-lock; once it is attached, the
// auto-lock counts again.
func TestAttachPausesAutoLock(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	clock := useIdleClock(a)
	onUI(func() { a.cfg.AutoLock = time.Minute })
	clickText(t, w, "Internação compulsória")
	eventually(t, "the case", func() bool { return labelWith(w, "No evidence yet") })
	slow := filepath.Join(t.TempDir(), "slow.txt")
	if err := syscall.Mkfifo(slow, 0o600); err != nil {
		t.Fatal(err)
	}
	drop(t, w, slow) // activity: the timer runs
	eventually(t, "the form", func() bool { return labelWith(w, "slow.txt") })
	press(t, w, "Attach")
	for i := 0; i < 3; i++ {
		clock.elapse()
		if a.Vault() == nil {
			t.Fatal("the vault locked while a file was being attached")
		}
	}
	f, err := os.OpenFile(slow, os.O_WRONLY, 0) // the attach is reading it
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("a statement, read slowly")
	f.Close()
	eventually(t, "the attach result", func() bool { return labelWith(w, "1 file attached and hashed.") })
	if d := clock.armed(); d != time.Minute {
		t.Fatalf("after the attach the auto-lock is armed for %v", d)
	}
	clock.elapse()
	if a.Vault() != nil {
		t.Fatal("no idle lock after the attach")
	}
}
