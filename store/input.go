package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxInputRecord is the largest single case accepted on input, so endless
// or hostile input is refused before it fills memory.
const MaxInputRecord = 8 << 20

const maxInputDepth = 32

// DecodeCases reads cases from r — one JSON object, or many as NDJSON (one
// object per line; a pretty-printed object may span lines) — and calls fn
// with each case, in input order, with the line on which it starts. Cases
// are decoded strictly: an unknown field is an error, so a typo is not
// silently dropped. It stops at the first error, which is a *FieldError
// naming the line and, where it can, the field.
//
// Cases are only decoded here; validation is Case.Normalize.
func DecodeCases(r io.Reader, fn func(line int, c *Case) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	line := 1
	var (
		rec               bytes.Buffer
		start             int
		depth             int
		inStr, esc, first = false, false, true
	)
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading input: %w", err)
		}
		if first && b == 0xEF { // a UTF-8 byte order mark, as Windows editors write
			first = false
			if bom, _ := br.Peek(2); bytes.Equal(bom, []byte{0xBB, 0xBF}) {
				br.Discard(2)
				continue
			}
		}
		first = false
		if depth == 0 {
			switch b {
			case '\n':
				line++
				continue
			case ' ', '\t', '\r':
				continue
			case '{':
				start = line
				rec.Reset()
			case '[':
				return &FieldError{Line: line, Msg: "expected a JSON object ({…}) for each case, found an array: put one case object per line (NDJSON)"}
			default:
				return &FieldError{Line: line, Msg: "expected a JSON object ({…}) for each case, found something else"}
			}
		}
		if rec.Len() >= MaxInputRecord {
			return &FieldError{Line: start, Msg: fmt.Sprintf("the case is larger than %d MiB; split long texts or attach them as evidence", MaxInputRecord>>20)}
		}
		rec.WriteByte(b)
		switch {
		case b == '\n':
			line++
			if inStr {
				return &FieldError{Line: line - 1, Msg: "malformed JSON: a string runs past the end of the line (write line breaks as \\n)"}
			}
		case inStr && esc:
			esc = false
		case inStr && b == '\\':
			esc = true
		case b == '"':
			inStr = !inStr
		case inStr:
		case b == '{' || b == '[':
			depth++
			if depth > maxInputDepth {
				return &FieldError{Line: line, Msg: "malformed JSON: nested too deeply"}
			}
		case b == '}' || b == ']':
			depth--
			if depth == 0 {
				c, err := decodeCase(rec.Bytes(), start)
				if err != nil {
					return err
				}
				if err := fn(start, c); err != nil {
					return err
				}
			}
		}
	}
	if depth != 0 || inStr {
		return &FieldError{Line: start, Msg: "malformed JSON: the input ends in the middle of this case (truncated file?)"}
	}
	return nil
}

func decodeCase(rec []byte, line int) (*Case, error) {
	if err := CheckJSON(rec); err != nil {
		err.(*FieldError).Line = line
		return nil, err
	}
	var c Case
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.DisallowUnknownFields()
	err := dec.Decode(&c)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the object")
	}
	if err == nil {
		return &c, nil
	}
	fe := &FieldError{Line: line}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		fe.Line = line + bytes.Count(rec[:min(int(syn.Offset), len(rec))], []byte("\n"))
		fe.Msg = "malformed JSON: " + syn.Error()
	case errors.As(err, &typ):
		fe.Field = typ.Field
		fe.Msg = fmt.Sprintf("expected %s, found a JSON %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// The name is the input's: shown only if it looks like a field
		// name (a typo such as "titel"), not if it could be case text.
		if name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`); IsFieldPath(name) {
			fe.Field = name
			fe.Msg = "unknown field (see docs/case-format.md for the fields a case has)"
		} else {
			fe.Msg = "an unknown field, whose name is not shown as it is not a field name of the case format (see docs/case-format.md for the fields a case has)"
		}
	default:
		fe.Msg = "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	return nil, fe
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "text"
	case "int", "int64":
		return "a whole number"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "struct", "ptr":
		return "an object"
	}
	return goKind
}
