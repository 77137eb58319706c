package crypto

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// TestRecoveryKeyFileRoundTrip: the one format reads back, is an age
// identity file (age -d -i), and shows the key in groups for copying.
func TestRecoveryKeyFileRoundTrip(t *testing.T) {
	rk, err := NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rk.txt")
	if err := WriteRecoveryKey(path, rk, "Org\nAGE-SECRET-KEY-PQ-1XYZ"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	back, err := ReadRecoveryKey(path)
	if err != nil || back.String() != rk.String() {
		t.Fatalf("read back: %v", err)
	}
	data, _ := os.ReadFile(path)
	text := string(data)
	if !strings.Contains(text, "\n#   "+strings.Split(GroupRecoveryKey(rk.String()), "\n")[1]+"\n") {
		t.Errorf("no grouped key in the comments:\n%s", text)
	}
	// A name with a line break stays in its comment line.
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(line, "#") && line != rk.String() {
			t.Errorf("a line that is neither a comment nor the key: %q", line)
		}
	}
	ids, err := age.ParseIdentities(strings.NewReader(text))
	if err != nil || len(ids) != 1 {
		t.Fatalf("not an age identity file: %v (%d identities)", err, len(ids))
	}
	if ids[0].(*age.HybridIdentity).String() != rk.String() {
		t.Fatal("age reads another key")
	}
}

// TestOlderRecoveryKeyFilesRead: the files written before there was one
// format — dossierctl's (the key on one line) and the app's (the key in
// groups over several lines) — still read, from a file or pasted whole.
func TestOlderRecoveryKeyFilesRead(t *testing.T) {
	rk, _ := NewRecoveryKey()
	cli := "# Dossier recovery key for the vault of Org\n# Keep it offline, apart from the laptop. It opens the vault and its full backups.\n" + rk.String() + "\n"
	app := "# Dossier recovery key. It opens the vault and its full backups.\n" +
		"# Print it or copy it by hand, keep that away from the laptop, then delete this file.\n\n" +
		GroupRecoveryKey(rk.String()) + "\n"
	for name, text := range map[string]string{"dossierctl": cli, "app": app, "new": RecoveryKeyText(rk, "Org"), "crlf": strings.ReplaceAll(app, "\n", "\r\n")} {
		path := filepath.Join(t.TempDir(), "rk")
		os.WriteFile(path, []byte(text), 0o600)
		if k, err := ReadRecoveryKey(path); err != nil || k.String() != rk.String() {
			t.Errorf("%s file: %v", name, err)
		}
		if k, err := ParseRecoveryKey(text); err != nil || k.String() != rk.String() {
			t.Errorf("%s file pasted whole: %v", name, err)
		}
	}
}

func FuzzParseRecoveryKey(f *testing.F) {
	rk, _ := NewRecoveryKey()
	f.Add(RecoveryKeyText(rk, "Org"))
	f.Add(GroupRecoveryKey(rk.String()))
	f.Add("# only a comment\n")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseRecoveryKey(s)
		if err != nil {
			return
		}
		// What parses writes out and reads back as the same key.
		back, err := ParseRecoveryKey(RecoveryKeyText(k, s))
		if err != nil || back.String() != k.String() {
			t.Fatalf("round trip: %v", err)
		}
	})
}
