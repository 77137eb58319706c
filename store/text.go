package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The text rules. A case travels from a partner's bundle to a lawyer's
// terminal and screen: a title holding ESC could rewrite the terminal
// (move the cursor, change the window title, hide lines), a right-to-left
// override could make a name read as another, and bytes that are not
// UTF-8 would be changed silently into U+FFFD by the JSON decoder. So:
//
//   - Input (dossierctl add and edit, the app's editor) and import refuse
//     a text field holding a control character other than line feed and
//     tab — carriage return, ESC, BEL, NUL, DEL and the C1 controls are
//     refused — or a bidirectional embedding, override or isolate
//     (U+202A–U+202E, U+2066–U+2069), or the Unicode line and paragraph
//     separators (U+2028, U+2029). The error is a *FieldError naming the
//     field, with ReasonNotText. A line break inside text is "\n"; in
//     multi-line fields "\r\n" is folded to "\n" first.
//   - JSON that is read (cases given to add and edit, every JSON entry of
//     a bundle) must be valid UTF-8, with no lone surrogate escape, and
//     must not name the same key twice in one object: encoding/json keeps
//     the last silently, so two readers could see two different cases.
//   - Output escapes whatever is not printable (VisibleText), because
//     vaults written before these rules may still hold such text.

// forbiddenRune reports whether r may not appear in a text field.
func forbiddenRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f: // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// textProblem says what is wrong with s as the text of a field, or is "".
func textProblem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	for _, r := range s {
		if forbiddenRune(r) {
			return fmt.Sprintf("holds the control character %U; only line breaks (\\n) and tabs are allowed in text", r)
		}
	}
	return ""
}

// CheckText refuses text that breaks the text rules above: not UTF-8, or
// holding a control character other than line feed and tab, a
// bidirectional override or isolate, or a line or paragraph separator.
// The error is a *FieldError for field, with ReasonNotText.
func CheckText(field, s string) error {
	if p := textProblem(s); p != "" {
		return &FieldError{Field: field, Reason: ReasonNotText, Msg: p}
	}
	return nil
}

// VisibleText returns s as it may be shown in a terminal or a window:
// every character the text rules refuse is written as a \u escape
// (\u001b, \u202e), and every byte that is not UTF-8 as \xff, which a
// person can see and which do nothing. The \u form is also JSON's, so
// JSON output passed through VisibleText still reads as the same JSON. Line feeds are kept when multiline is set,
// and escaped (\n) otherwise, so that a one-line listing stays one line
// per case. Text that follows the rules comes back unchanged (apart from
// line feeds when !multiline).
func VisibleText(s string, multiline bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || forbiddenRune(r) || r == '\n' && !multiline {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && !multiline:
			b.WriteString(`\n`)
		case forbiddenRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// foldNewlines turns "\r\n" into "\n": text pasted from Windows, which
// the rules would otherwise refuse for its carriage returns.
func foldNewlines(s *string) {
	if strings.Contains(*s, "\r\n") {
		*s = strings.ReplaceAll(*s, "\r\n", "\n")
	}
}

// CheckJSON refuses JSON that encoding/json would read without a word but
// not as written: a string that is not valid UTF-8 (raw bytes, or a lone
// UTF-16 surrogate escape such as "\ud800"), which the decoder replaces
// with U+FFFD, and a key given twice in one object, of which the decoder
// keeps the last. The error is a *FieldError whose Field is the JSON path
// of the string or key ("people[0].pseudonym"). Malformed JSON is left to
// the decoder to report, with its own messages: CheckJSON returns nil.
func CheckJSON(data []byte) error {
	type frame struct {
		array bool
		index int
		key   string // the current key, in an object
		keys  map[string]bool
		atKey bool // the next token is a key
	}
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		return b.String()
	}
	// value is called after a complete value: it moves its container on.
	value := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.array {
			f.index++
		} else {
			f.atKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // malformed: the decoder says so
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{keys: map[string]bool{}, atKey: true})
			case '[':
				stack = append(stack, &frame{array: true})
			default:
				stack = stack[:len(stack)-1]
				value()
			}
		case string:
			raw := data[start:dec.InputOffset()]
			top := (*frame)(nil)
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			}
			isKey := top != nil && !top.array && top.atKey
			if isKey {
				top.key = t
			}
			if !validJSONString(raw) {
				return &FieldError{Field: path(), Reason: ReasonNotText, Msg: "is not valid UTF-8 text"}
			}
			if isKey {
				if top.keys[t] {
					return &FieldError{Field: path(), Msg: "is given twice in the same object; give each field once"}
				}
				top.keys[t] = true
				top.atKey = false
				continue
			}
			value()
		default:
			value()
		}
	}
}

// validJSONString reports whether the raw bytes of one JSON string token
// (with whatever separators precede it) are valid UTF-8 and hold no lone
// surrogate escape.
func validJSONString(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	i := bytes.IndexByte(raw, '"')
	if i < 0 || bytes.IndexByte(raw[i:], '\\') < 0 {
		return true
	}
	pendingHigh := false // the previous escape was a high surrogate
	for i++; i < len(raw); i++ {
		if raw[i] != '\\' {
			if pendingHigh {
				return false
			}
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' {
			if pendingHigh {
				return false
			}
			continue
		}
		if i+4 >= len(raw) {
			return false
		}
		u, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 16)
		if err != nil {
			return false
		}
		i += 4
		switch {
		case u >= 0xd800 && u < 0xdc00:
			if pendingHigh {
				return false
			}
			pendingHigh = true
		case u >= 0xdc00 && u < 0xe000:
			if !pendingHigh {
				return false
			}
			pendingHigh = false
		default:
			if pendingHigh {
				return false
			}
		}
	}
	return !pendingHigh
}

// Visible returns a copy of c for showing and editing in a window: every
// text field passed through VisibleText (line feeds kept in the fields of
// several lines). A case that follows the text rules comes back equal to
// c; one from a vault written before them shows its control characters as
// escapes, which the person can see, and which an edit saved from the
// copy stores as plain text.
func (c *Case) Visible() *Case {
	one := func(s *string) { *s = VisibleText(*s, false) }
	many := func(s *string) { *s = VisibleText(*s, true) }
	out := *c
	for _, s := range []*string{&out.Title, &out.Region, &out.Locality} {
		one(s)
	}
	many(&out.Narrative)
	out.Tags = append([]string(nil), c.Tags...)
	for i := range out.Tags {
		one(&out.Tags[i])
	}
	out.People = append([]Person(nil), c.People...)
	for i := range out.People {
		p := &out.People[i]
		one(&p.Pseudonym)
		one(&p.LegalName)
		one(&p.Contact)
	}
	out.Violations = append([]Violation(nil), c.Violations...)
	for i := range out.Violations {
		x := &out.Violations[i]
		one(&x.PerpetratorDetails)
		one(&x.Victim)
		many(&x.Method)
		many(&x.Consequences)
		many(&x.Description)
	}
	out.Interventions = append([]Intervention(nil), c.Interventions...)
	for i := range out.Interventions {
		one(&out.Interventions[i].By)
		many(&out.Interventions[i].Outcome)
	}
	if c.Consent != nil {
		cons := *c.Consent
		one(&cons.By)
		out.Consent = &cons
	}
	out.Notes = append([]Note(nil), c.Notes...)
	for i := range out.Notes {
		one(&out.Notes[i].Author)
		many(&out.Notes[i].Text)
	}
	for _, s := range []*string{&out.CreatedBy, &out.UpdatedBy, &out.OriginOrg} {
		one(s)
	}
	return &out
}
