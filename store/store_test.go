package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sqlcipher "github.com/mutecomm/go-sqlcipher/v4"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/testhooks"
)

func init() { testhooks.ScryptWorkFactor = 10 } // fast unlocks in tests

var ctx = context.Background()

func fixedClock() func() time.Time {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return t0 }
}

func testVault(t testing.TB) (*Vault, *crypto.RecoveryKey, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v, rk, err := Create(dir, "test passphrase", CreateOptions{OrgName: "Test Harm Reduction Network"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v, rk, dir
}

func hashDir(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreateOpenWrongPassphrase(t *testing.T) {
	v, rk, dir := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(`{"title":"t","country":"ru"}`)); err != nil {
		t.Fatal(err)
	}
	if got := v.Org(); got.Code != "THRN" || got.Name != "Test Harm Reduction Network" {
		t.Fatalf("org %+v", got)
	}
	v.Close()
	before := hashDir(t, dir)
	for _, wrong := range []string{"", "test passphrasE", "test passphrase ", "x"} {
		_, err := Open(dir, wrong, Options{})
		if !errors.Is(err, crypto.ErrWrongPassphrase) {
			t.Fatalf("wrong passphrase %q: %v", wrong, err)
		}
	}
	// Only the count in the key file changes (countFailedUnlock); the
	// database and the folder's other files stay as they were.
	after := hashDir(t, dir)
	delete(before, KeyFileName)
	delete(after, KeyFileName)
	if !mapsEqual(before, after) {
		t.Fatalf("a wrong passphrase changed the vault folder:\nbefore %v\nafter  %v", keys(before), keys(after))
	}
	if g, _ := ReadUnlockGuard(dir); g.Failed != 4 {
		t.Fatalf("%d wrong passphrases counted, want 4", g.Failed)
	}
	v2, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := v2.Count(ctx, Query{}); n != 1 {
		t.Fatalf("count %d", n)
	}
	v2.Close()
	v3, err := OpenWithRecoveryKey(dir, rk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := v3.ChangePassphrase("new one"); err != nil {
		t.Fatal(err)
	}
	v3.Close()
	if _, err := Open(dir, "test passphrase", Options{}); !errors.Is(err, crypto.ErrWrongPassphrase) {
		t.Fatalf("old passphrase after change: %v", err)
	}
	v4, err := Open(dir, "new one", Options{})
	if err != nil {
		t.Fatal(err)
	}
	v4.Close()
	other, _ := crypto.NewRecoveryKey()
	if _, err := OpenWithRecoveryKey(dir, other, Options{}); !errors.Is(err, crypto.ErrWrongRecoveryKey) {
		t.Fatalf("other recovery key: %v", err)
	}
}

func mapsEqual(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func keys(m map[string][32]byte) []string {
	var ks []string
	for k, v := range m {
		ks = append(ks, fmt.Sprintf("%s:%x", k, v[:4]))
	}
	slices.Sort(ks)
	return ks
}

func TestCreateRefusesExistingAndOpenMissing(t *testing.T) {
	_, _, dir := testVault(t)
	if _, _, err := Create(dir, "p", CreateOptions{}); !errors.Is(err, ErrVaultExists) {
		t.Fatalf("second create: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none"), "p", Options{}); !errors.Is(err, ErrNoVault) {
		t.Fatalf("open missing: %v", err)
	}
	// An interrupted creation: database, no key file.
	half := t.TempDir()
	os.WriteFile(filepath.Join(half, DBFile), []byte("x"), 0o600)
	if _, err := Open(half, "p", Options{}); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("open half-created: %v", err)
	}
}

func TestDatabaseFromAnotherVault(t *testing.T) {
	_, _, a := testVault(t)
	_, _, b := testVault(t)
	data, _ := os.ReadFile(filepath.Join(b, KeyFileName))
	os.WriteFile(filepath.Join(a, KeyFileName), data, 0o600)
	if _, err := Open(a, "test passphrase", Options{}); !errors.Is(err, ErrNotDatabase) {
		t.Fatalf("got %v, want ErrNotDatabase", err)
	}
}

func TestAddAllOrNothing(t *testing.T) {
	good := `{"title":"ok","incident_date":"2025-03"}`
	tests := []struct {
		name, input string
		line        int
		field, msg  string
	}{
		{"unknown violation", good + "\n" + `{"title":"x","violations":[{"type":"beating"}]}`, 2, "violations[0].type", "unknown violation type"},
		{"bad date", good + "\n\n" + `{"title":"x","incident_date":"2025-13-01"}`, 3, "incident_date", "not a real date"},
		{"date format", `{"title":"x","incident_date":"01/02/2025"}`, 1, "incident_date", "YYYY"},
		{"future date", `{"title":"x","incident_date":"2099"}`, 1, "incident_date", "future"},
		{"missing title", good + "\n" + `{"narrative":"no title"}`, 2, "title", "required"},
		{"blank title", `{"title":"   "}`, 1, "title", "required"},
		{"malformed json", good + "\n" + `{"title": "x",}`, 2, "", "malformed JSON"},
		{"truncated", good + "\n" + `{"title": "x"`, 2, "", "ends in the middle"},
		{"unknown field", `{"title":"x","titel":"y"}`, 1, "titel", "unknown field"},
		{"wrong type", `{"title":"x","tags":"a"}`, 1, "tags", "expected a list"},
		{"bad country", `{"title":"x","country":"XX"}`, 1, "country", "ISO 3166"},
		{"bad perpetrator", `{"title":"x","violations":[{"type":"extortion","perpetrator":"cops"}]}`, 1, "violations[0].perpetrator", "unknown perpetrator"},
		{"bad role", `{"title":"x","people":[{"role":"hero","pseudonym":"A"}]}`, 1, "people[0].roles[0]", "unknown role"},
		{"no pseudonym", `{"title":"x","people":[{"role":"victim"}]}`, 1, "people[0].pseudonym", "required"},
		{"bad scope", `{"title":"x","consent":{"obtained":true,"scope":["everyone"]}}`, 1, "consent.scope[0]", "unknown consent scope"},
		{"scope without consent", `{"title":"x","consent":{"obtained":false,"scope":"legal_partners"}}`, 1, "consent.scope", "not obtained"},
		{"bad age", `{"title":"x","people":[{"role":"victim","pseudonym":"A","age":300}]}`, 1, "people[0].age", "between 0 and 120"},
		{"unknown victim", `{"title":"x","violations":[{"type":"extortion","victim":"Nobody"}]}`, 1, "violations[0].victim", "not the pseudonym"},
		{"end before start", `{"title":"x","incident_date":"2025-05","incident_end_date":"2025-04-30"}`, 1, "incident_end_date", "before"},
		{"array", `[{"title":"x"}]`, 1, "", "found an array"},
		{"not object", `"title"`, 1, "", "expected a JSON object"},
		{"bad status", `{"title":"x","status":"done"}`, 1, "status", "unknown case status"},
		{"bad id", `{"id":"123","title":"x"}`, 1, "id", "UUID"},
		{"newline in string", "{\"title\":\"a\nb\"}", 1, "", "runs past the end"},
	}
	// The reason code lets the app say it in the person's language.
	reasons := map[string]string{
		"unknown violation": ReasonUnknownValue, "bad date": ReasonBadDate, "date format": ReasonBadDate,
		"future date": ReasonDateInFuture, "missing title": ReasonRequired, "blank title": ReasonRequired,
		"bad country": ReasonBadCountry, "bad perpetrator": ReasonUnknownValue, "bad role": ReasonUnknownValue,
		"no pseudonym": ReasonRequired, "bad scope": ReasonUnknownValue, "scope without consent": ReasonScopeNoConsent,
		"bad age": ReasonBadAge, "unknown victim": ReasonNotAPerson, "end before start": ReasonEndBeforeStart,
		"bad status": ReasonUnknownValue,
	}
	v, _, _ := testVault(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, err := v.AddCases(ctx, strings.NewReader(tc.input))
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got ids %v err %v, want a FieldError", ids, err)
			}
			if fe.Reason != reasons[tc.name] {
				t.Errorf("reason %q, want %q", fe.Reason, reasons[tc.name])
			}
			if fe.Line != tc.line || fe.Field != tc.field || !strings.Contains(fe.Msg, tc.msg) {
				t.Fatalf("got line %d field %q msg %q; want line %d field %q msg ~%q", fe.Line, fe.Field, fe.Msg, tc.line, tc.field, tc.msg)
			}
			if n, _ := v.Count(ctx, Query{}); n != 0 {
				t.Fatalf("%d cases were added from input that had an error", n)
			}
		})
	}
}

func TestAddFormsAndOrder(t *testing.T) {
	v, _, _ := testVault(t)
	pretty := "\ufeff{\n  \"title\": \"one\",\n  \"narrative\": \"brace } in \\\" text {\"\n}\n{\"title\":\"two\"}\r\n\n  {\"title\":\"three\"}"
	ids, err := v.AddCases(ctx, strings.NewReader(pretty))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 {
		t.Fatalf("ids %v", ids)
	}
	for i, want := range []string{"one", "two", "three"} {
		c, err := v.Get(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if c.Title != want {
			t.Fatalf("case %d is %q, want %q", i, c.Title, want)
		}
		if wantRef := fmt.Sprintf("THRN-%s-%04d", time.Now().UTC().Format("2006"), i+1); c.Reference != wantRef {
			t.Fatalf("reference %q, want %q", c.Reference, wantRef)
		}
		byRef, err := v.Get(ctx, c.Reference)
		if err != nil || byRef.ID != c.ID {
			t.Fatalf("get by reference: %v", err)
		}
	}
	if _, err := v.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	ids2, err := v.AddCases(ctx, strings.NewReader(`{"title":"four"}`))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := v.Get(ctx, ids2[0]); !strings.HasSuffix(c.Reference, "-0004") {
		t.Fatalf("counter did not continue: %s", c.Reference)
	}
	if _, err := v.AddCases(ctx, strings.NewReader(fmt.Sprintf(`{"id":%q,"title":"dup"}`, ids[0]))); !errors.Is(err, ErrInvalid) {
		t.Fatalf("duplicate id: %v", err)
	}
}

const sample = `{"title":"Задержание у аптеки","narrative":"Сотрудники полиции задержали Пётра у аптеки и изъяли шприцы.","incident_date":"2025-02-14","country":"RU","region":"Свердловская область","locality":"Екатеринбург","status":"open","tags":["аптека","raid"],"violations":[{"type":"arbitrary_arrest","perpetrator":"police"},{"type":"confiscation_of_harm_reduction_supplies","perpetrator":"police"}],"people":[{"role":"victim","pseudonym":"Пётр","gender":"male","characteristics":["injects_drugs"]}],"consent":{"obtained":true,"scope":["legal_partners"]}}
{"title":"Penolakan layanan metadon","narrative":"Klinik menolak memberikan dosis metadon kepada José.","incident_date":"2025-06","country":"ID","locality":"Bandung","status":"under_review","tags":["oat"],"violations":[{"type":"denial_of_oat","perpetrator":"health_worker"}],"people":[{"role":"victim","pseudonym":"José"}]}
{"title":"Extorsión en retén","narrative":"La policía exigió dinero a cambio de no detener a María.","incident_date":"2024","country":"BO","locality":"El Alto","status":"closed","violations":[{"type":"extortion","perpetrator":"police"}],"people":[{"role":"victim","pseudonym":"María"},{"role":"witness","pseudonym":"Ana"}]}
{"title":"Internação compulsória","narrative":"Levado à força para uma comunidade terapêutica em São Paulo.","incident_date":"2025-09-03","country":"BR","locality":"São Paulo","status":"referred","violations":[{"type":"compulsory_treatment","perpetrator":"treatment_centre_staff"}],"people":[{"role":"victim","pseudonym":"Zé"}]}
`

func titles(s []Summary) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Title)
	}
	slices.Sort(out)
	return out
}

func TestSearchScripts(t *testing.T) {
	v, _, _ := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"аптек", []string{"Задержание у аптеки"}},      // Cyrillic prefix
		{"ПОЛИЦИИ", []string{"Задержание у аптеки"}},    // Cyrillic case folding
		{"петра", []string{"Задержание у аптеки"}},      // ё written as е
		{"Пётр", []string{"Задержание у аптеки"}},       // pseudonym, with ё
		{"jose", []string{"Penolakan layanan metadon"}}, // accent-insensitive
		{"JOSÉ", []string{"Penolakan layanan metadon"}},
		{"sao paulo", []string{"Internação compulsória"}}, // locality, accents folded
		{"internacao", []string{"Internação compulsória"}},
		{"extorsion", []string{"Extorsión en retén"}},
		{"Ana", []string{"Extorsión en retén"}},   // a witness's pseudonym
		{"raid", []string{"Задержание у аптеки"}}, // tag
		{"bandung", []string{"Penolakan layanan metadon"}},
		{"policía dinero", []string{"Extorsión en retén"}},
		{"policía metadon", nil},
		{`"AND" OR NOT ( * ) -`, nil}, // operators are plain words, not syntax
		{"zzzz", nil},
		{"аптеке", []string{"Задержание у аптеки"}},    // inflected form
		{"сотрудник", []string{"Задержание у аптеки"}}, // сотрудники
		{"metadona", []string{"Penolakan layanan metadon"}},
		{"policías", []string{"Extorsión en retén"}},
	}
	for _, tc := range tests {
		got, err := v.List(ctx, Query{Text: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if !slices.Equal(titles(got), tc.want) {
			t.Errorf("search %q: got %v, want %v", tc.q, titles(got), tc.want)
		}
	}
}

func TestFiltersSortAndPages(t *testing.T) {
	v, _, _ := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"status", Query{Status: "closed"}, []string{"Extorsión en retén"}},
		{"violation", Query{Violation: "denial_of_oat"}, []string{"Penolakan layanan metadon"}},
		{"perpetrator", Query{Perpetrator: "police"}, []string{"Extorsión en retén", "Задержание у аптеки"}},
		{"country lower", Query{Country: "br"}, []string{"Internação compulsória"}},
		{"tag", Query{Tag: "oat"}, []string{"Penolakan layanan metadon"}},
		{"from", Query{From: "2025-06-15"}, []string{"Internação compulsória", "Penolakan layanan metadon"}},
		{"to year", Query{To: "2024"}, []string{"Extorsión en retén"}},
		{"range", Query{From: "2025-02", To: "2025-02"}, []string{"Задержание у аптеки"}},
		{"text+filter", Query{Text: "policia", Perpetrator: "police"}, []string{"Extorsión en retén"}},
		{"combined none", Query{Status: "closed", Country: "RU"}, nil},
	}
	for _, tc := range tests {
		got, err := v.List(ctx, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(titles(got), tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, titles(got), tc.want)
		}
		n, err := v.Count(ctx, tc.q)
		if err != nil || n != len(tc.want) {
			t.Errorf("%s: count %d (%v), want %d", tc.name, n, err, len(tc.want))
		}
	}
	all, _ := v.List(ctx, Query{})
	var dates []string
	for _, s := range all {
		dates = append(dates, s.IncidentDate)
	}
	if !slices.Equal(dates, []string{"2025-09-03", "2025-06", "2025-02-14", "2024"}) {
		t.Fatalf("default order %v", dates)
	}
	p1, _ := v.List(ctx, Query{Limit: 2})
	p2, _ := v.List(ctx, Query{Limit: 2, Offset: 2})
	if len(p1) != 2 || len(p2) != 2 || p1[0].ID != all[0].ID || p2[0].ID != all[2].ID {
		t.Fatalf("pages %v %v", p1, p2)
	}
	for _, bad := range []Query{{Status: "nope"}, {Violation: "beating"}, {From: "yesterday"}, {Sort: "random"}} {
		if _, err := v.List(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("query %+v: %v", bad, err)
		}
	}
}

func TestEditKeepsRevisions(t *testing.T) {
	v, _, _ := testVault(t)
	ids, err := v.AddCases(ctx, strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := v.Get(ctx, ids[0])
	c, err := v.Edit(ctx, ids[0], []byte(`{"status":"referred","narrative":"новый текст","tags":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != "referred" || c.Narrative != "новый текст" || c.Tags != nil || c.Revision != 2 || c.Title != before.Title {
		t.Fatalf("edited case %+v", c)
	}
	revs, err := v.Revisions(ctx, ids[0])
	if err != nil || len(revs) != 1 || revs[0].Narrative != before.Narrative || revs[0].Revision != 1 {
		t.Fatalf("revisions %v %v", revs, err)
	}
	// The index follows the edit.
	if got, _ := v.List(ctx, Query{Text: "новый"}); len(got) != 1 {
		t.Fatalf("new text not found: %v", got)
	}
	if got, _ := v.List(ctx, Query{Text: "аптек", Tag: "raid"}); len(got) != 0 {
		t.Fatalf("old tag still indexed: %v", got)
	}
	for _, bad := range []string{`{"id":"x"}`, `{"status":"done"}`, `not json`, `{"titel":"x"}`, `{"title":""}`} {
		if _, err := v.Edit(ctx, ids[0], []byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("edit %s: %v", bad, err)
		}
	}
	if after, _ := v.Get(ctx, ids[0]); after.Revision != 2 {
		t.Fatalf("a rejected edit changed the case: revision %d", after.Revision)
	}
}

// TestDumpDeterministic: two vaults given the same cases in different
// orders dump the same bytes; a different case changes the dump.
func TestDumpDeterministic(t *testing.T) {
	mk := func() *Vault {
		v, _, err := Create(filepath.Join(t.TempDir(), "v"), "p", CreateOptions{OrgName: "Same", Options: Options{Now: fixedClock(), Actor: "a"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { v.Close() })
		return v
	}
	// Revision ids are random by design (each save of a version is a
	// version of its own), so they are left out of the comparison.
	revID := regexp.MustCompile(`"revision_id": "[0-9a-f]{32}"`)
	dump := func(v *Vault) []byte {
		var buf bytes.Buffer
		if err := v.Dump(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		return revID.ReplaceAll(buf.Bytes(), []byte(`"revision_id": "…"`))
	}
	a := mk()
	ids, err := a.AddCases(ctx, strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	// Vault b gets the same records, ids included, in another order.
	b, c := mk(), mk()
	for _, i := range []int{3, 1, 0, 2} {
		got, _ := a.Get(ctx, ids[i])
		if _, err := b.Add(ctx, got); err != nil {
			t.Fatal(err)
		}
		if i != 2 {
			got, _ := a.Get(ctx, ids[i])
			c.Add(ctx, got)
		}
	}
	da, db := dump(a), dump(b)
	if !bytes.Equal(da, db) {
		t.Fatalf("dumps differ:\n%s\n---\n%s", da, db)
	}
	if bytes.Equal(da, dump(c)) {
		t.Fatal("dump did not change with content")
	}
	if !bytes.Contains(da, []byte(`"format": "dossier-dump"`)) || !bytes.Contains(da, []byte("Пётр")) {
		t.Fatalf("dump lacks content:\n%s", da)
	}
	// An edit shows in the dump, with the earlier revision kept.
	if _, err := a.Edit(ctx, ids[0], []byte(`{"status":"closed"}`)); err != nil {
		t.Fatal(err)
	}
	if d := dump(a); bytes.Equal(d, da) || !bytes.Contains(d, []byte(`"revisions": [`)) {
		t.Fatal("an edit did not change the dump or lost its revision")
	}
}

// TestNoPlaintextOnDisk writes unique markers in every kind of field and
// scans every file of the vault folder, write-ahead log included, while the
// vault is open and after it is closed.
func TestNoPlaintextOnDisk(t *testing.T) {
	v, _, dir := testVault(t)
	markers := []string{"MRKtitle7731", "MRKnarr7731", "MRKpseud7731", "MRKlegal7731", "MRKtag7731", "MRKloc7731", "MRKнарратив7731", "MRKdesc7731"}
	in := fmt.Sprintf(`{"title":%q,"narrative":"%s %s","locality":%q,"tags":[%q],"people":[{"role":"victim","pseudonym":%q,"legal_name":%q}],"violations":[{"type":"extortion","description":%q}]}`,
		markers[0], markers[1], markers[6], markers[5], markers[4], markers[2], markers[3], markers[7])
	var many strings.Builder
	for i := 0; i < 200; i++ { // enough to spill pages into the WAL
		many.WriteString(in + "\n")
	}
	ids, err := v.AddCases(ctx, strings.NewReader(many.String()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Edit(ctx, ids[0], []byte(`{"narrative":"MRKedit7731"}`)); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, "MRKedit7731")
	// Evidence: its bytes and its name, in the evidence folder too.
	if _, err := v.Attach(ctx, ids[0], strings.NewReader(strings.Repeat("MRKevidence7731 ", 40000)), AttachOptions{Name: "MRKfilename7731.txt"}); err != nil {
		t.Fatal(err)
	}
	markers = append(markers, "MRKevidence7731", "MRKfilename7731")
	if _, err := v.List(ctx, Query{Text: "MRKtitle7731"}); err != nil {
		t.Fatal(err)
	}
	scan := func(when string) {
		found := 0
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			found++
			for _, m := range markers {
				for _, form := range [][]byte{[]byte(m), utf16le(m)} {
					if bytes.Contains(b, form) {
						t.Errorf("%s: marker %q in plaintext in %s", when, m, filepath.Base(p))
					}
				}
			}
			return nil
		})
		if found < 2 {
			t.Fatalf("%s: only %d files scanned", when, found)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, DBFile+"-wal")); err != nil {
		t.Fatalf("expected a write-ahead log while open: %v", err)
	}
	scan("while open")
	v.Close()
	scan("after close")
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestIntegrityAndReopen(t *testing.T) {
	v, _, dir := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	if err := v.CheckIntegrity(ctx); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v2, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if n, _ := v2.Count(ctx, Query{}); n != 4 {
		t.Fatalf("count after reopen %d", n)
	}
	var mode string
	v2.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	var sync int
	v2.db.QueryRow("PRAGMA synchronous").Scan(&sync)
	if mode != "wal" || sync != 2 {
		t.Fatalf("journal_mode %q synchronous %d; want wal and FULL (2)", mode, sync)
	}
}

func TestOrgCode(t *testing.T) {
	for name, want := range map[string]string{
		"Eurasian Harm Reduction Network": "EHRN",
		"Rumah Cemara":                    "RC",
		"Сеть людей":                      "DOS",
		"":                                "DOS",
		"a b c d e f g":                   "ABCDE",
	} {
		if got := orgCode(name); got != want {
			t.Errorf("orgCode(%q) = %q, want %q", name, got, want)
		}
	}
}

// Ids are UUIDv7 in canonical form, and strictly ordered even when many
// are made in the same millisecond (the library's counter; random bits
// alone would not be).
func TestUUIDv7(t *testing.T) {
	prev := ""
	for i := 0; i < 1000; i++ {
		a := newUUID()
		if !validUUID(a) || a[14] != '7' || !strings.ContainsRune("89ab", rune(a[19])) {
			t.Fatalf("not a v7 UUID: %s", a)
		}
		if a <= prev {
			t.Fatalf("UUIDv7 not ordered by creation: %s <= %s", a, prev)
		}
		prev = a
	}
	for _, s := range []string{"", "0189c3a2-7b1e-7c3d-8e4f-5a6b7c8d9e0f0", "0189C3A2-7B1E-7C3D-8E4F-5A6B7C8D9E0F",
		"{0189c3a2-7b1e-7c3d-8e4f-5a6b7c8d9e0f}", "urn:uuid:0189c3a2-7b1e-7c3d-8e4f-5a6b7c8d9e0f", "0189c3a27b1e7c3d8e4f5a6b7c8d9e0f"} {
		if validUUID(s) {
			t.Errorf("validUUID(%q) = true, want false: ids are lower-case canonical", s)
		}
	}
	if !validUUID("0189c3a2-7b1e-7c3d-8e4f-5a6b7c8d9e0f") {
		t.Error("a canonical UUID is refused")
	}
}

// Every vocabulary key has a label in every language.
func TestVocabularyLabels(t *testing.T) {
	for _, lang := range assets.Languages {
		m, err := assets.Messages(lang)
		if err != nil {
			t.Fatal(err)
		}
		for vocab, keys := range Vocabularies {
			for _, k := range keys {
				if _, ok := m[vocab+"."+k]; !ok {
					t.Errorf("%s: no label for %s.%s", lang, vocab, k)
				}
			}
		}
	}
}

func TestVaultFilePermissions(t *testing.T) {
	v, _, dir := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("vault folder mode %v, want 0700", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		info, _ := e.Info()
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v: readable by others", e.Name(), info.Mode().Perm())
		}
	}
}

func TestSettings(t *testing.T) {
	v, _, _ := testVault(t)
	if s, err := v.Setting(ctx, "auto_lock_minutes"); err != nil || s != "" {
		t.Fatalf("unset setting: %q %v", s, err)
	}
	if err := v.SetSetting(ctx, "auto_lock_minutes", "3"); err != nil {
		t.Fatal(err)
	}
	v.SetSetting(ctx, "auto_lock_minutes", "4")
	if s, _ := v.Setting(ctx, "auto_lock_minutes"); s != "4" {
		t.Fatalf("setting %q", s)
	}
}

func TestDrafts(t *testing.T) {
	v, _, dir := testVault(t)
	if c, _, err := v.Draft(ctx, DraftNew); c != nil || err != nil {
		t.Fatalf("draft before any: %v %v", c, err)
	}
	// Drafts need not be valid, and survive closing the vault.
	if err := v.SaveDraft(ctx, DraftNew, &Case{Title: "", Narrative: "MRKdraft9911 half typed", IncidentDate: "2025-1"}); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v2, err := Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	c, at, err := v2.Draft(ctx, DraftNew)
	if err != nil || c == nil || c.Narrative != "MRKdraft9911 half typed" || at == "" {
		t.Fatalf("draft after reopen: %+v %q %v", c, at, err)
	}
	var buf bytes.Buffer
	v2.Dump(ctx, &buf)
	if bytes.Contains(buf.Bytes(), []byte("MRKdraft9911")) {
		t.Fatal("a draft is in the dump")
	}
	v2.DeleteDraft(ctx, DraftNew)
	if c, _, _ := v2.Draft(ctx, DraftNew); c != nil {
		t.Fatal("draft not deleted")
	}
}

// Locking the app closes the vault while a list refresh or a draft save may
// still be running on another goroutine; those must fail with an error, never
// panic (a nil *sql.DB did, in CI).
func TestUseAfterCloseFails(t *testing.T) {
	v, _, _ := testVault(t)
	if _, err := v.AddCases(ctx, strings.NewReader(`{"title":"t","country":"ru"}`)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				v.Count(ctx, Query{})
				v.List(ctx, Query{Limit: 10})
				v.SetSetting(ctx, "x", "y")
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := v.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if _, err := v.Count(ctx, Query{}); err == nil {
		t.Fatal("Count after Close succeeded")
	}
	if _, err := v.AddCases(ctx, strings.NewReader(`{"title":"t","country":"ru"}`)); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddCases after Close: %v, want ErrClosed", err)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

// The connection settings that keep plaintext off the disk, and the one
// that keeps SQLCipher fast, hold on every pooled connection.
func TestConnectionPragmas(t *testing.T) {
	v, _, _ := testVault(t)
	want := map[string]string{
		"temp_store":             "2", // MEMORY: no temp files
		"secure_delete":          "1",
		"foreign_keys":           "1",
		"journal_mode":           "wal",
		"synchronous":            "2",     // FULL
		"cipher_memory_security": "0",     // see docs/security.md
		"cipher_page_size":       "65536", // part of the file format
		"trusted_schema":         "0",     // SQL in a schema calls only harmless functions
	}
	// Several connections at once, so more than one is checked.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := v.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	for i, c := range conns {
		for p, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
				t.Fatalf("conn %d: %s: %v", i, p, err)
			}
			if got != w {
				t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, p, got, w)
			}
		}
	}
}

// SQLite's "database or disk is full" and ENOSPC are both ErrDiskFull
// (the tmpfs test in cmd/dossierctl needs root; this one runs anywhere).
func TestDiskFullMarked(t *testing.T) {
	for _, err := range []error{
		sqlcipher.Error{Code: sqlcipher.ErrFull},
		fmt.Errorf("write: %w", syscall.ENOSPC),
	} {
		if got := diskFull(err); !errors.Is(got, ErrDiskFull) || !errors.Is(got, err) {
			t.Errorf("%v: got %v", err, got)
		}
	}
	other := errors.New("constraint failed")
	if got := diskFull(other); got != other {
		t.Errorf("another error was changed: %v", got)
	}
	if diskFull(nil) != nil {
		t.Error("nil became an error")
	}
}

// A form shows every refused field at once: the error names them all, in
// the order of the case's fields, one per field.
func TestValidationReportsEveryField(t *testing.T) {
	c := &Case{IncidentDate: "2025-13", Country: "XX",
		Violations: []Violation{{Perpetrator: "police"}},
		People:     []Person{{Pseudonym: "A"}}}
	err := c.Normalize(time.Now())
	var fe *FieldError
	if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("not a field error: %v", err)
	}
	var got []string
	for _, e := range fe.All() {
		got = append(got, e.Field+":"+e.Reason)
	}
	want := "title:required incident_date:bad_date country:bad_country people[0].role:required violations[0].type:required"
	if strings.Join(got, " ") != want {
		t.Fatalf("fields refused:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if fe.Error() != `field "title": is required and empty` {
		t.Fatalf("the message says more than the first field: %q", fe.Error())
	}
	// An end date is compared with the start only when both are dates.
	c = &Case{Title: "t", IncidentDate: "2025-1", IncidentEndDate: "2024"}
	err = c.Normalize(time.Now())
	if !errors.As(err, &fe) || len(fe.All()) != 1 || fe.Field != "incident_date" {
		t.Fatalf("end date compared with a bad start: %v", err)
	}
}

// A vault folder made beforehand with the usual 0755 (by hand, or by a
// file dialog's "new folder") is tightened to 0700 by Create and by
// CreateForRestore: MkdirAll alone leaves an existing folder's mode alone.
func TestCreateTightensExistingFolder(t *testing.T) {
	_, rk, _ := testVault(t)
	for name, create := range map[string]func(dir string) (*Vault, error){
		"Create": func(dir string) (*Vault, error) {
			v, _, err := Create(dir, "p", CreateOptions{})
			return v, err
		},
		"CreateForRestore": func(dir string) (*Vault, error) {
			return CreateForRestore(dir, "p", rk, Options{})
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "existing")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
				t.Fatal(err)
			}
			v, err := create(dir)
			if err != nil {
				t.Fatal(err)
			}
			v.Close()
			st, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o700 {
				t.Errorf("vault folder mode %v after %s into an existing 0755 folder, want 0700", st.Mode().Perm(), name)
			}
		})
	}
}
