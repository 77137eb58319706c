package store

import (
	"os"
	"reflect"
	"slices"
	"testing"
)

// Stats must agree with counting the cases one by one, with and without
// filters, on the 54 example cases.
func TestStatsAgreeWithCasesOneByOne(t *testing.T) {
	v, _, _ := testVault(t)
	f, err := os.Open("../examples/cases.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := v.AddCases(ctx, f); err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{{}, {Country: "RU"}, {Violation: "extortion"}, {Status: "open", Perpetrator: "police"}, {Text: "police"}, {From: "2025", To: "2025"}, {Country: "ZZ"}} {
		got, err := v.Stats(ctx, q, StatsOptions{AllCases: true, MinCount: 1})
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		want := &Stats{MinCount: 1, AllCases: true}
		tally := map[string]map[string]int{}
		add := func(col, key string) {
			if tally[col] == nil {
				tally[col] = map[string]int{}
			}
			tally[col][key]++
		}
		all, err := v.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
			c, err := v.Get(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			want.Total++
			add("status", c.Status)
			add("country", c.Country)
			year := ""
			if len(c.IncidentDate) >= 4 {
				year = c.IncidentDate[:4]
			}
			add("year", year)
			var types, perps []string
			for _, x := range c.Violations {
				if !slices.Contains(types, x.Type) {
					types = append(types, x.Type)
				}
				if x.Perpetrator != "" && !slices.Contains(perps, x.Perpetrator) {
					perps = append(perps, x.Perpetrator)
				}
			}
			if len(types) == 0 {
				types = []string{""}
			}
			if len(perps) == 0 {
				perps = []string{""}
			}
			for _, x := range types {
				add("violation", x)
			}
			for _, x := range perps {
				add("perpetrator", x)
			}
		}
		table := func(col string) []Count {
			out := []Count{}
			for k, n := range tally[col] {
				out = append(out, Count{Key: k, N: n})
			}
			sortCounts(out)
			return out
		}
		want.ByStatus, want.ByCountry, want.ByYear = table("status"), table("country"), table("year")
		want.ByViolation, want.ByPerpetrator = table("violation"), table("perpetrator")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("query %+v:\n got  %+v\n want %+v", q, got, want)
		}
		if q == (Query{}) && (got.Total != 54 || len(got.ByViolation) < 5 || len(got.ByCountry) < 5) {
			t.Errorf("the example cases give too poor a table: %+v", got)
		}
	}
}
