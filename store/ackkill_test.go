package store_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/store"
)

// ackChildEnv names the vault a child process of TestAcknowledgedSurvivesKill
// adds cases to.
const ackChildEnv = "DOSSIER_ACK_CHILD_VAULT"

// TestAcknowledgedSurvivesKill: a save that returned is in the vault,
// whatever happens to the program after it. A child process (this test
// binary) adds cases one at a time, each in its own commit, and says the
// id of each after AddCases returned; it is killed with SIGKILL at a
// random moment, several times over. After each kill the vault opens,
// passes both integrity checks and holds every case acknowledged, plus at
// most the one whose commit was done but not yet said. (The README's
// "every commit is synced to disk" is synchronous=FULL, which a kill
// cannot test: the kernel keeps what was written. This shows that nothing
// acknowledged is left in the program's memory.)
func TestAcknowledgedSurvivesKill(t *testing.T) {
	if dir := os.Getenv(ackChildEnv); dir != "" {
		addUntilKilled(t, dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "v")
	v, _, err := store.Create(dir, "p", store.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	acked := map[string]bool{}
	for round := 0; round < 5; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAcknowledgedSurvivesKill$", "-test.count=1")
		cmd.Env = append(os.Environ(), ackChildEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		said := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				said <- sc.Text()
			}
			close(said)
		}()
		// The first acknowledgement, then the kill 0.2 to 1.5 s later.
		first, ok := <-said
		if !ok {
			cmd.Wait()
			t.Fatalf("round %d: the child added nothing:\n%s", round, stderr.String())
		}
		ids := []string{first}
		time.Sleep(200*time.Millisecond + rand.N(1300*time.Millisecond))
		cmd.Process.Signal(syscall.SIGKILL)
		for id := range said {
			ids = append(ids, id)
		}
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: the child was not killed: %v\n%s", round, cmd.ProcessState, stderr.String())
		}
		for _, id := range ids {
			id, ok := strings.CutPrefix(id, "saved ")
			if !ok {
				t.Fatalf("round %d: the child said %q", round, id)
			}
			acked[id] = true
		}

		v, err := store.Open(dir, "p", store.Options{})
		if err != nil {
			t.Fatalf("round %d: after the kill the vault does not open: %v", round, err)
		}
		if err := v.CheckIntegrity(ctx); err != nil {
			v.Close()
			t.Fatalf("round %d: after the kill: %v", round, err)
		}
		for id := range acked {
			if _, err := v.Get(ctx, id); err != nil {
				v.Close()
				t.Fatalf("round %d: case %s was acknowledged as saved and is not in the vault: %v", round, id, err)
			}
		}
		n, err := v.Count(ctx, store.Query{})
		v.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The case committed just before the kill may not have been said.
		if n < len(acked) || n > len(acked)+round+1 {
			t.Fatalf("round %d: the vault holds %d cases; %d were acknowledged", round, n, len(acked))
		}
		t.Logf("round %d: %d cases acknowledged, all there; the vault holds %d", round, len(ids), n)
	}
}

// addUntilKilled is the child: one case per commit, each acknowledged on
// standard output once AddCases returned, until the process is killed.
func addUntilKilled(t *testing.T, dir string) {
	v, err := store.Open(dir, "p", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		ids, err := v.AddCases(ctx, strings.NewReader(fmt.Sprintf(`{"title":"Acknowledged %d","narrative":"Written before the kill.","country":"RU"}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("saved %s\n", ids[0])
	}
}
