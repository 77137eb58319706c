package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// The age command line (bin/tools/age, upstream age 1.3) decrypts a full
// backup as Dossier writes it now (packed and encrypted on one goroutine,
// hashed and written on another, verified by reading it back), made with
// --x25519 and without, when it spans many of age's chunks; and the tar
// inside is what docs/bundle-format.md says: its entries in that order,
// each of the size and SHA-256 the manifest gives, the evidence byte for
// byte the file attached.
func TestAgeCLIOpensBackups(t *testing.T) {
	age, err := filepath.Abs("../../bin/tools/age")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(age); err != nil {
		t.Fatalf("%v: 'make recover-tools' builds age into bin/tools", err)
	}
	dir := t.TempDir()
	vault, pass, rk := cliVault(t, dir, "age command line test", "A case for age")
	big := bigFile(t, dir, 3<<20+12345) // 49 chunks of 64 KiB, the last one short
	want, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, ctl(t, "attach", "--vault", vault, "--passphrase-file", pass, "DOS-2026-0001", big))
	x25519Key := filepath.Join(dir, "recovery-x25519.txt")
	if err := os.WriteFile(x25519Key, []byte(mustRun(t, ctl(t, "x25519-key", "--recovery-key", rk))), 0o600); err != nil {
		t.Fatal(err)
	}
	order := regexp.MustCompile(`^header\.json\nmeta\.json\ncontacts\.json\n(cases/[0-9a-f-]{36}\.json\n)+(evidence/[0-9a-f-]{36}\.json\nevidence/[0-9a-f-]{36}\.bin\n)+audit\.ndjson\nmanifest\.json\nmanifest\.sig\n$`)
	for _, c := range []struct{ flag, key string }{{"--x25519", x25519Key}, {"", rk}} {
		bundle := filepath.Join(dir, "backup"+c.flag+".age")
		args := []string{"export", "--vault", vault, "--passphrase-file", pass, "--out", bundle}
		if c.flag != "" {
			args = append(args, c.flag)
		}
		mustRun(t, ctl(t, args...))
		plain, err := exec.Command(age, "-d", "-i", c.key, bundle).Output()
		if err != nil {
			t.Fatalf("age -d of the backup%s: %v", c.flag, err)
		}
		tr := tar.NewReader(bytes.NewReader(plain))
		var names string
		type entry struct {
			Name   string `json:"name"`
			Size   int64  `json:"size"`
			SHA256 string `json:"sha256"`
		}
		var seen []entry
		var manifest struct {
			Entries []entry `json:"entries"`
		}
		carried := 0
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("backup%s: tar: %v", c.flag, err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			names += h.Name + "\n"
			switch {
			case h.Name == "manifest.json":
				if err := json.Unmarshal(data, &manifest); err != nil {
					t.Fatal(err)
				}
			case h.Name == "manifest.sig":
			default:
				sum := sha256.Sum256(data)
				seen = append(seen, entry{h.Name, int64(len(data)), hex.EncodeToString(sum[:])})
				if bytes.Equal(data, want) {
					carried++
				}
			}
		}
		if !order.MatchString(names) {
			t.Errorf("backup%s holds, in this order:\n%s", c.flag, names)
		}
		if len(manifest.Entries) != len(seen) {
			t.Fatalf("backup%s: the manifest lists %d entries, the tar holds %d", c.flag, len(manifest.Entries), len(seen))
		}
		for i := range seen {
			if seen[i] != manifest.Entries[i] {
				t.Errorf("backup%s: entry %d is %+v, the manifest says %+v", c.flag, i, seen[i], manifest.Entries[i])
			}
		}
		if carried != 1 {
			t.Errorf("backup%s carries the file attached %d times, want once", c.flag, carried)
		}
	}
}
