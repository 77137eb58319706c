package ui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/store"
)

// pageSize is how many list rows are fetched at a time: the list is
// virtual, so only the pages that scroll into view are ever read.
const pageSize = 200

// searchDelay is how long typing must pause before a search runs.
const searchDelay = 100 * time.Millisecond

// mainScreen is the case list with search and filters, and the case view.
type mainScreen struct {
	a       *App
	v       *store.Vault
	content fyne.CanvasObject

	curSettings *settingsForm   // the settings dialog last opened
	lastShare   *shareForm      // the share dialog last opened
	partners    *fyne.Container // the partners listed in the Contacts dialog last opened

	search *widget.Entry
	status *widget.Select

	// Filters and order, below the search.
	violation, perpetrator *vocabSelect
	country, from, to      *widget.Entry
	review                 *widget.Check
	sort                   *widget.Select
	count                  *widget.Label
	queryError             *widget.Label // a filter that cannot be read, under the filters
	list                   *widget.List
	detail                 *fyne.Container
	detailScroll           *container.Scroll

	editor  *editor     // the last editor shown
	current *store.Case // the case on screen, or nil

	previewed fyne.CanvasObject // the last preview shown, for tests

	banner    *widget.Label // the backup reminder
	bannerBox *fyne.Container

	// The list's model; touched only on the UI goroutine.
	q     store.Query
	total int
	pages map[int][]store.Summary
	gen   int // bumps on every new query, so stale results are dropped

	debounce *time.Timer
	mu       sync.Mutex // guards debounce
	ctx      context.Context
	cancel   context.CancelFunc

	// queried is called on the UI goroutine after each refresh; tests wait
	// on it.
	queried func()
}

func newMainScreen(a *App, v *store.Vault) *mainScreen {
	m := &mainScreen{a: a, v: v, pages: map[int][]store.Summary{}}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.search = widget.NewEntry()
	m.search.SetPlaceHolder(a.T("ui.main.search"))
	m.search.OnChanged = safe(func(string) { a.touch(); m.scheduleRefresh() })
	statuses := []string{a.T("ui.main.all_statuses")}
	for _, s := range store.CaseStatuses {
		statuses = append(statuses, assets.VocabLabel(a.lang, "case_status", s))
	}
	m.status = widget.NewSelect(statuses, nil)
	m.status.SetSelectedIndex(0)
	m.status.OnChanged = safe(func(string) { a.touch(); m.refresh() }) // after the initial selection
	m.count = widget.NewLabel("")
	m.queryError = widget.NewLabel("")
	m.queryError.Importance = widget.DangerImportance
	m.queryError.Wrapping = fyne.TextWrapWord
	m.queryError.Hide()
	m.violation = a.vocabSelect("violation", store.ViolationTypes, a.T("ui.main.all_violations"))
	m.perpetrator = a.vocabSelect("perpetrator", store.Perpetrators, a.T("ui.main.all_perpetrators"))
	m.violation.SetSelectedIndex(0)
	m.perpetrator.SetSelectedIndex(0)
	m.violation.OnChanged = safe(func(string) { a.touch(); m.refresh() })
	m.perpetrator.OnChanged = safe(func(string) { a.touch(); m.refresh() })
	filterEntry := func(hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		e.OnChanged = safe(func(string) { a.touch(); m.scheduleRefresh() })
		return e
	}
	m.country, m.from, m.to = filterEntry(a.T("ui.main.country")), filterEntry(a.T("ui.main.from")), filterEntry(a.T("ui.main.to"))
	m.review = widget.NewCheck(a.T("ui.main.needs_review_only"), safe(func(bool) { a.touch(); m.refresh() }))
	sorts := []string{a.T("ui.sort.incident_desc"), a.T("ui.sort.incident_asc"), a.T("ui.sort.updated_desc"), a.T("ui.sort.reference")}
	m.sort = widget.NewSelect(sorts, nil)
	m.sort.SetSelectedIndex(0)
	m.sort.OnChanged = safe(func(string) { a.touch(); m.refresh() })
	lock := widget.NewButtonWithIcon(a.T("ui.main.lock"), theme.VisibilityOffIcon(), safe(a.Lock))
	backup := widget.NewButtonWithIcon(a.T("ui.main.backup"), theme.DocumentSaveIcon(), safe(func() { m.askBackup() }))
	imp := widget.NewButtonWithIcon(a.T("ui.main.import"), theme.DownloadIcon(), safe(m.askImport))
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), safe(func() { m.showSettings() }))
	contacts := widget.NewButtonWithIcon(a.T("ui.main.contacts"), theme.AccountIcon(), safe(m.showContacts))
	newCase := widget.NewButtonWithIcon(a.T("ui.main.new_case"), theme.ContentAddIcon(), safe(m.newCase))
	m.banner = widget.NewLabel("")
	m.banner.Wrapping = fyne.TextWrapWord
	m.banner.Importance = widget.WarningImportance
	bannerBtn := widget.NewButtonWithIcon(a.T("ui.main.backup"), theme.DocumentSaveIcon(), safe(func() { m.askBackup() }))
	m.list = widget.NewList(m.length, m.newRow, m.updateRow)
	m.list.OnSelected = safe(func(i widget.ListItemID) { a.touch(); m.selected(i) })
	m.detail = container.NewVBox(m.noCase()...)
	m.bannerBox = container.NewBorder(nil, nil, nil, bannerBtn, m.banner)
	m.bannerBox.Hide()
	filters := container.NewGridWithColumns(4, m.status, m.violation, m.perpetrator, m.sort, m.country, m.from, m.to, m.review)
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(m.count, newCase, backup, imp, contacts, settings, lock), m.search), filters, m.queryError, m.bannerBox)
	m.detailScroll = a.readScroll(container.NewPadded(m.detail))
	split := container.NewHSplit(m.list, m.detailScroll)
	split.Offset = 0.42
	m.content = container.NewBorder(top, nil, nil, nil, split)
	m.showBackupAge()
	return m
}

func (m *mainScreen) stop() {
	if m.editor != nil {
		m.editor.leave() // before the vault closes: nothing typed is lost
	}
	m.cancel()
	m.mu.Lock()
	if m.debounce != nil {
		m.debounce.Stop()
	}
	m.mu.Unlock()
}

func (m *mainScreen) scheduleRefresh() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.debounce != nil {
		m.debounce.Stop()
	}
	m.debounce = time.AfterFunc(searchDelay, func() { do(m.refresh) })
}

// query reads the widgets into a store query.
func (m *mainScreen) query() store.Query {
	q := store.Query{
		Text:        strings.TrimSpace(m.search.Text),
		Violation:   m.violation.Key(),
		Perpetrator: m.perpetrator.Key(),
		Country:     strings.TrimSpace(m.country.Text),
		From:        strings.TrimSpace(m.from.Text),
		To:          strings.TrimSpace(m.to.Text),
		NeedsReview: m.review.Checked,
		Sort:        []string{store.SortIncidentDesc, store.SortIncidentAsc, store.SortUpdatedDesc, store.SortReference}[max(m.sort.SelectedIndex(), 0)],
	}
	if i := m.status.SelectedIndex(); i > 0 {
		q.Status = store.CaseStatuses[i-1]
	}
	return q
}

// refresh counts and fetches the first page off the UI goroutine, then
// swaps the model in.
func (m *mainScreen) refresh() {
	q := m.query()
	m.gen++
	gen := m.gen
	goSafe(func() {
		total, err := m.v.Count(m.ctx, q)
		var first []store.Summary
		if err == nil {
			first, err = m.v.List(m.ctx, withPage(q, 0))
		}
		do(func() {
			if gen != m.gen || m.ctx.Err() != nil {
				return // a newer query, or locked meanwhile
			}
			// What is wrong with the query goes under the filters, not
			// beside the search, where a long message squeezed the box.
			var fe *store.FieldError
			if errors.As(err, &fe) && (fe.Field == "from" || fe.Field == "to") {
				m.queryError.SetText(m.a.T("ui.edit.bad_date"))
				m.queryError.Show()
				return
			}
			if err != nil {
				m.a.logErr(err).Warn("listing cases failed")
				m.queryError.SetText(m.a.message(err))
				m.queryError.Show()
				return
			}
			m.queryError.Hide()
			m.q, m.total = q, total
			m.pages = map[int][]store.Summary{0: first}
			m.count.SetText(m.a.N("ui.n.cases", total))
			m.list.UnselectAll()
			m.list.Refresh()
			m.list.ScrollToTop()
			if m.queried != nil {
				m.queried()
			}
		})
	})
}

func withPage(q store.Query, page int) store.Query {
	q.Limit, q.Offset = pageSize, page*pageSize
	return q
}

func (m *mainScreen) length() int { return m.total }

// newRow makes a list row: reference and incident date above, the title
// below across the row's whole width (beside them it was cut at about 25
// characters on a laptop screen).
func (m *mainScreen) newRow() fyne.CanvasObject {
	ref := widget.NewLabelWithStyle("DEMO-2026-0000", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	date := widget.NewLabelWithStyle("2026-01-01", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	flag := widget.NewLabel("")
	flag.Importance = widget.WarningImportance
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	return container.New(tightRows{}, container.NewHBox(ref, date, flag), title)
}

// row returns the summary at i, reading its page if needed. A page is a
// few hundred rows read by index, fast enough to do while scrolling.
func (m *mainScreen) row(i int) (store.Summary, bool) {
	p := i / pageSize
	page, ok := m.pages[p]
	if !ok {
		var err error
		page, err = m.v.List(m.ctx, withPage(m.q, p))
		if err != nil {
			return store.Summary{}, false
		}
		m.pages[p] = page
	}
	if i%pageSize >= len(page) {
		return store.Summary{}, false
	}
	return page[i%pageSize], true
}

func (m *mainScreen) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	s, ok := m.row(i)
	rows := o.(*fyne.Container)
	top := rows.Objects[0].(*fyne.Container)
	title := rows.Objects[1].(*widget.Label)
	if !ok {
		title.SetText("…")
		return
	}
	top.Objects[0].(*widget.Label).SetText(s.Reference)
	top.Objects[1].(*widget.Label).SetText(orDash(s.IncidentDate))
	flag := top.Objects[2].(*widget.Label)
	if s.NeedsReview {
		flag.SetText("⚑ " + m.a.T("ui.main.needs_review"))
	} else {
		flag.SetText("")
	}
	title.SetText(store.VisibleText(s.Title, false))
}

// tightRows stacks its objects without the padding between them that a
// VBox adds: a list row of two lines of labels, which pad themselves.
type tightRows struct{}

func (tightRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - theme.Padding()
	}
	return s
}

func (tightRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height - theme.Padding()
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
}

func (m *mainScreen) selected(i widget.ListItemID) {
	s, ok := m.row(i)
	if !ok {
		return
	}
	c, err := m.v.Get(m.ctx, s.ID)
	if err != nil {
		m.detail.Objects = []fyne.CanvasObject{widget.NewLabel(m.a.T("ui.error", err.Error()))}
		m.detailRefresh()
		return
	}
	m.showCase(c)
}

// showCase shows a case read-only, with Edit and History; nil shows the
// hint to select one.
func (m *mainScreen) showCase(c *store.Case) {
	m.showCaseOrNone(c)
}

// noCase is what the detail pane shows with no case selected: the hint,
// and the statistics of the list as it is (also in the Vault menu).
func (m *mainScreen) noCase() []fyne.CanvasObject {
	stats := widget.NewButtonWithIcon(m.a.T("ui.stats.button"), theme.ListIcon(), safe(func() { m.showStats() }))
	stats.Importance = widget.LowImportance
	return []fyne.CanvasObject{widget.NewLabel(m.a.T("ui.main.select_case")), container.NewHBox(stats)}
}

func (m *mainScreen) showCaseOrNone(c *store.Case) {
	if m.editor != nil {
		m.editor.leave()
	}
	m.current = c
	if c == nil {
		m.detail.Objects = m.noCase()
		m.detailRefresh()
		return
	}
	edit := widget.NewButtonWithIcon(m.a.T("ui.case.edit"), theme.DocumentCreateIcon(), safe(func() { m.showEditor(c) }))
	history := widget.NewButtonWithIcon(m.a.T("ui.case.history"), theme.HistoryIcon(), safe(func() { m.showHistory(c) }))
	share := widget.NewButtonWithIcon(m.a.T("ui.share.button"), theme.MailSendIcon(), safe(func() { m.showShare(c) }))
	actions := container.NewHBox(edit, history, share)
	if c.NeedsReview {
		resolve := widget.NewButtonWithIcon(m.a.T("ui.resolve.button"), theme.WarningIcon(), safe(func() { m.showResolve(c) }))
		resolve.Importance = widget.WarningImportance
		actions.Add(resolve)
	}
	m.detail.Objects = append([]fyne.CanvasObject{actions}, caseView(m.a, c)...)
	m.detail.Objects = append(m.detail.Objects, m.evidenceView(c)...)
	m.detailRefresh()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// scrollTo scrolls the detail pane so that o is at its top.
func (m *mainScreen) scrollTo(o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(m.detailScroll.Content).Y
	// The field's name and the field are above its message: leave room.
	m.detailScroll.ScrollToOffset(fyne.NewPos(0, max(0, y-6*theme.Size(theme.SizeNameText))))
}

// newCase opens the editor on a new case.
func (m *mainScreen) newCase() {
	m.list.UnselectAll()
	m.showEditor(nil)
}

// where says what the person has on screen, for going back to it after
// an unlock.
func (m *mainScreen) where() resumePoint {
	if e := m.editor; e != nil && !e.closed {
		r := resumePoint{editing: true}
		if e.orig != nil {
			r.caseID = e.orig.ID
		}
		return r
	}
	if m.current != nil {
		return resumePoint{caseID: m.current.ID}
	}
	return resumePoint{}
}

// goBack shows again the case, or the editor with its draft, that was on
// screen when the vault locked.
func (m *mainScreen) goBack(r resumePoint) {
	var c *store.Case
	if r.caseID != "" {
		var err error
		if c, err = m.v.Get(m.ctx, r.caseID); err != nil {
			return // deleted meanwhile, by an import: the list is shown
		}
	}
	switch {
	case r.editing:
		m.showEditor(c)
	case c != nil:
		m.showCase(c)
	}
}

// detailRefresh redraws the detail pane after its objects changed, and
// its scroll, whose content may now be taller or shorter.
func (m *mainScreen) detailRefresh() {
	m.detail.Refresh()
	m.detailScroll.Refresh()
}
