package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Conflict is a version of a case met in a merge that the vault could not
// place in the case's history (both sides changed the case), kept beside
// it until someone resolves it.
type Conflict struct {
	Case       *Case  `json:"case"`
	FromOrg    string `json:"from_org,omitempty"`    // who sent it ("" if restored from a backup)
	ImportedAt string `json:"imported_at,omitempty"` // when it was met ("" if restored from a backup)
}

// Conflicts returns the conflicting versions kept beside a case and not
// resolved yet, in a fixed order.
func (v *Vault) Conflicts(ctx context.Context, idOrRef string) ([]*Conflict, error) {
	c, err := v.Get(ctx, idOrRef)
	if err != nil {
		return nil, err
	}
	var n int64
	if err := v.db.QueryRowContext(ctx, "SELECT n FROM cases WHERE id = ?", c.ID).Scan(&n); err != nil {
		return nil, fmt.Errorf("reading conflicts: %w", err)
	}
	ks, err := readConflicts(ctx, v.db, n, false)
	if err != nil {
		return nil, err
	}
	out := []*Conflict{}
	for _, k := range ks {
		cc, err := unmarshalCase(k.doc)
		if err != nil {
			return nil, err
		}
		out = append(out, &Conflict{Case: cc, FromOrg: k.fromOrg, ImportedAt: k.at})
	}
	return out, nil
}

// What a resolution keeps.
const (
	KeepMine   = "mine"   // the vault's version
	KeepTheirs = "theirs" // the conflicting version (there must be only one)
	KeepMerged = "merged" // a version the person composed
)

// ErrNothingToResolve means the case is neither flagged for review nor
// holds conflicting versions.
var ErrNothingToResolve = errors.New("the case is not flagged for review")

// ErrAmbiguous means "theirs" was asked of a case with several conflicting
// versions; a merged version must say what to keep.
var ErrAmbiguous = errors.New("the case has several conflicting versions")

// Resolve settles a case flagged for review: it saves, as a new revision,
// the vault's version (KeepMine), the conflicting one (KeepTheirs) or
// merged (KeepMerged, validated as an edit is), clears the flag and marks
// every conflicting version settled (they are kept). The new revision
// descends from the vault's version and from every conflicting one, so a
// partner that holds either moves forward to it on import rather than
// meeting a new conflict. It returns the case as saved.
func (v *Vault) Resolve(ctx context.Context, idOrRef, keep string, merged *Case) (*Case, error) {
	cur, err := v.Get(ctx, idOrRef)
	if err != nil {
		return nil, err
	}
	if (keep == KeepMerged) != (merged != nil) {
		return nil, fmt.Errorf("a merged version is given with %q and only with it", KeepMerged)
	}
	t, err := v.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer t.rollback()
	n, old, oldDoc, err := t.current(cur.ID)
	if err != nil {
		return nil, err
	}
	h, err := t.readHistory(n, oldDoc)
	if err != nil {
		return nil, err
	}
	if !old.NeedsReview && len(h.pending) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNothingToResolve, old.Reference)
	}
	var c *Case
	switch keep {
	case KeepMine:
		if c, err = cloneOf(old); err != nil {
			return nil, err
		}
	case KeepTheirs:
		switch len(h.pending) {
		case 0:
			return nil, fmt.Errorf("%w: %s has no conflicting version to keep", ErrNothingToResolve, old.Reference)
		case 1:
		default:
			return nil, fmt.Errorf("%w (%d): %s", ErrAmbiguous, len(h.pending), old.Reference)
		}
		if c, err = unmarshalCase(h.pending[0].doc); err != nil {
			return nil, err
		}
	case KeepMerged:
		m := *merged
		c = &m
	default:
		return nil, fmt.Errorf("unknown resolution %q (mine, theirs or merged)", keep)
	}
	c.ID = old.ID
	if err := c.Normalize(v.now()); err != nil {
		return nil, err
	}
	t.signNotes(c)
	c.assignIDs(v.now())
	c.Reference, c.OriginOrg, c.NeedsReview = old.Reference, old.OriginOrg, false
	c.CreatedAt, c.CreatedBy = old.CreatedAt, old.CreatedBy
	// Above every version it settles, so that revision numbers stay
	// in order at the partner's too.
	c.Revision = old.Revision
	var parents []string
	for _, k := range h.pending {
		kc, err := unmarshalCase(k.doc)
		if err != nil {
			return nil, err
		}
		c.Revision = max(c.Revision, kc.Revision)
		parents = appendIDs(appendIDs(parents, k.lineage...), kc.RevisionID)
	}
	c.Revision++
	if _, err := t.exec("UPDATE conflicts SET resolved = 1 WHERE case_n = ? AND resolved = 0", n); err != nil {
		return nil, fmt.Errorf("settling conflicts: %w", err)
	}
	detail := fmt.Sprintf("revision %d: kept %s, settling %d conflicting version(s)", c.Revision, keep, len(h.pending))
	if err := t.save(n, old, oldDoc, c, parents, AuditResolve, detail); err != nil {
		return nil, err
	}
	if err := t.commit(); err != nil {
		return nil, err
	}
	return c, nil
}

// Choice is one thing a person decides when resolving a conflict field by
// field: a field of the case, a list of keys (tags), a field of the
// consent, or a whole row (a person, a violation, a response, a note),
// with the changes that taking the other version's side of it makes.
type Choice struct {
	List    string   // as in Change: "" for a field of the case
	Row     string   // the row's id, for a row
	Field   string   // the field, for a field of the case or of the consent; "" for a row
	Changes []Change // from the vault's version to the other's, for this choice
}

// Choices lists, in the order of the editor, what differs between mine
// and theirs, grouped into what a person decides at once.
func Choices(mine, theirs *Case) []Choice {
	var out []Choice
	for _, ch := range Diff(mine, theirs) {
		key := Choice{List: ch.List, Row: ch.Row}
		if ch.List == "" || ch.List == "consent" {
			key.Field = ch.Field
		}
		if i := len(out) - 1; i >= 0 && out[i].List == key.List && out[i].Row == key.Row && out[i].Field == key.Field {
			out[i].Changes = append(out[i].Changes, ch)
			continue
		}
		key.Changes = []Change{ch}
		out = append(out, key)
	}
	return out
}

// Pick returns mine with theirs' side taken of each choice taken: the
// merged version of a field-by-field resolution. Neither case is changed.
func Pick(mine *Case, taken []Choice) (*Case, error) {
	out, err := cloneOf(mine)
	if err != nil {
		return nil, err
	}
	for _, c := range taken {
		for _, ch := range c.Changes {
			if err := applyChange(out, ch); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// cloneOf returns a deep copy of c.
func cloneOf(c *Case) (*Case, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return unmarshalCase(string(b))
}

// applyChange makes one change of Diff on c: Diff's inverse.
func applyChange(c *Case, ch Change) error {
	switch ch.List {
	case "":
		return pickField(caseFields, c, ch)
	case "consent":
		if c.Consent == nil {
			c.Consent = &Consent{}
		}
		return pickField(consentFields, c.Consent, ch)
	case "people":
		return pickRow(&c.People, personFields, ch, func(p *Person) *string { return &p.ID })
	case "violations":
		return pickRow(&c.Violations, violationFields, ch, func(v *Violation) *string { return &v.ID })
	case "interventions":
		return pickRow(&c.Interventions, interventionFields, ch, func(x *Intervention) *string { return &x.ID })
	case "notes":
		return pickRow(&c.Notes, noteFields, ch, func(n *Note) *string { return &n.ID })
	}
	return fmt.Errorf("unknown list %q in a change", ch.List)
}

func pickField[T any](fields []fieldSpec[T], x *T, ch Change) error {
	i := slices.IndexFunc(fields, func(f fieldSpec[T]) bool { return f.name == ch.Field })
	if i < 0 {
		return fmt.Errorf("unknown field %q in a change", ch.Path)
	}
	f := fields[i]
	if f.keys == nil {
		if ch.Op != OpChanged {
			return fmt.Errorf("%s: %s on a single value", ch.Path, ch.Op)
		}
		f.set(x, ch.New)
		return nil
	}
	ks := slices.Clone(f.keys(x))
	switch ch.Op {
	case OpAdded:
		if !slices.Contains(ks, ch.New) {
			ks = append(ks, ch.New)
		}
	case OpRemoved:
		ks = slices.DeleteFunc(ks, func(k string) bool { return k == ch.Old })
	default:
		return fmt.Errorf("%s: %s on a list", ch.Path, ch.Op)
	}
	f.setKeys(x, ks)
	return nil
}

func pickRow[T any](rows *[]T, fields []fieldSpec[T], ch Change, id func(*T) *string) error {
	i := slices.IndexFunc(*rows, func(x T) bool { return *id(&x) == ch.Row })
	if ch.Field == "" {
		switch {
		case ch.Op == OpAdded && i < 0:
			var z T
			*id(&z) = ch.Row
			*rows = append(*rows, z)
		case ch.Op == OpRemoved && i >= 0:
			*rows = slices.Delete(*rows, i, i+1)
		}
		return nil
	}
	if i < 0 {
		return nil // a field of a row removed
	}
	return pickField(fields, &(*rows)[i], ch)
}
