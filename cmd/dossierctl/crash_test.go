package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/store"
)

// ctl returns a command running this test binary as dossierctl.
func ctl(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "DOSSIERCTL_TEST_MAIN=1")
	return cmd
}

func mustRun(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, errb.String())
	}
	return out.String()
}

// killAfter starts cmd and kills it with SIGKILL after d (if still running).
// It reports whether the kill landed before the command finished.
func killAfter(t *testing.T, cmd *exec.Cmd, d time.Duration) bool {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(d):
		sigErr := cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return sigErr == nil && killed(cmd.ProcessState)
	}
}

// killed reports whether a process that was sent SIGKILL died of it. On
// Windows the kill is TerminateProcess, which leaves exit status 1 and no
// signal: a process already ending refuses it, so a kill sent without
// error that ended the process with status 1 landed.
func killed(ps *os.ProcessState) bool {
	if runtime.GOOS == "windows" {
		return ps.ExitCode() == 1
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// cliVault makes a vault through the CLI and returns its folder, the
// passphrase file and the recovery key file. With a title, it adds one case
// (DOS-2026-0001 under the test clock).
func cliVault(t *testing.T, dir, passphrase, title string) (vault, pass, rk string) {
	t.Helper()
	vault, rk = filepath.Join(dir, "v"), filepath.Join(dir, "rk")
	pass = writePass(t, dir, "pass", passphrase)
	mustRun(t, ctl(t, "init", "--vault", vault, "--passphrase-file", pass, "--recovery-out", rk))
	if title != "" {
		add := ctl(t, "add", "--vault", vault, "--passphrase-file", pass)
		add.Stdin = strings.NewReader(`{"title":"` + title + `"}`)
		mustRun(t, add)
	}
	return vault, pass, rk
}

func writePass(t *testing.T, dir, name, pass string) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestKillDuringAdd: a kill -9 in the middle of adding 10,000 cases leaves
// a vault that opens, passes both integrity checks and holds none or all.
func TestKillDuringAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: kills a bulk add several times")
	}
	dir := tempDir(t)
	vault, pass, _ := cliVault(t, dir, "crash test passphrase", "")
	var in strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&in, `{"title":"Case %d","narrative":"Narrative of case %d, written at length so that pages fill up and spill into the log.","incident_date":"2025-%02d","country":"RU","violations":[{"type":"extortion","perpetrator":"police"}],"people":[{"role":"victim","pseudonym":"P%d"}],"tags":["t%d"]}`+"\n", i, i, i%12+1, i, i%50)
	}
	cases := filepath.Join(dir, "cases.ndjson")
	os.WriteFile(cases, []byte(in.String()), 0o600)

	want := 0
	killed := 0
	for _, ms := range []int{150, 400, 700, 1000, 1400, 2000, 3000} {
		cmd := ctl(t, "add", "--vault", vault, "--passphrase-file", pass, cases)
		if killAfter(t, cmd, time.Duration(ms)*time.Millisecond) {
			killed++
		} else {
			want += 10000
		}
		v, err := store.Open(vault, "crash test passphrase", store.Options{})
		if err != nil {
			t.Fatalf("after kill at %d ms the vault does not open: %v", ms, err)
		}
		if err := v.CheckIntegrity(context.Background()); err != nil {
			t.Fatalf("after kill at %d ms: %v", ms, err)
		}
		n, err := v.Count(context.Background(), store.Query{})
		v.Close()
		if err != nil {
			t.Fatal(err)
		}
		// A kill that landed after the commit counts as a full add.
		if n%10000 != 0 || n < want || n > want+10000 {
			t.Fatalf("after kill at %d ms the vault holds %d cases; want a multiple of 10000 around %d", ms, n, want)
		}
		want = n
	}
	if killed == 0 {
		t.Fatal("no kill landed during an add; the test proved nothing")
	}
	t.Logf("%d of 7 adds killed mid-way; vault holds %d cases", killed, want)
}

// TestKillDuringPasswd: after a kill -9 at any moment of passwd, exactly
// one of the old and the new passphrase opens the vault.
func TestKillDuringPasswd(t *testing.T) {
	dir := tempDir(t)
	vault := filepath.Join(dir, "v")
	passes := []string{"old passphrase", "new passphrase"}
	files := []string{writePass(t, dir, "p0", passes[0]), writePass(t, dir, "p1", passes[1])}
	mustRun(t, ctl(t, "init", "--vault", vault, "--passphrase-file", files[0], "--recovery-out", filepath.Join(dir, "rk")))
	cur := 0
	landed := 0
	for i := 0; i < 40; i++ {
		next := 1 - cur
		d := time.Duration(rand.IntN(40_000)) * time.Microsecond
		cmd := ctl(t, "passwd", "--vault", vault, "--passphrase-file", files[cur], "--new-passphrase-file", files[next])
		if killAfter(t, cmd, d) {
			landed++
		}
		works := 0
		for j, p := range passes {
			v, err := store.Open(vault, p, store.Options{})
			if err == nil {
				v.Close()
				works++
				cur = j
			} else if !errors.Is(err, crypto.ErrWrongPassphrase) {
				t.Fatalf("round %d: opening with %q: %v", i, p, err)
			}
		}
		if works != 1 {
			t.Fatalf("round %d (kill after %v): %d passphrases open the vault, want exactly 1", i, d, works)
		}
	}
	if landed == 0 {
		t.Fatal("no kill landed during passwd; the test proved nothing")
	}
	t.Logf("%d of 40 passwd runs killed mid-way", landed)
}

// bigFile writes n pseudo-random bytes and returns the path.
func bigFile(t *testing.T, dir string, n int64) string {
	p := filepath.Join(dir, "big.bin")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	buf := make([]byte, 1<<20)
	for left := n; left > 0; left -= int64(len(buf)) {
		for i := range buf {
			buf[i] = byte(r.Uint32())
		}
		f.Write(buf[:min(left, int64(len(buf)))])
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileSHA(t *testing.T, p string) string {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// peakRSS runs cmd and returns its peak resident memory in MiB.
func peakRSS(t *testing.T, cmd *exec.Cmd) float64 {
	t.Helper()
	mustRun(t, cmd)
	mib, ok := peakMiB(cmd.ProcessState)
	if !ok {
		t.Skip("no peak memory figure on this system")
	}
	return mib
}

// TestLargeEvidenceMemory: a large file attaches and extracts
// byte-identical with memory that does not grow with its size. The vault is
// unlocked with the recovery key so that the figure is the work's own: a
// passphrase unlock needs 256 MiB for scrypt first, by design, and gives
// it back before the work starts. DOSSIER_LONG=1 uses 1 GiB instead of
// 256 MiB.
func TestLargeEvidenceMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory use")
	}
	size := int64(256 << 20)
	if os.Getenv("DOSSIER_LONG") == "1" {
		size = 1 << 30
	}
	dir := tempDir(t)
	vault, _, rk := cliVault(t, dir, "memory test passphrase", "large evidence")
	src := bigFile(t, dir, size)
	attach := ctl(t, "attach", "--vault", vault, "--recovery-key", rk, "DOS-2026-0001", src)
	var out bytes.Buffer
	attach.Stdout = &out
	if err := attach.Run(); err != nil {
		t.Fatal(err)
	}
	attachMiB, ok := peakMiB(attach.ProcessState)
	if !ok {
		t.Skip("no peak memory figure on this system")
	}
	fields := strings.Fields(out.String())
	if len(fields) != 2 || fields[1] != fileSHA(t, src) {
		t.Fatalf("attach printed %q; want the id and the file's SHA-256", out.String())
	}
	dst := filepath.Join(dir, "out.bin")
	extractMiB := peakRSS(t, ctl(t, "extract", "--vault", vault, "--recovery-key", rk, fields[0], "--out", dst))
	if fileSHA(t, dst) != fields[1] {
		t.Fatal("extracted file differs from the original")
	}
	t.Logf("%d MiB: attach peak %.0f MiB, extract peak %.0f MiB", size>>20, attachMiB, extractMiB)
	if attachMiB > 150 || extractMiB > 150 {
		t.Fatalf("peak memory attach %.0f MiB, extract %.0f MiB; want under 150", attachMiB, extractMiB)
	}
}

// TestKillDuringAttach: a kill -9 while a large file is being attached
// leaves a consistent vault with no partial evidence item.
func TestKillDuringAttach(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	dir := tempDir(t)
	vault, pass, _ := cliVault(t, dir, "crash test passphrase", "kill during attach")
	src := bigFile(t, dir, 128<<20)
	want := fileSHA(t, src)
	killed := 0
	// The file goes to the evidence folder at the speed of the disk: the
	// delays span the unlock, the store and the commit.
	for _, ms := range []int{40, 100, 200, 400, 800} {
		if killAfter(t, ctl(t, "attach", "--vault", vault, "--passphrase-file", pass, "DOS-2026-0001", src), time.Duration(ms)*time.Millisecond) {
			killed++
		}
		v, err := store.Open(vault, "crash test passphrase", store.Options{})
		if err != nil {
			t.Fatalf("after kill at %d ms: %v", ms, err)
		}
		if err := v.CheckIntegrity(context.Background()); err != nil {
			t.Fatalf("after kill at %d ms: %v", ms, err)
		}
		items, err := v.EvidenceOf(context.Background(), "DOS-2026-0001")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range items {
			// Any item present is whole: its bytes hash to the recorded
			// value, which is the file's.
			if e.SHA256 != want || e.Size != 128<<20 {
				t.Fatalf("after kill at %d ms: partial item %s (%d bytes)", ms, e.ID, e.Size)
			}
			if _, err := v.Extract(context.Background(), e.ID, false, io.Discard, "check"); err != nil {
				t.Fatalf("after kill at %d ms: %v", ms, err)
			}
		}
		if _, _, err := v.VerifyAudit(context.Background()); err != nil {
			t.Fatalf("after kill at %d ms: %v", ms, err)
		}
		// A kill between storing the file and committing its record
		// leaves a file no record names: repair removes it, and the
		// folder then holds exactly the files of the records (an
		// original and nothing else: the file is not an image).
		if _, err := v.RepairEvidence(context.Background()); err != nil {
			t.Fatalf("after kill at %d ms: %v", ms, err)
		}
		rep, err := v.CheckStore(context.Background(), true)
		if err != nil || len(rep.Damage) != 0 || rep.Orphans+rep.Temps+rep.Unknown != 0 || rep.Files != len(items) {
			t.Fatalf("after kill at %d ms and repair: %+v, %v", ms, rep, err)
		}
		v.Close()
	}
	if killed == 0 {
		t.Fatal("no kill landed during an attach; the test proved nothing")
	}
}

// TestKillDuringImport: a kill -9 at any moment of an import leaves the
// vault exactly as before, or with everything imported.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	testhooks.ScryptWorkFactor = 10
	ctx := context.Background()
	dir := tempDir(t)
	a, _, err := store.Create(filepath.Join(dir, "a"), "pa", store.CreateOptions{OrgName: "Sender"})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := store.Create(filepath.Join(dir, "b"), "crash test passphrase", store.CreateOptions{OrgName: "Receiver"})
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&in, `{"title":"Shared case %d","narrative":"An account long enough to take some time to merge, number %d.","consent":{"obtained":true,"scope":["legal_partners"]}}`+"\n", i, i)
	}
	ids, err := a.AddCases(ctx, strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 48<<20)
	for i := range big {
		big[i] = byte(i * 31)
	}
	if _, err := a.Attach(ctx, ids[0], bytes.NewReader(big), store.AttachOptions{Name: "video.bin"}); err != nil {
		t.Fatal(err)
	}
	cardA, _ := export.OwnCard(a)
	cardB, _ := export.OwnCard(b)
	ca, _ := cardA.Contact()
	if err := b.AddContact(ctx, ca); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "share.age")
	if _, err := export.WriteFile(ctx, a, bundle, export.Options{Kind: export.KindShare, To: []export.Card{cardB}, Cases: ids, Redact: export.RedactNone}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	var before bytes.Buffer
	b.Dump(ctx, &before)
	b.Close()
	pass := writePass(t, dir, "pass", "crash test passphrase")
	landed := 0
	for _, ms := range []int{100, 400, 800, 1500, 2500} {
		if killAfter(t, ctl(t, "import", "--vault", filepath.Join(dir, "b"), "--passphrase-file", pass, bundle), time.Duration(ms)*time.Millisecond) {
			landed++
		}
		v, err := store.Open(filepath.Join(dir, "b"), "crash test passphrase", store.Options{})
		if err != nil {
			t.Fatalf("after kill at %d ms: %v", ms, err)
		}
		if err := v.CheckIntegrity(ctx); err != nil {
			t.Fatalf("after kill at %d ms: %v", ms, err)
		}
		n, _ := v.Count(ctx, store.Query{})
		var now bytes.Buffer
		v.Dump(ctx, &now)
		v.Close()
		switch {
		case n == 0 && bytes.Equal(now.Bytes(), before.Bytes()):
		case n == 3000:
			// Imported in full; later runs would change nothing.
			if landed == 0 {
				t.Fatal("no kill landed before the import completed; the test proved nothing")
			}
			t.Logf("%d kill(s) landed mid-import, then an import completed", landed)
			return
		default:
			t.Fatalf("after kill at %d ms: %d cases, dump changed: a partial import", ms, n)
		}
	}
	if landed == 0 {
		t.Fatal("no kill landed during an import; the test proved nothing")
	}
}

// TestBundleMemory: a full backup and a restore of a vault with 2,000
// cases and 128 MiB of evidence stay under 200 MB of memory. The test
// binary runs with a cheap KDF, so the figure is the bundle work's own;
// scrypt adds 256 MiB for a moment before it, by design.
func TestBundleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory use")
	}
	dir := tempDir(t)
	vault, pass, rk := cliVault(t, dir, "memory test passphrase", "")
	var in strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&in, `{"title":"Case %d","narrative":"An account of some length for case %d."}`+"\n", i, i)
	}
	add := ctl(t, "add", "--vault", vault, "--passphrase-file", pass)
	add.Stdin = strings.NewReader(in.String())
	mustRun(t, add)
	mustRun(t, ctl(t, "attach", "--vault", vault, "--passphrase-file", pass, "DOS-2026-0001", bigFile(t, dir, 128<<20)))
	var before bytes.Buffer
	dump := ctl(t, "dump", "--vault", vault, "--passphrase-file", pass)
	dump.Stdout = &before
	mustRun(t, dump)
	bundle := filepath.Join(dir, "b.age")
	exportMiB := peakRSS(t, ctl(t, "export", "--vault", vault, "--passphrase-file", pass, "--out", bundle))
	restored := filepath.Join(dir, "r")
	restoreMiB := peakRSS(t, ctl(t, "restore", "--bundle", bundle, "--recovery-key", rk, "--vault", restored, "--new-passphrase-file", pass))
	var after bytes.Buffer
	dump = ctl(t, "dump", "--vault", restored, "--passphrase-file", pass)
	dump.Stdout = &after
	mustRun(t, dump)
	if !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Fatal("restored dump differs")
	}
	t.Logf("export peak %.0f MiB, restore peak %.0f MiB", exportMiB, restoreMiB)
	if exportMiB > 200 || restoreMiB > 200 {
		t.Fatalf("peak memory export %.0f MiB, restore %.0f MiB; want under 200", exportMiB, restoreMiB)
	}
}

// TestKillDuringRestore: a restore killed at any moment leaves either no
// vault, a whole one, or a folder that says a restore was interrupted —
// and restoring again into that same folder completes it. Never a folder
// that neither opens nor restores.
func TestKillDuringRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	dir := tempDir(t)
	vault, pass, rk := cliVault(t, dir, "crash test passphrase", "")
	var in strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&in, `{"title":"Case %d","narrative":"An account of some length for case %d."}`+"\n", i, i)
	}
	add := ctl(t, "add", "--vault", vault, "--passphrase-file", pass)
	add.Stdin = strings.NewReader(in.String())
	mustRun(t, add)
	mustRun(t, ctl(t, "attach", "--vault", vault, "--passphrase-file", pass, "DOS-2026-0001", bigFile(t, dir, 48<<20)))
	want := mustRun(t, ctl(t, "dump", "--vault", vault, "--passphrase-file", pass))
	bundle := filepath.Join(dir, "backup.age")
	mustRun(t, ctl(t, "export", "--vault", vault, "--passphrase-file", pass, "--out", bundle))
	restore := func(target string) *exec.Cmd {
		return ctl(t, "restore", "--bundle", bundle, "--recovery-key", rk, "--vault", target, "--new-passphrase-file", pass)
	}
	// How long a whole restore takes here, to kill others along the way.
	start := time.Now()
	mustRun(t, restore(filepath.Join(dir, "probe")))
	took := time.Since(start)

	interrupted := 0
	for i, frac := range []float64{0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.97} {
		target := filepath.Join(dir, fmt.Sprintf("r%d", i))
		killAfter(t, restore(target), time.Duration(frac*float64(took)))
		v, err := store.Open(target, "crash test passphrase", store.Options{})
		switch {
		case err == nil:
			// Killed after it finished: a whole vault.
			v.Close()
		case errors.Is(err, store.ErrRestoreIncomplete):
			interrupted++
			var out, errb bytes.Buffer
			list := ctl(t, "list", "--vault", target, "--passphrase-file", pass)
			list.Stdout, list.Stderr = &out, &errb
			if list.Run() == nil || !strings.Contains(errb.String(), "a restore into "+target+" was interrupted before it finished") ||
				!strings.Contains(errb.String(), "Run 'dossierctl restore' again with --vault "+target) {
				t.Fatalf("after a kill at %.0f%%, opening the folder says: %s", frac*100, errb.String())
			}
			mustRun(t, restore(target))
		case errors.Is(err, store.ErrNoVault):
			// Killed before the restore wrote anything in the folder.
			mustRun(t, restore(target))
		default:
			t.Fatalf("after a kill at %.0f%% of the restore, the folder neither opens nor says why: %v", frac*100, err)
		}
		got := mustRun(t, ctl(t, "dump", "--vault", target, "--passphrase-file", pass))
		if got != want {
			t.Fatalf("after a kill at %.0f%% and a second restore, the vault differs from the backed-up one", frac*100)
		}
	}
	if interrupted == 0 {
		t.Fatal("no kill left an unfinished restore; the test proved nothing")
	}
	t.Logf("%d of 8 restores killed before they finished, each completed by restoring again (a whole restore takes %v)", interrupted, took.Round(time.Millisecond))
}

// hangExtractEnv makes a child dossierctl stop in the middle of writing an
// extract (after its first bytes reached the temporary file) and say
// hangExtractSaid on standard error.
const (
	hangExtractEnv  = "DOSSIERCTL_TEST_HANG_EXTRACT"
	hangExtractSaid = "test: extract bytes written, waiting for the kill"
)

// TestKillDuringExtract: kill -9 of an extract midway leaves a temporary
// file of plaintext evidence, named so that it says nothing of the
// evidence or the output; the next extract into that folder removes it,
// and one into the vault's folder is removed when the vault is next opened.
func TestKillDuringExtract(t *testing.T) {
	dir := tempDir(t)
	vault, pass, _ := cliVault(t, dir, "crash test passphrase", "Kill during extract")
	evidence := filepath.Join(dir, "informant-photo.jpg")
	body := strings.Repeat("PLAINTEXT EVIDENCE ", 100000) // 1.9 MB: more than the 1 MiB buffer
	if err := os.WriteFile(evidence, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(mustRun(t, ctl(t, "attach", "--vault", vault, "--passphrase-file", pass, "DOS-2026-0001", evidence)), " ")

	for _, outDir := range []string{filepath.Join(dir, "out"), vault} {
		os.MkdirAll(outDir, 0o700)
		out := filepath.Join(outDir, "informant-photo.jpg")
		cmd := ctl(t, "extract", "--vault", vault, "--passphrase-file", pass, id, "--out", out)
		cmd.Env = append(cmd.Env, hangExtractEnv+"=1")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		said := make(chan string, 1)
		go func() {
			b := make([]byte, 4096)
			var all []byte
			for {
				n, err := stderr.Read(b)
				all = append(all, b[:n]...)
				if bytes.Contains(all, []byte(hangExtractSaid)) || err != nil {
					said <- string(all)
					io.Copy(io.Discard, stderr)
					return
				}
			}
		}()
		if s := <-said; !strings.Contains(s, hangExtractSaid) {
			cmd.Wait()
			t.Fatalf("the extract did not reach its write:\n%s", s)
		}
		sigErr := cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if sigErr != nil || !killed(cmd.ProcessState) {
			t.Fatalf("the extract was not killed: %v", cmd.ProcessState)
		}

		leftover := dossierTemps(t, outDir)
		if len(leftover) != 1 {
			t.Fatalf("after the kill, %s holds Dossier temporary files %q, want one", outDir, leftover)
		}
		b, err := os.ReadFile(filepath.Join(outDir, leftover[0]))
		if err != nil || !strings.HasPrefix(body, string(b)) || len(b) == 0 {
			t.Fatalf("the leftover is not the plaintext written so far (%d bytes, %v)", len(b), err)
		}
		ents, _ := os.ReadDir(outDir)
		for _, e := range ents {
			if strings.Contains(e.Name(), "informant") {
				t.Errorf("after the kill, a file name says what the evidence is: %q", e.Name())
			}
		}

		if outDir == vault {
			// Any command that opens the vault.
			mustRun(t, ctl(t, "list", "--vault", vault, "--passphrase-file", pass))
		} else {
			mustRun(t, ctl(t, "extract", "--vault", vault, "--passphrase-file", pass, id, "--out", filepath.Join(outDir, "second.jpg")))
		}
		if left := dossierTemps(t, outDir); len(left) != 0 {
			t.Errorf("the next run left %q in %s", left, outDir)
		}
	}
}

// dossierTemps lists the names in dir that start like Dossier's private
// temporary files.
func dossierTemps(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".dossier-tmp-") {
			names = append(names, e.Name())
		}
	}
	return names
}

// legacyRecords, legacyChunks: the evidence TestKillDuringMove puts inside
// the database, as versions before the chunk store kept it: 12 records of
// four 1 MiB chunks each. Moving them takes a few seconds on a 2-core
// machine, most of it the syncs of each record's file and transaction.
const legacyRecords, legacyChunks = 12, 4

// legacyByte is the byte that fills chunk seq of legacy record n: chunks
// differ within a record and between neighbours, so that bytes moved out
// of order or into the wrong record fail the SHA-256.
func legacyByte(n, seq int) byte { return byte('A' + (n*legacyChunks+seq)%26) }

// legacyVault turns a vault made by this version into one as released
// before the chunk store, holding legacyRecords evidence records whose
// bytes are in evidence_chunks (blob NULL; store/db.go migrations 2 and 7),
// each with its custody. It returns the vault's dump and the SHA-256 of
// each record's bytes by file name.
func legacyVault(t *testing.T, vault, passphrase string) (dump []byte, sha map[string]string) {
	t.Helper()
	ctx := context.Background()
	v, err := store.Open(vault, passphrase, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var rows []string
	sha = map[string]string{}
	for i := range legacyRecords {
		n := 1000 + i
		h := sha256.New()
		for seq := range legacyChunks {
			h.Write(bytes.Repeat([]byte{legacyByte(n, seq)}, store.ChunkSize))
		}
		sha[fmt.Sprintf("legacy-%02d.bin", i)] = hex.EncodeToString(h.Sum(nil))
		rows = append(rows, fmt.Sprintf("(%d, '%08x-0000-4000-8000-000000000000', (SELECT min(n) FROM cases), 'original', 'legacy-%02d.bin', 'application/octet-stream', %d, '%s', '2026-03-01T12:00:00.000Z', 'test')",
			n, n, i, legacyChunks*store.ChunkSize, sha[fmt.Sprintf("legacy-%02d.bin", i)]))
	}
	for _, stmt := range []string{
		`INSERT INTO evidence(n, id, case_n, kind, name, media_type, size, sha256, added_at, added_by) VALUES ` + strings.Join(rows, ", "),
		`INSERT INTO custody(evidence_n, at, action, actor, from_whom, method, note)
			SELECT n, added_at, 'received', added_by, 'a witness', 'in person', '' FROM evidence WHERE n >= 1000`,
		// replace(hex(zeroblob(k)), '0', c) is 2k bytes of c.
		fmt.Sprintf(`WITH RECURSIVE k(seq) AS (SELECT 0 UNION ALL SELECT seq + 1 FROM k WHERE seq < %d)
			INSERT INTO evidence_chunks(evidence_n, seq, data)
			SELECT e.n, k.seq, CAST(replace(hex(zeroblob(%d)), '0', char(65 + (e.n * %d + k.seq) %% 26)) AS BLOB)
			FROM evidence e, k WHERE e.n >= 1000 ORDER BY e.n, k.seq`, legacyChunks-1, store.ChunkSize/2, legacyChunks),
	} {
		if err := testhooks.VaultExec(v, stmt); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := v.Dump(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), sha
}

// copyTree copies the folder src (files and folders) to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storedFiles counts the stored files and the temporary files of stores
// cut off in a vault's evidence folder.
func storedFiles(t *testing.T, vault string) (files, temps int) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(vault, store.EvidenceDir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Dir(filepath.Dir(p)) != filepath.Join(vault, store.EvidenceDir) {
			return err
		}
		if strings.Contains(d.Name(), ".tmp-") {
			temps++
		} else {
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, temps
}

// TestKillDuringMove: a vault as released before the chunk store, its
// evidence large enough that moving it out of the database at the first
// unlock takes a while, is unlocked by `dossierctl list` and killed -9 at
// points along the move. Opening it again finishes the move, and nothing
// is lost or changed: every record's bytes hash to its SHA-256, nothing is
// left in the database, the folder holds exactly the records' files once
// repaired, the audit chain holds and the dump is the one from before.
func TestKillDuringMove(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	ctx := context.Background()
	dir := t.TempDir()
	const pp = "crash test passphrase"
	vault, pass, _ := cliVault(t, dir, pp, "kill during move")
	want, legacySHA := legacyVault(t, vault, pp)

	check := func(target, when string) {
		t.Helper()
		v, err := store.Open(target, pp, store.Options{})
		if err != nil {
			t.Fatalf("%s: reopening: %v", when, err)
		}
		defer v.Close()
		var got bytes.Buffer
		if err := v.Dump(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%s: the dump differs from the one before the move", when)
		}
		var left int
		if err := testhooks.VaultQuery(v, "SELECT count(*) FROM evidence_chunks", &left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Fatalf("%s: %d chunks left in the database", when, left)
		}
		items, err := v.EvidenceOf(ctx, "DOS-2026-0001")
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != legacyRecords {
			t.Fatalf("%s: %d evidence records, want %d", when, len(items), legacyRecords)
		}
		// Read as extract reads, which checks the SHA-256 at the end; the
		// hash is checked here too, against the bytes put in.
		for _, e := range items {
			rc, _, err := v.OpenEvidence(ctx, e.ID)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			h := sha256.New()
			_, err = io.Copy(h, rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if hex.EncodeToString(h.Sum(nil)) != e.SHA256 || e.SHA256 != legacySHA[e.Name] {
				t.Fatalf("%s: %s does not hash to its SHA-256", when, e.ID)
			}
		}
		if _, err := v.RepairEvidence(ctx); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		rep, err := v.CheckStore(ctx, true)
		if err != nil || len(rep.Damage) != 0 || rep.Orphans+rep.Temps+rep.Unknown != 0 || rep.Files != legacyRecords {
			t.Fatalf("%s, after repair: %+v, %v", when, rep, err)
		}
		if _, _, err := v.VerifyAudit(ctx); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
	}

	// A whole move, unkilled, to know how long one takes here.
	probe := filepath.Join(dir, "probe")
	copyTree(t, vault, probe)
	start := time.Now()
	mustRun(t, ctl(t, "list", "--vault", probe, "--passphrase-file", pass))
	took := time.Since(start)
	check(probe, "after a whole move")

	midway := 0
	for i, frac := range []float64{0.15, 0.35, 0.55, 0.75, 0.95} {
		target := filepath.Join(dir, fmt.Sprintf("k%d", i))
		copyTree(t, vault, target)
		when := fmt.Sprintf("after a kill at %.0f%% of the move", frac*100)
		if killAfter(t, ctl(t, "list", "--vault", target, "--passphrase-file", pass), time.Duration(frac*float64(took))) {
			// Killed with some records stored, not all: mid-move.
			files, temps := storedFiles(t, target)
			if (files > 0 && files < legacyRecords) || temps > 0 {
				midway++
			}
			t.Logf("killed at %.0f%%: %d files stored, %d temporary", frac*100, files, temps)
		}
		check(target, when)
		os.RemoveAll(target)
	}
	if midway == 0 {
		t.Fatal("no kill landed in the middle of the move; the test proved nothing")
	}
	t.Logf("%d of 5 unlocks killed mid-move (a whole move takes %v)", midway, took.Round(time.Millisecond))
}
