package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzArgsFrom: whatever --args-from reads, it gives back each non-empty
// line as one argument, in order and in place of the flag, or refuses with
// a usage error; it never lets the file give --args-from again.
func FuzzArgsFrom(f *testing.F) {
	f.Add("аптеки\n")
	f.Add("search\n--vault\nv\nlayanan metadon\r\n")
	f.Add("--args-from\nx\n")
	f.Add("--args-from=-\n")
	f.Add("\n\n--\n-\n")
	f.Add("a\x00b\n\xff\n")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := expandArgsFrom([]string{"search", "--args-from", "-", "--json"}, strings.NewReader(in))
		if err != nil {
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("not a usage error: %v", err)
			}
			return
		}
		var want []string
		for _, l := range strings.Split(in, "\n") {
			if l = strings.TrimSuffix(l, "\r"); l != "" {
				want = append(want, l)
			}
		}
		want = append(append([]string{"search"}, want...), "--json")
		if !slices.Equal(out, want) {
			t.Fatalf("read %q as %q, want %q", in, out, want)
		}
		for _, a := range out[1 : len(out)-1] {
			if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); strings.HasPrefix(a, "-") && name == argsFromFlag {
				t.Fatalf("the file gave --args-from again: %q", out)
			}
		}
	})
}
