package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// recoverable is an attacker: from a published table (the cells shown, the
// keys of the hidden ones), its total and the threshold, it works out every
// value each hidden cell could hold, knowing that a listed cell holds at
// least one case, that the hidden cells add up to the total less the shown
// ones, and that none exceeds the larger of min-1 and the smallest cell
// shown (the rule hides the smallest first). It returns the keys of the
// hidden cells left with a single possible value.
func recoverable(cells []Count, total, min int) []string {
	k, shown, smallest := 0, 0, -1
	for _, c := range cells {
		if c.Hidden {
			k++
		} else {
			shown += c.N
			if smallest < 0 || c.N < smallest {
				smallest = c.N
			}
		}
	}
	s := total - shown
	u := s
	if smallest >= 0 {
		u = max(min-1, smallest)
	}
	var out []string
	for _, c := range cells {
		if !c.Hidden {
			continue
		}
		values := 0
		for v := 1; v <= u && v <= s; v++ {
			if rest := s - v; rest >= k-1 && rest <= (k-1)*u {
				values++
			}
		}
		if values == 1 {
			out = append(out, c.Key)
		}
	}
	return out
}

// On random tables, no hidden cell can be recovered from what is shown and
// the total; every count under the threshold is hidden; and hidden cells
// come last, in key order, so their place says nothing of their size.
func TestSuppressedCellsCannotBeRecovered(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	withheld := 0
	for i := range 20000 {
		min := 2 + r.IntN(6)
		n := 1 + r.IntN(8)
		var cells []Count
		total := 0
		for j := range n {
			c := 1 + r.IntN(3)
			if r.IntN(3) == 0 {
				c = 1 + r.IntN(25)
			}
			cells = append(cells, Count{Key: fmt.Sprintf("k%d", j), N: c})
			total += c
		}
		truth := map[string]int{}
		for _, c := range cells {
			truth[c.Key] = c.N
		}
		if !suppress(cells, min) {
			withheld++
			continue
		}
		if keys := recoverable(cells, total, min); len(keys) > 0 {
			t.Fatalf("case %d, min %d, true counts %v: published %+v gives away %v", i, min, truth, cells, keys)
		}
		seenHidden := false
		var hiddenKeys []string
		for _, c := range cells {
			switch {
			case c.Hidden:
				seenHidden = true
				hiddenKeys = append(hiddenKeys, c.Key)
				if c.N != 0 {
					t.Fatalf("a hidden cell keeps its count: %+v", cells)
				}
			case seenHidden:
				t.Fatalf("a shown cell after a hidden one: %+v", cells)
			case c.N < min:
				t.Fatalf("count %d shown under threshold %d: %+v", c.N, min, cells)
			case c.N != truth[c.Key]:
				t.Fatalf("shown count changed: %+v, truth %v", cells, truth)
			}
		}
		if !slices.IsSorted(hiddenKeys) {
			t.Fatalf("hidden cells out of key order: %+v", cells)
		}
	}
	if withheld == 0 || withheld > 10000 {
		t.Fatalf("%d of 20000 tables withheld: the generator does not exercise both paths", withheld)
	}
}

// The rule on a few tables worked by hand.
func TestSuppressExamples(t *testing.T) {
	for _, tc := range []struct {
		in   string // key:count …
		min  int
		want string // what is published, "" if withheld
	}{
		{"a:10 b:7 c:6", 5, "a:10 b:7 c:6"},
		{"a:10 b:7 c:1", 5, "a:10 b:- c:-"},       // b hidden with c, else c = total - 17
		{"a:10 b:2 c:1", 5, "a:10 b:- c:-"},       // two hidden adding up to 3: 1+2 or 2+1
		{"a:10 b:1 c:1", 5, "a:- b:- c:-"},        // 1+1 = 2 would give both away
		{"a:1 b:1", 5, ""},                        // nothing left to hide with them
		{"a:12 b:1", 5, "a:- b:-"},                // 13 = 12+1 or 1+12
		{"a:3 b:3", 1, "a:3 b:3"},                 // threshold 1 hides nothing
		{"z:9 y:9 x:2 w:6", 5, "y:9 z:9 w:- x:-"}, // hidden last, in key order
	} {
		var cells []Count
		for _, f := range strings.Fields(tc.in) {
			var n int
			k, v, _ := strings.Cut(f, ":")
			fmt.Sscan(v, &n)
			cells = append(cells, Count{Key: k, N: n})
		}
		got := ""
		if suppress(cells, tc.min) {
			var parts []string
			for _, c := range cells {
				if c.Hidden {
					parts = append(parts, c.Key+":-")
				} else {
					parts = append(parts, fmt.Sprintf("%s:%d", c.Key, c.N))
				}
			}
			got = strings.Join(parts, " ")
		}
		if got != tc.want {
			t.Errorf("%s (min %d): got %q, want %q", tc.in, tc.min, got, tc.want)
		}
	}
}

// By default Stats counts only cases consented to anonymised statistics,
// says how many it left out, and hides small counts; a vault saved before
// consent was indexed is indexed when opened (migration 6).
func TestStatsConsentAndThreshold(t *testing.T) {
	v, _, dir := testVault(t)
	var in strings.Builder
	for range 6 {
		in.WriteString(`{"title":"a","country":"RU","consent":{"obtained":true,"scope":["anonymised_statistics"]}}` + "\n")
		in.WriteString(`{"title":"b","country":"BO","consent":{"obtained":true,"scope":["legal_partners","anonymised_statistics"]}}` + "\n")
	}
	in.WriteString(`{"title":"c","country":"ID","consent":{"obtained":true,"scope":["anonymised_statistics"]}}` + "\n")
	in.WriteString(`{"title":"d","country":"ID","consent":{"obtained":true,"scope":["store_only"]}}` + "\n")
	in.WriteString(`{"title":"e","country":"ID"}` + "\n")
	if _, err := v.AddCases(ctx, strings.NewReader(in.String())); err != nil {
		t.Fatal(err)
	}
	// As a version before schema 6 left it: no consent in the index. The
	// migration indexes it when the vault is next opened.
	if _, err := v.db.Exec("DELETE FROM case_facets WHERE kind = 'consent'"); err != nil {
		t.Fatal(err)
	}
	// Later migrations' changes go too (7: evidence.blob; this SQLite
	// has no DROP COLUMN, and the table is empty, so its text is edited).
	undoColumn(t, v, "evidence", "blob BLOB")
	if _, err := v.db.Exec("PRAGMA user_version = 5"); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	var version int
	if err := v.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != SchemaVersion {
		t.Fatalf("schema %d after opening (%v), this build writes %d", version, err, SchemaVersion)
	}
	st, err := v.Stats(ctx, Query{}, StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Count{{Key: "BO", N: 6}, {Key: "ID", Hidden: true}, {Key: "RU", Hidden: true}}
	if st.Total != 13 || st.NotConsented != 2 || st.MinCount != DefaultMinCount || !slices.Equal(st.ByCountry, want) {
		t.Fatalf("stats %+v", st)
	}
	// The vault's setting applies when the caller names no threshold.
	if err := v.SetMinCount(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if st, err = v.Stats(ctx, Query{}, StatsOptions{}); err != nil || st.MinCount != 7 || st.ByCountry[0] != (Count{Key: "BO", Hidden: true}) {
		t.Fatalf("stats with the setting %+v, %v", st, err)
	}
	// Fewer cases than the threshold: nothing but that.
	if st, err = v.Stats(ctx, Query{Country: "ID"}, StatsOptions{}); err != nil || !st.TotalHidden || st.Total != 0 || len(st.ByCountry) != 0 || len(st.Withheld) != 5 {
		t.Fatalf("stats of one case %+v, %v", st, err)
	}
	if st, err = v.Stats(ctx, Query{}, StatsOptions{AllCases: true, MinCount: 1}); err != nil || st.Total != 15 || st.NotConsented != 0 {
		t.Fatalf("all cases %+v, %v", st, err)
	}
	if err := v.SetMinCount(ctx, 0); err == nil {
		t.Fatal("threshold 0 accepted")
	}
}
