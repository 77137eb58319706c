package store_test

import (
	"testing"

	"github.com/dossier-hr/dossier/store"
)

// The README says the case list "stays quick with 100,000 cases". These
// benchmarks measure, on the same 100,000-case vault as BenchmarkSearch100k,
// what the list does besides searching and filtering: opening the vault,
// counting, and reading a page deep in the list (the list reads only the
// rows on screen, so scrolling to the end reads a page at a large offset).
// docs/performance.md has the figures. They run only with -bench: building
// the vault takes about a minute.

// BenchmarkOpen100k: opening the 100,000-case vault and showing the list's
// first page (50, newest incident first) and its count, then closing it.
// The key file of this vault was made at the tests' low scrypt cost, so
// this is the database's share of an unlock; BenchmarkUnlock (crypto) is
// the key derivation's, about a second by design.
func BenchmarkOpen100k(b *testing.B) {
	bigVault(b).Close() // built once, outside the timing
	reportMedian(b, 1, func(int) {
		v, err := store.Open(bigDir, "p", store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		q := store.Query{Limit: 50}
		if _, err := v.List(ctx, q); err != nil {
			b.Fatal(err)
		}
		if _, err := v.Count(ctx, q); err != nil {
			b.Fatal(err)
		}
		if err := v.Close(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCount100k: the count alone (what the list's header and
// scrollbar need), unfiltered, filtered and searched.
func BenchmarkCount100k(b *testing.B) {
	v := bigVault(b)
	qs := []store.Query{{}, {Status: "open"}, {Violation: "extortion", Country: "RU"}, {Text: "police"}, {Text: "razia"}}
	reportMedian(b, len(qs), func(i int) {
		if _, err := v.Count(ctx, qs[i]); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkDeepPage100k: a page of 50 rows in the middle and at the end of
// the unfiltered list of 100,000, in each sort order: what scrolling far
// down reads.
func BenchmarkDeepPage100k(b *testing.B) {
	v := bigVault(b)
	var qs []store.Query
	for _, sort := range []string{store.SortIncidentDesc, store.SortIncidentAsc, store.SortUpdatedDesc, store.SortReference} {
		for _, off := range []int{50_000, 99_950} {
			qs = append(qs, store.Query{Sort: sort, Offset: off, Limit: 50})
		}
	}
	reportMedian(b, len(qs), func(i int) {
		s, err := v.List(ctx, qs[i])
		if err != nil {
			b.Fatal(err)
		}
		if len(s) != 50 {
			b.Fatalf("page at offset %d holds %d rows, want 50", qs[i].Offset, len(s))
		}
	})
}
