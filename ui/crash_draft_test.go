package ui

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/store"
)

// draftChildEnv makes the test binary the app being typed into, for
// TestDraftSurvivesKill.
const draftChildEnv = "DOSSIER_DRAFT_CHILD"

// claimedLoss is the README's promise: "a crash at most the last
// second". It is not draftEvery: were the draft kept less often, the
// promise would break and this test with it.
const claimedLoss = time.Second

// draftWriteAllowance is what the test grants, beyond claimedLoss, for
// the draft's write to reach the vault: reading the fields on the UI
// goroutine, then a durable commit (an fsync). The README says "the last
// second or so" for it.
const draftWriteAllowance = 250 * time.Millisecond

// TestDraftSurvivesKill: the README says what is typed is kept as a draft
// every second, so that "a crash [loses] at most the last second". The
// app runs in a child process (this test binary, the editor of a new case
// open) where a person types into the narrative a numbered word at a
// time, and says after each word that it was typed; the process is killed
// with SIGKILL at a random moment. Then the vault opens, passes its
// integrity checks, and its draft holds, in order, every word typed more
// than claimedLoss + draftWriteAllowance before the kill.
func TestDraftSurvivesKill(t *testing.T) {
	if os.Getenv(draftChildEnv) == "1" {
		typeUntilKilled(t)
		return
	}
	var worst time.Duration
	for round := 0; round < 4; round++ {
		lost := killWhileTyping(t, round)
		worst = max(worst, lost)
	}
	t.Logf("the most a kill lost: the words typed in its last %v", worst.Round(time.Millisecond))
}

// typeUntilKilled is the child: the app, unlocked, the editor of a new
// case, and words typed into the narrative until the process is killed.
func typeUntilKilled(t *testing.T) {
	a, w, dir := unlocked(t, Config{AutoLock: -1})
	fmt.Printf("vault %s\n", dir)
	press(t, w, "New case")
	e := a.main.editorForTest()
	for i := 1; ; i++ {
		typeIn(t, w, e.narrative, fmt.Sprintf("w%d ", i))
		// Written to the pipe at once (os.Stdout is not buffered).
		fmt.Printf("typed %d\n", i)
		time.Sleep(15 * time.Millisecond)
	}
}

// killWhileTyping runs one child, kills it, checks the draft and returns
// how long before the kill the first word missing from the draft was
// typed (0: none missing).
func killWhileTyping(t *testing.T, round int) time.Duration {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDraftSurvivesKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), draftChildEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type line struct {
		text string
		at   time.Time
	}
	lines := make(chan line, 1<<16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			// The time the parent read it: never earlier than when the
			// word was typed, so the check below can only be lenient.
			lines <- line{sc.Text(), time.Now()}
		}
		close(lines)
	}()
	var dir string
	typedAt := map[int]time.Time{}
	fail := func(format string, args ...any) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("round %d: "+format+"\nthe child's standard error:\n%s", append([]any{round}, append(args, stderr.String())...)...)
	}
	read := func(l line) {
		if v, ok := strings.CutPrefix(l.text, "vault "); ok {
			dir = v
		} else if v, ok := strings.CutPrefix(l.text, "typed "); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				fail("child said %q", l.text)
			}
			typedAt[n] = l.at
		}
	}
	// Typing starts; the kill comes 1.5 to 4 s later.
	deadline := time.After(2 * time.Minute)
	for len(typedAt) == 0 {
		select {
		case l, ok := <-lines:
			if !ok {
				fail("the child ended before typing")
			}
			read(l)
		case <-deadline:
			fail("the child did not start typing within 2 minutes")
		}
	}
	killAfter := time.After(1500*time.Millisecond + rand.N(2500*time.Millisecond))
	var killedAt time.Time
	for killedAt.IsZero() {
		select {
		case l, ok := <-lines:
			if !ok {
				fail("the child ended before the kill")
			}
			read(l)
		case <-killAfter:
			killedAt = time.Now()
			cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	for l := range lines {
		read(l)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("round %d: the child was not killed by SIGKILL: %v\n%s", round, err, stderr.String())
	}
	if dir == "" {
		t.Fatalf("round %d: the child did not name its vault", round)
	}
	// The child's temporary folder outlived it (no cleanup after a kill).
	defer os.RemoveAll(filepath.Dir(filepath.Dir(dir)))

	v, err := store.Open(dir, "the right passphrase", store.Options{})
	if err != nil {
		t.Fatalf("round %d: after the kill the vault does not open: %v", round, err)
	}
	defer v.Close()
	if err := v.CheckIntegrity(t.Context()); err != nil {
		t.Fatalf("round %d: after the kill: %v", round, err)
	}
	d, _, err := v.Draft(t.Context(), store.DraftNew)
	if err != nil {
		t.Fatalf("round %d: reading the draft: %v", round, err)
	}
	kept := 0
	if d != nil {
		for i, w := range strings.Fields(d.Narrative) {
			if w != fmt.Sprintf("w%d", i+1) {
				t.Fatalf("round %d: the draft's word %d is %q: not what was typed, in order:\n%s", round, i+1, w, d.Narrative)
			}
			kept = i + 1
		}
	}
	typed := len(typedAt)
	for n := 1; n <= typed; n++ {
		if _, ok := typedAt[n]; !ok {
			t.Fatalf("round %d: the child never said it typed word %d", round, n)
		}
	}
	if kept > typed+1 {
		t.Fatalf("round %d: the draft holds %d words, %d were typed", round, kept, typed)
	}
	bound := killedAt.Add(-(claimedLoss + draftWriteAllowance))
	for n := kept + 1; n <= typed; n++ {
		if !typedAt[n].After(bound) {
			t.Fatalf("round %d: word %d was typed %v before the kill and is not in the draft (it holds %d of %d words)", round, n, killedAt.Sub(typedAt[n]).Round(time.Millisecond), kept, typed)
		}
	}
	lost := time.Duration(0)
	if kept < typed {
		lost = killedAt.Sub(typedAt[kept+1])
	}
	t.Logf("round %d: killed %v after typing began; the draft holds %d of %d words, the first missing typed %v before the kill", round, killedAt.Sub(typedAt[1]).Round(time.Millisecond), kept, typed, lost.Round(time.Millisecond))
	return lost
}
