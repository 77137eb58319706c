package repocheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The repository this test runs in tracks no program.
func TestNoTrackedBinaries(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Tracked(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("git lists %d files in %s: not the repository?", len(files), root)
	}
	bad, err := Binaries(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("a program is tracked by git (remove it with git rm --cached and rebuild it instead): %s", b)
	}
}

// The check finds what it must in a repository made for it: this test's
// own compiled binary (in the format of the machine running it), a file
// marked executable that is not a script, and leaves scripts, text and
// images alone.
func TestBinariesFound(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.org"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), b, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("dossierctl", self, 0o644) // built in the wrong folder, committed without its x bit
	write("tool", []byte("not a script\n"), 0o755)
	write("run.sh", []byte("#!/bin/sh\necho hi\n"), 0o755)
	write("README.md", []byte("MZ is how this text starts\n"), 0o644)
	write("icon.png", []byte("\x89PNG\r\n\x1a\n...."), 0o644)
	git("add", ".")
	files, err := Tracked(dir)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := Binaries(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, b := range bad {
		paths = append(paths, strings.SplitN(b, ":", 2)[0])
	}
	if !slices.Equal(paths, []string{"dossierctl", "tool"}) {
		t.Fatalf("found %q, want the compiled program and the executable non-script (on %s)", bad, runtime.GOOS)
	}
}

func TestExecutableKind(t *testing.T) {
	pe := make([]byte, 0x80)
	copy(pe, "MZ")
	pe[0x3c] = 0x40
	copy(pe[0x40:], "PE\x00\x00")
	for _, c := range []struct {
		b    []byte
		want string
	}{
		{[]byte("\x7fELF\x02\x01\x01"), "ELF"},
		{[]byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}, "Mach-O"},
		{[]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2}, "Mach-O"},
		{pe, "Windows PE"},
		{append([]byte("MZ"), make([]byte, 0x80)...), ""},
		{[]byte("#!/bin/sh\n"), ""},
		{nil, ""},
	} {
		if got := ExecutableKind(c.b); got != c.want {
			t.Errorf("ExecutableKind(%q) = %q, want %q", c.b[:min(len(c.b), 8)], got, c.want)
		}
	}
}
