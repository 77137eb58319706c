package export

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/store"
)

// mergePair is a sender with one shareable case and a partner that knows
// it; the sender made a full backup before the case, so that every kind
// of bundle — full, incremental, share — carries the case and its changes.
type mergePair struct {
	a, b  *store.Vault
	toB   Card
	toA   Card
	id    string
	kind  string
	count int
}

func newMergePair(t *testing.T, kind string) *mergePair {
	t.Helper()
	p := &mergePair{a: partner(t, "Origin Network"), b: partner(t, "Legal Partner"), kind: kind}
	p.toB, p.toA = befriend(t, p.a, p.b), befriend(t, p.b, p.a)
	if _, err := WriteFile(ctx, p.a, filepath.Join(t.TempDir(), "base.age"), Options{}); err != nil {
		t.Fatal(err)
	}
	ids, err := p.a.AddCases(ctx, strings.NewReader(`{"title":"Raid on the drop-in centre","narrative":"First account.","country":"UA",`+
		`"people":[{"role":"victim","pseudonym":"Olena","legal_name":"Olena K."}],"consent":{"obtained":true,"scope":["legal_partners"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	p.id = ids[0]
	return p
}

// bundle writes a bundle of the pair's kind from `from`, addressed to `to`.
func (p *mergePair) bundle(t *testing.T, from *store.Vault, to Card) string {
	t.Helper()
	p.count++
	path := filepath.Join(t.TempDir(), "bundle.age")
	opts := Options{Kind: p.kind, To: []Card{to}}
	if p.kind == KindShare {
		opts.Cases = []string{p.id}
	}
	if p.kind == KindIncremental {
		if h, _, _ := from.LastBundle(ctx); h == "" {
			opts.Kind = KindFull // the first backup of this vault
		}
	}
	if _, err := WriteFile(ctx, from, path, opts); err != nil {
		t.Fatal(err)
	}
	return path
}

func importInto(t *testing.T, v *store.Vault, path string) *ImportResult {
	t.Helper()
	res, err := Import(ctx, v, path, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func edit(t *testing.T, v *store.Vault, id, patch string) {
	t.Helper()
	if _, err := v.Edit(ctx, id, []byte(patch)); err != nil {
		t.Fatal(err)
	}
}

// TestMergeOutcomes: the four outcomes of merging a case, for each kind
// of bundle. A case only the sender changed since the receiver's copy
// moves forward — a share too, though it carries no earlier version,
// only the ids of the versions the case descends from.
func TestMergeOutcomes(t *testing.T) {
	type outcome struct{ added, updated, unchanged, conflicts int }
	for _, kind := range []string{KindFull, KindIncremental, KindShare} {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, p *mergePair) *ImportResult
			want outcome
		}{
			{"new", func(t *testing.T, p *mergePair) *ImportResult {
				return importInto(t, p.b, p.bundle(t, p.a, p.toB))
			}, outcome{added: 1}},
			{"unchanged", func(t *testing.T, p *mergePair) *ImportResult {
				first := p.bundle(t, p.a, p.toB)
				importInto(t, p.b, first)
				edit(t, p.a, p.id, `{"narrative":"Second account."}`)
				importInto(t, p.b, p.bundle(t, p.a, p.toB))
				return importInto(t, p.b, first) // an older version: the vault is ahead
			}, outcome{unchanged: 1}},
			{"fast-forward", func(t *testing.T, p *mergePair) *ImportResult {
				importInto(t, p.b, p.bundle(t, p.a, p.toB))
				edit(t, p.a, p.id, `{"narrative":"Second account."}`)
				edit(t, p.a, p.id, `{"status":"referred"}`)
				return importInto(t, p.b, p.bundle(t, p.a, p.toB))
			}, outcome{updated: 1}},
			{"conflict", func(t *testing.T, p *mergePair) *ImportResult {
				importInto(t, p.b, p.bundle(t, p.a, p.toB))
				edit(t, p.a, p.id, `{"narrative":"Second account."}`)
				edit(t, p.b, p.id, `{"status":"closed"}`)
				return importInto(t, p.b, p.bundle(t, p.a, p.toB))
			}, outcome{conflicts: 1}},
		} {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				p := newMergePair(t, kind)
				res := tc.run(t, p)
				if got := (outcome{res.Added, res.Updated, res.Unchanged, res.Conflicts}); got != tc.want {
					t.Fatalf("got %+v, want %+v", got, tc.want)
				}
				got, err := p.b.Get(ctx, p.id)
				if err != nil {
					t.Fatal(err)
				}
				conflicts, err := p.b.Conflicts(ctx, p.id)
				if err != nil {
					t.Fatal(err)
				}
				if got.NeedsReview != (tc.want.conflicts > 0) || len(conflicts) != tc.want.conflicts {
					t.Fatalf("flagged %v with %d conflicting versions", got.NeedsReview, len(conflicts))
				}
				if tc.name == "fast-forward" || tc.name == "unchanged" {
					if got.Narrative != "Second account." {
						t.Fatalf("narrative %q after moving forward", got.Narrative)
					}
					// The version the receiver had is kept as a revision.
					revs, _ := p.b.Revisions(ctx, p.id)
					if len(revs) == 0 || revs[0].Narrative != "First account." {
						t.Fatalf("earlier version not kept: %d revisions", len(revs))
					}
				}
				if tc.name == "conflict" && (got.Status != "closed" || conflicts[0].Case.Narrative != "Second account.") {
					t.Fatalf("conflict kept %q / %q", got.Status, conflicts[0].Case.Narrative)
				}
			})
		}
	}
}

// TestResolutionTravels: both sides edit and exchange; each meets a
// conflict; one resolves; when the other imports the resolution, its case
// moves forward to it, the flag cleared — not a new conflict. The same
// with the sender's version kept and with a merged one.
func TestResolutionTravels(t *testing.T) {
	for _, kind := range []string{KindShare, KindFull} {
		for _, keep := range []string{store.KeepTheirs, store.KeepMine, store.KeepMerged} {
			t.Run(kind+"/"+keep, func(t *testing.T) {
				p := newMergePair(t, kind)
				importInto(t, p.b, p.bundle(t, p.a, p.toB))
				edit(t, p.a, p.id, `{"narrative":"Second account."}`)
				edit(t, p.b, p.id, `{"status":"closed"}`)
				toB, toA := p.bundle(t, p.a, p.toB), p.bundle(t, p.b, p.toA)
				if res := importInto(t, p.b, toB); res.Conflicts != 1 {
					t.Fatalf("at b: %+v", res)
				}
				if res := importInto(t, p.a, toA); res.Conflicts != 1 {
					t.Fatalf("at a: %+v", res)
				}
				var merged *store.Case
				if keep == store.KeepMerged {
					mine, _ := p.b.Get(ctx, p.id)
					conflicts, _ := p.b.Conflicts(ctx, p.id)
					var err error
					var take []store.Choice // their narrative, our status
					for _, c := range store.Choices(mine, conflicts[0].Case) {
						if c.Field == "narrative" {
							take = append(take, c)
						}
					}
					merged, err = store.Pick(mine, take)
					if err != nil {
						t.Fatal(err)
					}
				}
				resolved, err := p.b.Resolve(ctx, p.id, keep, merged)
				if err != nil {
					t.Fatal(err)
				}
				if resolved.NeedsReview {
					t.Fatal("still flagged after resolving")
				}
				if keep == store.KeepMerged && (resolved.Narrative != "Second account." || resolved.Status != "closed") {
					t.Fatalf("merged %q %q", resolved.Narrative, resolved.Status)
				}
				if n, _ := p.b.Count(ctx, store.Query{NeedsReview: true}); n != 0 {
					t.Fatal("still listed for review")
				}
				res := importInto(t, p.a, p.bundle(t, p.b, p.toA))
				if res.Updated != 1 || res.Conflicts != 0 {
					t.Fatalf("the partner meets the resolution as %+v", res)
				}
				got, _ := p.a.Get(ctx, p.id)
				open, _ := p.a.Conflicts(ctx, p.id)
				if got.NeedsReview || len(open) != 0 || got.RevisionID != resolved.RevisionID || got.Status != resolved.Status || got.Narrative != resolved.Narrative {
					t.Fatalf("partner's case after the resolution: flagged %v, %d open, %q %q", got.NeedsReview, len(open), got.Status, got.Narrative)
				}
				// And back again: nothing new either way.
				if res := importInto(t, p.b, p.bundle(t, p.a, p.toB)); res.Unchanged != 1 {
					t.Fatalf("back at b: %+v", res)
				}
			})
		}
	}
}

// shareEntries decrypts a share with the receiver's identity and returns
// its entries.
func shareEntries(t *testing.T, v *store.Vault, path string) map[string][]byte {
	t.Helper()
	id, err := v.Identity()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := age.Decrypt(f, id.Identities()...)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name], _ = io.ReadAll(tr)
	}
	return out
}

// TestShareLineageHidesContent: a redacted share carries the ids of the
// earlier versions, never the versions: what was redacted or edited away
// is nowhere in it, and the ids are the vault's random revision ids, not
// anything computed from content.
func TestShareLineageHidesContent(t *testing.T) {
	p := newMergePair(t, KindShare)
	edit(t, p.a, p.id, `{"narrative":"Second account."}`)
	path := p.bundle(t, p.a, p.toB)
	entries := shareEntries(t, p.b, path)
	rec := entries["cases/"+p.id+".json"]
	for _, secret := range []string{"First account.", "Olena K."} {
		for name, data := range entries {
			if bytes.Contains(data, []byte(secret)) {
				t.Fatalf("%s holds %q", name, secret)
			}
		}
	}
	var r store.CaseRecord
	if err := json.Unmarshal(rec, &r); err != nil {
		t.Fatal(err)
	}
	lineage, _ := p.a.Lineage(ctx, p.id)
	revs, _ := p.a.Revisions(ctx, p.id)
	if len(r.Revisions) != 0 || len(r.Lineage) != 1 || r.Lineage[0] != lineage[0] || r.Lineage[0] != revs[0].RevisionID {
		t.Fatalf("share record: %d revisions, lineage %v (vault's %v)", len(r.Revisions), r.Lineage, lineage)
	}
	var h Header
	if err := json.Unmarshal(entries[entryHeader], &h); err != nil || h.Version != 2 {
		t.Fatalf("header %+v %v", h, err)
	}
}

// TestMergeReadsStagedHistory: the merge reads a case's history inside
// the import's transaction, so a bundle's second record of a case sees
// what its first staged (here, a record the bundle repeats with a later
// version after an earlier one).
func TestMergeReadsStagedHistory(t *testing.T) {
	p := newMergePair(t, KindShare)
	first := shareEntries(t, p.b, p.bundle(t, p.a, p.toB))["cases/"+p.id+".json"]
	edit(t, p.a, p.id, `{"narrative":"Second account."}`)
	second := shareEntries(t, p.b, p.bundle(t, p.a, p.toB))["cases/"+p.id+".json"]
	l, err := p.b.BeginLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Rollback()
	var outs []string
	for _, data := range [][]byte{first, second, first} {
		var rec store.CaseRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(err)
		}
		out, err := l.MergeCase(&rec, "Origin Network")
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	if strings.Join(outs, " ") != "added updated unchanged" {
		t.Fatalf("outcomes %v", outs)
	}
}
