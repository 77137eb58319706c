package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// DefaultMinCount is the smallest count the statistics show by default: a
// cell of fewer cases than this is hidden, since a count of one or two
// cases in a country or a year can point at a person.
const DefaultMinCount = 5

// MinCountSetting names the vault setting (Vault.Setting) that overrides
// DefaultMinCount for this vault.
const MinCountSetting = "stats_min_count"

// ErrBadMinCount is returned for a threshold under 1.
var ErrBadMinCount = errors.New("the smallest count shown must be 1 or more")

// StatsOptions says what Stats counts and shows.
type StatsOptions struct {
	// MinCount hides every cell under it (1 hides none). 0 means the
	// vault's MinCountSetting, or DefaultMinCount if it is not set.
	MinCount int
	// AllCases counts every case selected, not only those whose consent
	// includes anonymised_statistics. For the vault's own people only:
	// never for a report.
	AllCases bool
}

// Count is how many cases hold one value. A hidden count is not shown: its
// N is 0 and its JSON "n" is null.
type Count struct {
	Key    string `json:"key"`
	N      int    `json:"n"`
	Hidden bool   `json:"hidden,omitempty"`
}

// MarshalJSON writes a hidden count as null.
func (c Count) MarshalJSON() ([]byte, error) {
	n := "null"
	if !c.Hidden {
		n = strconv.Itoa(c.N)
	}
	key, _ := json.Marshal(c.Key)
	out := `{"key":` + string(key) + `,"n":` + n
	if c.Hidden {
		out += `,"hidden":true`
	}
	return []byte(out + "}"), nil
}

// Stats counts the cases a query selects, by status, country, year of the
// incident, violation type and perpetrator: the tables of an advocacy
// report. A case with two violation types counts once under each, so those
// columns may add up to more than Total. Cases with no date, no country or
// no violation are counted under "".
//
// By default only cases whose consent includes anonymised_statistics are
// counted (NotConsented says how many selected cases were left out), and
// small counts are suppressed, see suppress: what Stats returns can be
// published as it is.
type Stats struct {
	Total         int     `json:"total"`
	ByStatus      []Count `json:"by_status"`
	ByCountry     []Count `json:"by_country"`
	ByYear        []Count `json:"by_year"`
	ByViolation   []Count `json:"by_violation"`
	ByPerpetrator []Count `json:"by_perpetrator"`

	// TotalHidden is set when fewer than MinCount cases were counted:
	// then Total reads 0 (JSON null) and every table is withheld.
	TotalHidden bool `json:"total_hidden,omitempty"`
	// MinCount is the threshold applied: counts under it are hidden.
	MinCount int `json:"min_count"`
	// AllCases is set when consent was not required.
	AllCases bool `json:"all_cases"`
	// NotConsented counts the selected cases left out because their
	// consent does not include anonymised_statistics (0 with AllCases).
	NotConsented int `json:"not_consented"`
	// Withheld names the tables ("status", "country", "year",
	// "violation", "perpetrator") left empty because no suppression could
	// keep their small counts from following from the total.
	Withheld []string `json:"withheld,omitempty"`
}

// MarshalJSON writes a hidden total as null.
func (s Stats) MarshalJSON() ([]byte, error) {
	type plain Stats
	out := struct {
		Total *int `json:"total"`
		plain
	}{plain: plain(s)}
	if !s.TotalHidden {
		out.Total = &s.Total
	}
	if out.Withheld == nil {
		out.Withheld = []string{}
	}
	return json.Marshal(out)
}

// MinCount returns the smallest count the vault's statistics show: its
// setting, or DefaultMinCount.
func (v *Vault) MinCount(ctx context.Context) (int, error) {
	s, err := v.Setting(ctx, MinCountSetting)
	if err != nil || s == "" {
		return DefaultMinCount, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return DefaultMinCount, nil // a damaged setting falls back to the safe default
	}
	return n, nil
}

// SetMinCount keeps the smallest count the vault's statistics show.
func (v *Vault) SetMinCount(ctx context.Context, n int) error {
	if n < 1 {
		return ErrBadMinCount
	}
	return v.SetSetting(ctx, MinCountSetting, strconv.Itoa(n))
}

// Stats counts what q selects (its sort, limit and offset are ignored).
// It reads only the small case rows and the facet index, never documents
// (but once, to index the consent of cases saved by an earlier version).
func (v *Vault) Stats(ctx context.Context, q Query, opt StatsOptions) (*Stats, error) {
	min := opt.MinCount
	if min < 0 {
		return nil, ErrBadMinCount
	}
	if min == 0 {
		var err error
		if min, err = v.MinCount(ctx); err != nil {
			return nil, err
		}
	}
	s := &Stats{MinCount: min, AllCases: opt.AllCases}
	if !opt.AllCases {
		all, err := v.Count(ctx, q)
		if err != nil {
			return nil, err
		}
		q.consent = "anonymised_statistics"
		n, err := v.Count(ctx, q)
		if err != nil {
			return nil, err
		}
		s.NotConsented = all - n
	}
	where, args, err := q.where(ctx, v)
	if err != nil {
		return nil, err
	}
	if s.Total, err = v.Count(ctx, q); err != nil {
		return nil, err
	}
	group := func(expr string) ([]Count, error) {
		return v.counts(ctx, "SELECT "+expr+", count(*) FROM cases c"+where+" GROUP BY 1", args)
	}
	if s.ByStatus, err = group("c.status"); err != nil {
		return nil, err
	}
	if s.ByCountry, err = group("c.country"); err != nil {
		return nil, err
	}
	if s.ByYear, err = group("substr(c.date_first, 1, 4)"); err != nil {
		return nil, err
	}
	facet := func(kind string) ([]Count, error) {
		// Cases without a value of this kind are counted under "".
		and := " WHERE "
		if where != "" {
			and = where + " AND "
		}
		out, err := v.counts(ctx, "SELECT fs.value, count(*) FROM cases c JOIN case_facets fs ON fs.case_n = c.n AND fs.kind = ?"+where+" GROUP BY 1",
			append([]any{kind}, args...))
		if err != nil {
			return nil, err
		}
		var none int
		if err := v.db.QueryRowContext(ctx, "SELECT count(*) FROM cases c"+and+"NOT EXISTS (SELECT 1 FROM case_facets fn WHERE fn.case_n = c.n AND fn.kind = ?)",
			append(append([]any{}, args...), kind)...).Scan(&none); err != nil {
			return nil, fmt.Errorf("counting cases: %w", err)
		}
		if none > 0 {
			out = append(out, Count{Key: "", N: none})
			sortCounts(out)
		}
		return out, nil
	}
	if s.ByViolation, err = facet("violation"); err != nil {
		return nil, err
	}
	if s.ByPerpetrator, err = facet("perpetrator"); err != nil {
		return nil, err
	}
	s.suppress()
	return s, nil
}

// suppress applies the threshold to the total and to every table.
func (s *Stats) suppress() {
	tables := []struct {
		name string
		rows *[]Count
	}{{"status", &s.ByStatus}, {"country", &s.ByCountry}, {"year", &s.ByYear}, {"violation", &s.ByViolation}, {"perpetrator", &s.ByPerpetrator}}
	if s.Total > 0 && s.Total < s.MinCount {
		// No breakdown of so few cases is safe to show.
		s.Total, s.TotalHidden = 0, true
		for _, t := range tables {
			*t.rows = []Count{}
			s.Withheld = append(s.Withheld, t.name)
		}
		return
	}
	for _, t := range tables {
		if !suppress(*t.rows, s.MinCount) {
			*t.rows = []Count{}
			s.Withheld = append(s.Withheld, t.name)
		}
	}
}

// suppress hides the cells of one table that are under min (primary
// suppression), then as many of the smallest other cells as it takes
// (secondary suppression) so that no hidden cell follows from the total:
//
//   - a single hidden cell would be the total less the cells shown, so a
//     second one is hidden with it;
//   - hidden cells each hold at least one case (empty cells are not
//     listed), so k hidden cells that add up to k would all be 1: another
//     is hidden until they add up to more than there are of them.
//
// Then each hidden cell could hold at least two values, even for someone
// who knows this rule, the threshold and every cell shown. Hidden cells go
// last, in key order, so that their place among the counts says nothing.
// suppress reports false when even hiding every cell does not do: the
// caller withholds the table. A min of 1 hides nothing.
func suppress(cells []Count, min int) bool {
	sortCounts(cells)
	k, sum := 0, 0
	hide := func(i int) {
		cells[i].Hidden = true
		k++
		sum += cells[i].N
	}
	for i := range cells {
		if cells[i].N < min {
			hide(i)
		}
	}
	for k == 1 || (k > 1 && sum <= k) {
		next := -1
		for i := len(cells) - 1; i >= 0; i-- { // smallest first: cells are sorted largest first
			if !cells[i].Hidden {
				next = i
				break
			}
		}
		if next < 0 {
			return false
		}
		hide(next)
	}
	for i := range cells {
		if cells[i].Hidden {
			cells[i].N = 0
		}
	}
	sort.SliceStable(cells, func(i, j int) bool {
		if cells[i].Hidden != cells[j].Hidden {
			return !cells[i].Hidden
		}
		if cells[i].Hidden {
			return cells[i].Key < cells[j].Key
		}
		return false // shown cells keep their order
	})
	return true
}

// indexConsent indexes the consent scopes of every case (migration 6).
// A document that does not parse is left out, as it was from statistics:
// one bad record must not keep the vault from opening.
func indexConsent(tx *sql.Tx) error {
	rows, err := tx.Query("SELECT n, doc FROM case_docs")
	if err != nil {
		return fmt.Errorf("indexing consent: %w", err)
	}
	type scopes struct {
		n     int64
		scope []string
	}
	var all []scopes
	for rows.Next() {
		var n int64
		var doc string
		if err := rows.Scan(&n, &doc); err != nil {
			rows.Close()
			return fmt.Errorf("indexing consent: %w", err)
		}
		var c struct{ Consent *Consent }
		if json.Unmarshal([]byte(doc), &c) == nil && c.Consent != nil && c.Consent.Obtained {
			all = append(all, scopes{n, c.Consent.Scope})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("indexing consent: %w", err)
	}
	for _, c := range all {
		for _, s := range c.scope {
			if _, err := tx.Exec("INSERT OR IGNORE INTO case_facets(kind, value, case_n) VALUES ('consent', ?, ?)", s, c.n); err != nil {
				return fmt.Errorf("indexing consent: %w", err)
			}
		}
	}
	// The mark of the lazy indexing of earlier builds is no longer read.
	if _, err := tx.Exec("DELETE FROM meta WHERE key = 'consent_indexed'"); err != nil {
		return fmt.Errorf("indexing consent: %w", err)
	}
	return nil
}

func (v *Vault) counts(ctx context.Context, query string, args []any) ([]Count, error) {
	rows, err := v.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("counting cases: %w", err)
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.N); err != nil {
			return nil, fmt.Errorf("counting cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting cases: %w", err)
	}
	sortCounts(out)
	return out, nil
}

// sortCounts orders the largest first, then by key, so that equal vaults
// give equal tables.
func sortCounts(cs []Count) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].N != cs[j].N {
			return cs[i].N > cs[j].N
		}
		return cs[i].Key < cs[j].Key
	})
}
