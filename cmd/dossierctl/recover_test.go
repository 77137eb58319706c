package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/testimg"
)

// recoverDoc is the page whose shell blocks TestRecoverWithoutDossier runs.
const recoverDoc = "../../docs/recover-without-dossier.md"

// recoverTools are the programs the page uses besides dossierctl. age and
// sqlcipher are the ones `make recover-tools` puts in bin/tools; the others
// come with the Debian packages of `make deps` (and coreutils).
var recoverTools = []string{"age", "sqlcipher", "jq", "tar", "base64", "od", "sha256sum", "basenc", "base32", "openssl", "sh"}

// recoverEnv returns the environment the page's commands run in: HOME is
// home (so the vault is in the default folder, ~/.local/share/dossier),
// bin/tools of the repository first on PATH, and the passphrase the person
// would type at dossierctl's prompt. It fails, never skips, when a tool is
// missing: the page must be shown to work on every run of the suite.
func recoverEnv(t *testing.T, home, passphrase string) []string {
	t.Helper()
	tools, err := filepath.Abs("../../bin/tools")
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "DOSSIER_PASSPHRASE", "XDG_DATA_HOME":
		case "PATH":
			path := tools + string(os.PathListSeparator) + v
			env = append(env, "PATH="+path)
			t.Setenv("PATH", path) // for LookPath below
		default:
			env = append(env, kv)
		}
	}
	for _, tool := range recoverTools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (%v): 'make recover-tools' builds age and sqlcipher into bin/tools and installs the rest", tool, err)
		}
	}
	out, err := exec.Command("age", "--version").Output()
	if err != nil || !regexp.MustCompile(`^v1\.([3-9]|\d\d+)\.`).Match(out) {
		t.Fatalf("age --version says %q (%v): the page needs age 1.3 or later; 'make recover-tools' builds it", out, err)
	}
	out, err = exec.Command("sqlcipher", "-version").Output()
	if err != nil || !bytes.Contains(out, []byte("(SQLCipher 4.")) {
		t.Fatalf("sqlcipher -version says %q (%v): the page needs a SQLCipher 4 shell; 'make recover-tools' builds it", out, err)
	}
	return append(env, "HOME="+home, "DOSSIER_PASSPHRASE="+passphrase)
}

// TestRecoverWithoutDossier runs the shell blocks of
// docs/recover-without-dossier.md, all of them, in order, in one shell,
// with upstream age and a SQLCipher 4 shell, so that the page cannot drift
// from commands that work. dossierctl on PATH is this test binary (see
// TestMain).
//
// The page says which files the reader has; a fixture makes them and
// nothing more, with dossierctl: the organisation's vault in the default
// folder with a case and a photo, its recovery key, full backups with
// and without --x25519, and shares a partner made for it with and
// without --x25519. After the page's commands, the test checks that they
// did what the page says: the fingerprint printed is the organisation's,
// the evidence taken out of the backup and out of the vault is the photo.
func TestRecoverWithoutDossier(t *testing.T) {
	const passphrase = "recover without dossier 2026"
	home := t.TempDir()
	env := recoverEnv(t, home, passphrase)
	blocks := readmeBlocks(t, recoverDoc, "")
	if len(blocks) < 5 {
		t.Fatalf("%s has %d sh blocks; the test expects the page's walkthrough", recoverDoc, len(blocks))
	}
	photo := testimg.JPEGWithMetadata()
	for name, data := range map[string][]byte{
		"photo.jpg":         photo,
		"empty.txt":         nil,
		"case.json":         []byte(`{"title":"Detention at the pharmacy"}`),
		"partner-case.json": []byte(`{"title":"Shared by the partner","consent":{"obtained":true,"scope":["legal_partners"]}}`),
	} {
		if err := os.WriteFile(filepath.Join(home, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sh := func(name, script string) string {
		t.Helper()
		cmd := exec.Command("sh", "-x", "-c", "set -eu\n"+script)
		cmd.Dir, cmd.Env = home, env
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s failed: %v\n--- stdout\n%s--- stderr (commands traced)\n%s", name, err, stdout.String(), stderr.String())
		}
		return stdout.String()
	}

	out := sh("the fixture", `
dossierctl init --org 'Field Network' --recovery-out recovery-key.txt >/dev/null
dossierctl add case.json >/dev/null
dossierctl attach FN-2026-0001 photo.jpg empty.txt >/dev/null
dossierctl export --out backup.age >/dev/null 2>&1
dossierctl export --x25519 --out backup-x25519.age >/dev/null 2>&1
FP=$(dossierctl contact export --out ours.card | sed -n 's/^Fingerprint: //p')
echo "fingerprint $FP"
dossierctl init --vault partner --org 'Legal Partner' --recovery-out partner-key.txt >/dev/null
dossierctl add --vault partner partner-case.json >/dev/null
dossierctl contact add --vault partner ours.card --fingerprint "$FP" >/dev/null
dossierctl export --vault partner --kind share --to ours.card --case LP-2026-0001 --redact none --out share.age >/dev/null 2>&1
dossierctl export --vault partner --kind share --to ours.card --case LP-2026-0001 --redact none --x25519 --out share-x25519.age >/dev/null 2>&1
rm photo.jpg empty.txt case.json partner-case.json ours.card
`)
	fp := regexp.MustCompile(`fingerprint (\S+)`).FindStringSubmatch(out)
	if fp == nil || fp[1] == "" {
		t.Fatalf("the fixture printed no fingerprint: %q", out)
	}

	out = sh("the page's commands", strings.Join(blocks, ""))
	t.Logf("the page's commands printed:\n%s", out)

	// They did what the page says.
	for _, want := range []string{
		"every entry matches the manifest\n",
		"the manifest names the header's creator\n",
		"Signature Verified Successfully\n",
		"\n" + fp[1] + "\n", // the signer's fingerprint, computed with stock tools
		"FN-2026-0001\tDetention at the pharmacy\n",
		"every evidence file matches its record\n",
		"FN-2026-0001|Detention at the pharmacy\n", // sqlcipher's list of cases
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output of the page's commands lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "every evidence file matches its record\n"); n != 2 {
		t.Errorf("the evidence was checked %d times, want 2 (from the backup, from the vault):\n%s", n, out)
	}
	if n := strings.Count(out, "cases/"); n < 4 {
		t.Errorf("the page's listings show %d case entries, want one per backup and share (4):\n%s", n, out)
	}
	fromVault, _ := filepath.Glob(filepath.Join(home, "from-vault", "*.bin"))
	fromBackup, _ := filepath.Glob(filepath.Join(home, "backup", "evidence", "*.bin"))
	// The photo, its copy without metadata, which attach made, and the
	// empty file (which has no chunks in the vault).
	for _, files := range [][]string{fromVault, fromBackup} {
		if len(files) != 3 {
			t.Fatalf("evidence files taken out: %q, want the photo, its stripped copy and the empty file", files)
		}
		originals, empty := 0, 0
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(b, photo) {
				originals++
			}
			if len(b) == 0 {
				empty++
			}
		}
		if originals != 1 || empty != 1 {
			t.Errorf("of %q, %d are the photo attached and %d empty, want 1 and 1", files, originals, empty)
		}
	}
	if b, err := os.ReadFile(filepath.Join(home, "from-vault", "cases.ndjson")); err != nil || !bytes.Contains(b, []byte(`"title":"Detention at the pharmacy"`)) {
		t.Errorf("from-vault/cases.ndjson lacks the case (%v): %s", err, b)
	}

	// The page says the page size is needed: without it, the database
	// does not open.
	cmd := exec.Command("sh", "-c", `set -eu
KEY=$(jq -r .recovery vault-copy/vault.key | base64 -d | age -d -i recovery-key.txt | od -An -v -tx1 | tr -d ' \n')
printf 'PRAGMA key = "x%s%s%s";\nSELECT count(*) FROM cases;\n' "'" "$KEY" "'" | sqlcipher vault-copy/vault.db`)
	cmd.Dir, cmd.Env = home, env
	b, err := cmd.CombinedOutput()
	if err == nil || !bytes.Contains(b, []byte("file is not a database")) {
		t.Errorf("without cipher_page_size the vault opened, or failed otherwise (%v): %s", err, b)
	}
}
