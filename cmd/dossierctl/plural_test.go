package main

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 cases"}, {1, "1 case"}, {2, "2 cases"}, {54, "54 cases"}, {-1, "-1 cases"}} {
		if got := count(c.n, "case", "cases"); got != c.want {
			t.Errorf("count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := count(1, "audit entry", "audit entries"); got != "1 audit entry" {
		t.Errorf("irregular singular: %q", got)
	}
	if got := count(3, "audit entry", "audit entries"); got != "3 audit entries" {
		t.Errorf("irregular plural: %q", got)
	}
	if pick(1, "was", "were") != "was" || pick(0, "was", "were") != "were" || pick(2, "was", "were") != "were" {
		t.Error("pick does not agree with the count")
	}
}

func TestEvidenceCount(t *testing.T) {
	for _, c := range []struct {
		originals, stripped int
		want                string
	}{
		{0, 0, "0 evidence files"},
		{1, 0, "1 evidence file"},
		{2, 1, "2 evidence files (plus 1 stripped copy)"},
		{3, 2, "3 evidence files (plus 2 stripped copies)"},
		{1, 1, "1 evidence file (plus 1 stripped copy)"},
		{0, 1, "1 stripped copy of an evidence file"},
		{0, 2, "2 stripped copies of evidence files"},
	} {
		if got := evidenceCount(c.originals, c.stripped); got != c.want {
			t.Errorf("evidenceCount(%d, %d) = %q, want %q", c.originals, c.stripped, got, c.want)
		}
	}
}
