package main

import (
	"io"
	"unicode/utf8"

	"github.com/dossier-hr/dossier/store"
)

// visibleWriter passes everything dossierctl prints through
// store.VisibleText, so that text from a vault written before the text
// rules — or from a partner's bundle, a contact card, an evidence file
// name — cannot act on the terminal: ESC, BEL, NUL, CR, bidi overrides and
// bytes that are not UTF-8 come out as visible escapes. Line feeds and
// tabs pass. dossierctl writes no binary data to its standard output or
// error (extract writes to a file), and the escapes VisibleText uses for
// characters are JSON's, so --json output still decodes to the same
// values.
type visibleWriter struct {
	w       io.Writer
	pending []byte // the start of a character split across two writes
	err     error
}

func newVisibleWriter(w io.Writer) *visibleWriter { return &visibleWriter{w: w} }

func (v *visibleWriter) Write(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	data := append(v.pending, p...)
	// Keep back an incomplete character at the end, to be completed by
	// the next write.
	cut := len(data)
	for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				cut = i
			}
			break
		}
	}
	v.pending = append([]byte(nil), data[cut:]...)
	if _, err := io.WriteString(v.w, store.VisibleText(string(data[:cut]), true)); err != nil {
		v.err = err
		return 0, err
	}
	return len(p), nil
}

// Flush writes out a character left incomplete at the end (escaped, as it
// is not UTF-8).
func (v *visibleWriter) Flush() error {
	if len(v.pending) == 0 || v.err != nil {
		return v.err
	}
	_, err := io.WriteString(v.w, store.VisibleText(string(v.pending), true))
	v.pending = nil
	return err
}
