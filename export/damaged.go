package export

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dossier-hr/dossier/store"
)

// ErrDamaged means the vault holds damaged evidence that a bundle was to
// carry: its bytes, or its record, are not what was recorded at intake
// (see store.Vault.CheckEvidence). A bundle never carries such a record;
// it is refused, or written without it when Options.SkipDamaged is set.
var ErrDamaged = errors.New("the vault holds damaged evidence")

// DamagedError names the damaged records that stopped a bundle.
type DamagedError struct {
	Damage []store.Damage
}

func (e *DamagedError) Error() string {
	var s []string
	for _, d := range e.Damage {
		s = append(s, d.String())
	}
	return fmt.Sprintf("%v: %s", ErrDamaged, strings.Join(s, "; "))
}

func (e *DamagedError) Unwrap() error { return ErrDamaged }

// Skipped is a damaged evidence record a bundle left out, as its manifest
// records it (Options.SkipDamaged).
type Skipped struct {
	Evidence string `json:"evidence"` // the record's id
	Kind     string `json:"kind"`     // original or stripped
	Case     string `json:"case"`     // the id of its case
	Reason   string `json:"reason"`   // what is wrong with it, or reasonOriginal
}

// reasonOriginal is why a sound copy is left out with its original: a
// restore needs the original before its copies.
const reasonOriginal = "the original it was made from is damaged"

// damagedItems returns the records of items that are damaged, or that
// derive from a damaged original, keyed by evidence id: those found by
// the quick check, and those a previous attempt found by hash (known).
func damagedItems(ctx context.Context, v *store.Vault, items []*store.Evidence, known []store.Damage) (map[string]store.Damage, error) {
	found, err := v.CheckEvidence(ctx, false)
	if err != nil {
		return nil, err
	}
	bad := map[string]store.Damage{}
	for _, d := range append(found, known...) {
		bad[d.EvidenceID] = d
	}
	out := map[string]store.Damage{}
	for _, e := range items {
		if d, ok := bad[e.ID]; ok {
			out[e.ID] = d
		}
	}
	for _, e := range items {
		if _, ok := out[e.ID]; ok || e.DerivedFrom == "" {
			continue
		}
		if d, ok := bad[e.DerivedFrom]; ok {
			out[e.ID] = store.Damage{EvidenceID: e.ID, Kind: e.Kind, CaseID: d.CaseID, CaseRef: d.CaseRef, Reason: reasonOriginal}
		}
	}
	return out, nil
}

// leaveOutDamaged drops the damaged items from items, in place. Without
// skip, any damaged item refuses the bundle, naming them all; with it, they
// are recorded in the manifest and left out.
func leaveOutDamaged(ctx context.Context, v *store.Vault, m *Manifest, items []*store.Evidence, opts Options) ([]*store.Evidence, error) {
	bad, err := damagedItems(ctx, v, items, opts.skip)
	if err != nil || len(bad) == 0 {
		return items, err
	}
	var ds []store.Damage
	for _, e := range items {
		if d, ok := bad[e.ID]; ok && d.Reason != reasonOriginal {
			ds = append(ds, d)
		}
	}
	if !opts.SkipDamaged {
		return nil, &DamagedError{Damage: ds}
	}
	kept := items[:0]
	for _, e := range items {
		d, ok := bad[e.ID]
		if !ok {
			kept = append(kept, e)
			continue
		}
		m.Skipped = append(m.Skipped, Skipped{Evidence: e.ID, Kind: e.Kind, Case: e.CaseID, Reason: d.Reason})
		m.damaged = append(m.damaged, d)
	}
	return kept, nil
}

// damageOf names an item whose bytes did not match its hash as they were
// written.
func damageOf(ctx context.Context, v *store.Vault, e *store.Evidence, err error) store.Damage {
	d := store.Damage{EvidenceID: e.ID, Kind: e.Kind, CaseID: e.CaseID, CaseRef: e.CaseID, Reason: store.DamageHash}
	switch {
	case errors.Is(err, store.ErrStoredMissing):
		d.Reason = store.DamageMissing
	case errors.Is(err, store.ErrStoredDamaged):
		d.Reason = store.DamageStored
	}
	if c, err := v.Get(ctx, e.CaseID); err == nil {
		d.CaseRef = c.Reference
	}
	return d
}
