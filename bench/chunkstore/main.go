// Command chunkstore stores a file in a chunk store (package store/chunks)
// and reads it back, for benchmarks; bench/evidence-store.sh times it
// next to openssl and age on the same bytes:
//
//	chunkstore put DIR FILE REF   stores FILE in the store in DIR, writes its Ref to REF
//	chunkstore get DIR REF        reads the file REF names, authenticating every chunk, and discards it
//
// REF holds the file's key in the clear: this is a benchmark tool, for
// synthetic files only.
package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/dossier-hr/dossier/store/chunks"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "chunkstore:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 4 && args[0] == "put":
		s, err := chunks.Open(args[1])
		if err != nil {
			return err
		}
		f, err := os.Open(args[2])
		if err != nil {
			return err
		}
		defer f.Close()
		ref, err := s.Put(f)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s %x %d %x\n", ref.ID, ref.Key, ref.Size, ref.SHA256)
		return os.WriteFile(args[3], []byte(line), 0o600)
	case len(args) == 3 && args[0] == "get":
		s, err := chunks.Open(args[1])
		if err != nil {
			return err
		}
		ref, err := readRef(args[2])
		if err != nil {
			return err
		}
		rc, err := s.Get(ref)
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = io.CopyBuffer(io.Discard, struct{ io.Reader }{rc}, make([]byte, 256<<10))
		return err
	}
	return fmt.Errorf("usage: chunkstore put DIR FILE REF | chunkstore get DIR REF")
}

func readRef(name string) (chunks.Ref, error) {
	var ref chunks.Ref
	b, err := os.ReadFile(name)
	if err != nil {
		return ref, err
	}
	f := strings.Fields(string(b))
	if len(f) != 4 {
		return ref, fmt.Errorf("%s: not a Ref", name)
	}
	if ref.ID, err = chunks.ParseID(f[0]); err != nil {
		return ref, err
	}
	if ref.Size, err = strconv.ParseInt(f[2], 10, 64); err != nil {
		return ref, err
	}
	k, err := hex.DecodeString(f[1])
	if err != nil || len(k) != chunks.KeySize {
		return ref, fmt.Errorf("%s: not a Ref", name)
	}
	copy(ref.Key[:], k)
	h, err := hex.DecodeString(f[3])
	if err != nil || len(h) != len(ref.SHA256) {
		return ref, fmt.Errorf("%s: not a Ref", name)
	}
	copy(ref.SHA256[:], h)
	return ref, nil
}
