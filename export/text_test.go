package export

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/store"
)

// A partner's bundle whose case holds a control character (its vault
// predates the text rules, or was altered by someone holding its key) is
// refused on import, naming the field; nothing is imported.
func TestImportRefusesControlCharacters(t *testing.T) {
	for _, c := range []struct{ title, field string }{
		{`Raid\u001b]2;owned\u0007`, "title"},
		{`Ivan\u202egnp`, "title"},
	} {
		src := partner(t, "Hostile Partner")
		dst := partner(t, "Legal Partner")
		toDst := befriend(t, src, dst)
		befriend(t, dst, src)
		ids, err := src.AddCases(ctx, strings.NewReader(`{"title":"clean","consent":{"obtained":true,"scope":["legal_partners"]}}`))
		if err != nil {
			t.Fatal(err)
		}
		if err := testhooks.VaultExec(src, `UPDATE case_docs SET doc = replace(doc, '"title":"clean"', '"title":"`+c.title+`"')`); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "share.age")
		if _, err := WriteFile(ctx, src, p, Options{Kind: KindShare, To: []Card{toDst}, Cases: ids}); err != nil {
			t.Fatal(err)
		}
		_, err = Import(ctx, dst, p, ImportOptions{})
		var fe *store.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Reason != store.ReasonNotText {
			t.Fatalf("import of %q: %v, want the %s refused", c.title, err, c.field)
		}
		if n, _ := dst.Count(ctx, store.Query{}); n != 0 {
			t.Fatalf("%d cases imported", n)
		}
	}
}

// Every JSON entry of a bundle is read strictly: a key given twice, or
// text that is not UTF-8, is refused rather than read as encoding/json
// would (last key wins, U+FFFD).
func TestStrictJSONRefusesDuplicatesAndBadText(t *testing.T) {
	for _, in := range []string{
		`{"format":"dossier-bundle","format":"x"}`,
		`{"case":{"title":"a","title":"b"}}`,
		"{\"case\":{\"title\":\"\xff\"}}",
		`{"case":{"title":"\udead"}}`,
	} {
		var v map[string]any
		err := strictJSON([]byte(in), &v)
		var fe *store.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("strictJSON(%q) = %v, want a FieldError", in, err)
		}
	}
	var v map[string]any
	if err := strictJSON([]byte(`{"case":{"title":"a"},"revisions":[{"title":"a"},{"title":"a"}]}`), &v); err != nil {
		t.Fatal(err)
	}
}

// A backup of a vault written before the text rules restores as it was:
// the rules refuse new text, never a person's own records.
func TestRestoreKeepsTextOfOlderVaults(t *testing.T) {
	v, rk, _ := fullVault(t)
	if err := testhooks.VaultExec(v, `UPDATE case_docs SET doc = replace(doc, '"title":"', '"title":"\u001b[1m') WHERE n = (SELECT min(n) FROM cases)`); err != nil {
		t.Fatal(err)
	}
	before := dump(t, v)
	if !bytes.Contains(before, []byte(`\u001b[1m`)) {
		t.Fatal("the vault was not altered")
	}
	path := filepath.Join(t.TempDir(), "backup.age")
	if _, err := WriteFile(ctx, v, path, Options{}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, []string{path}, rk, dir, "new passphrase", RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := store.Open(dir, "new passphrase", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if after := dump(t, r); !bytes.Equal(before, after) {
		t.Fatalf("restored dump differs:\n%s\n---\n%s", before, after)
	}
}
