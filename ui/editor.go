package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/store"
)

// vocabSelect picks a vocabulary value, showing labels in the person's
// language and giving back the stable key.
type vocabSelect struct {
	*widget.Select
	keys []string
}

// vocabSelect offers a vocabulary; with an empty label, "no value" is the
// first choice, shown with that label.
func (a *App) vocabSelect(vocab string, keys []string, emptyLabel string) *vocabSelect {
	s := &vocabSelect{}
	var labels []string
	if emptyLabel != "" {
		s.keys = append(s.keys, "")
		labels = append(labels, emptyLabel)
	}
	for _, k := range keys {
		s.keys = append(s.keys, k)
		labels = append(labels, assets.VocabLabel(a.lang, vocab, k))
	}
	// The vocabSelect, not the Select inside it, is the object in the
	// window: Fyne must know it as the widget, or the Select opens its
	// pop-up on no canvas and the app crashes (it did, on every picker).
	// Its placeholder is in the person's language, not Fyne's "(Select one)".
	s.Select = &widget.Select{Options: labels, PlaceHolder: a.T("ui.edit.choose")}
	if emptyLabel != "" {
		s.PlaceHolder = emptyLabel
	}
	s.ExtendBaseWidget(s)
	return s
}

// Key returns the chosen value's key, or "".
func (s *vocabSelect) Key() string {
	if i := s.SelectedIndex(); i >= 0 {
		return s.keys[i]
	}
	return ""
}

// SetKey chooses the value with that key; "" chooses none, so that the
// picker shows what it is for (its placeholder: "Gender", "Age group").
func (s *vocabSelect) SetKey(k string) {
	if k == "" && (len(s.keys) == 0 || s.keys[0] != "" || s.PlaceHolder != "") {
		s.ClearSelected()
		return
	}
	if i := slices.Index(s.keys, k); i >= 0 {
		s.SetSelectedIndex(i)
	}
}

type violationRow struct {
	typ, perp                         *vocabSelect
	desc, date                        *widget.Entry
	perpDetails, method, consequences *widget.Entry
	victim                            *widget.Select // among the case's pseudonyms
	wantVictim                        string         // kept while the people change
	box                               *fyne.Container
	orig                              store.Violation
}

type interventionRow struct {
	typ, status       *vocabSelect
	outcome, date, by *widget.Entry
	box               *fyne.Container
	orig              store.Intervention
}

type personRow struct {
	role, gender, ageGroup *vocabSelect
	pseudonym, age         *widget.Entry
	legalName, contact     *widget.Entry
	characteristics        []*widget.Check // one per store.Characteristics
	box                    *fyne.Container
	orig                   store.Person
}

// editor creates or edits a case. It builds a store.Case from its fields
// and lets store validate it; a refusal is shown next to the field it
// names.
type editor struct {
	a    *App
	m    *mainScreen
	orig *store.Case // nil for a new case

	title, narrative, date, country, region, locality, tags *widget.Entry
	place, status, priority, vstatus                        *vocabSelect
	endDate                                                 *widget.Entry
	estimated                                               *widget.Check
	consentDate, consentBy                                  *widget.Entry
	violations, people, interventions, notes                *fyne.Container
	vrows                                                   []*violationRow
	prows                                                   []*personRow
	irows                                                   []*interventionRow
	newNotes                                                []*widget.Entry
	consent                                                 *widget.Check
	scopes                                                  *widget.CheckGroup

	message *widget.Label            // beside Save: what stopped the save
	errs    map[string]*widget.Label // under each field: what is wrong with it
	names   map[string]string        // each field's name, as its label shows it
	order   []string                 // the fields, top to bottom
	content fyne.CanvasObject

	baseNotes []store.Note // notes already written, shown read-only

	// Drafts: what is typed is kept in the vault every few seconds.
	draftKey  string
	lastDraft string // the draft last saved, as JSON
	closed    bool
	saving    bool // a periodic save is being written
	stop      chan struct{}
}

// draftEvery is how often the editor keeps a draft of what is typed.
const draftEvery = time.Second

// showEditor opens the editor on orig, or on a new case if nil. It holds
// the case as shown (store.Case.Visible): control
// characters an older vault may hold appear as escapes the person can
// see and delete, and are saved as plain text if left.
func (m *mainScreen) showEditor(orig *store.Case) *editor {
	if orig != nil {
		orig = orig.Visible()
	}
	a := m.a
	a.touch()
	e := &editor{a: a, m: m, orig: orig, errs: map[string]*widget.Label{}, names: map[string]string{}}
	entry := func(multi bool) *widget.Entry {
		w := widget.NewEntry()
		if multi {
			w = widget.NewMultiLineEntry()
			w.Wrapping = fyne.TextWrapWord
			w.SetMinRowsVisible(6)
		}
		w.OnChanged = safe(func(string) { a.touch() })
		return w
	}
	e.title, e.narrative, e.date, e.country = entry(false), entry(true), entry(false), entry(false)
	e.region, e.locality, e.tags = entry(false), entry(false), entry(false)
	e.place = a.vocabSelect("place_type", store.PlaceTypes, a.T("ui.edit.none"))
	e.priority = a.vocabSelect("priority", store.Priorities, a.T("ui.edit.none"))
	e.vstatus = a.vocabSelect("violation_status", store.ViolationStatus, a.T("ui.edit.none"))
	e.endDate = entry(false)
	e.estimated = widget.NewCheck(a.T("ui.edit.date_estimated"), nil)
	e.consentDate, e.consentBy = entry(false), entry(false)
	e.consentDate.SetPlaceHolder(a.T("ui.edit.consent_date"))
	e.consentBy.SetPlaceHolder(a.T("ui.edit.consent_by"))
	e.status = a.vocabSelect("case_status", store.CaseStatuses, "")
	e.status.SetKey("open")
	e.violations, e.people, e.interventions, e.notes = container.NewVBox(), container.NewVBox(), container.NewVBox(), container.NewVBox()
	e.consent = widget.NewCheck(a.T("ui.edit.consent_obtained"), nil)
	var scopeLabels []string
	for _, s := range store.ConsentScopes {
		scopeLabels = append(scopeLabels, assets.VocabLabel(a.lang, "consent_scope", s))
	}
	e.scopes = widget.NewCheckGroup(scopeLabels, nil)
	e.message = widget.NewLabel("")
	e.message.Wrapping = fyne.TextWrapWord
	e.message.Importance = widget.DangerImportance
	e.message.Hide()

	e.draftKey = store.DraftNew
	if orig != nil {
		e.draftKey = orig.ID
	}
	var draftNote fyne.CanvasObject = container.NewVBox()
	if d, at, err := m.v.Draft(m.ctx, e.draftKey); err == nil && d != nil {
		e.fill(d)
		discard := widget.NewButton(a.T("ui.edit.discard"), safe(func() {
			e.close()
			m.v.DeleteDraft(m.ctx, e.draftKey)
			m.showEditor(orig)
		}))
		discard.Importance = widget.LowImportance
		note := wrapLabel(a.T("ui.edit.draft", when(at)))
		note.Importance = widget.WarningImportance
		draftNote = container.NewVBox(note, discard)
	} else if orig != nil {
		e.fill(orig)
	}

	field := func(key, label string, w fyne.CanvasObject) fyne.CanvasObject {
		errLabel := widget.NewLabel("")
		errLabel.Importance = widget.DangerImportance
		errLabel.Wrapping = fyne.TextWrapWord
		errLabel.Hide()
		e.errs[key] = errLabel
		e.names[key] = label
		e.order = append(e.order, key)
		return container.NewVBox(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), w, errLabel)
	}
	addV := widget.NewButtonWithIcon(a.T("ui.edit.add_violation"), theme.ContentAddIcon(), safe(func() { e.addViolation(store.Violation{}) }))
	addP := widget.NewButtonWithIcon(a.T("ui.edit.add_person"), theme.ContentAddIcon(), safe(func() { e.addPerson(store.Person{}) }))
	addI := widget.NewButtonWithIcon(a.T("ui.edit.add_intervention"), theme.ContentAddIcon(), safe(func() { e.addIntervention(store.Intervention{}) }))
	addN := widget.NewButtonWithIcon(a.T("ui.edit.add_note"), theme.ContentAddIcon(), safe(func() {
		n := widget.NewMultiLineEntry()
		n.Wrapping = fyne.TextWrapWord
		e.newNotes = append(e.newNotes, n)
		box := container.NewStack(n)
		passWheel(box, m.detailScroll)
		e.notes.Add(box)
		a.win.Canvas().Focus(n) // to type the note at once
	}))
	save := widget.NewButtonWithIcon(a.T("ui.edit.save"), theme.DocumentSaveIcon(), safe(e.save))
	save.Importance = widget.HighImportance
	cancel := widget.NewButton(a.T("ui.cancel"), safe(func() {
		e.close()
		m.v.DeleteDraft(m.ctx, e.draftKey)
		m.showCase(orig)
	}))
	form := container.NewVBox(
		draftNote,
		field("title", a.T("ui.edit.title"), e.title),
		field("incident_date", a.T("ui.edit.date"), container.NewVBox(e.date, e.estimated)),
		field("incident_end_date", a.T("ui.edit.end_date"), e.endDate),
		field("country", a.T("ui.edit.country"), e.country),
		field("region", a.T("ui.edit.region"), e.region),
		field("locality", a.T("ui.edit.locality"), e.locality),
		field("place_type", a.T("ui.edit.place_type"), e.place),
		field("status", a.T("ui.case.status"), e.status),
		field("priority", a.T("ui.edit.priority"), e.priority),
		field("violation_status", a.T("ui.edit.violation_status"), e.vstatus),
		field("narrative", a.T("ui.case.narrative"), e.narrative),
		field("violations", a.T("ui.case.violations"), container.NewVBox(e.violations, addV)),
		field("people", a.T("ui.case.people"), container.NewVBox(e.people, addP)),
		field("interventions", a.T("ui.case.interventions"), container.NewVBox(e.interventions, addI)),
		field("consent", a.T("ui.case.consent"), container.NewVBox(e.consent, e.scopes, container.NewGridWithColumns(2, e.consentDate, e.consentBy))),
		field("tags", a.T("ui.edit.tags"), e.tags),
		field("notes", a.T("ui.case.notes"), container.NewVBox(e.notes, addN)),
		container.NewBorder(nil, nil, container.NewHBox(save, cancel), nil, e.message),
	)
	passWheel(form, m.detailScroll)
	e.content = form
	if m.editor != nil {
		m.editor.leave()
	}
	m.editor = e
	m.detail.Objects = []fyne.CanvasObject{form}
	m.detailRefresh()
	a.win.Canvas().Focus(e.title)
	e.lastDraft = e.draftJSON()
	e.stop = make(chan struct{})
	goSafe(func() {
		t := time.NewTicker(draftEvery)
		defer t.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-t.C:
				do(e.keepDraftSoon)
			}
		}
	})
	return e
}

func (e *editor) draftJSON() string {
	b, _ := json.Marshal(e.build())
	return string(b)
}

// keepDraft saves a draft now if anything changed since the last one. It
// runs on the UI goroutine and waits for the write: used when the editor
// is left or the vault locks, when the draft must be in before it closes.
func (e *editor) keepDraft() {
	if e.closed {
		return
	}
	j := e.draftJSON()
	if j == e.lastDraft {
		return
	}
	if err := e.m.v.SaveDraft(context.Background(), e.draftKey, e.build()); err != nil {
		e.a.logErr(err).Warn("keeping a draft failed")
		return
	}
	e.lastDraft = j
}

// keepDraftSoon is the periodic save: the fields are read on the UI
// goroutine, the write (a durable commit, an fsync that an old disk can
// take tens of milliseconds over) happens off it, so typing never stalls.
// One write at a time.
func (e *editor) keepDraftSoon() {
	if e.closed || e.saving {
		return
	}
	c := e.build()
	b, _ := json.Marshal(c)
	j := string(b)
	if j == e.lastDraft {
		return
	}
	e.saving = true
	goSafe(func() {
		err := e.m.v.SaveDraft(e.m.ctx, e.draftKey, c)
		do(func() {
			e.saving = false
			if err != nil {
				if e.m.ctx.Err() == nil {
					e.a.logErr(err).Warn("keeping a draft failed")
				}
				return
			}
			e.lastDraft = j
		})
	})
}

// leave keeps the draft and closes the editor: another case was chosen,
// or the vault is locking.
func (e *editor) leave() {
	if !e.closed {
		e.keepDraft()
		e.close()
	}
}

func (e *editor) close() {
	if !e.closed {
		e.closed = true
		close(e.stop)
	}
}

// fill shows a case in the fields.
func (e *editor) fill(orig *store.Case) {
	a := e.a
	e.baseNotes = slices.Clone(orig.Notes)
	e.title.SetText(orig.Title)
	e.narrative.SetText(orig.Narrative)
	e.date.SetText(orig.IncidentDate)
	e.country.SetText(orig.Country)
	e.region.SetText(orig.Region)
	e.locality.SetText(orig.Locality)
	e.tags.SetText(strings.Join(orig.Tags, ", "))
	e.place.SetKey(orig.PlaceType)
	e.priority.SetKey(orig.Priority)
	e.vstatus.SetKey(orig.ViolationStatus)
	e.endDate.SetText(orig.IncidentEndDate)
	e.estimated.SetChecked(orig.DateEstimated)
	e.status.SetKey(orig.Status)
	for _, v := range orig.Violations {
		e.addViolation(v)
	}
	for _, p := range orig.People {
		e.addPerson(p)
	}
	e.refreshVictims()
	for _, x := range orig.Interventions {
		e.addIntervention(x)
	}
	for _, n := range orig.Notes {
		// Notes are a record: kept as written, not edited.
		e.notes.Add(wrapLabel(n.Date + " " + n.Author + ": " + n.Text))
	}
	if orig.Consent != nil {
		e.consent.SetChecked(orig.Consent.Obtained)
		var sel []string
		for _, s := range orig.Consent.Scope {
			sel = append(sel, assets.VocabLabel(a.lang, "consent_scope", s))
		}
		e.scopes.SetSelected(sel)
		e.consentDate.SetText(orig.Consent.Date)
		e.consentBy.SetText(orig.Consent.By)
	}
}

// refreshVictims offers the people's current pseudonyms in every
// violation's victim picker, keeping each choice while its person exists.
func (e *editor) refreshVictims() {
	opts := []string{e.a.T("ui.edit.none")}
	for _, r := range e.prows {
		if p := strings.TrimSpace(r.pseudonym.Text); p != "" && !slices.Contains(opts, p) {
			opts = append(opts, p)
		}
	}
	for _, r := range e.vrows {
		want := r.wantVictim
		r.victim.Options = opts
		if slices.Contains(opts[1:], want) {
			r.victim.SetSelected(want)
		} else {
			r.victim.ClearSelected()
		}
		r.wantVictim = want // SetSelected/ClearSelected went through OnChanged
		r.victim.Refresh()
	}
}

// removeRow returns the Remove button of a row: it drops the row from its
// list and its box from the form.
func removeRow[R comparable](a *App, rows *[]R, r R, list *fyne.Container, box func() fyne.CanvasObject) *widget.Button {
	return widget.NewButtonWithIcon(a.T("ui.edit.remove"), theme.ContentRemoveIcon(), safe(func() {
		*rows = slices.DeleteFunc(*rows, func(x R) bool { return x == r })
		list.Remove(box())
	}))
}

func (e *editor) addViolation(v store.Violation) {
	a := e.a
	r := &violationRow{orig: v, desc: widget.NewEntry(), date: widget.NewEntry(),
		perpDetails: widget.NewEntry(), method: widget.NewMultiLineEntry(), consequences: widget.NewMultiLineEntry(), wantVictim: v.Victim}
	r.date.SetPlaceHolder(a.T("ui.edit.violation_date"))
	r.date.SetText(v.Date)
	r.perpDetails.SetPlaceHolder(a.T("ui.edit.perpetrator_details"))
	r.perpDetails.SetText(v.PerpetratorDetails)
	r.method.SetPlaceHolder(a.T("ui.edit.method"))
	r.method.SetText(v.Method)
	r.consequences.SetPlaceHolder(a.T("ui.edit.consequences"))
	r.consequences.SetText(v.Consequences)
	for _, m := range []*widget.Entry{r.method, r.consequences} {
		m.Wrapping = fyne.TextWrapWord
		m.SetMinRowsVisible(2)
	}
	r.victim = widget.NewSelect(nil, safe(func(s string) {
		if s == a.T("ui.edit.none") {
			s = ""
		}
		r.wantVictim = s
	}))
	r.victim.PlaceHolder = a.T("ui.edit.victim")
	r.typ = a.vocabSelect("violation", store.ViolationTypes, "")
	r.perp = a.vocabSelect("perpetrator", store.Perpetrators, a.T("ui.edit.none"))
	r.typ.PlaceHolder = a.T("ui.edit.violation_type")
	r.perp.PlaceHolder = a.T("ui.edit.perpetrator")
	r.desc.SetPlaceHolder(a.T("ui.edit.description"))
	r.typ.SetKey(v.Type)
	r.perp.SetKey(v.Perpetrator)
	r.desc.SetText(v.Description)
	remove := removeRow(a, &e.vrows, r, e.violations, func() fyne.CanvasObject { return r.box })
	r.box = container.NewVBox(
		container.NewGridWithColumns(3, r.typ, r.perp, r.date),
		container.NewGridWithColumns(2, r.victim, r.perpDetails),
		r.method, r.consequences,
		container.NewBorder(nil, nil, nil, remove, r.desc), widget.NewSeparator())
	passWheel(r.box, e.m.detailScroll)
	e.vrows = append(e.vrows, r)
	e.violations.Add(r.box)
	e.refreshVictims()
}

func (e *editor) addIntervention(x store.Intervention) {
	a := e.a
	r := &interventionRow{orig: x, outcome: widget.NewEntry(), date: widget.NewEntry(), by: widget.NewEntry()}
	r.date.SetPlaceHolder(a.T("ui.edit.violation_date"))
	r.date.SetText(x.Date)
	r.by.SetPlaceHolder(a.T("ui.edit.intervention_by"))
	r.by.SetText(x.By)
	r.typ = a.vocabSelect("intervention", store.InterventionType, "")
	r.status = a.vocabSelect("intervention_status", store.InterventionStat, a.T("ui.edit.none"))
	r.typ.PlaceHolder = a.T("ui.edit.intervention_type")
	r.status.PlaceHolder = a.T("ui.edit.intervention_status")
	r.outcome.SetPlaceHolder(a.T("ui.edit.outcome"))
	r.typ.SetKey(x.Type)
	r.status.SetKey(x.Status)
	r.outcome.SetText(x.Outcome)
	remove := removeRow(a, &e.irows, r, e.interventions, func() fyne.CanvasObject { return r.box })
	r.box = container.NewVBox(container.NewGridWithColumns(2, r.typ, r.status), container.NewGridWithColumns(2, r.date, r.by),
		container.NewBorder(nil, nil, nil, remove, r.outcome), widget.NewSeparator())
	passWheel(r.box, e.m.detailScroll)
	e.irows = append(e.irows, r)
	e.interventions.Add(r.box)
}

func (e *editor) addPerson(p store.Person) {
	a := e.a
	r := &personRow{orig: p, pseudonym: widget.NewEntry(), age: widget.NewEntry(), legalName: widget.NewEntry(), contact: widget.NewEntry()}
	r.ageGroup = a.vocabSelect("age_group", store.AgeGroups, a.T("ui.edit.none"))
	r.ageGroup.PlaceHolder = a.T("ui.edit.age_group")
	r.ageGroup.SetKey(p.AgeGroup)
	r.age.SetPlaceHolder(a.T("ui.edit.age"))
	if p.Age != nil {
		r.age.SetText(strconv.Itoa(*p.Age))
	}
	r.legalName.SetPlaceHolder(a.T("ui.edit.legal_name"))
	r.legalName.SetText(p.LegalName)
	r.contact.SetPlaceHolder(a.T("ui.edit.contact"))
	r.contact.SetText(p.Contact)
	// Two columns of check boxes: one row of fourteen would make the form
	// wider than the window.
	var checks []fyne.CanvasObject
	for _, k := range store.Characteristics {
		c := widget.NewCheck(assets.VocabLabel(a.lang, "characteristic", k), nil)
		c.SetChecked(slices.Contains(p.Characteristics, k))
		r.characteristics = append(r.characteristics, c)
		checks = append(checks, c)
	}
	r.role = a.vocabSelect("role", store.Roles, "")
	r.gender = a.vocabSelect("gender", store.Genders, a.T("ui.edit.none"))
	r.role.PlaceHolder = a.T("ui.edit.role")
	r.gender.PlaceHolder = a.T("ui.edit.gender")
	r.pseudonym.SetPlaceHolder(a.T("ui.edit.pseudonym"))
	r.pseudonym.SetText(p.Pseudonym)
	r.pseudonym.OnChanged = safe(func(string) { a.touch(); e.refreshVictims() })
	if len(p.Roles) > 0 {
		r.role.SetKey(p.Roles[0])
	}
	r.gender.SetKey(p.Gender)
	remove := removeRow(a, &e.prows, r, e.people, func() fyne.CanvasObject { return r.box })
	remove.OnTapped = safe(func(prev func()) func() { return func() { prev(); e.refreshVictims() } }(remove.OnTapped))
	r.box = container.NewVBox(
		container.NewGridWithColumns(3, r.pseudonym, r.role, r.gender),
		container.NewGridWithColumns(2, r.age, r.ageGroup),
		// The most sensitive fields, each on its own line, with a word on
		// what happens to them when a case is shared.
		r.legalName, r.contact, hint(a.T("ui.edit.legal_name_hint")),
		container.NewGridWithColumns(2, checks...),
		container.NewBorder(nil, nil, nil, remove),
		widget.NewSeparator())
	passWheel(r.box, e.m.detailScroll)
	e.prows = append(e.prows, r)
	e.people.Add(r.box)
	e.refreshVictims()
}

// build makes the case the fields describe. What the editor does not show
// (interventions, notes, legal names…) is kept from the case as it was.
func (e *editor) build() *store.Case {
	var c store.Case
	if e.orig != nil {
		c = *e.orig
	}
	c.Title, c.Narrative, c.IncidentDate = e.title.Text, e.narrative.Text, strings.TrimSpace(e.date.Text)
	c.Country, c.Region, c.Locality = e.country.Text, e.region.Text, e.locality.Text
	c.PlaceType, c.Status = e.place.Key(), e.status.Key()
	c.Priority, c.ViolationStatus = e.priority.Key(), e.vstatus.Key()
	c.IncidentEndDate = strings.TrimSpace(e.endDate.Text)
	c.DateEstimated = e.estimated.Checked
	c.Tags = nil
	for _, t := range strings.Split(e.tags.Text, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.Tags = append(c.Tags, t)
		}
	}
	c.Violations = nil
	for _, r := range e.vrows {
		v := r.orig
		v.Type, v.Perpetrator, v.Description, v.Date = r.typ.Key(), r.perp.Key(), r.desc.Text, strings.TrimSpace(r.date.Text)
		v.PerpetratorDetails, v.Method, v.Consequences = r.perpDetails.Text, r.method.Text, r.consequences.Text
		v.Victim = r.victim.Selected
		if v.Victim == e.a.T("ui.edit.none") {
			v.Victim = ""
		}
		c.Violations = append(c.Violations, v)
	}
	c.People = nil
	for _, r := range e.prows {
		p := r.orig
		p.Role, p.Pseudonym, p.Gender, p.AgeGroup = "", r.pseudonym.Text, r.gender.Key(), r.ageGroup.Key()
		p.LegalName, p.Contact = r.legalName.Text, r.contact.Text
		p.Age = nil
		if t := strings.TrimSpace(r.age.Text); t != "" {
			if n, err := strconv.Atoi(t); err == nil {
				p.Age = &n
			}
		}
		p.Characteristics = nil
		for i, k := range store.Characteristics {
			if r.characteristics[i].Checked {
				p.Characteristics = append(p.Characteristics, k)
			}
		}
		p.Roles = nil
		if k := r.role.Key(); k != "" {
			p.Roles = []string{k}
		}
		c.People = append(c.People, p)
	}
	c.Interventions = nil
	for _, r := range e.irows {
		x := r.orig
		x.Type, x.Status, x.Outcome = r.typ.Key(), r.status.Key(), r.outcome.Text
		x.Date, x.By = strings.TrimSpace(r.date.Text), r.by.Text
		c.Interventions = append(c.Interventions, x)
	}
	c.Notes = slices.Clone(e.baseNotes)
	for _, n := range e.newNotes {
		if t := strings.TrimSpace(n.Text); t != "" {
			c.Notes = append(c.Notes, store.Note{Date: time.Now().Format(time.DateOnly), Text: t})
		}
	}
	var scopes store.ScopeList
	for i, s := range store.ConsentScopes {
		if slices.Contains(e.scopes.Selected, e.scopes.Options[i]) {
			scopes = append(scopes, s)
		}
	}
	date, by := strings.TrimSpace(e.consentDate.Text), e.consentBy.Text
	switch {
	case e.consent.Checked:
		c.Consent = &store.Consent{Obtained: true, Scope: scopes, Date: date, By: by}
	case c.Consent != nil || len(scopes) > 0 || date != "" || by != "":
		c.Consent = &store.Consent{Obtained: false, Scope: scopes, Date: date, By: by}
	}
	return &c
}

func (e *editor) save() {
	a := e.a
	a.touch()
	for _, l := range e.errs {
		l.SetText("")
		l.Hide()
	}
	e.message.SetText("")
	e.message.Hide()
	// Every refusal at once, each beside its field: the fields the form
	// itself cannot read (an age that is not a number), then the vault's
	// check of the whole case, made on a copy before anything is written.
	var refused []*store.FieldError
	for i, bad := range e.badAges() {
		if bad {
			refused = append(refused, &store.FieldError{Field: fmt.Sprintf("people[%d].age", i), Msg: a.T("ui.edit.bad_age")})
		}
	}
	var fe *store.FieldError
	if err := e.build().Normalize(time.Now()); errors.As(err, &fe) {
		refused = append(refused, fe.All()...)
	}
	if len(refused) > 0 {
		e.showRefused(refused)
		return
	}
	if e.m.needAuthor() {
		// Once per vault: whose name this save, and the next, record.
		e.m.askAuthor(func() {
			if !e.closed {
				e.save()
			}
		})
		return
	}
	var err error
	c := e.build()
	if e.orig == nil {
		_, err = e.m.v.Add(e.m.ctx, c)
	} else {
		err = e.m.v.Update(e.m.ctx, c)
	}
	if errors.As(err, &fe) {
		e.showRefused(fe.All())
		return
	}
	if err != nil {
		a.logErr(err).Warn("saving a case failed")
		e.message.SetText(a.message(err))
		e.message.Show()
		return
	}
	a.log.WithField("revision", c.Revision).Info("case saved")
	e.close()
	e.m.v.DeleteDraft(e.m.ctx, e.draftKey)
	e.m.refresh()
	e.m.showCase(c)
	saved := widget.NewLabel(a.T("ui.edit.saved", c.Revision))
	saved.Importance = widget.SuccessImportance
	e.m.detail.Objects = append([]fyne.CanvasObject{saved}, e.m.detail.Objects...)
	e.m.detailRefresh()
	// The case is read from its top, where "Saved" is; the pane was
	// scrolled down to Save.
	e.m.detailScroll.ScrollToTop()
}

// showRefused puts each refusal under its field, naming the field (and the
// row, in a list of violations, people or responses), sums them up beside
// Save and scrolls to the first.
func (e *editor) showRefused(refused []*store.FieldError) {
	a := e.a
	// Top to bottom, as the person reads the form.
	slices.SortStableFunc(refused, func(x, y *store.FieldError) int {
		sx, _, _ := splitField(x.Field)
		sy, _, _ := splitField(y.Field)
		return slices.Index(e.order, sx) - slices.Index(e.order, sy)
	})
	var names []string
	var first *widget.Label
	for _, fe := range refused {
		section, row, sub := splitField(fe.Field)
		l, ok := e.errs[section]
		if !ok {
			// A field the form does not show: said beside Save only.
			names = append(names, a.fieldMessage(fe))
			continue
		}
		name := e.names[section]
		msg := a.fieldMessage(fe)
		if row >= 0 {
			what := a.T("ui.edit.row", row+1)
			if k, ok := subFieldLabels[section+"."+sub]; ok {
				what += " " + a.T(k)
			}
			msg = what + " — " + a.reasonText(fe)
			name += " (" + what + ")"
		}
		if l.Text != "" {
			msg = l.Text + "\n" + msg
		}
		l.SetText(msg)
		l.Show()
		if first == nil {
			first = l
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	e.message.SetText(a.T("ui.edit.invalid_fields", strings.Join(names, ", ")))
	e.message.Show()
	e.m.detailRefresh()
	if first != nil {
		e.m.scrollTo(first)
	}
}

// badAges says, person by person, whether the age typed is not a number.
func (e *editor) badAges() []bool {
	out := make([]bool, len(e.prows))
	for i, r := range e.prows {
		if t := strings.TrimSpace(r.age.Text); t != "" {
			_, err := strconv.Atoi(t)
			out[i] = err != nil
		}
	}
	return out
}

// splitField splits a field path such as "violations[1].type" into the
// section the form shows it in, the row (-1 for none) and the field in
// the row.
func splitField(path string) (section string, row int, sub string) {
	row = -1
	section = path
	if i := strings.IndexAny(path, ".["); i >= 0 {
		section = path[:i]
	}
	if m := rowIndex.FindStringSubmatch(path); m != nil {
		row, _ = strconv.Atoi(m[1])
		rest := path[len(m[0]):]
		rest = strings.TrimPrefix(rest, ".")
		if i := strings.IndexAny(rest, ".["); i >= 0 {
			rest = rest[:i]
		}
		sub = rest
	} else if i := strings.IndexByte(path, '.'); i >= 0 {
		sub = path[i+1:]
	}
	return section, row, sub
}

// subFieldLabels name the fields inside a row, as their placeholders do.
var subFieldLabels = map[string]string{
	"violations.type": "ui.edit.violation_type", "violations.perpetrator": "ui.edit.perpetrator",
	"violations.date": "ui.edit.violation_date", "violations.victim": "ui.edit.victim",
	"violations.perpetrator_details": "ui.edit.perpetrator_details", "violations.method": "ui.edit.method",
	"violations.consequences": "ui.edit.consequences", "violations.description": "ui.edit.description",
	"people.pseudonym": "ui.edit.pseudonym", "people.role": "ui.edit.role", "people.roles": "ui.edit.role",
	"people.gender": "ui.edit.gender", "people.age_group": "ui.edit.age_group", "people.age": "ui.edit.age",
	"people.legal_name": "ui.edit.legal_name", "people.contact": "ui.edit.contact",
	"interventions.type": "ui.edit.intervention_type", "interventions.status": "ui.edit.intervention_status",
	"interventions.date": "ui.edit.violation_date", "interventions.by": "ui.edit.intervention_by",
	"interventions.outcome": "ui.edit.outcome",
}

// fieldMessage says a validation error in the person's language, with the
// number of the row (violation, person…) it is in.
func (a *App) fieldMessage(fe *store.FieldError) string {
	msg := a.reasonText(fe)
	if m := rowIndex.FindStringSubmatch(fe.Field); m != nil {
		n, _ := strconv.Atoi(m[1])
		msg = a.T("ui.edit.row", n+1) + " " + msg
	}
	return msg
}

// reasonText says why a field was refused, in the person's language.
// Store's English message is the fallback for reasons without a
// translation.
func (a *App) reasonText(fe *store.FieldError) string {
	if key := "ui.reason." + fe.Reason; fe.Reason != "" && a.T(key) != key {
		return a.T(key)
	}
	return fe.Msg
}

// rowIndex finds the row of a field path such as "violations[1].victim".
var rowIndex = regexp.MustCompile(`^[a-z_]+\[(\d+)\]`)

// hint is a small line of help under a field.
func hint(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	return l
}
