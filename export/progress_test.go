package export

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// recorder keeps every progress report and checks they only go forward.
type recorder struct {
	t    *testing.T
	seen []int64
	tot  int64
}

func (r *recorder) report(done, total int64) {
	if r.tot != 0 && total != r.tot {
		r.t.Errorf("total changed from %d to %d", r.tot, total)
	}
	r.tot = total
	if n := len(r.seen); n > 0 && done < r.seen[n-1] {
		r.t.Errorf("progress went back from %d to %d", r.seen[n-1], done)
	}
	if done > total {
		r.t.Errorf("progress %d beyond total %d", done, total)
	}
	r.seen = append(r.seen, done)
}

// A vault of many cases and no evidence must move the bar while the cases
// are written (it once counted evidence bytes only: the bar sat at zero,
// then jumped to the end).
func TestWriteProgressCoversCasesAndVerify(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "v")
	v, _, err := store.Create(dir, "pp", store.CreateOptions{OrgName: "Progress Org"})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var in strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&in, `{"title":"case %d"}`+"\n", i)
	}
	if _, err := v.AddCases(ctx, strings.NewReader(in.String())); err != nil {
		t.Fatal(err)
	}
	r := &recorder{t: t}
	if _, err := WriteFile(ctx, v, filepath.Join(t.TempDir(), "b.age"), Options{Progress: r.report}); err != nil {
		t.Fatal(err)
	}
	if r.tot != 1000 || len(r.seen) == 0 || r.seen[len(r.seen)-1] != 1000 {
		t.Fatalf("progress did not end at 1000 of 1000: total %d, reports %v", r.tot, r.seen)
	}
	var writing int
	for _, d := range r.seen {
		if d > 0 && d < writeShare {
			writing++
		}
	}
	// Writing ends at writeShare; reading back (one buffer-full for so
	// small a bundle) takes the rest.
	if writing < 10 || !strings.Contains(fmt.Sprint(r.seen), fmt.Sprintf(" %d ", writeShare)) {
		t.Fatalf("%d reports while writing 400 cases, then %v; want steps, then %d before 1000", writing, r.seen[len(r.seen)-3:], writeShare)
	}
}

func TestWriteProgressCountsEvidenceAsItStreams(t *testing.T) {
	v, _, _ := fullVault(t)
	c, err := v.List(ctx, store.Query{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("evidence "), 1<<20) // 9 MiB, one item
	if _, err := v.Attach(ctx, c[0].ID, bytes.NewReader(big), store.AttachOptions{Name: "big.bin"}); err != nil {
		t.Fatal(err)
	}
	r := &recorder{t: t}
	var buf bytes.Buffer
	if _, err := Write(ctx, v, &buf, Options{Progress: r.report}); err != nil {
		t.Fatal(err)
	}
	if len(r.seen) < 50 || r.seen[len(r.seen)-1] != r.tot {
		t.Fatalf("%d reports, last %v of %d: a large item must move the bar while it streams", len(r.seen), r.seen[len(r.seen)-1:], r.tot)
	}
}

func TestImportAndRestoreProgress(t *testing.T) {
	v, rk, _ := fullVault(t)
	path := filepath.Join(t.TempDir(), "b.age")
	if _, err := WriteFile(ctx, v, path, Options{}); err != nil {
		t.Fatal(err)
	}
	r := &recorder{t: t}
	if _, err := Restore(ctx, []string{path}, rk, filepath.Join(t.TempDir(), "r"), "p", RestoreOptions{Progress: r.report}); err != nil {
		t.Fatal(err)
	}
	if len(r.seen) == 0 || r.seen[len(r.seen)-1] != r.tot {
		t.Fatalf("restore progress %v of %d", r.seen, r.tot)
	}
	r2 := &recorder{t: t}
	if _, err := Import(ctx, v, path, ImportOptions{Progress: r2.report}); err != nil {
		t.Fatal(err)
	}
	if len(r2.seen) == 0 || r2.seen[len(r2.seen)-1] != r2.tot {
		t.Fatalf("import progress %v of %d", r2.seen, r2.tot)
	}
}

// After the recovery key is replaced, backups are encrypted to the new one:
// it restores them, the old one does not.
func TestBackupAfterRecoveryKeyReplaced(t *testing.T) {
	v, old, _ := fullVault(t)
	fresh, _ := crypto.NewRecoveryKey()
	if err := v.ReplaceRecoveryKey(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	before := dump(t, v) // the backup then adds "exported" to custody
	path := filepath.Join(t.TempDir(), "b.age")
	if _, err := WriteFile(ctx, v, path, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, []string{path}, old, filepath.Join(t.TempDir(), "r1"), "p", RestoreOptions{}); !errors.Is(err, ErrNotAddressed) {
		t.Fatalf("the old recovery key restored a new backup: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "r2")
	if _, err := Restore(ctx, []string{path}, fresh, dir, "p", RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := store.OpenWithRecoveryKey(dir, fresh, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !bytes.Equal(before, dump(t, r)) {
		t.Fatal("restored dump differs")
	}
}

// A card file is signed by its own key: a changed name is caught although
// the fingerprint covers only the keys; an unsigned card is refused.
func TestCardSignature(t *testing.T) {
	id, _ := crypto.NewOrgIdentity()
	good := SignedCardOf("Field Network", id)
	if _, err := ParseCard(marshal(good)); err != nil {
		t.Fatalf("a signed card: %v", err)
	}
	renamed := good
	renamed.Name = "UN OHCHR"
	if _, err := ParseCard(marshal(renamed)); !errors.Is(err, ErrBadCard) {
		t.Fatalf("a renamed card: %v", err)
	}
	other, _ := crypto.NewOrgIdentity()
	forged := SignedCardOf("Field Network", other)
	forged.AgeRecipient, forged.AgeRecipientX25519, forged.SignKey, forged.Fingerprint = good.AgeRecipient, good.AgeRecipientX25519, good.SignKey, good.Fingerprint
	if _, err := ParseCard(marshal(forged)); !errors.Is(err, ErrBadCard) {
		t.Fatalf("a card signed by another key: %v", err)
	}
	if _, err := ParseCard(marshal(CardOf("Field Network", id))); !errors.Is(err, ErrBadCard) {
		t.Fatalf("an unsigned card: %v", err)
	}
}
