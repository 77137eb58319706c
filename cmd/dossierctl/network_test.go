package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/nettrace"
	"github.com/dossier-hr/dossier/internal/testimg"
)

// TestNoNetwork: the README promises "no network access, ever". Every
// command of a day's work runs under strace (every thread and child
// followed), and none of them opens a socket other than AF_UNIX or gives
// any call an address of another family (see internal/nettrace for what
// is allowed and why). strace must be installed: make deps installs it,
// and without it the test fails.
func TestNoNetwork(t *testing.T) {
	dir := t.TempDir()
	traces := filepath.Join(dir, "traces")
	if err := os.Mkdir(traces, 0o700); err != nil {
		t.Fatal(err)
	}
	pass := writePass(t, dir, "pass", "no network here")
	newPass := writePass(t, dir, "new", "a new passphrase for the restored vault")
	bundlePass := writePass(t, dir, "bundle", "Copper-Lantern-Orchard-88-net")
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := file("cases.ndjson", `{"title":"Задержание у аптеки","narrative":"Полиция изъяла шприцы.","country":"RU","people":[{"role":"victim","pseudonym":"Пётр"}],"violations":[{"type":"extortion","perpetrator":"police"}],"consent":{"obtained":true,"scope":["legal_partners","anonymised_statistics"]}}
{"title":"Raid at the drop-in centre","country":"ID","incident_date":"2025-03"}
`)
	changes := file("changes.json", `{"status":"referred"}`)
	photo := file("photo.jpg", string(testimg.JPEGWithMetadata()))
	a, b, r := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "restored")
	rkA, rkB := filepath.Join(dir, "rka"), filepath.Join(dir, "rkb")

	n := 0
	// run runs one dossierctl command under strace and checks its trace.
	run := func(args ...string) string {
		t.Helper()
		n++
		tr := filepath.Join(traces, strings.Join([]string{string(rune('a' + n/26)), string(rune('a' + n%26)), args[0]}, "-"))
		cmd, err := nettrace.Command(tr, os.Args[0], args...)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(os.Environ(), "DOSSIERCTL_TEST_MAIN=1")
		out := mustRun(t, cmd)
		bad, err := nettrace.CheckFile(tr)
		if err != nil {
			t.Fatalf("dossierctl %s: %v", strings.Join(args, " "), err)
		}
		if len(bad) > 0 {
			t.Errorf("dossierctl %s used the network:\n%s", strings.Join(args, " "), strings.Join(bad, "\n"))
		}
		return out
	}
	p := "--passphrase-file"
	run("init", "--vault", a, p, pass, "--org", "Field Network", "--recovery-out", rkA)
	run("init", "--vault", b, p, pass, "--org", "Legal Partner", "--recovery-out", rkB)
	ids := strings.Fields(run("add", "--vault", a, p, pass, cases))
	if len(ids) != 2 {
		t.Fatalf("add printed %q, want two ids", ids)
	}
	run("list", "--vault", a, p, pass, "--country", "RU")
	run("search", "--vault", a, p, pass, "аптеке полиция", "--json")
	run("show", "--vault", a, p, pass, ids[0])
	run("edit", "--vault", a, p, pass, ids[0], changes)
	run("history", "--vault", a, p, pass, ids[0])
	ev := strings.Fields(run("attach", "--vault", a, p, pass, ids[0], photo, "--received-from", "outreach worker", "--method", "messenger"))
	run("evidence", "list", "--vault", a, p, pass, ids[0])
	run("extract", "--vault", a, p, pass, ev[0], "--stripped", "--out", filepath.Join(dir, "clean.jpg"))
	run("stats", "--vault", a, p, pass, "--all-cases")
	run("audit", "verify", "--vault", a, p, pass)
	run("dump", "--vault", a, p, pass)
	run("check", "--vault", a, p, pass)

	full := filepath.Join(dir, "full.age")
	run("export", "--vault", a, p, pass, "--out", full)
	run("edit", "--vault", a, p, pass, ids[1], changes)
	incr := filepath.Join(dir, "incr.age")
	run("export", "--vault", a, p, pass, "--kind", "incremental", "--out", incr)
	run("verify", "--vault", a, p, pass, full)
	run("restore", "--bundle", full, "--bundle", incr, "--recovery-key", rkA, "--vault", r, "--new-passphrase-file", newPass)
	run("list", "--vault", r, p, newPass)

	// A share between two organisations: cards, fingerprints, import.
	fp := regexp.MustCompile(`Fingerprint: (\S+)`)
	aCard, bCard := filepath.Join(dir, "a.card"), filepath.Join(dir, "b.card")
	afp := fp.FindStringSubmatch(run("contact", "export", "--vault", a, p, pass, "--out", aCard))
	bfp := fp.FindStringSubmatch(run("contact", "export", "--vault", b, p, pass, "--out", bCard))
	if afp == nil || bfp == nil {
		t.Fatal("contact export printed no fingerprint")
	}
	run("contact", "add", "--vault", a, p, pass, bCard, "--fingerprint", bfp[1])
	run("contact", "add", "--vault", b, p, pass, aCard, "--fingerprint", afp[1])
	share := filepath.Join(dir, "share.age")
	run("export", "--vault", a, p, pass, "--kind", "share", "--to", bCard, "--case", ids[0], "--out", share)
	run("import", "--vault", b, p, pass, share)
	oneOff := filepath.Join(dir, "oneoff.age")
	run("export", "--vault", a, p, pass, "--kind", "share", "--case", ids[0], "--bundle-passphrase-file", bundlePass, "--out", oneOff)
	run("passwd", "--vault", a, p, pass, "--new-passphrase-file", newPass)
	run("list", "--vault", a, p, newPass)
	if !t.Failed() {
		t.Logf("%d commands traced, none used the network", n)
	}
}
