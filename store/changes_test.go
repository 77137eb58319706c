package store

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/testimg"
)

// Changes returns every error of its lookups: a lookup that fails must
// not leave a case, or evidence, out of an incremental bundle.
func TestChangesReturnsLookupErrors(t *testing.T) {
	v, _, _ := testVault(t)
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"edited after the backup"}`+"\n"+`{"title":"given evidence after the backup"}`))
	if err != nil {
		t.Fatal(err)
	}
	log, err := v.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	since := log[len(log)-1].Seq
	if _, err := v.Edit(ctx, ids[0], []byte(`{"status":"referred"}`)); err != nil {
		t.Fatal(err)
	}
	e, err := v.Attach(ctx, ids[1], bytes.NewReader(testimg.JPEGWithMetadata()), AttachOptions{Name: "photo.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	cases, _, evidence, err := v.Changes(ctx, since)
	if err != nil || len(cases) != 2 || len(evidence) != 2 || !slices.Contains(evidence, e.ID) {
		t.Fatalf("without a fault: cases %v, evidence %v, %v", cases, evidence, err)
	}
	injected := errors.New("database is locked")
	for _, lookup := range []string{"evidence case", "derived copies", "case exists"} {
		changesFault = func(l string) error {
			if l == lookup {
				return injected
			}
			return nil
		}
		cases, _, evidence, err := v.Changes(ctx, since)
		changesFault = func(string) error { return nil }
		if !errors.Is(err, injected) {
			t.Errorf("a failed %q lookup: cases %v, evidence %v, error %v; want the error", lookup, cases, evidence, err)
		}
	}
}
