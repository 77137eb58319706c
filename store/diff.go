package store

import (
	"slices"
	"strconv"
)

// Op says what happened between two versions of a case to a field, to a
// key of a list field (tags, roles, consent uses…) or to a whole row
// (a person, a violation, a response, a note).
type Op string

const (
	OpChanged Op = "changed" // a field's value changed (from or to nothing, too)
	OpAdded   Op = "added"   // a row, or a key of a list field, was added
	OpRemoved Op = "removed" // a row, or a key of a list field, was removed
)

// Kind says how a change's values read.
type Kind string

const (
	KindText  Kind = "text"  // short text: names, places, dates
	KindLong  Kind = "long"  // long text (narrative, method, notes…): compare with TextDiff
	KindVocab Kind = "vocab" // a vocabulary key; Change.Vocab names the vocabulary
	KindBool  Kind = "bool"  // "true" or "false"
	KindRow   Kind = "row"   // a whole row; Field is ""
)

// Change is one difference between two versions of a case.
//
// Path names it stably, whatever the order of rows: "status",
// "people[ID].legal_name" for a field of a row, "people[ID]" for a row
// added or removed, `tags["urgent"]` and `people[ID].roles["victim"]` for a
// key of a list field. ID is the row's id (or "#N", its position, for a row
// without one). A row added is followed by the changes of its fields from
// nothing, a row removed by the changes of its fields to nothing, so that
// every value recorded is in the changes.
type Change struct {
	Path      string `json:"path"`
	List      string `json:"list,omitempty"`  // "people", "violations", "interventions", "notes", "consent"; "" for a field of the case
	Row       string `json:"row,omitempty"`   // the row's id in List
	Field     string `json:"field,omitempty"` // the field's name in the case format; "" for a whole row
	Op        Op     `json:"op"`
	Kind      Kind   `json:"kind"`
	Vocab     string `json:"vocab,omitempty"` // for KindVocab: the vocabulary, as in Vocabularies
	Old       string `json:"old,omitempty"`   // the value before ("" for none); for OpRemoved of a list field, the key removed
	New       string `json:"new,omitempty"`   // the value after ("" for none); for OpAdded of a list field, the key added
	Sensitive bool   `json:"sensitive,omitempty"`
}

// fieldSpec describes one field of a record of type T for Diff: a scalar
// (get/set) or a set of keys (keys/setKeys), compared as a set.
type fieldSpec[T any] struct {
	name      string
	kind      Kind
	vocab     string
	sensitive bool
	get       func(*T) string
	set       func(*T, string)
	keys      func(*T) []string
	setKeys   func(*T, []string)
}

func textField[T any](name string, kind Kind, get func(*T) *string) fieldSpec[T] {
	return fieldSpec[T]{name: name, kind: kind,
		get: func(x *T) string { return *get(x) },
		set: func(x *T, s string) { *get(x) = s }}
}

func vocabField[T any](name, vocabulary string, get func(*T) *string) fieldSpec[T] {
	f := textField(name, KindVocab, get)
	f.vocab = vocabulary
	return f
}

func boolField[T any](name string, get func(*T) *bool) fieldSpec[T] {
	return fieldSpec[T]{name: name, kind: KindBool,
		get: func(x *T) string { return strconv.FormatBool(*get(x)) },
		set: func(x *T, s string) { *get(x) = s == "true" }}
}

func keysField[T any](name, vocabulary string, get func(*T) *[]string) fieldSpec[T] {
	kind := KindText
	if vocabulary != "" {
		kind = KindVocab
	}
	return fieldSpec[T]{name: name, kind: kind, vocab: vocabulary,
		keys:    func(x *T) []string { return *get(x) },
		setKeys: func(x *T, k []string) { *get(x) = k }}
}

func sensitiveField[T any](f fieldSpec[T]) fieldSpec[T] {
	f.sensitive = true
	return f
}

// The fields Diff compares, in the order of the editor. What the vault
// sets (id, reference, revision, stamps, origin, review flag) is not
// content: a revision's own stamps say who saved it and when.
var (
	caseFields = []fieldSpec[Case]{
		textField("title", KindText, func(c *Case) *string { return &c.Title }),
		textField("incident_date", KindText, func(c *Case) *string { return &c.IncidentDate }),
		boolField("date_estimated", func(c *Case) *bool { return &c.DateEstimated }),
		textField("incident_end_date", KindText, func(c *Case) *string { return &c.IncidentEndDate }),
		textField("country", KindText, func(c *Case) *string { return &c.Country }),
		textField("region", KindText, func(c *Case) *string { return &c.Region }),
		textField("locality", KindText, func(c *Case) *string { return &c.Locality }),
		vocabField("place_type", "place_type", func(c *Case) *string { return &c.PlaceType }),
		vocabField("status", "case_status", func(c *Case) *string { return &c.Status }),
		vocabField("priority", "priority", func(c *Case) *string { return &c.Priority }),
		vocabField("violation_status", "violation_status", func(c *Case) *string { return &c.ViolationStatus }),
		textField("narrative", KindLong, func(c *Case) *string { return &c.Narrative }),
		keysField("tags", "", func(c *Case) *[]string { return &c.Tags }),
	}
	violationFields = []fieldSpec[Violation]{
		vocabField("type", "violation", func(v *Violation) *string { return &v.Type }),
		vocabField("perpetrator", "perpetrator", func(v *Violation) *string { return &v.Perpetrator }),
		textField("date", KindText, func(v *Violation) *string { return &v.Date }),
		textField("victim", KindText, func(v *Violation) *string { return &v.Victim }),
		textField("perpetrator_details", KindText, func(v *Violation) *string { return &v.PerpetratorDetails }),
		textField("method", KindLong, func(v *Violation) *string { return &v.Method }),
		textField("consequences", KindLong, func(v *Violation) *string { return &v.Consequences }),
		textField("description", KindLong, func(v *Violation) *string { return &v.Description }),
	}
	personFields = []fieldSpec[Person]{
		textField("pseudonym", KindText, func(p *Person) *string { return &p.Pseudonym }),
		{name: "roles", kind: KindVocab, vocab: "role",
			keys:    personRoles,
			setKeys: func(p *Person, k []string) { p.Role, p.Roles = "", k }},
		vocabField("gender", "gender", func(p *Person) *string { return &p.Gender }),
		{name: "age", kind: KindText,
			get: func(p *Person) string {
				if p.Age == nil {
					return ""
				}
				return strconv.Itoa(*p.Age)
			},
			set: func(p *Person, s string) {
				p.Age = nil
				if n, err := strconv.Atoi(s); err == nil {
					p.Age = &n
				}
			}},
		vocabField("age_group", "age_group", func(p *Person) *string { return &p.AgeGroup }),
		sensitiveField(textField("legal_name", KindText, func(p *Person) *string { return &p.LegalName })),
		sensitiveField(textField("contact", KindText, func(p *Person) *string { return &p.Contact })),
		keysField("characteristics", "characteristic", func(p *Person) *[]string { return &p.Characteristics }),
	}
	interventionFields = []fieldSpec[Intervention]{
		vocabField("type", "intervention", func(x *Intervention) *string { return &x.Type }),
		vocabField("status", "intervention_status", func(x *Intervention) *string { return &x.Status }),
		textField("date", KindText, func(x *Intervention) *string { return &x.Date }),
		textField("by", KindText, func(x *Intervention) *string { return &x.By }),
		textField("outcome", KindLong, func(x *Intervention) *string { return &x.Outcome }),
	}
	consentFields = []fieldSpec[Consent]{
		boolField("obtained", func(c *Consent) *bool { return &c.Obtained }),
		keysField("scope", "consent_scope", func(c *Consent) *[]string { return (*[]string)(&c.Scope) }),
		textField("date", KindText, func(c *Consent) *string { return &c.Date }),
		textField("by", KindText, func(c *Consent) *string { return &c.By }),
	}
	noteFields = []fieldSpec[Note]{
		textField("date", KindText, func(n *Note) *string { return &n.Date }),
		textField("author", KindText, func(n *Note) *string { return &n.Author }),
		textField("text", KindLong, func(n *Note) *string { return &n.Text }),
	}
)

// personRoles is Roles with the input shorthand Role folded in, as
// Normalize folds it.
func personRoles(p *Person) []string {
	if p.Role != "" && !slices.Contains(p.Roles, p.Role) {
		return append([]string{p.Role}, p.Roles...)
	}
	return p.Roles
}

// Diff lists what changed from old to new, field by field, in the order of
// the editor: the case's fields, then violations, people, responses,
// consent and notes. Rows are matched by id, so reordering rows is not a
// change. A nil case is an empty one, so Diff(nil, c) lists everything c
// records. Diff(c, c) is empty.
func Diff(old, new *Case) []Change {
	if old == nil {
		old = &Case{}
	}
	if new == nil {
		new = &Case{}
	}
	var out []Change
	out = diffFields(out, "", "", "", caseFields, old, new)
	out = diffRows(out, "violations", violationFields, old.Violations, new.Violations, func(v *Violation) string { return v.ID })
	out = diffRows(out, "people", personFields, old.People, new.People, func(p *Person) string { return p.ID })
	out = diffRows(out, "interventions", interventionFields, old.Interventions, new.Interventions, func(x *Intervention) string { return x.ID })
	oc, nc := Consent{}, Consent{}
	if old.Consent != nil {
		oc = *old.Consent
	}
	if new.Consent != nil {
		nc = *new.Consent
	}
	out = diffFields(out, "consent", "", "consent.", consentFields, &oc, &nc)
	out = diffRows(out, "notes", noteFields, old.Notes, new.Notes, func(n *Note) string { return n.ID })
	return out
}

// diffFields appends the changes of the fields of one record; prefix
// starts each path ("people[ID]." for a row, "" for the case).
func diffFields[T any](out []Change, list, row, prefix string, fields []fieldSpec[T], old, new *T) []Change {
	for _, f := range fields {
		base := Change{List: list, Row: row, Field: f.name, Kind: f.kind, Vocab: f.vocab, Sensitive: f.sensitive}
		if f.keys == nil {
			o, n := f.get(old), f.get(new)
			if o != n {
				c := base
				c.Path, c.Op, c.Old, c.New = prefix+f.name, OpChanged, o, n
				out = append(out, c)
			}
			continue
		}
		o, n := keySetOf(f.keys(old)), keySetOf(f.keys(new))
		for _, k := range o {
			if !slices.Contains(n, k) {
				c := base
				c.Path, c.Op, c.Old = prefix+f.name+"["+strconv.Quote(k)+"]", OpRemoved, k
				out = append(out, c)
			}
		}
		for _, k := range n {
			if !slices.Contains(o, k) {
				c := base
				c.Path, c.Op, c.New = prefix+f.name+"["+strconv.Quote(k)+"]", OpAdded, k
				out = append(out, c)
			}
		}
	}
	return out
}

// keySetOf is a list field's keys once each, in their order.
func keySetOf(keys []string) []string {
	var out []string
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// rowKey is a row's id, or "#N" (its position) when it has none.
func rowKey(id string, i int) string {
	if id == "" {
		return "#" + strconv.Itoa(i)
	}
	return id
}

// diffRows appends the changes of a list of rows: the rows of new in their
// order (changed or added), then the rows removed, in old's order.
func diffRows[T any](out []Change, list string, fields []fieldSpec[T], old, new []T, id func(*T) string) []Change {
	oldAt := map[string]int{}
	for i := range old {
		k := rowKey(id(&old[i]), i)
		if _, dup := oldAt[k]; !dup {
			oldAt[k] = i
		}
	}
	var zero T
	seen := map[string]bool{}
	for i := range new {
		k := rowKey(id(&new[i]), i)
		prefix := list + "[" + k + "]"
		j, ok := oldAt[k]
		if ok && !seen[k] {
			seen[k] = true
			out = diffFields(out, list, k, prefix+".", fields, &old[j], &new[i])
			continue
		}
		out = append(out, Change{Path: prefix, List: list, Row: k, Op: OpAdded, Kind: KindRow})
		out = diffFields(out, list, k, prefix+".", fields, &zero, &new[i])
	}
	for i := range old {
		k := rowKey(id(&old[i]), i)
		if seen[k] || oldAt[k] != i {
			continue
		}
		prefix := list + "[" + k + "]"
		out = append(out, Change{Path: prefix, List: list, Row: k, Op: OpRemoved, Kind: KindRow})
		out = diffFields(out, list, k, prefix+".", fields, &old[i], &zero)
	}
	return out
}
