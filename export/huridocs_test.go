package export

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// Each case entry of a bundle carries the HURIDOCS code of every violation
// type its case uses, or null for a type without a term, for people who
// read bundles with other tools; the case document itself is unchanged.
func TestBundleCasesCarryHuridocsCodes(t *testing.T) {
	v, _, _ := fullVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(`{"title":"Registro","violations":[{"type":"drug_user_registry"},{"type":"extortion"}]}`)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backup.age")
	if _, err := WriteFile(ctx, v, path, Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	id, _ := v.Identity()
	r, err := age.Decrypt(bytes.NewReader(data), id.Age)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !caseEntry.MatchString(h.Name) {
			continue
		}
		b, _ := io.ReadAll(tr)
		var e struct {
			Case          json.RawMessage    `json:"case"`
			HuridocsCodes map[string]*string `json:"huridocs_codes"`
		}
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(e.Case, []byte("huridocs")) {
			t.Fatalf("%s: the case document holds a code: %s", h.Name, e.Case)
		}
		for k, c := range e.HuridocsCodes {
			got[k] = c
		}
	}
	want := map[string]string{"arbitrary_arrest": "030101000000", "denial_of_oat": "530107000000", "extortion": "130104000000"}
	for k, code := range want {
		if got[k] == nil || *got[k] != code {
			t.Errorf("%s: code %v, want %s", k, got[k], code)
		}
	}
	if c, ok := got["drug_user_registry"]; !ok || c != nil {
		t.Errorf("drug_user_registry: %v (present %v), want null", c, ok)
	}
	// And the bundle reads back whole.
	if _, err := Read(ctx, bytes.NewReader(data), []age.Identity{id.Age}, nil); err != nil {
		t.Fatal(err)
	}
}
