// Package nettrace shows that a program uses no network: it runs the
// program under strace, tracing every network system call of every thread
// and child, and reads the trace. The README promises "no network access,
// ever"; the tests of cmd/dossierctl and cmd/dossier hold the programs to
// it with this package.
//
// What counts as network: a socket of any address family but AF_UNIX, or
// an address of any family but AF_UNIX given to connect, bind, sendto,
// sendmsg or returned by accept and the like. AF_UNIX sockets are local
// files or names in the machine's own kernel: the app's connection to the
// X server is one, and glibc's name service cache (nscd) is asked over one
// when the program looks up the user. Netlink is not allowed either: no
// part of Dossier, Fyne or GLFW needs it (it was not seen in any trace),
// and it is how a program lists network interfaces and addresses.
package nettrace

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrNoStrace is returned when strace is not installed: make deps
// installs it, and a test that cannot trace must fail, not pass.
var ErrNoStrace = errors.New("nettrace: strace is not installed (make deps installs it)")

// Args are strace's arguments before the program's: follow every thread
// and child, trace the network calls and execve (so that an empty trace
// can be told from a program that never ran under strace), no signals,
// into file.
func Args(file string) []string {
	return []string{"-f", "-qq", "-e", "signal=none", "-e", "trace=%network,execve", "-o", file}
}

// Command returns a command running name with args under strace, the
// trace going to file.
func Command(file, name string, args ...string) (*exec.Cmd, error) {
	s, err := exec.LookPath("strace")
	if err != nil {
		return nil, ErrNoStrace
	}
	return exec.Command(s, append(append(Args(file), "--", name), args...)...), nil
}

// Wrapper writes, into dir, a shell script that runs bin with its
// arguments in its own process (same process id, through exec) once
// strace is attached to it, the trace going to file. A program started
// through it keeps the process id the caller sees, which finding its
// window by process id needs.
func Wrapper(dir, bin, file string) (string, error) {
	s, err := exec.LookPath("strace")
	if err != nil {
		return "", ErrNoStrace
	}
	script := fmt.Sprintf(`#!/bin/sh
# strace attaches to this shell, which then becomes the program (exec):
# the program runs traced from its first instruction.
%s %s -p $$ &
i=0
until grep -q '^TracerPid:[[:space:]]*[1-9]' /proc/$$/status; do
	i=$((i + 1))
	if [ $i -gt 600 ]; then echo "nettrace: strace did not attach" >&2; exit 111; fi
	sleep 0.05
done
exec %s "$@"
`, shellQuote(s), strings.Join(quoteAll(Args(file)), " "), shellQuote(bin))
	p := filepath.Join(dir, "traced-"+filepath.Base(bin)+".sh")
	if err := os.WriteFile(p, []byte(script), 0o700); err != nil {
		return "", fmt.Errorf("nettrace: writing the wrapper: %w", err)
	}
	return p, nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func quoteAll(ss []string) []string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = shellQuote(s)
	}
	return q
}

var (
	// socket(AF_INET, …), socketpair(AF_UNIX, …); strace may print the
	// domain as a number it has no name for.
	socketCall = regexp.MustCompile(`\b(socket|socketpair)\(([A-Za-z0-9_]+)`)
	// Any address in any call: connect, bind, sendto, sendmsg, accept,
	// getsockname, recvfrom…
	family = regexp.MustCompile(`sa_family=([A-Za-z0-9_]+)`)
	execve = regexp.MustCompile(`\bexecve\(`)
)

// Check reads a trace written with Args and returns its lines that use
// the network (empty: none). It fails when the trace holds no execve:
// then strace traced nothing and an empty list would prove nothing.
func Check(trace []byte) ([]string, error) {
	var bad []string
	sawExec := false
	sc := bufio.NewScanner(bytes.NewReader(trace))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		l := sc.Text()
		if execve.MatchString(l) {
			sawExec = true
		}
		ok := true
		for _, m := range socketCall.FindAllStringSubmatch(l, -1) {
			if m[2] != "AF_UNIX" {
				ok = false
			}
		}
		for _, m := range family.FindAllStringSubmatch(l, -1) {
			if m[1] != "AF_UNIX" {
				ok = false
			}
		}
		if !ok {
			bad = append(bad, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("nettrace: reading the trace: %w", err)
	}
	if !sawExec {
		return nil, errors.New("nettrace: the trace shows no execve: the program did not run under strace")
	}
	return bad, nil
}

// CheckFile is Check of the trace in file.
func CheckFile(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("nettrace: reading the trace: %w", err)
	}
	return Check(b)
}
