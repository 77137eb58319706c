package store

import (
	"bytes"
	"encoding/json"
	"errors"
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
