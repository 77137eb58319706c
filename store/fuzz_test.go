package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzDecodeCases feeds arbitrary bytes to the case parser, the first
// parser of outside input. It must never panic, every error must be a
// *FieldError with a plausible line, and every case it accepts must
// survive Normalize and a JSON round trip.
func FuzzDecodeCases(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte(`{"title":"x","violations":[{"type":"extortion"}]}`))
	f.Add([]byte("{\n \"title\": \"a\",\n \"tags\": [\"}\", \"{\"]\n}\n{\"title\":\"b\"}"))
	f.Add([]byte(`{"title":"x","consent":{"obtained":true,"scope":"legal_partners"}}`))
	f.Add([]byte("\ufeff{\"title\":\"bom\"}"))
	f.Add([]byte(`{"title":"x",}`))
	f.Add([]byte(`[`))
	if b, err := os.ReadFile("../examples/cases.ndjson"); err == nil {
		f.Add(b)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in []byte) {
		lines := bytes.Count(in, []byte("\n")) + 1
		err := DecodeCases(bytes.NewReader(in), func(line int, c *Case) error {
			if line < 1 || line > lines {
				t.Fatalf("case reported on line %d of %d", line, lines)
			}
			if err := c.Normalize(now); err != nil {
				var fe *FieldError
				if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("Normalize error is not a FieldError: %v", err)
				}
				return nil
			}
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatalf("accepted case does not marshal: %v", err)
			}
			c2, err := decodeCase(b, 1)
			if err != nil {
				t.Fatalf("accepted case does not decode again: %v\n%s", err, b)
			}
			if err := c2.Normalize(now); err != nil {
				t.Fatalf("normalized case is not valid again: %v\n%s", err, b)
			}
			b2, _ := json.Marshal(c2)
			if !bytes.Equal(b, b2) {
				t.Fatalf("Normalize is not idempotent:\n%s\n%s", b, b2)
			}
			return nil
		})
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a FieldError: %v", err)
			}
			if fe.Line < 1 || fe.Line > lines {
				t.Fatalf("error on line %d of %d: %v", fe.Line, lines, err)
			}
			if strings.ContainsRune(fe.Error(), '\x00') && !bytes.ContainsRune(in, 0) {
				t.Fatalf("error invents bytes: %q", fe.Error())
			}
		}
	})
}

// FuzzSearchQuery: whatever a person types, the search runs without an
// FTS syntax error.
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"аптеке", `"AND" OR NOT ( * ) -`, "a*b", "NEAR/3", "^x", "x:y", "'", `"`, "ё", "\x00"} {
		f.Add(s)
	}
	v, _, _ := testVault(f)
	if _, err := v.AddCases(ctx, strings.NewReader(sample)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := v.List(ctx, Query{Text: q, Limit: 5}); err != nil {
			t.Fatalf("query %q: %v", q, err)
		}
	})
}

// FuzzStripJPEG: the JPEG stripper reads files from outside. It must never
// panic or loop, and what it writes must hold no APPn or comment segment
// before the first scan.
func FuzzStripJPEG(f *testing.F) {
	f.Add(jpegWithMetadata(f, false))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xD9})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02, 0xFF, 0xD9})
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := StripJPEG(bytes.NewReader(in), &out); err != nil {
			var se *StripError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a StripError: %v", err)
			}
			return
		}
		if out.Len() > len(in) {
			t.Fatalf("stripping grew the file from %d to %d bytes", len(in), out.Len())
		}
		b := out.Bytes()
		for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
			m := b[i+1]
			if m >= 0xE0 && m <= 0xEF && m != 0xEE || m == 0xFE {
				t.Fatalf("marker %#x kept at %d", m, i)
			}
			if m == 0xDA || m >= 0xD0 && m <= 0xD9 {
				break
			}
			i += 2 + int(b[i+2])<<8 | int(b[i+3])
		}
	})
}

// FuzzStripPNG: the PNG stripper must never panic, and keeps only the
// chunks it allows.
func FuzzStripPNG(f *testing.F) {
	var enc bytes.Buffer
	png.Encode(&enc, testImage())
	f.Add(enc.Bytes())
	f.Add(append(append([]byte{}, pngSignature...), 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := StripPNG(bytes.NewReader(in), &out); err != nil {
			var se *StripError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a StripError: %v", err)
			}
			return
		}
		b := out.Bytes()[8:]
		for len(b) >= 12 {
			n := int(binary.BigEndian.Uint32(b))
			if !pngKeep[string(b[4:8])] {
				t.Fatalf("chunk %q kept", b[4:8])
			}
			if 12+n > len(b) {
				break
			}
			b = b[12+n:]
		}
	})
}
