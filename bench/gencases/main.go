// Command gencases writes synthetic cases as NDJSON, for benchmarks:
//
//	go run ./bench/gencases -n 10000 > cases.ndjson
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/dossier-hr/dossier/internal/synth"
)

func main() {
	n := flag.Int("n", 10000, "number of cases")
	seed := flag.Uint64("seed", 1, "random seed; the same seed gives the same cases")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	if err := synth.WriteNDJSON(w, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gencases:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gencases:", err)
		os.Exit(1)
	}
}
