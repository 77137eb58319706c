package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/store"
)

// TestPropertyBackupRestore: random vaults — text in several scripts,
// control characters and JSON metacharacters, empty and multi-chunk
// evidence, edits, deletions — come back from a full backup with the same
// dump, byte for byte.
func TestPropertyBackupRestore(t *testing.T) {
	scripts := []string{"abc xyz ", "àéîõüç ", "абвгдеё ", "🔐🗝️ ", `"\{}[]<>&; `, "\t\n"}
	text := func(r *rand.Rand, n int) string {
		var b strings.Builder
		for i := r.IntN(n + 1); i > 0; i-- {
			s := []rune(scripts[r.IntN(len(scripts))])
			b.WriteRune(s[r.IntN(len(s))])
		}
		return b.String()
	}
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			v, rk, err := store.Create(filepath.Join(t.TempDir(), "v"), "p", store.CreateOptions{OrgName: "Org " + text(r, 10)})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			var in strings.Builder
			for i := 0; i < 5+r.IntN(20); i++ {
				fmt.Fprintf(&in, `{"title":%q,"narrative":%q,"locality":%q,"tags":[%q],"people":[{"role":"victim","pseudonym":%q}]}`+"\n",
					"t"+text(r, 30), text(r, 300), text(r, 20), "g"+text(r, 8), "p"+text(r, 10))
			}
			ids, err := v.AddCases(ctx, strings.NewReader(in.String()))
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 1+r.IntN(4); i++ {
				id := ids[r.IntN(len(ids))]
				if _, err := v.Edit(ctx, id, []byte(fmt.Sprintf(`{"narrative":%q}`, text(r, 100)))); err != nil {
					t.Fatal(err)
				}
				size := []int{0, 1, store.ChunkSize + r.IntN(store.ChunkSize)}[r.IntN(3)]
				data := make([]byte, size)
				for j := range data {
					data[j] = byte(r.Uint32())
				}
				if _, err := v.Attach(ctx, id, bytes.NewReader(data), store.AttachOptions{Name: text(r, 12) + ".bin", ReceivedFrom: text(r, 10)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := v.Delete(ctx, ids[len(ids)-1]); err != nil {
				t.Fatal(err)
			}
			before := dump(t, v)
			path := filepath.Join(t.TempDir(), "b.age")
			if _, err := WriteFile(ctx, v, path, Options{}); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "r")
			if _, err := Restore(ctx, []string{path}, rk, dir, "q", RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			rv, err := store.Open(dir, "q", store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer rv.Close()
			if after := dump(t, rv); !bytes.Equal(before, after) {
				t.Fatalf("dump differs after restore")
			}
			if _, _, err := rv.VerifyAudit(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestIncrementalChain: a full backup and two incrementals, with edits,
// attachments, extractions, imports of nothing, deletions and new cases in
// between, restore to the same dump as the vault when the last one was
// made; a chain given out of order, with a gap, or without its full backup
// is refused.
func TestIncrementalChain(t *testing.T) {
	v, rk, _ := fullVault(t)
	dir := t.TempDir()
	backup := func(name string, kind string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if _, err := WriteFile(ctx, v, p, Options{Kind: kind}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := WriteFile(ctx, v, filepath.Join(dir, "x.age"), Options{Kind: KindIncremental}); err == nil || !strings.Contains(err.Error(), "no full backup") {
		t.Fatalf("incremental before any full backup: %v", err)
	}
	full := backup("full.age", KindFull)
	all, _ := v.List(ctx, store.Query{Sort: store.SortReference})
	// Changes after the full backup.
	if _, err := v.Edit(ctx, all[1].ID, []byte(`{"narrative":"changed after the full backup"}`)); err != nil {
		t.Fatal(err)
	}
	e, err := v.Attach(ctx, all[1].ID, strings.NewReader(strings.Repeat("x", store.ChunkSize+5)), store.AttachOptions{Name: "new.bin"})
	if err != nil {
		t.Fatal(err)
	}
	v.Extract(ctx, e.ID, false, io.Discard, "court")
	ids, _ := v.AddCases(ctx, strings.NewReader(`{"title":"new after full"}`))
	inc1 := backup("inc1.age", KindIncremental)
	// More changes, a deletion among them.
	if err := v.Delete(ctx, all[2].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Edit(ctx, ids[0], []byte(`{"status":"closed"}`)); err != nil {
		t.Fatal(err)
	}
	items, _ := v.EvidenceOf(ctx, all[0].ID)
	v.Extract(ctx, items[0].ID, false, io.Discard, "lawyer")
	want := dump(t, v)
	inc2 := backup("inc2.age", KindIncremental)

	restore := func(bundles ...string) ([]byte, error) {
		d := filepath.Join(t.TempDir(), "r")
		if _, err := Restore(ctx, bundles, rk, d, "q", RestoreOptions{}); err != nil {
			return nil, err
		}
		rv, err := store.Open(d, "q", store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer rv.Close()
		if _, _, err := rv.VerifyAudit(ctx); err != nil {
			t.Fatalf("restored audit log: %v", err)
		}
		return dump(t, rv), nil
	}
	got, err := restore(full, inc1, inc2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("full + incrementals restore to another dump:\n%s\n---\n%s", got, want)
	}
	for name, c := range map[string]struct {
		chain []string
		says  string
	}{
		"out of order":    {[]string{full, inc2, inc1}, "does not follow the one before it"},
		"gap":             {[]string{full, inc2}, "does not follow the one before it"},
		"no full":         {[]string{inc1, inc2}, "the first bundle is an incremental backup"},
		"full twice":      {[]string{full, full}, "this one is a full backup"},
		"repeated middle": {[]string{full, inc1, inc1}, "does not follow the one before it"},
	} {
		if _, err := restore(c.chain...); !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: got %v, want a refusal saying %q", name, err, c.says)
		}
	}
}
