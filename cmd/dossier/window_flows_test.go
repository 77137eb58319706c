package main

import (
	"fmt"
	"image"
	"slices"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/internal/xwin"
	"github.com/dossier-hr/dossier/store"
)

// detail is a point in the left margin of the right-hand pane (case view,
// editor), where the mouse wheel scrolls it. The form is wider than the
// pane, so its fields run under the scroll bar, and over a field the
// wheel may go to the field.
var detail = image.Pt(432, 420)

// pane and list are the right-hand pane and the case list, relative to
// the window (1000x540): reading only them is quicker.
var (
	// From below the filters: the backup reminder above the split may
	// come and go.
	pane = image.Rect(424, 130, 1000, 540)
	list = image.Rect(0, 130, 424, 540)
)

// down is how many times Down must be pressed in a picker's menu to reach
// key: the first Down lights the first choice. Pickers with an empty
// choice ("—") have it first.
func down(list []string, key string, withNone bool) int {
	i := slices.Index(list, key)
	if i < 0 {
		panic("no " + key + " in the vocabulary")
	}
	if withNone {
		i++
	}
	return i + 1
}

// up is how many times Up reaches key from the end (the first Up lights
// the last choice).
func up(list []string, key string) int {
	return -(len(list) - slices.Index(list, key))
}

// focusSearch puts the keyboard focus in the search field, where the
// keyboard order of the case list starts: a click into it, on its
// placeholder (the field is empty) or, when that is not drawn, left of
// the count of cases on its row. The window is in English unless lang
// says otherwise.
func (s *suite) focusSearch(x *xwin.Driver, lang ...string) {
	x.T.Helper()
	l := "en"
	if len(lang) > 0 {
		l = lang[0]
	}
	top := image.Rect(0, 30, 1000, 70)
	deadline := time.Now().Add(xwin.Patience)
	for {
		scr := x.ReadIn(top)
		if r := scr.Lines(assets.Label(l, "ui.main.search")); len(r) > 0 {
			x.Click(xwin.Center(r[0]), 1)
			return
		}
		if r := scr.Lines(assets.Label(l, "ui.main.new_case")); len(r) > 0 {
			c := xwin.Center(r[0])
			x.Click(image.Pt(x.A.Rect.Min.X+100, c.Y), 1)
			return
		}
		if time.Now().After(deadline) {
			x.Failf("no search field on screen within %s; the top of the window reads:\n%s", xwin.Patience, scr.Text())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// The case NewCase types, as dossierctl must read it back.
var want = store.Case{
	Title: "Raid on the harm reduction site XW", IncidentDate: "2026-03-14",
	Country: "ID", Region: "Jakarta", Locality: "Tanah Abang",
	PlaceType: "harm_reduction_site", Status: "under_review", Priority: "urgent", ViolationStatus: "likely",
	Narrative: "Police raided the drop-in centre at night.",
}

// newCase types a case with the keyboard, every picker opened with Space
// and chosen with Down or Up and Enter; the mouse only where the keyboard
// cannot go (out of a multi-line field, into a row just added).
func (s *suite) newCase(t *testing.T, x *xwin.Driver) {
	w := want
	x.Step("New case: Ctrl+N")
	x.Keys("ctrl+n")
	x.WaitText(30*time.Second, T("ui.edit.title"), words(T("ui.edit.date"), 2))

	x.Step("title, date, country, region, locality (Tab between them)")
	x.Type(w.Title)
	x.Keys("Tab")
	x.Type(w.IncidentDate)
	x.Keys("Tab", "Tab", "Tab") // past "estimate" and the end date
	x.Type(w.Country)
	x.Keys("Tab")
	x.Type(w.Region)
	x.Keys("Tab")
	x.Type(w.Locality)

	x.Step("place type picker")
	x.Keys("Tab")
	x.Pick(down(store.PlaceTypes, w.PlaceType, true), "place type")
	x.Step("case status picker")
	x.Keys("Tab")
	x.Pick(down(store.CaseStatuses, w.Status, false), "case status")
	x.Step("priority picker (Up from the end)")
	x.Keys("Tab")
	x.Pick(up(store.Priorities, w.Priority), "priority")
	x.Step("violation status picker")
	x.Keys("Tab")
	x.Pick(down(store.ViolationStatus, w.ViolationStatus, true), "violation status")
	x.Step("narrative")
	x.Keys("Tab")
	x.Type(w.Narrative)

	x.Step("save with Ctrl+S; the first save asks for the person's name: typed, Enter")
	saved := words(T("ui.edit.saved"), 3)
	x.Keys("ctrl+s")
	x.WaitText(30*time.Second, T("ui.author.title"))
	x.Type("XW tester")
	x.Keys("Return")
	if ok, _ := x.TryText(time.Minute, saved); !ok {
		t.Logf("NOTE: Ctrl+S did not save the case within a minute; saving with the Save button (Tab, Space)")
		x.Step("save with the Save button")
		x.Keys("Tab", "Tab", "space") // Add a note, Save
		s.waitSaved(x, saved)
	}

	x.Step("dossierctl reads back what was typed and chosen (the app still open)")
	list := s.listCases(t, s.vaultA, s.passA)
	if len(list) != 1 {
		t.Fatalf("dossierctl lists %d cases, want 1", len(list))
	}
	s.ref = list[0].Reference
	got := s.showCase(t, s.vaultA, s.passA, s.ref)
	for _, d := range diffCase(&w, got) { // what the keyboard part of the form holds
		t.Errorf("the saved case differs from what was typed and chosen: %s", d)
	}
	s.clean = true
}

// waitSaved waits for the "saved" message, which must be in view: after
// a save from the bottom of a long form, a pane left scrolled down shows
// nothing (then it is reported, and found by scrolling up).
func (s *suite) waitSaved(x *xwin.Driver, saved string) {
	x.T.Helper()
	if ok, _ := x.TryText(2*time.Minute, saved); ok {
		return
	}
	x.Snapshot("after save, no message in view")
	x.Seek(xwin.Target{Text: saved, In: pane, At: detail, Wheel: -14}, 60*time.Second)
	x.T.Errorf("step %q: BUG: after saving, the right-hand pane stays scrolled where the Save button was: it looks empty, and %q and the saved case are out of view until one scrolls up", x.Current(), saved)
}

// diffCase lists the fields of want that got does not hold.
func diffCase(want, got *store.Case) []string {
	var d []string
	eq := func(field string, w, g any) {
		// Lists are kept sorted: compare them as sets.
		if l, ok := w.([]string); ok {
			w = slices.Sorted(slices.Values(l))
		}
		if l, ok := g.([]string); ok {
			g = slices.Sorted(slices.Values(l))
		}
		if fmt.Sprint(w) != fmt.Sprint(g) {
			d = append(d, fmt.Sprintf("%s: got %q, want %q", field, fmt.Sprint(g), fmt.Sprint(w)))
		}
	}
	eq("title", want.Title, got.Title)
	eq("incident_date", want.IncidentDate, got.IncidentDate)
	eq("country", want.Country, got.Country)
	eq("region", want.Region, got.Region)
	eq("locality", want.Locality, got.Locality)
	eq("place_type", want.PlaceType, got.PlaceType)
	eq("status", want.Status, got.Status)
	eq("priority", want.Priority, got.Priority)
	eq("violation_status", want.ViolationStatus, got.ViolationStatus)
	eq("narrative", want.Narrative, got.Narrative)
	eq("tags", want.Tags, got.Tags)
	eq("number of violations", len(want.Violations), len(got.Violations))
	for i := range min(len(want.Violations), len(got.Violations)) {
		w, g := want.Violations[i], got.Violations[i]
		p := fmt.Sprintf("violations[%d].", i)
		eq(p+"type", w.Type, g.Type)
		eq(p+"perpetrator", w.Perpetrator, g.Perpetrator)
		eq(p+"date", w.Date, g.Date)
		eq(p+"victim", w.Victim, g.Victim)
		eq(p+"perpetrator_details", w.PerpetratorDetails, g.PerpetratorDetails)
		eq(p+"method", w.Method, g.Method)
	}
	eq("number of people", len(want.People), len(got.People))
	for i := range min(len(want.People), len(got.People)) {
		w, g := want.People[i], got.People[i]
		p := fmt.Sprintf("people[%d].", i)
		eq(p+"pseudonym", w.Pseudonym, g.Pseudonym)
		eq(p+"roles", w.Roles, g.Roles)
		eq(p+"gender", w.Gender, g.Gender)
		eq(p+"age_group", w.AgeGroup, g.AgeGroup)
		eq(p+"legal_name", w.LegalName, g.LegalName)
		eq(p+"contact", w.Contact, g.Contact)
		eq(p+"characteristics", w.Characteristics, g.Characteristics)
	}
	eq("number of responses", len(want.Interventions), len(got.Interventions))
	for i := range min(len(want.Interventions), len(got.Interventions)) {
		w, g := want.Interventions[i], got.Interventions[i]
		p := fmt.Sprintf("interventions[%d].", i)
		eq(p+"type", w.Type, g.Type)
		eq(p+"status", w.Status, g.Status)
		eq(p+"date", w.Date, g.Date)
		eq(p+"by", w.By, g.By)
		eq(p+"outcome", w.Outcome, g.Outcome)
	}
	if want.Consent == nil {
		return d
	}
	if got.Consent == nil {
		d = append(d, "consent: none recorded")
	} else {
		eq("consent.obtained", want.Consent.Obtained, got.Consent.Obtained)
		eq("consent.scope", []string(want.Consent.Scope), []string(got.Consent.Scope))
		eq("consent.date", want.Consent.Date, got.Consent.Date)
		eq("consent.by", want.Consent.By, got.Consent.By)
	}
	return d
}
