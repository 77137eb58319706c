package store

import (
	"context"
	"fmt"
	"sort"
)

// Count is how many cases hold one value.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// Stats counts the cases a query selects, by status, country, year of the
// incident, violation type and perpetrator: the tables of an advocacy
// report. A case with two violation types counts once under each, so those
// columns may add up to more than Total. Cases with no date, no country or
// no violation are counted under "".
type Stats struct {
	Total         int     `json:"total"`
	ByStatus      []Count `json:"by_status"`
	ByCountry     []Count `json:"by_country"`
	ByYear        []Count `json:"by_year"`
	ByViolation   []Count `json:"by_violation"`
	ByPerpetrator []Count `json:"by_perpetrator"`
}

// Stats counts what q selects (its sort, limit and offset are ignored).
// It reads only the small case rows and the facet index, never documents.
func (v *Vault) Stats(ctx context.Context, q Query) (*Stats, error) {
	where, args, err := q.where(ctx, v)
	if err != nil {
		return nil, err
	}
	s := &Stats{}
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
			return nil, fmt.Errorf("store: counting cases: %w", err)
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
	return s, nil
}

func (v *Vault) counts(ctx context.Context, query string, args []any) ([]Count, error) {
	rows, err := v.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: counting cases: %w", err)
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.N); err != nil {
			return nil, fmt.Errorf("store: counting cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: counting cases: %w", err)
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
