package main

import (
	"bytes"
	"testing"
)

// A character split across writes is kept whole; an incomplete one at
// the end is escaped.
func TestVisibleWriterSplitsCharacters(t *testing.T) {
	var b bytes.Buffer
	w := newVisibleWriter(&b)
	in := []byte("Пётр\x1b[2J \u202e!\n")
	for i := range in {
		w.Write(in[i : i+1])
	}
	w.Write([]byte("\xd0"))
	w.Flush()
	if got, want := b.String(), "Пётр\\u001b[2J \\u202e!\n\\xd0"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
