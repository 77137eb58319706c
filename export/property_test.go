package export

import (
	"bytes"
	"fmt"
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
			if _, err := Restore(ctx, path, rk, dir, "q"); err != nil {
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
