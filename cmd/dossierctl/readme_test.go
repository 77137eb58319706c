package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/testimg"
)

// readmeSection is the README section whose shell blocks are the
// command-line walkthrough.
const readmeSection = "## The command line"

// readmeBlocks returns the ```sh blocks of a section of a Markdown file:
// from its heading to the next heading of the same level; with heading "",
// of the whole file.
func readmeBlocks(t *testing.T, path, heading string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []string
	var cur *strings.Builder
	in := heading == ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case heading != "" && line == heading:
			in = true
		case in && heading != "" && strings.HasPrefix(line, "## "):
			in = false
		case !in:
		case cur == nil && line == "```sh":
			cur = &strings.Builder{}
		case cur != nil && line == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

// TestReadmeWalkthrough runs the README's command-line walkthrough, its
// shell blocks in order in one shell, so that the README cannot drift from
// commands that work. The dossierctl on PATH is this test binary (see
// TestMain), with the scripts' fixed clock: references are PN-2026-….
//
// What the README leaves to the reader, the test provides, and nothing
// more: the files it says the reader has (examples/cases.ndjson from the
// repository, photo.jpg, new.txt), a USB stick (/media/usb/ is a folder
// of the test's home), and the partner organisation of the sharing
// example, with the fingerprint the partner reads out by phone (the
// placeholder ABCD-EFGH-IJKL-MNOP). Passphrases come as the README
// supplies them: its export of DOSSIER_PASSPHRASE and new.txt.
func TestReadmeWalkthrough(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell to run the README's blocks with")
	}
	if _, err := exec.LookPath("dossierctl"); err != nil {
		t.Fatalf("dossierctl is not on PATH (TestMain puts this test binary there): %v", err)
	}
	blocks := readmeBlocks(t, "../../README.md", readmeSection)
	if len(blocks) == 0 {
		t.Fatalf("README.md has no sh blocks under %q", readmeSection)
	}

	home := t.TempDir()
	cases, err := os.ReadFile("../../examples/cases.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"examples/cases.ndjson": cases,
		"photo.jpg":             testimg.JPEGWithMetadata(),
		"new.txt":               []byte("a new passphrase from the README test\n"),
		"usb/.keep":             nil,
	} {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// The partner organisation, as if on its own laptop, before the block
	// that adds its card: its vault and card, and this vault's card added
	// to its contacts (the README says it does that "the same way").
	const partner = `# test fixture: the partner organisation
dossierctl init --vault ~/vaults/partner --org 'Legal Partner' --recovery-out partner-recovery.txt >/dev/null
PARTNER_FP=$(dossierctl contact export --vault ~/vaults/partner --out partner.card | sed -n 's/^Fingerprint: //p')
NET_FP=$(dossierctl contact export --vault ~/vaults/net --out net-for-partner.card | sed -n 's/^Fingerprint: //p')
dossierctl contact add --vault ~/vaults/partner net-for-partner.card --fingerprint "$NET_FP" >/dev/null
# end of the test fixture
`
	subst := map[string]string{
		"/media/usb/":         "$HOME/usb/",
		"ABCD-EFGH-IJKL-MNOP": "$PARTNER_FP",
	}
	used := map[string]bool{}
	script := "set -eu\n"
	fixtureUsed := false
	for _, b := range blocks {
		if strings.Contains(b, "dossierctl contact add") {
			script += partner
			fixtureUsed = true
		}
		for from, to := range subst {
			if strings.Contains(b, from) {
				used[from] = true
				b = strings.ReplaceAll(b, from, to)
			}
		}
		script += b
	}
	if !fixtureUsed {
		t.Fatal("no README block adds a contact card: the sharing example changed, update the partner fixture of this test")
	}
	for from := range subst {
		if !used[from] {
			t.Fatalf("the README no longer has %q: update this test's substitutions", from)
		}
	}

	cmd := exec.Command(sh, "-x", "-c", script)
	cmd.Dir = home
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "HOME" && k != "DOSSIER_PASSPHRASE" && k != "XDG_DATA_HOME" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the README's walkthrough failed: %v\n--- stdout\n%s--- stderr (commands traced)\n%s", err, stdout.String(), stderr.String())
	}

	// It did what the README says, not only exit 0.
	out := stdout.String()
	for _, want := range []string{
		"PN-2026-0001  ", // show
		"The restored vault holds 54 cases, 1 evidence file (plus 1 stripped copy) and ",
		"Imported a share from Peer Network",
		"1 case added, 0 updated, 0 unchanged, 0 in conflict",
		"0 cases added, 0 updated, 0 unchanged, 1 in conflict",
		"PN-2026-0042 resolved: revision ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(home, "content.json")); err != nil || !strings.Contains(string(b), `"reference": "PN-2026-0042"`) {
		t.Errorf("content.json lacks the cases (%v)", err)
	}
	clean, err := os.ReadFile(filepath.Join(home, "photo-clean.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range testimg.MetadataMarkers {
		if strings.Contains(string(clean), m) {
			t.Errorf("photo-clean.jpg holds the metadata marker %q", m)
		}
	}
}
