package store

import (
	"errors"
	"strings"
	"testing"
)

// marker stands for case content (a name, a place, a sentence) in bad
// input: no error may repeat it, as errors go to standard error,
// terminals' scrollback and scripts' logs.
const marker = "SECRETMARKER"

// Every refusal of bad input names the line and the field, never the
// value, nor a field name that could be case text.
func TestErrorsDoNotQuoteInput(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	for name, in := range map[string]string{
		"unknown field":             `{"title":"x","SECRETMARKER":1}`,
		"unknown field, a sentence": `{"title":"x","beaten at SECRETMARKER street":1}`,
		"unknown nested field":      `{"title":"x","people":[{"role":"victim","pseudonym":"A","SECRETMARKER":1}]}`,
		"field given twice":         `{"title":"x","SECRETMARKER":1,"SECRETMARKER":2}`,
		"nested field given twice":  `{"title":"x","people":[{"SECRETMARKER":1,"SECRETMARKER":2}]}`,
		"bad country":               `{"title":"x","country":"SECRETMARKER"}`,
		"bad date":                  `{"title":"x","incident_date":"SECRETMARKER"}`,
		"bad date, date-long":       `{"title":"x","incident_date":"SECRETMARK"}`,
		"bad violation date":        `{"title":"x","violations":[{"type":"extortion","date":"SECRETMARKER"}]}`,
		"bad status":                `{"title":"x","status":"SECRETMARKER"}`,
		"bad violation type":        `{"title":"x","violations":[{"type":"SECRETMARKER"}]}`,
		"bad role":                  `{"title":"x","people":[{"role":"SECRETMARKER","pseudonym":"A"}]}`,
		"bad scope":                 `{"title":"x","consent":{"obtained":true,"scope":["SECRETMARKER"]}}`,
		"victim not a person":       `{"title":"x","violations":[{"type":"extortion","victim":"SECRETMARKER"}]}`,
		"bad id":                    `{"title":"x","id":"SECRETMARKER"}`,
		"not JSON":                  "SECRETMARKER",
		"not JSON inside":           `{"title":SECRETMARKER}`,
		"wrong type":                `{"title":["SECRETMARKER"]}`,
	} {
		_, err := v.AddCases(ctx, strings.NewReader(in))
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want a refusal", name, err)
			continue
		}
		if strings.Contains(err.Error(), marker) {
			t.Errorf("%s: the error quotes the input: %v", name, err)
		}
		if !strings.HasPrefix(err.Error(), "line 1: ") {
			t.Errorf("%s: the error does not name the line: %v", name, err)
		}
	}
	for name, patch := range map[string]string{
		"edit, unknown field": `{"SECRETMARKER":1}`,
		"edit, bad country":   `{"country":"SECRETMARKER"}`,
	} {
		_, err := v.Edit(ctx, id, []byte(patch))
		if err == nil || strings.Contains(err.Error(), marker) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, q := range map[string]Query{
		"status": {Status: marker}, "violation": {Violation: marker}, "perpetrator": {Perpetrator: marker},
		"from": {From: marker}, "to": {To: marker}, "sort": {Sort: marker},
	} {
		_, err := v.List(ctx, q)
		if err == nil || strings.Contains(err.Error(), marker) {
			t.Errorf("query %s: %v", name, err)
		}
	}
}

// A field name shown in an error is one that looks like the case format's;
// anything else read from a file could be case text.
func TestIsFieldPath(t *testing.T) {
	for p, want := range map[string]bool{
		"title": true, "people[0].roles[12]": true, "consent.scope[0]": true, "titel": true,
		"": false, "Title": false, "SECRETMARKER": false, "two words": false, "имя": false,
		"people[x]": false, "people[0": false, "people[]": false, "a.": false, ".a": false,
		"_x": false, "9a": false, strings.Repeat("a", 33): false, "x;rm": false,
	} {
		if got := IsFieldPath(p); got != want {
			t.Errorf("IsFieldPath(%q) = %v, want %v", p, got, want)
		}
	}
}
