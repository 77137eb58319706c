package chunks

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// killChildEnv makes the test binary the child of TestKillDuringPut: it
// stores files of killSize(i) bytes one after the other in the folder the
// variable names, printing each Ref as its Put returns (the child's
// "database"), until it is killed.
const killChildEnv = "DOSSIER_CHUNKS_KILL_CHILD"

// killSize is the size of the child's i-th file: distinct for each i, so
// that a file's length says which it is.
func killSize(i int) int64 { return int64(1<<20 + i*cs + i) }

func TestMain(m *testing.M) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		s, err := Open(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		for i := 0; ; i++ {
			ref, err := s.Put(pattern(uint64(i), killSize(i)))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			fmt.Printf("%s %x %d %x\n", ref.ID, ref.Key, ref.Size, ref.SHA256)
		}
	}
	os.Exit(m.Run())
}

// kill -9 while files are being stored: every file a Put reported reads
// back whole; every other file under a final name is whole too (its
// length is one of the sizes stored); the rest are temporary files, which
// Check reports and RemoveOrphans deletes.
func TestKillDuringPut(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for round := 0; round < 8; round++ {
		dir := t.TempDir()
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		var refs []Ref
		for want := 1 + rng.IntN(3); len(refs) < want && lines.Scan(); {
			refs = append(refs, parseRefLine(t, lines.Text()))
		}
		// A few milliseconds more, so that the kill lands at a different
		// point of the next Put each round.
		time.Sleep(time.Duration(rng.IntN(8000)) * time.Microsecond)
		cmd.Process.Kill()
		for lines.Scan() { // what it printed before it died
			refs = append(refs, parseRefLine(t, lines.Text()))
		}
		cmd.Wait()
		if len(refs) == 0 {
			t.Fatal("the child stored nothing")
		}

		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := s.Check(context.Background(), refsOf(refs...), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Missing)+len(rep.Damaged)+len(rep.Unknown) != 0 {
			t.Fatalf("round %d: after kill -9: %+v", round, rep)
		}
		for _, id := range rep.Orphans {
			fi, err := os.Stat(s.path(id))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != storedSize(killSize(len(refs)), defaultShift) {
				t.Fatalf("round %d: a file under its final name has %d bytes, not those of the file being stored", round, fi.Size())
			}
		}
		if _, err := s.RemoveOrphans(rep); err != nil {
			t.Fatal(err)
		}
		if rep, err := s.Check(context.Background(), refsOf(refs...), false); err != nil || !rep.OK() {
			t.Fatalf("round %d: after RemoveOrphans: %+v, %v", round, rep, err)
		}
		t.Logf("round %d: %d files stored, %d orphans, %d temporary files", round, len(refs), len(rep.Orphans), len(rep.Temps))
	}
}

func parseRefLine(t *testing.T, line string) Ref {
	t.Helper()
	f := strings.Fields(line)
	if len(f) != 4 {
		t.Fatalf("child printed %q", line)
	}
	var ref Ref
	var err error
	if ref.ID, err = ParseID(f[0]); err != nil {
		t.Fatal(err)
	}
	if ref.Size, err = strconv.ParseInt(f[2], 10, 64); err != nil {
		t.Fatal(err)
	}
	k, err1 := hex.DecodeString(f[1])
	h, err2 := hex.DecodeString(f[3])
	if err1 != nil || err2 != nil || len(k) != KeySize || len(h) != sha256.Size {
		t.Fatalf("child printed %q", line)
	}
	copy(ref.Key[:], k)
	copy(ref.SHA256[:], h)
	return ref
}
