// Package repocheck holds checks of the repository itself, run by make
// test before anything is built: a program committed by mistake (a
// dossierctl built in the wrong folder) is a file nobody reviewed, and
// people who download the source must be able to trust that it is all
// source.
package repocheck

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// TrackedFile is a file as git tracks it.
type TrackedFile struct {
	Path string
	Mode string // git's mode: 100644, 100755, 120000 (a link)…
}

// Tracked lists the files git tracks in the repository at root.
func Tracked(root string) ([]TrackedFile, error) {
	cmd := exec.Command("git", "ls-files", "-s", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("repocheck: git ls-files: %w", err)
	}
	var files []TrackedFile
	for _, rec := range bytes.Split(out, []byte{0}) {
		// "MODE OBJECT STAGE\tPATH"
		meta, path, ok := strings.Cut(string(rec), "\t")
		if !ok {
			continue
		}
		files = append(files, TrackedFile{Path: path, Mode: strings.Fields(meta)[0]})
	}
	return files, nil
}

// Binaries returns the tracked files under root that are programs: an
// executable (ELF, Windows PE or Mach-O) by its first bytes, or a file
// with the executable bit that is not a script (a script starts with
// "#!"). Each is returned with why.
func Binaries(root string, files []TrackedFile) ([]string, error) {
	var bad []string
	for _, f := range files {
		if f.Mode == "120000" || f.Mode == "160000" { // links and submodules hold no bytes of their own
			continue
		}
		head, err := readHead(filepath.Join(root, f.Path), 4096)
		if err != nil {
			return nil, fmt.Errorf("repocheck: %w", err)
		}
		if kind := ExecutableKind(head); kind != "" {
			bad = append(bad, f.Path+": "+kind+" executable")
			continue
		}
		if f.Mode == "100755" && !bytes.HasPrefix(head, []byte("#!")) {
			bad = append(bad, f.Path+": executable bit on a file that is not a script")
		}
	}
	return bad, nil
}

// ExecutableKind names the executable format b starts with, or is "".
func ExecutableKind(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return "ELF"
	case len(b) >= 4 && isMachO(binary.BigEndian.Uint32(b)):
		return "Mach-O"
	case len(b) >= 0x40 && bytes.HasPrefix(b, []byte("MZ")):
		// A DOS header whose e_lfanew points at "PE\0\0": checked, so
		// that a text file that happens to start with MZ is not taken
		// for a program.
		off := int(binary.LittleEndian.Uint32(b[0x3c:]))
		if off+4 <= len(b) && bytes.Equal(b[off:off+4], []byte("PE\x00\x00")) {
			return "Windows PE"
		}
	}
	return ""
}

func isMachO(magic uint32) bool {
	switch magic {
	case 0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, // 32/64-bit, either byte order
		0xcafebabe, 0xbebafeca: // universal (fat) binaries
		return true
	}
	return false
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	k, err := f.Read(b)
	if k == 0 && err != nil && err != io.EOF {
		return nil, err
	}
	return b[:k], nil
}
