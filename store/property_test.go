package store

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

var alphabets = []string{
	"abcdefghijklmnopqrstuvwxyz ",
	"àáâãçéêíóôõúüñ ",
	"абвгдеёжзийклмнопрстуфхцчшщъыьэюя ",
	"🔐🗝️ ",
	`"\'{}[]:,<>&;--  `,
	"\t\n\r",
}

func randText(r *rand.Rand, max int) string {
	n := r.IntN(max + 1)
	var b strings.Builder
	for i := 0; i < n; i++ {
		a := []rune(alphabets[r.IntN(len(alphabets))])
		b.WriteRune(a[r.IntN(len(a))])
	}
	return b.String()
}

func pick(r *rand.Rand, vocab []string) string { return vocab[r.IntN(len(vocab))] }

func randCase(r *rand.Rand) *Case {
	c := &Case{
		Title:     "t" + randText(r, 40),
		Narrative: randText(r, 300),
		Country:   []string{"", "RU", "ID", "BO", "BR", "ML", "PL"}[r.IntN(7)],
		Locality:  randText(r, 20),
		Status:    pick(r, CaseStatuses),
	}
	if r.IntN(2) == 0 {
		c.IncidentDate = []string{"2019", "2021-07", "2024-02-29"}[r.IntN(3)]
	}
	for i := r.IntN(4); i > 0; i-- {
		c.Tags = append(c.Tags, "g"+randText(r, 8))
	}
	for i := r.IntN(3); i > 0; i-- {
		age := r.IntN(90)
		c.People = append(c.People, Person{Roles: []string{pick(r, Roles)}, Pseudonym: "p" + randText(r, 12), Age: &age, Characteristics: []string{pick(r, Characteristics)}})
	}
	for i := r.IntN(3); i > 0; i-- {
		c.Violations = append(c.Violations, Violation{Type: pick(r, ViolationTypes), Perpetrator: pick(r, Perpetrators), Description: randText(r, 50)})
	}
	if r.IntN(2) == 0 {
		c.Consent = &Consent{Obtained: true, Scope: ScopeList{pick(r, ConsentScopes)}}
	}
	return c
}

// TestPropertyRoundTrip: random cases with text in several scripts, control
// characters and JSON metacharacters come back from the vault as they went
// in (after normalization), through a close and reopen, and the dump does
// not change across the reopen.
func TestPropertyRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dir := filepath.Join(t.TempDir(), "v")
	v, _, err := Create(dir, "p", CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []*Case
	for i := 0; i < 200; i++ {
		c := randCase(r)
		if err := c.Normalize(v.now()); err != nil {
			continue // a random title of only spaces, say
		}
		want = append(want, c)
	}
	// Through the text form, as dossierctl add reads it.
	var in bytes.Buffer
	for _, c := range want {
		b, _ := json.Marshal(c)
		in.Write(b)
		in.WriteByte('\n')
	}
	ids, err := v.AddCases(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	var dump1 bytes.Buffer
	v.Dump(ctx, &dump1)
	v.Close()
	v, err = Open(dir, "p", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for i, id := range ids {
		got, err := v.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		w := *want[i]
		w.ID, w.Reference, w.Revision, w.OriginOrg, w.RevisionID = got.ID, got.Reference, got.Revision, got.OriginOrg, got.RevisionID
		w.CreatedAt, w.CreatedBy, w.UpdatedAt, w.UpdatedBy = got.CreatedAt, got.CreatedBy, got.UpdatedAt, got.UpdatedBy
		for j := range w.People {
			w.People[j].ID = got.People[j].ID
		}
		for j := range w.Violations {
			w.Violations[j].ID = got.Violations[j].ID
		}
		a, _ := json.Marshal(&w)
		b, _ := json.Marshal(got)
		if !bytes.Equal(a, b) {
			t.Fatalf("case %d changed in the vault:\nin  %s\nout %s", i, a, b)
		}
	}
	var dump2 bytes.Buffer
	v.Dump(ctx, &dump2)
	if !bytes.Equal(dump1.Bytes(), dump2.Bytes()) {
		t.Fatal("dump changed across close and reopen")
	}
	if !json.Valid(dump2.Bytes()) {
		t.Fatal("dump is not valid JSON")
	}
}
