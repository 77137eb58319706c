package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func age(n int) *int { return &n }

// base is a case as the vault holds it: rows with ids.
func baseCase() *Case {
	return &Case{
		Title: "Detained at the pharmacy", Narrative: "Two officers stopped him at the pharmacy door and took his syringes.",
		IncidentDate: "2025-02-14", Country: "RU", Status: "open", Tags: []string{"pharmacy", "syringes"},
		People: []Person{
			{ID: "p1", Roles: []string{"victim"}, Pseudonym: "Пётр", LegalName: "Пётр Иванов", Contact: "+7 900", Age: age(34)},
			{ID: "p2", Roles: []string{"witness"}, Pseudonym: "Anna"},
		},
		Violations:    []Violation{{ID: "v1", Type: "arbitrary_arrest", Perpetrator: "police", Victim: "Пётр"}},
		Interventions: []Intervention{{ID: "i1", Type: "legal_aid", Status: "planned"}},
		Consent:       &Consent{Obtained: true, Scope: ScopeList{"legal_partners"}},
		Notes:         []Note{{ID: "n1", Author: "Anna", Date: "2025-02-15", Text: "Call the lawyer."}},
	}
}

func cloneCase(t testing.TB, c *Case) *Case {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var out Case
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// brief is a change as one line, for table tests.
func brief(ch Change) string {
	s := fmt.Sprintf("%s %s %q→%q", ch.Path, ch.Op, ch.Old, ch.New)
	if ch.Sensitive {
		s += " sensitive"
	}
	return s
}

func TestDiffTable(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Case)
		want []string
	}{
		{"nothing", func(c *Case) {}, nil},
		{"status", func(c *Case) { c.Status = "referred" }, []string{`status changed "open"→"referred"`}},
		{"title and narrative", func(c *Case) {
			c.Title = "Detained at the pharmacy, again"
			c.Narrative = strings.Replace(c.Narrative, "Two", "Three", 1)
		}, []string{
			`title changed "Detained at the pharmacy"→"Detained at the pharmacy, again"`,
			`narrative changed "Two officers stopped him at the pharmacy door and took his syringes."→"Three officers stopped him at the pharmacy door and took his syringes."`,
		}},
		{"a field cleared and one set", func(c *Case) { c.Country, c.Priority = "", "high" }, []string{
			`country changed "RU"→""`, `priority changed ""→"high"`,
		}},
		{"estimate", func(c *Case) { c.DateEstimated = true }, []string{`date_estimated changed "false"→"true"`}},
		{"tags", func(c *Case) { c.Tags = []string{"pharmacy", "urgent"} }, []string{
			`tags["syringes"] removed "syringes"→""`, `tags["urgent"] added ""→"urgent"`,
		}},
		{"person added", func(c *Case) {
			c.People = append(c.People, Person{ID: "p3", Roles: []string{"source"}, Pseudonym: "Olga", Contact: "olga@example.org"})
		}, []string{
			`people[p3] added ""→""`, `people[p3].pseudonym changed ""→"Olga"`, `people[p3].roles["source"] added ""→"source"`,
			`people[p3].contact changed ""→"olga@example.org" sensitive`,
		}},
		{"person removed", func(c *Case) { c.People = c.People[:1] }, []string{
			`people[p2] removed ""→""`, `people[p2].pseudonym changed "Anna"→""`, `people[p2].roles["witness"] removed "witness"→""`,
		}},
		{"sensitive fields and role of a person", func(c *Case) {
			c.People[0].LegalName, c.People[0].Contact, c.People[0].Roles = "Пётр Сидоров", "", []string{"victim", "witness"}
			c.People[0].Age = nil
		}, []string{
			`people[p1].roles["witness"] added ""→"witness"`, `people[p1].age changed "34"→""`,
			`people[p1].legal_name changed "Пётр Иванов"→"Пётр Сидоров" sensitive`, `people[p1].contact changed "+7 900"→"" sensitive`,
		}},
		{"rows reordered are not a change", func(c *Case) { c.People[0], c.People[1] = c.People[1], c.People[0] }, nil},
		{"violation changed, response removed", func(c *Case) {
			c.Violations[0].Perpetrator, c.Violations[0].Method = "drug_control_agency", "Threatened"
			c.Interventions = nil
		}, []string{
			`violations[v1].perpetrator changed "police"→"drug_control_agency"`, `violations[v1].method changed ""→"Threatened"`,
			`interventions[i1] removed ""→""`, `interventions[i1].type changed "legal_aid"→""`, `interventions[i1].status changed "planned"→""`,
		}},
		{"consent withdrawn", func(c *Case) { c.Consent = &Consent{Obtained: false} }, []string{
			`consent.obtained changed "true"→"false"`, `consent.scope["legal_partners"] removed "legal_partners"→""`,
		}},
		{"consent removed altogether reads as nothing recorded", func(c *Case) { c.Consent = nil }, []string{
			`consent.obtained changed "true"→"false"`, `consent.scope["legal_partners"] removed "legal_partners"→""`,
		}},
		{"note added", func(c *Case) {
			c.Notes = append(c.Notes, Note{ID: "n2", Author: "Olga", Date: "2025-03-01", Text: "Lawyer called back."})
		}, []string{
			`notes[n2] added ""→""`, `notes[n2].date changed ""→"2025-03-01"`, `notes[n2].author changed ""→"Olga"`, `notes[n2].text changed ""→"Lawyer called back."`,
		}},
		{"vault stamps are not content", func(c *Case) {
			c.Revision, c.UpdatedAt, c.UpdatedBy, c.NeedsReview, c.Reference = 7, "2026-01-01T00:00:00.000Z", "someone", true, "X-2026-0001"
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := baseCase()
			new := cloneCase(t, old)
			tt.edit(new)
			var got []string
			for _, ch := range Diff(old, new) {
				got = append(got, brief(ch))
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Diff:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

func TestDiffDescribesFields(t *testing.T) {
	old := baseCase()
	new := cloneCase(t, old)
	new.Status, new.People[0].Gender, new.Narrative = "closed", "male", "x"
	got := Diff(old, new)
	want := []Change{
		{Path: "status", Field: "status", Op: OpChanged, Kind: KindVocab, Vocab: "case_status", Old: "open", New: "closed"},
		{Path: "narrative", Field: "narrative", Op: OpChanged, Kind: KindLong, Old: old.Narrative, New: "x"},
		{Path: "people[p1].gender", List: "people", Row: "p1", Field: "gender", Op: OpChanged, Kind: KindVocab, Vocab: "gender", New: "male"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// From nothing: everything recorded, rows marked added.
	all := Diff(nil, old)
	if len(all) == 0 || all[0].Path != "title" || all[0].New != old.Title {
		t.Fatalf("Diff(nil, c) starts %+v", all)
	}
	if !slices.ContainsFunc(all, func(c Change) bool { return c.Path == "people[p1]" && c.Op == OpAdded && c.Kind == KindRow }) {
		t.Fatal("Diff(nil, c) does not add the people")
	}
	if len(Diff(nil, nil)) != 0 || len(Diff(&Case{}, nil)) != 0 {
		t.Fatal("two empty cases differ")
	}
}

// randFullCase is randCase with every kind of row and the sensitive
// fields, normalized and with ids, as the vault holds it.
func randFullCase(r *rand.Rand, now time.Time) *Case {
	for {
		c := randCase(r)
		for i := range c.People {
			if r.IntN(2) == 0 {
				c.People[i].LegalName = "L" + randText(r, 10)
			}
			if r.IntN(3) == 0 {
				c.People[i].Contact = "+" + randText(r, 8)
			}
			c.People[i].Gender = []string{"", pick(r, Genders)}[r.IntN(2)]
		}
		for i := r.IntN(3); i > 0; i-- {
			c.Interventions = append(c.Interventions, Intervention{Type: pick(r, InterventionType), Status: pick(r, InterventionStat), Outcome: randText(r, 30)})
		}
		for i := r.IntN(3); i > 0; i-- {
			c.Notes = append(c.Notes, Note{Author: "a" + randText(r, 5), Date: "2025-01-02", Text: "n" + randText(r, 40)})
		}
		if r.IntN(3) == 0 {
			c.Priority = pick(r, Priorities)
		}
		if err := c.Normalize(now); err != nil {
			continue
		}
		c.assignIDs(now)
		return c
	}
}

// mutate returns a copy of c with random edits: fields changed, rows
// added, removed, reordered and edited.
func mutate(t testing.TB, r *rand.Rand, c *Case, now time.Time) *Case {
	b := cloneCase(t, c)
	other := randFullCase(r, now) // a source of new values and new rows
	if r.IntN(2) == 0 {
		b.Title = other.Title
	}
	if r.IntN(2) == 0 {
		b.Narrative = b.Narrative + " " + other.Narrative
	}
	if r.IntN(2) == 0 {
		b.Status, b.Priority, b.Country = other.Status, other.Priority, other.Country
	}
	if r.IntN(2) == 0 {
		b.Tags = other.Tags
	}
	if r.IntN(2) == 0 {
		b.DateEstimated = !b.DateEstimated
	}
	// People: drop some, edit some keeping their ids, add others.
	var people []Person
	for _, p := range b.People {
		switch r.IntN(4) {
		case 0: // removed
		case 1:
			if len(other.People) > 0 {
				q := other.People[r.IntN(len(other.People))]
				q.ID = p.ID
				p = q
			}
			people = append(people, p)
		default:
			people = append(people, p)
		}
	}
	people = append(people, other.People...)
	r.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })
	b.People = people
	var violations []Violation
	for _, v := range b.Violations {
		if r.IntN(3) == 0 {
			continue
		}
		if r.IntN(2) == 0 {
			v.Method, v.Perpetrator = randText(r, 20), pick(r, Perpetrators)
		}
		violations = append(violations, v)
	}
	b.Violations = append(violations, other.Violations...)
	if r.IntN(2) == 0 {
		b.Interventions = other.Interventions
	}
	if r.IntN(2) == 0 {
		b.Notes = append(b.Notes, other.Notes...)
	}
	if r.IntN(3) == 0 {
		b.Consent = other.Consent
	}
	return b
}

// apply makes the case that changes describe from c: the inverse of Diff,
// for the property test, with the code that resolutions use (Pick).
func apply(t testing.TB, c *Case, changes []Change) *Case {
	out := cloneCase(t, c)
	for _, ch := range changes {
		if err := applyChange(out, ch); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// content is what Diff compares: rows in id order, lists of keys sorted,
// no consent the same as an empty one, no vault stamps.
func content(t testing.TB, c *Case) string {
	t.Helper()
	x := cloneCase(t, c)
	x.ID, x.Reference, x.Revision, x.OriginOrg, x.NeedsReview = "", "", 0, "", false
	x.CreatedAt, x.CreatedBy, x.UpdatedAt, x.UpdatedBy = "", "", "", ""
	slices.Sort(x.Tags)
	slices.SortFunc(x.People, func(a, b Person) int { return strings.Compare(a.ID, b.ID) })
	for i := range x.People {
		x.People[i].Roles = personRoles(&x.People[i])
		x.People[i].Role = ""
		slices.Sort(x.People[i].Roles)
		slices.Sort(x.People[i].Characteristics)
	}
	slices.SortFunc(x.Violations, func(a, b Violation) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(x.Interventions, func(a, b Intervention) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(x.Notes, func(a, b Note) int { return strings.Compare(a.ID, b.ID) })
	if x.Consent != nil {
		slices.Sort(x.Consent.Scope)
		if reflect.DeepEqual(*x.Consent, Consent{Scope: x.Consent.Scope}) && len(x.Consent.Scope) == 0 {
			x.Consent = nil
		}
	}
	b, _ := json.Marshal(x)
	return string(b)
}

// TestDiffProperties: for random cases a and b (b an edit of a):
// Diff(a, a) is empty; applying Diff(a, b) to a gives b (so Diff misses
// nothing it compares); Diff(b, a) is Diff(a, b) mirrored; paths are
// unique; Diff(nil, b) applied to an empty case gives b; and Diff(a, b) is
// empty exactly when a and b hold the same content.
func TestDiffProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 500; i++ {
		a := randFullCase(r, now)
		b := mutate(t, r, a, now)
		if d := Diff(a, a); len(d) != 0 {
			t.Fatalf("Diff(a, a) = %+v", d)
		}
		if d := Diff(a, cloneCase(t, a)); len(d) != 0 {
			t.Fatalf("Diff(a, copy of a) = %+v", d)
		}
		d := Diff(a, b)
		if got, want := content(t, apply(t, a, d)), content(t, b); got != want {
			t.Fatalf("case %d: a with Diff(a, b) applied is not b:\n got  %s\n want %s\n diff %+v", i, got, want, d)
		}
		if (len(d) == 0) != (content(t, a) == content(t, b)) {
			t.Fatalf("case %d: %d changes between cases that are equal: %v", i, len(d), content(t, a) == content(t, b))
		}
		paths := map[string]bool{}
		for _, ch := range d {
			if paths[ch.Path] {
				t.Fatalf("case %d: path %s twice", i, ch.Path)
			}
			paths[ch.Path] = true
		}
		back := Diff(b, a)
		if len(back) != len(d) {
			t.Fatalf("case %d: %d changes forth, %d back", i, len(d), len(back))
		}
		for _, ch := range back {
			if !paths[ch.Path] {
				t.Fatalf("case %d: %s back but not forth", i, ch.Path)
			}
		}
		if got, want := content(t, apply(t, &Case{}, Diff(nil, b))), content(t, b); got != want {
			t.Fatalf("case %d: Diff(nil, b) applied is not b:\n got  %s\n want %s", i, got, want)
		}
	}
}

// TestDiffCoversEveryField: a field added to the case format must be
// compared by Diff (or named here as not content).
func TestDiffCoversEveryField(t *testing.T) {
	notContent := []string{"id", "reference", "revision", "created_at", "created_by", "updated_at", "updated_by", "origin_org", "needs_review",
		"revision_id",                                               // names the version, set by the vault
		"role",                                                      // folded into roles
		"huridocs_code",                                             // output only, follows from the type
		"people", "violations", "interventions", "consent", "notes"} // compared row by row
	check := func(typ reflect.Type, names []string) {
		t.Helper()
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if !slices.Contains(names, name) && !slices.Contains(notContent, name) {
				t.Errorf("%s.%s is not compared by Diff", typ.Name(), name)
			}
		}
	}
	names := func(n int, name func(i int) string) []string {
		var out []string
		for i := range n {
			out = append(out, name(i))
		}
		return out
	}
	check(reflect.TypeFor[Case](), names(len(caseFields), func(i int) string { return caseFields[i].name }))
	check(reflect.TypeFor[Person](), names(len(personFields), func(i int) string { return personFields[i].name }))
	check(reflect.TypeFor[Violation](), names(len(violationFields), func(i int) string { return violationFields[i].name }))
	check(reflect.TypeFor[Intervention](), names(len(interventionFields), func(i int) string { return interventionFields[i].name }))
	check(reflect.TypeFor[Consent](), names(len(consentFields), func(i int) string { return consentFields[i].name }))
	check(reflect.TypeFor[Note](), names(len(noteFields), func(i int) string { return noteFields[i].name }))
}

func TestTextDiff(t *testing.T) {
	tests := []struct {
		old, new string
		want     string // deleted as [-…], inserted as {+…}
	}{
		{"", "", ""},
		{"same text", "same text", "same text"},
		{"", "new", "{+new}"},
		{"old", "", "[-old]"},
		{"Two officers stopped him.", "Three officers stopped him.", "[-Two]{+Three} officers stopped him."},
		{"the cat sat on the mat", "a dog sat on the mat", "[-the cat]{+a dog} sat on the mat"},
		{"He paid 5000 roubles.", "He paid 5000 roubles to the officer.", "He paid 5000 roubles{+ to the officer}."},
		{"Задержали у аптеки, изъяли шприцы.", "Задержали у аптеки, изъяли шприцы и телефон.", "Задержали у аптеки, изъяли шприцы{+ и телефон}."},
		{"a b c", "a c", "a [-b ]c"},
	}
	for _, tt := range tests {
		var b strings.Builder
		for _, s := range TextDiff(tt.old, tt.new) {
			switch s.Op {
			case SpanDeleted:
				b.WriteString("[-" + s.Text + "]")
			case SpanInserted:
				b.WriteString("{+" + s.Text + "}")
			default:
				b.WriteString(s.Text)
			}
		}
		if b.String() != tt.want {
			t.Errorf("TextDiff(%q, %q) = %q, want %q", tt.old, tt.new, b.String(), tt.want)
		}
	}
}

// TestTextDiffProperties: the spans spell both texts, never two of a kind
// in a row, deleted before inserted, and equal texts are one span.
func TestTextDiffProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	check := func(old, new string) {
		t.Helper()
		spans := TextDiff(old, new)
		var o, n strings.Builder
		for i, s := range spans {
			if s.Text == "" {
				t.Fatalf("empty span in %q → %q", old, new)
			}
			if i > 0 && (spans[i-1].Op == s.Op || spans[i-1].Op == SpanInserted && s.Op == SpanDeleted) {
				t.Fatalf("spans out of order in %q → %q: %+v", old, new, spans)
			}
			if s.Op != SpanInserted {
				o.WriteString(s.Text)
			}
			if s.Op != SpanDeleted {
				n.WriteString(s.Text)
			}
		}
		if o.String() != old || n.String() != new {
			t.Fatalf("spans do not spell the texts: %q → %q: %+v", old, new, spans)
		}
		if old == new && len(spans) > 1 {
			t.Fatalf("equal texts give %d spans", len(spans))
		}
	}
	for i := 0; i < 2000; i++ {
		old := randText(r, 60)
		new := old
		switch r.IntN(4) {
		case 0:
			new = randText(r, 60)
		case 1:
			if k := r.IntN(len(old) + 1); true {
				new = old[:k] + randText(r, 10) + old[k:]
			}
		case 2:
			if len(old) > 0 {
				k := r.IntN(len(old))
				new = old[:k] + old[k+r.IntN(len(old)-k):]
			}
		}
		check(old, new)
	}
	// Beyond the work bound: still correct, shown as one replacement.
	long := strings.Repeat("word ", 3000)
	check(long+"end", "start "+strings.Repeat("other ", 3000))
	// A long text with one word changed in the middle stays a small change.
	big := strings.Repeat("слово ", 100000)
	spans := TextDiff(big+"старое "+big, big+"новое "+big)
	if len(spans) != 4 || spans[1].Text != "старое" || spans[2].Text != "новое" {
		t.Fatalf("one word changed in a long text: %d spans", len(spans))
	}
}
