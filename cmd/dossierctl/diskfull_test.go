package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A full disk: the command fails with a message that says so, and the vault
// is as it was (integrity checks pass, the dump is unchanged). Needs to
// mount a small tmpfs, so it runs as root only and skips elsewhere.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	vault, pass, _ := cliVault(t, dir, "disk full test passphrase", "A case before the disk filled")
	dump := func() string { return mustRun(t, ctl(t, "dump", "--vault", vault, "--passphrase-file", pass)) }
	before := dump()

	big := filepath.Join(t.TempDir(), "big.bin") // outside the tmpfs
	if err := os.WriteFile(big, bytes.Repeat([]byte("evidence "), 2<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"attach", "DOS-2026-0001", big},
		{"add", "-"},
	} {
		cmd := ctl(t, append(args, "--vault", vault, "--passphrase-file", pass)...)
		if args[0] == "add" {
			var in strings.Builder
			for i := 0; i < 20000; i++ {
				in.WriteString(`{"title":"filler case ` + strings.Repeat("x", 200) + `"}` + "\n")
			}
			cmd.Stdin = strings.NewReader(in.String())
		}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		if err == nil {
			t.Fatalf("%s succeeded on a full disk", args[0])
		}
		if !strings.Contains(errb.String(), "the disk is full") {
			t.Errorf("%s: the message does not say the disk is full: %s", args[0], errb.String())
		}
		if got := dump(); got != before {
			t.Fatalf("%s on a full disk changed the vault", args[0])
		}
		mustRun(t, ctl(t, "check", "--vault", vault, "--passphrase-file", pass))
	}
}
