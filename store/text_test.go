package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// Control characters, bidi overrides and line separators are refused in
// every text field on input, naming the field and the line; nothing is
// added.
func TestTextRulesRefuseControlCharacters(t *testing.T) {
	v, _, _ := testVault(t)
	ctx := context.Background()
	for _, c := range []struct{ in, field string }{
		{`{"title":"Raid\u001b]0;pwned\u0007"}`, "title"},
		{`{"title":"a\u0000b"}`, "title"},
		{`{"title":"ok","narrative":"one\rtwo"}`, "narrative"},
		{`{"title":"ok","tags":["x\u007f"]}`, "tags[0]"},
		{`{"title":"ok","people":[{"role":"victim","pseudonym":"Ivan\u202eorP"}]}`, "people[0].pseudonym"},
		{`{"title":"ok","people":[{"role":"victim","pseudonym":"P","legal_name":"a\u2066b"}]}`, "people[0].legal_name"},
		{`{"title":"ok","notes":[{"text":"a\u2028b"}]}`, "notes[0].text"},
		{`{"title":"ok","locality":"x\u009bq"}`, "locality"},
	} {
		_, err := v.AddCases(ctx, strings.NewReader("\n"+c.in))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Reason != ReasonNotText || fe.Line != 2 {
			t.Errorf("%s: got %v, want a not_text error for %s on line 2", c.in, err, c.field)
		}
	}
	if n, _ := v.Count(ctx, Query{}); n != 0 {
		t.Fatalf("%d cases were added", n)
	}
	// Line feeds and tabs are text; Windows line ends are folded.
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"a\tb","narrative":"one\r\ntwo\nthree\tfour"}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "a\tb" || c.Narrative != "one\ntwo\nthree\tfour" {
		t.Fatalf("got %q, %q", c.Title, c.Narrative)
	}
}

// Text that is not UTF-8 — raw bytes or a lone surrogate escape — is
// refused naming the field, instead of being stored as U+FFFD.
func TestTextRulesRefuseInvalidUTF8(t *testing.T) {
	v, _, _ := testVault(t)
	ctx := context.Background()
	for _, c := range []struct{ in, field string }{
		{"{\"title\":\"caf\xe9\"}", "title"},
		{`{"title":"x\ud800"}`, "title"},
		{`{"title":"x\udc00y"}`, "title"},
		{`{"title":"ok","people":[{"role":"victim","pseudonym":"\ud83d"}]}`, "people[0].pseudonym"},
		{"{\"title\":\"ok\",\"tags\":[\"a\",\"\xff\"]}", "tags[1]"},
	} {
		_, err := v.AddCases(ctx, strings.NewReader(c.in))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Reason != ReasonNotText || fe.Line != 1 {
			t.Errorf("%q: got %v, want a not_text error for %s", c.in, err, c.field)
		}
	}
	// A surrogate pair is a character like any other.
	if _, err := v.AddCases(ctx, strings.NewReader(`{"title":"\ud83d\ude00 \ufffd"}`)); err != nil {
		t.Fatal(err)
	}
}

// A key given twice is refused: encoding/json would keep the last.
func TestTextRulesRefuseDuplicateKeys(t *testing.T) {
	v, _, _ := testVault(t)
	ctx := context.Background()
	for _, c := range []struct{ in, field string }{
		{`{"title":"a","title":"b"}`, "title"},
		{`{"title":"a","people":[{"role":"victim","pseudonym":"A"},{"role":"victim","pseudonym":"B","pseudonym":"C"}]}`, "people[1].pseudonym"},
		{`{"title":"a","consent":{"obtained":true,"obtained":false}}`, "consent.obtained"},
	} {
		_, err := v.AddCases(ctx, strings.NewReader(c.in))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(fe.Msg, "twice") {
			t.Errorf("%s: got %v, want a duplicate-key error for %s", c.in, err, c.field)
		}
	}
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"a","people":[{"role":"victim","pseudonym":"A"},{"role":"victim","pseudonym":"B"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	// Edit reads JSON too.
	for _, c := range []struct{ patch, field string }{
		{`{"title":"b","title":"c"}`, "title"},
		{"{\"title\":\"\xff\"}", "title"},
		{`{"title":"\u001b[31mred"}`, "title"},
	} {
		_, err := v.Edit(ctx, ids[0], []byte(c.patch))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("edit %q: got %v, want an error for %s", c.patch, err, c.field)
		}
	}
	got, err := v.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "a" || got.Revision != 1 {
		t.Fatalf("the case changed: %q, revision %d", got.Title, got.Revision)
	}
}

func TestCheckJSONPaths(t *testing.T) {
	for _, c := range []struct{ in, field string }{
		{`{"a":1,"a":2}`, "a"},
		{`{"a":{"b":[1,{"c":1,"c":1}]}}`, "a.b[1].c"},
		{`[{"x":1},{"y":"\ud800"}]`, "[1].y"},
		{`{"a":[],"b":{},"c":"\udfff"}`, "c"},
		{"{\"\xff\":1}", "\ufffd"},
	} {
		var fe *FieldError
		if err := CheckJSON([]byte(c.in)); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("CheckJSON(%s) = %v, want an error at %q", c.in, err, c.field)
		}
	}
	for _, ok := range []string{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":1}]}`, `"\\ud800"`, `"\ud83d\ude00"`, `{"a":"\\"}`, `{`, `nonsense`, ``} {
		if err := CheckJSON([]byte(ok)); err != nil {
			t.Errorf("CheckJSON(%s) = %v, want nil", ok, err)
		}
	}
}

func TestVisibleText(t *testing.T) {
	for _, c := range []struct {
		in        string
		multiline bool
		want      string
	}{
		{"plain Пётр \U0001F600 text", false, "plain Пётр \U0001F600 text"},
		{"a\x1b]0;title\x07b", false, `a\u001b]0;title\u0007b`},
		{"a\x00\x7f\u009b", false, `a\u0000\u007f\u009b`},
		{"Ivan\u202egnp.exe", false, `Ivan\u202egnp.exe`},
		{"x\u2066y\u2069", false, `x\u2066y\u2069`},
		{"caf\xe9", false, `caf\xe9`},
		{"one\ntwo\tthree", false, `one\ntwo` + "\tthree"},
		{"one\ntwo\r\n", true, "one\ntwo\\u000d\n"},
		{"\u200d\u200f", false, "\u200d\u200f"}, // joiners and marks are text
	} {
		if got := VisibleText(c.in, c.multiline); got != c.want {
			t.Errorf("VisibleText(%q, %v) = %q, want %q", c.in, c.multiline, got, c.want)
		}
	}
}

// A case stored before the rules, holding control characters, can still
// be read, and is refused by any edit until its text is fixed — naming
// the field.
func TestTextRulesOldVault(t *testing.T) {
	v, _, _ := testVault(t)
	ctx := context.Background()
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"clean"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := execForTest(v, `UPDATE case_docs SET doc = replace(doc, '"title":"clean"', '"title":"x\u001b[2Jy"')`); err != nil {
		t.Fatal(err)
	}
	c, err := v.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "x\x1b[2Jy" {
		t.Fatalf("title %q", c.Title)
	}
	_, err = v.Edit(ctx, ids[0], []byte(`{"narrative":"more"}`))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "title" {
		t.Fatalf("got %v, want the title refused", err)
	}
	if _, err := v.Edit(ctx, ids[0], []byte(`{"title":"fixed"}`)); err != nil {
		t.Fatal(err)
	}
}

// FuzzVisibleText: whatever the text, what is shown passes the text rules
// (nothing a terminal would act on), stays on one line when asked, and
// text that passes the rules is shown as it is.
func FuzzVisibleText(f *testing.F) {
	for _, s := range []string{"", "plain", "a\x1b[31mb", "\u202e", "caf\xe9", "a\nb", "\\x1b", "\xed\xa0\x80", "\u2028"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		out := VisibleText(s, multiline)
		if err := CheckText("f", out); err != nil {
			t.Fatalf("VisibleText(%q) = %q, which breaks the rules: %v", s, out, err)
		}
		if !multiline && strings.ContainsRune(out, '\n') {
			t.Fatalf("VisibleText(%q, false) = %q spans lines", s, out)
		}
		if CheckText("f", s) == nil && (multiline || !strings.ContainsRune(s, '\n')) && out != s {
			t.Fatalf("VisibleText(%q) = %q changed text that follows the rules", s, out)
		}
	})
}

// FuzzCheckJSON: it never panics, its errors are FieldErrors, and JSON it
// accepts decodes without a string silently changed into U+FFFD.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `[{"a":[{"b":"\ud83d\ude00"}]}]`, `{"a":"\\ud800"}`, `"\ufffd"`, sample} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		err := CheckJSON(in)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("not a FieldError: %v", err)
			}
			return
		}
		if !json.Valid(in) {
			return
		}
		var v any
		if err := json.Unmarshal(in, &v); err != nil {
			t.Fatalf("valid JSON does not decode: %v", err)
		}
		hasFFFD := bytes.Contains(in, []byte("\ufffd")) || bytes.Contains(bytes.ToLower(in), []byte(`\ufffd`))
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case string:
				if strings.ContainsRune(x, utf8.RuneError) && !hasFFFD {
					t.Fatalf("accepted JSON decodes to U+FFFD: %q", in)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					walk(k)
					walk(e)
				}
			}
		}
		walk(v)
	})
}

// A contact's name, from a partner's card, follows the text rules too.
func TestContactNameFollowsTextRules(t *testing.T) {
	v, _, _ := testVault(t)
	c := Contact{Name: "Partner\x1b]2;x\x07", SignKey: make([]byte, 32), Fingerprint: "fp", AgeRecipient: "age1x"}
	var fe *FieldError
	if err := v.AddContact(context.Background(), c); !errors.As(err, &fe) || fe.Field != "name" {
		t.Fatalf("got %v, want the name refused", err)
	}
}

// Visible escapes every text field of a case and leaves a clean case
// equal to itself.
func TestCaseVisible(t *testing.T) {
	c, err := decodeCase([]byte(strings.SplitN(sample, "\n", 2)[0]), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Normalize(fixedClock()()); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(c.Visible())
	if !bytes.Equal(a, b) {
		t.Fatalf("a clean case changed:\n%s\n%s", a, b)
	}
	const evil = "\x1b]2;x\x07\u202e\xff"
	h := *c
	h.Title, h.Narrative, h.Tags = evil, "a\n"+evil, []string{evil}
	h.People = []Person{{Pseudonym: evil, LegalName: evil, Contact: evil}}
	h.Violations = []Violation{{PerpetratorDetails: evil, Victim: evil, Method: evil, Consequences: evil, Description: evil}}
	h.Interventions = []Intervention{{By: evil, Outcome: evil}}
	h.Consent = &Consent{By: evil}
	h.Notes = []Note{{Author: evil, Text: evil}}
	h.CreatedBy, h.UpdatedBy, h.OriginOrg = evil, evil, evil
	v := h.Visible()
	for _, s := range []string{v.Title, v.Narrative, v.Tags[0], v.People[0].Pseudonym, v.People[0].LegalName, v.People[0].Contact,
		v.Violations[0].PerpetratorDetails, v.Violations[0].Victim, v.Violations[0].Method, v.Violations[0].Consequences,
		v.Violations[0].Description, v.Interventions[0].By, v.Interventions[0].Outcome, v.Consent.By, v.Notes[0].Author,
		v.Notes[0].Text, v.CreatedBy, v.UpdatedBy, v.OriginOrg} {
		if CheckText("", s) != nil || !strings.Contains(s, `\u001b]2;x\u0007\u202e\xff`) {
			t.Errorf("Visible gave %q", s)
		}
	}
	if h.Title != evil || h.People[0].Pseudonym != evil {
		t.Fatal("Visible changed the case it was given")
	}
}
