package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Case is one documented event: what happened, to whom, by whom, where and
// when. Its JSON form is the case format of docs/case-format.md, used for
// input (dossierctl add), output (show --json) and the canonical dump.
type Case struct {
	ID              string         `json:"id,omitempty"`
	Reference       string         `json:"reference,omitempty"`
	Title           string         `json:"title"`
	Narrative       string         `json:"narrative,omitempty"`
	IncidentDate    string         `json:"incident_date,omitempty"`
	IncidentEndDate string         `json:"incident_end_date,omitempty"`
	DateEstimated   bool           `json:"date_estimated,omitempty"`
	Country         string         `json:"country,omitempty"`
	Region          string         `json:"region,omitempty"`
	Locality        string         `json:"locality,omitempty"`
	PlaceType       string         `json:"place_type,omitempty"`
	ViolationStatus string         `json:"violation_status,omitempty"`
	Status          string         `json:"status,omitempty"`
	Priority        string         `json:"priority,omitempty"`
	Tags            []string       `json:"tags,omitempty"`
	People          []Person       `json:"people,omitempty"`
	Violations      []Violation    `json:"violations,omitempty"`
	Interventions   []Intervention `json:"interventions,omitempty"`
	Consent         *Consent       `json:"consent,omitempty"`
	Notes           []Note         `json:"notes,omitempty"`

	// Set by the vault, ignored on input.
	OriginOrg string `json:"origin_org,omitempty"`
	Revision  int    `json:"revision,omitempty"`
	// RevisionID names this version of the case among all versions of it
	// in every vault: 128 random bits, new at each save, so that
	// partners can tell which versions descend from which (merges) while
	// it says nothing of the content (docs/bundle-format.md, Lineage).
	RevisionID  string `json:"revision_id,omitempty"`
	CreatedAt   string `json:"created_at,omitempty"`
	CreatedBy   string `json:"created_by,omitempty"`
	UpdatedAt   string `json:"updated_at,omitempty"`
	UpdatedBy   string `json:"updated_by,omitempty"`
	NeedsReview bool   `json:"needs_review,omitempty"`
}

// Person is someone linked to a case in one or more roles. Only the
// pseudonym is required; legal name and contact are the most sensitive
// fields of the vault and are removed by every redacted share.
type Person struct {
	ID              string   `json:"id,omitempty"`
	Role            string   `json:"role,omitempty"` // input shorthand for one role; folded into Roles
	Roles           []string `json:"roles,omitempty"`
	Pseudonym       string   `json:"pseudonym"`
	LegalName       string   `json:"legal_name,omitempty"`
	Contact         string   `json:"contact,omitempty"`
	Gender          string   `json:"gender,omitempty"`
	Age             *int     `json:"age,omitempty"`
	AgeGroup        string   `json:"age_group,omitempty"`
	Characteristics []string `json:"characteristics,omitempty"`
}

// Violation is one act against a victim (ESF "Act").
type Violation struct {
	ID                 string `json:"id,omitempty"`
	Type               string `json:"type"`
	Perpetrator        string `json:"perpetrator,omitempty"`
	PerpetratorDetails string `json:"perpetrator_details,omitempty"`
	Victim             string `json:"victim,omitempty"` // pseudonym of a person of the case
	Date               string `json:"date,omitempty"`
	Method             string `json:"method,omitempty"`
	Consequences       string `json:"consequences,omitempty"`
	Description        string `json:"description,omitempty"`

	// Huridocs is set only on output (see Case.WithHuridocsCodes) and
	// cleared by Normalize, so stored documents never hold it.
	Huridocs *HuridocsRef `json:"huridocs_code,omitempty"`
}

// Intervention is a response to the case: legal aid, a complaint, a referral.
type Intervention struct {
	ID      string `json:"id,omitempty"`
	Type    string `json:"type"`
	Date    string `json:"date,omitempty"`
	By      string `json:"by,omitempty"`
	Status  string `json:"status,omitempty"`
	Outcome string `json:"outcome,omitempty"`
}

// Consent records what the person agreed their account may be used for.
type Consent struct {
	Obtained bool      `json:"obtained"`
	Date     string    `json:"date,omitempty"`
	By       string    `json:"by,omitempty"`
	Scope    ScopeList `json:"scope,omitempty"`
}

// ScopeList is a list of consent scopes; on input a single string is
// accepted for a single scope.
type ScopeList []string

// UnmarshalJSON accepts "legal_partners" as well as ["legal_partners"].
func (s *ScopeList) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = ScopeList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Note is a reviewer's note on a case.
type Note struct {
	ID     string `json:"id,omitempty"`
	Author string `json:"author,omitempty"`
	Date   string `json:"date,omitempty"`
	Text   string `json:"text"`
}

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid case")

// FieldError says which field of which input line is wrong and why.
type FieldError struct {
	Line   int    // 1-based line of the input where the case starts; 0 if not from a file
	Field  string // JSON path, such as "violations[0].type"
	Msg    string // in English, for the command line and logs of scripts
	Reason string // one of the Reason constants, for a translated message; "" if none fits

	// More holds the other fields refused in the same check, so that a
	// form can show every problem at once; Error says only the first.
	More []*FieldError
}

// All returns e and the other fields refused with it, in the order of the
// case's fields.
func (e *FieldError) All() []*FieldError {
	return append([]*FieldError{e}, e.More...)
}

// Reasons a field is refused, so that a program can say it in the
// person's language (FieldError.Msg is English).
const (
	ReasonRequired        = "required"
	ReasonNotText         = "not_text"          // not valid UTF-8
	ReasonTooLong         = "too_long"          // over the size limit
	ReasonUnknownValue    = "unknown_value"     // not in the vocabulary
	ReasonBadDate         = "bad_date"          // not YYYY, YYYY-MM or YYYY-MM-DD
	ReasonDateTooEarly    = "date_too_early"    // before 1900
	ReasonDateInFuture    = "date_in_future"    // after tomorrow
	ReasonEndBeforeStart  = "end_before_start"  // incident_end_date before incident_date
	ReasonEndWithoutStart = "end_without_start" // incident_end_date without incident_date
	ReasonBadCountry      = "bad_country"       // not an ISO 3166-1 alpha-2 code
	ReasonBadAge          = "bad_age"           // not 0 to 120
	ReasonNotAPerson      = "not_a_person"      // a victim who is not among the case's people
	ReasonScopeNoConsent  = "scope_without_consent"
	ReasonTooMany         = "too_many" // too many tags, people, violations…
)

// Reasons lists every Reason, for programs that translate them.
var Reasons = []string{ReasonRequired, ReasonNotText, ReasonTooLong, ReasonUnknownValue, ReasonBadDate,
	ReasonDateTooEarly, ReasonDateInFuture, ReasonEndBeforeStart, ReasonEndWithoutStart, ReasonBadCountry,
	ReasonBadAge, ReasonNotAPerson, ReasonScopeNoConsent, ReasonTooMany}

// Error says the line, the field and what is wrong, never the value: the
// message goes to standard error, terminals' scrollback and scripts' logs,
// which must not hold case content. A field path that is not made of
// field-like names (IsFieldName) came from the input and could itself be
// case text, so it is not shown.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	switch {
	case e.Field == "":
	case IsFieldPath(e.Field):
		fmt.Fprintf(&b, "field %q: ", e.Field)
	default:
		b.WriteString("a field whose name is not shown (not a field name of the case format): ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxFieldName is the longest field name shown in an error.
const maxFieldName = 32

// IsFieldPath reports whether p looks like a path of field names, such as
// "people[0].roles[1]": parts of lower-case ASCII letters, digits and
// underscores, starting with a letter, at most 32 bytes each, each with an
// optional [index]. Every field of the case format looks so; a field name
// read from a file that does not (capitals, spaces, other scripts, long)
// could be a name or a sentence of the case, and errors do not show it.
func IsFieldPath(p string) bool {
	if p == "" || len(p) > 8*maxFieldName {
		return false
	}
	for _, part := range strings.Split(p, ".") {
		name, index, indexed := strings.Cut(part, "[")
		if !isFieldName(name) {
			return false
		}
		if indexed {
			digits, ok := strings.CutSuffix(index, "]")
			if !ok || digits == "" || len(digits) > 7 || strings.Trim(digits, "0123456789") != "" {
				return false
			}
		}
	}
	return true
}

func isFieldName(s string) bool {
	if s == "" || len(s) > maxFieldName || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func (e *FieldError) Unwrap() error { return ErrInvalid }

// Limits on field sizes, so one bad record cannot fill memory or the list.
const (
	maxTitle = 500
	maxText  = 1 << 20 // narrative, descriptions, notes
	maxShort = 1000    // names, places, tags
	maxItems = 1000    // people, violations, tags… per case
)

// dateLayouts are the accepted precisions of a date.
var dateLayouts = map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}

// ParseDate parses a date of year, month or day precision and returns the
// first and last day it covers. Its error does not quote s.
func ParseDate(s string) (first, last time.Time, err error) {
	layout, ok := dateLayouts[len(s)]
	if !ok {
		return first, last, errors.New("the date is not YYYY, YYYY-MM or YYYY-MM-DD")
	}
	first, err = time.Parse(layout, s)
	if err != nil {
		return first, last, errors.New("the date is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)")
	}
	switch len(s) {
	case 4:
		last = first.AddDate(1, 0, -1)
	case 7:
		last = first.AddDate(0, 1, -1)
	default:
		last = first
	}
	return first, last, nil
}

// validator collects the errors with their field paths, the first for
// each field.
type validator struct {
	now  time.Time
	errs []*FieldError
	// stored: the case is one this vault or an older version of Dossier
	// stored, being restored; text is checked to be UTF-8 only, as
	// vaults written before the text rules may hold control characters.
	stored bool
}

func (v *validator) fail(field, reason, format string, args ...any) {
	if !v.failed(field) {
		v.errs = append(v.errs, &FieldError{Field: field, Reason: reason, Msg: fmt.Sprintf(format, args...)})
	}
}

func (v *validator) failed(field string) bool {
	return slices.ContainsFunc(v.errs, func(e *FieldError) bool { return e.Field == field })
}

// err is the first error, holding the others.
func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	first := v.errs[0]
	first.More = v.errs[1:]
	return first
}

func (v *validator) text(field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.fail(field, ReasonRequired, "is required and empty")
	case v.stored && !utf8.ValidString(s):
		v.fail(field, ReasonNotText, "is not valid UTF-8 text")
	case !v.stored && textProblem(s) != "":
		v.fail(field, ReasonNotText, "%s", textProblem(s))
	case len(s) > max:
		v.fail(field, ReasonTooLong, "is %d bytes long; the limit is %d", len(s), max)
	}
}

func (v *validator) vocab(field, vocabName string, vocab []string, key string, required bool) {
	if key == "" {
		if required {
			v.fail(field, ReasonRequired, "is required; one of: %s", strings.Join(vocab, ", "))
		}
		return
	}
	if !inVocab(vocab, key) {
		v.fail(field, ReasonUnknownValue, "unknown %s; one of: %s", vocabName, strings.Join(vocab, ", "))
	}
}

func (v *validator) date(field, s string) (time.Time, time.Time) {
	if s == "" {
		return time.Time{}, time.Time{}
	}
	first, last, err := ParseDate(s)
	if err != nil {
		v.fail(field, ReasonBadDate, "%v", err)
		return first, last
	}
	if first.Year() < 1900 {
		v.fail(field, ReasonDateTooEarly, "the date is before 1900")
	}
	if first.After(v.now.Add(24 * time.Hour)) {
		v.fail(field, ReasonDateInFuture, "the date is in the future")
	}
	return first, last
}

func (v *validator) id(field, s string) {
	if s != "" && !validUUID(s) {
		v.fail(field, "", "not a lower-case UUID")
	}
}

// Normalize tidies a case in place (trims, upper-cases the country, folds
// role into roles, sorts and de-duplicates tags and lists) and validates
// it. The error, if any, is a *FieldError wrapping ErrInvalid.
func (c *Case) Normalize(now time.Time) error {
	return c.normalize(&validator{now: now})
}

// normalizeStored is Normalize for a case restored from the vault's own
// backup: the text rules (text.go) are not applied, so that a backup of a
// vault written before them restores whole. Everything shown of it is
// escaped on output.
func (c *Case) normalizeStored(now time.Time) error {
	return c.normalize(&validator{now: now, stored: true})
}

func (c *Case) normalize(v *validator) error {
	c.Title = strings.TrimSpace(c.Title)
	if !v.stored {
		c.foldNewlines()
	}
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	c.Tags = uniqueSorted(c.Tags)
	if c.Status == "" {
		c.Status = "open"
	}
	v.id("id", c.ID)
	v.text("title", c.Title, maxTitle, true)
	v.text("narrative", c.Narrative, maxText, false)
	first, _ := v.date("incident_date", c.IncidentDate)
	if c.IncidentEndDate != "" {
		if c.IncidentDate == "" {
			v.fail("incident_end_date", ReasonEndWithoutStart, "is set but incident_date is not")
		}
		_, endLast := v.date("incident_end_date", c.IncidentEndDate)
		if !v.failed("incident_date") && !v.failed("incident_end_date") && endLast.Before(first) {
			v.fail("incident_end_date", ReasonEndBeforeStart, "is before incident_date")
		}
	}
	if c.Country != "" && !ValidCountry(c.Country) {
		v.fail("country", ReasonBadCountry, "not an ISO 3166-1 alpha-2 country code (such as RU, ID, BO, BR, ML, PL)")
	}
	v.text("region", c.Region, maxShort, false)
	v.text("locality", c.Locality, maxShort, false)
	v.vocab("place_type", "place type", PlaceTypes, c.PlaceType, false)
	v.vocab("violation_status", "violation status", ViolationStatus, c.ViolationStatus, false)
	v.vocab("status", "case status", CaseStatuses, c.Status, true)
	v.vocab("priority", "priority", Priorities, c.Priority, false)
	if len(c.Tags) > maxItems {
		v.fail("tags", ReasonTooMany, "has %d tags; the limit is %d", len(c.Tags), maxItems)
	}
	for i, t := range c.Tags {
		v.text(fmt.Sprintf("tags[%d]", i), t, maxShort, true)
	}
	if len(c.People) > maxItems || len(c.Violations) > maxItems || len(c.Interventions) > maxItems || len(c.Notes) > maxItems {
		v.fail("", ReasonTooMany, "a case may hold at most %d people, violations, interventions and notes each", maxItems)
	}
	for i := range c.People {
		p := &c.People[i]
		f := fmt.Sprintf("people[%d]", i)
		p.Pseudonym = strings.TrimSpace(p.Pseudonym)
		if p.Role != "" {
			if !slices.Contains(p.Roles, p.Role) {
				p.Roles = append([]string{p.Role}, p.Roles...)
			}
			p.Role = ""
		}
		p.Roles = uniqueSorted(p.Roles)
		p.Characteristics = uniqueSorted(p.Characteristics)
		v.id(f+".id", p.ID)
		v.text(f+".pseudonym", p.Pseudonym, maxShort, true)
		v.text(f+".legal_name", p.LegalName, maxShort, false)
		v.text(f+".contact", p.Contact, maxShort, false)
		if len(p.Roles) == 0 {
			v.fail(f+".role", ReasonRequired, "is required; one of: %s", strings.Join(Roles, ", "))
		}
		for j, r := range p.Roles {
			v.vocab(fmt.Sprintf("%s.roles[%d]", f, j), "role", Roles, r, true)
		}
		v.vocab(f+".gender", "gender", Genders, p.Gender, false)
		v.vocab(f+".age_group", "age group", AgeGroups, p.AgeGroup, false)
		if p.Age != nil && (*p.Age < 0 || *p.Age > 120) {
			v.fail(f+".age", ReasonBadAge, "not an age between 0 and 120")
		}
		for j, ch := range p.Characteristics {
			v.vocab(fmt.Sprintf("%s.characteristics[%d]", f, j), "characteristic", Characteristics, ch, true)
		}
	}
	for i := range c.Violations {
		x := &c.Violations[i]
		x.Huridocs = nil // output only
		f := fmt.Sprintf("violations[%d]", i)
		v.id(f+".id", x.ID)
		v.vocab(f+".type", "violation type", ViolationTypes, x.Type, true)
		v.vocab(f+".perpetrator", "perpetrator", Perpetrators, x.Perpetrator, false)
		v.text(f+".perpetrator_details", x.PerpetratorDetails, maxShort, false)
		v.date(f+".date", x.Date)
		v.text(f+".method", x.Method, maxText, false)
		v.text(f+".consequences", x.Consequences, maxText, false)
		v.text(f+".description", x.Description, maxText, false)
		if x.Victim != "" && !slices.ContainsFunc(c.People, func(p Person) bool { return p.Pseudonym == x.Victim }) {
			v.fail(f+".victim", ReasonNotAPerson, "not the pseudonym of a person in this case")
		}
	}
	for i := range c.Interventions {
		x := &c.Interventions[i]
		f := fmt.Sprintf("interventions[%d]", i)
		v.id(f+".id", x.ID)
		v.vocab(f+".type", "intervention type", InterventionType, x.Type, true)
		v.vocab(f+".status", "intervention status", InterventionStat, x.Status, false)
		v.date(f+".date", x.Date)
		v.text(f+".by", x.By, maxShort, false)
		v.text(f+".outcome", x.Outcome, maxText, false)
	}
	if c.Consent != nil {
		c.Consent.Scope = uniqueSorted(c.Consent.Scope)
		v.date("consent.date", c.Consent.Date)
		v.text("consent.by", c.Consent.By, maxShort, false)
		for j, s := range c.Consent.Scope {
			v.vocab(fmt.Sprintf("consent.scope[%d]", j), "consent scope", ConsentScopes, s, true)
		}
		if !c.Consent.Obtained && len(c.Consent.Scope) > 0 {
			v.fail("consent.scope", ReasonScopeNoConsent, "is set but consent was not obtained")
		}
	}
	for i := range c.Notes {
		n := &c.Notes[i]
		f := fmt.Sprintf("notes[%d]", i)
		v.id(f+".id", n.ID)
		v.text(f+".text", n.Text, maxText, true)
		v.text(f+".author", n.Author, maxShort, false)
		v.date(f+".date", n.Date)
	}
	return v.err()
}

// foldNewlines turns "\r\n" into "\n" in the fields that hold several
// lines, before the text rules refuse carriage returns.
func (c *Case) foldNewlines() {
	foldNewlines(&c.Narrative)
	for i := range c.Violations {
		x := &c.Violations[i]
		foldNewlines(&x.Method)
		foldNewlines(&x.Consequences)
		foldNewlines(&x.Description)
	}
	for i := range c.Interventions {
		foldNewlines(&c.Interventions[i].Outcome)
	}
	for i := range c.Notes {
		foldNewlines(&c.Notes[i].Text)
	}
}

// assignIDs gives every record of the case that has none a fresh UUIDv7.
func (c *Case) assignIDs(now time.Time) {
	if c.ID == "" {
		c.ID = newUUID()
	}
	for i := range c.People {
		if c.People[i].ID == "" {
			c.People[i].ID = newUUID()
		}
	}
	for i := range c.Violations {
		if c.Violations[i].ID == "" {
			c.Violations[i].ID = newUUID()
		}
	}
	for i := range c.Interventions {
		if c.Interventions[i].ID == "" {
			c.Interventions[i].ID = newUUID()
		}
	}
	for i := range c.Notes {
		if c.Notes[i].ID == "" {
			c.Notes[i].ID = newUUID()
		}
	}
}

func uniqueSorted(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
