package store

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every violation type either has a well-formed code of HURIDOCS
// Micro-thesaurus 4 or is listed, on purpose, as having no term.
func TestEveryViolationTypeHasHuridocsCodeOrNone(t *testing.T) {
	twelve := regexp.MustCompile(`^[0-9]{12}$`)
	for _, k := range ViolationTypes {
		code, has := HuridocsCodes[k]
		none := slices.Contains(NoHuridocsTerm, k)
		switch {
		case has && none:
			t.Errorf("%s has a code and is listed as having none", k)
		case !has && !none:
			t.Errorf("%s has no HURIDOCS code and is not in NoHuridocsTerm", k)
		case has && !twelve.MatchString(code):
			t.Errorf("%s: code %q is not 12 digits", k, code)
		case has:
			// Two digits a level, the first pair never zero, and once a
			// level is 00 every level below it is too.
			pairs := []string{}
			for i := 0; i < 12; i += 2 {
				pairs = append(pairs, code[i:i+2])
			}
			if pairs[0] == "00" {
				t.Errorf("%s: code %s has no top level", k, code)
			}
			if i := slices.Index(pairs, "00"); i >= 0 && strings.Trim(strings.Join(pairs[i:], ""), "0") != "" {
				t.Errorf("%s: code %s skips a level", k, code)
			}
		}
	}
	for k := range HuridocsCodes {
		if !slices.Contains(ViolationTypes, k) {
			t.Errorf("HuridocsCodes has %q, which is no violation type", k)
		}
	}
	for _, k := range NoHuridocsTerm {
		if !slices.Contains(ViolationTypes, k) {
			t.Errorf("NoHuridocsTerm has %q, which is no violation type", k)
		}
	}
}

// Output carries the code beside each violation (null without a term);
// the stored document never holds it, whatever the input said.
func TestHuridocsCodeOnOutputOnly(t *testing.T) {
	v, _, _ := testVault(t)
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"t","violations":[{"type":"surveillance","huridocs_code":"999999999999"},{"type":"planted_evidence"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.Violations[0].Huridocs != nil {
		t.Fatalf("stored case holds a code: %+v", c.Violations[0].Huridocs)
	}
	b, _ := json.Marshal(c.WithHuridocsCodes())
	if !strings.Contains(string(b), `"type":"surveillance"`) || !strings.Contains(string(b), `"huridocs_code":"020103030000"`) ||
		!strings.Contains(string(b), `"type":"planted_evidence"`) || !strings.Contains(string(b), `"huridocs_code":null`) {
		t.Fatalf("output %s", b)
	}
	if c.Violations[0].Huridocs != nil {
		t.Fatal("WithHuridocsCodes changed the case it was given")
	}
	var doc string
	if err := v.db.QueryRowContext(ctx, "SELECT doc FROM case_docs").Scan(&doc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(doc, "huridocs") {
		t.Fatalf("stored document holds a code: %s", doc)
	}
	list, err := v.List(ctx, Query{WithViolations: true})
	if err != nil {
		t.Fatal(err)
	}
	lb, _ := json.Marshal(list)
	if !strings.Contains(string(lb), `{"type":"planted_evidence","huridocs_code":null},{"type":"surveillance","huridocs_code":"020103030000"}`) {
		t.Fatalf("list %s", lb)
	}
}

// Every audit action is explained in docs/evidence.md, a row of its table:
// a log someone must read in court has no undocumented entries.
func TestAuditActionsDocumented(t *testing.T) {
	var src []byte
	for _, f := range []string{"audit.go", "author.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	doc, err := os.ReadFile("../docs/evidence.md")
	if err != nil {
		t.Fatal(err)
	}
	actions := regexp.MustCompile(`(?m)^(?:const\s+|\s+)Audit[A-Za-z]+\s+= "([a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(actions) < 12 {
		t.Fatalf("found only %d audit actions", len(actions))
	}
	for _, a := range actions {
		if !strings.Contains(string(doc), "\n| `"+a[1]+"` | ") {
			t.Errorf("docs/evidence.md has no row for the audit action %q: say when it is written and what its detail holds", a[1])
		}
	}
}
