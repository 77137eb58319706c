package ui

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/store"
)

// The History dialog shows, for each revision of a case, newest first,
// who saved it, when, and what it changed from the revision before, field
// by field (store.Diff), in the person's language. The first revision
// shows what the case recorded when it was created. Legal names and
// contacts are shown as changed, their values only after a press on Show.

const (
	historyPage = 10   // revisions shown at first, and added by "Show earlier revisions"
	wholeText   = 4000 // characters shown of a long text added or removed whole
	contextText = 80   // characters of unchanged text kept on each side of a change
)

// showHistory opens the History dialog of a case.
func (m *mainScreen) showHistory(c *store.Case) {
	a := m.a
	a.touch()
	cur, err := m.v.Get(m.ctx, c.ID)
	if err != nil {
		dialog.ShowError(errors.New(a.message(err)), a.win)
		return
	}
	revs, err := m.v.Revisions(m.ctx, c.ID)
	if err != nil {
		dialog.ShowError(errors.New(a.message(err)), a.win)
		return
	}
	versions := append(revs, cur)
	for i, v := range versions {
		versions[i] = v.Visible() // never raw control characters on screen
	}
	box := container.NewVBox(wrapLabel(a.T("ui.history.intro")))
	if len(revs) == 0 {
		box.Add(wrapLabel(a.T("ui.case.no_history")))
	}
	next := len(versions) - 1 // the newest revision not shown yet
	var more *widget.Button
	page := func() {
		for n := 0; n < historyPage && next >= 0; n, next = n+1, next-1 {
			var prev *store.Case
			if next > 0 {
				prev = versions[next-1]
			}
			box.Add(a.revisionView(prev, versions[next], next == len(versions)-1))
			box.Add(widget.NewSeparator())
		}
	}
	page()
	if next >= 0 {
		more = widget.NewButton(a.T("ui.history.older"), safe(func() {
			a.touch()
			box.Remove(more)
			page()
			if next >= 0 {
				box.Add(more)
			}
		}))
		box.Add(more)
	}
	d := dialog.NewCustom(a.T("ui.case.history")+" — "+cur.Reference, a.T("ui.close"), a.readScroll(box), a.win)
	d.Resize(historySize(a.win.Canvas().Size()))
	d.Show()
}

// historySize is the dialog's size: wide enough to read, within the window
// (a 1024×600 laptop screen included).
func historySize(win fyne.Size) fyne.Size {
	return fyne.NewSize(min(860, win.Width-2*theme.Padding()-24), win.Height-2*theme.Padding()-24)
}

// revisionView shows one revision: who saved it and when, and what it
// changed from prev (nil for the first revision: what it recorded).
func (a *App) revisionView(prev, r *store.Case, current bool) fyne.CanvasObject {
	var head string
	if prev == nil {
		head = a.T("ui.history.created", r.Revision, when(r.CreatedAt), orDash(r.CreatedBy))
	} else {
		head = a.T("ui.case.revision_of", r.Revision, when(r.UpdatedAt), orDash(r.UpdatedBy))
	}
	if current {
		head = a.T("ui.history.current", head)
	}
	title := widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title)
	changes := store.Diff(prev, r)
	if len(changes) == 0 {
		box.Add(wrapLabel(a.T("ui.history.no_changes")))
	}
	mode := store.OpChanged
	if prev == nil {
		mode = store.OpAdded
	}
	for i := 0; i < len(changes); {
		ch := changes[i]
		j := i + 1
		if ch.List != "" && ch.List != "consent" {
			for j < len(changes) && changes[j].List == ch.List && changes[j].Row == ch.Row {
				j++
			}
			box.Add(indent(a.rowChanges(changes[i:j], prev, r)))
		} else {
			for j < len(changes) && changes[j].List == ch.List {
				j++
			}
			for _, o := range a.fieldLines(changes[i:j], mode) {
				box.Add(indent(o))
			}
		}
		i = j
	}
	return box
}

// indent sets an object off from the revision's heading.
func indent(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedLayout(0, 0, 2*theme.Padding(), 0), o)
}

// rowChanges shows what happened to one row (a person, a violation, a
// response, a note): added, removed or changed, and its fields.
func (a *App) rowChanges(changes []store.Change, prev, r *store.Case) fyne.CanvasObject {
	first := changes[0]
	mode, fields := store.OpChanged, changes
	if first.Kind == store.KindRow {
		mode, fields = first.Op, changes[1:]
	}
	name := a.rowName(first.List, first.Row, prev, r)
	head := widget.NewLabelWithStyle(a.T("ui.history."+string(mode)+"."+first.List, name), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	head.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(head)
	if first.List == "notes" && mode != store.OpChanged {
		// A note added or removed: its text; its date and author are in
		// the heading.
		for _, ch := range fields {
			if ch.Field == "text" {
				box.Add(indent(wrapLabel(a.clip(ch.Old + ch.New))))
			}
		}
		return box
	}
	if mode != store.OpChanged {
		// The heading names the row already.
		fields = slices.DeleteFunc(slices.Clone(fields), func(c store.Change) bool { return c.Field == nameField[c.List] })
	}
	for _, o := range a.fieldLines(fields, mode) {
		box.Add(indent(o))
	}
	return box
}

// nameField is the field that names a row in rowName.
var nameField = map[string]string{"people": "pseudonym", "violations": "type", "interventions": "type"}

// rowName names a row as a person recognises it: a person's pseudonym, a
// violation's type and victim, a response's type and date, a note's date
// and author. It is looked up in the newer version, else the older.
func (a *App) rowName(list, id string, prev, r *store.Case) string {
	for _, c := range []*store.Case{r, prev} {
		if c == nil {
			continue
		}
		switch list {
		case "people":
			if x := rowByID(c.People, id, func(p store.Person) string { return p.ID }); x != nil {
				return orDash(x.Pseudonym)
			}
		case "violations":
			if x := rowByID(c.Violations, id, func(v store.Violation) string { return v.ID }); x != nil {
				s := orDash(assets.VocabLabel(a.lang, "violation", x.Type))
				if x.Victim != "" {
					s += " → " + x.Victim
				}
				return s
			}
		case "interventions":
			if x := rowByID(c.Interventions, id, func(v store.Intervention) string { return v.ID }); x != nil {
				return orDash(joinNonEmpty(", ", assets.VocabLabel(a.lang, "intervention", x.Type), x.Date))
			}
		case "notes":
			if x := rowByID(c.Notes, id, func(n store.Note) string { return n.ID }); x != nil {
				return orDash(joinNonEmpty(", ", x.Date, x.Author))
			}
		}
	}
	return "—"
}

// rowByID finds a row by its id, or by its position ("#N") for a row
// without one, as store.Diff names them.
func rowByID[T any](rows []T, id string, idOf func(T) string) *T {
	if n, err := strconv.Atoi(strings.TrimPrefix(id, "#")); strings.HasPrefix(id, "#") && err == nil {
		if n >= 0 && n < len(rows) && idOf(rows[n]) == "" {
			return &rows[n]
		}
		return nil
	}
	for i := range rows {
		if idOf(rows[i]) == id {
			return &rows[i]
		}
	}
	return nil
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// fieldLines shows changes of fields of one record, one line each; the
// keys added to and removed from a list field (tags, roles…) share a line.
// In mode OpAdded (a new row, the first revision) a line gives the value
// recorded, in mode OpRemoved the value dropped, else old → new.
func (a *App) fieldLines(changes []store.Change, mode store.Op) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for i := 0; i < len(changes); {
		ch := changes[i]
		label := a.fieldLabel(ch)
		if ch.Op == store.OpChanged {
			out = append(out, a.fieldLine(label, ch, mode))
			i++
			continue
		}
		var parts []string
		for ; i < len(changes) && changes[i].Op != store.OpChanged && changes[i].Field == ch.Field && changes[i].List == ch.List; i++ {
			c := changes[i]
			v := a.value(c, c.Old+c.New)
			if mode == store.OpChanged {
				v = map[store.Op]string{store.OpAdded: "+ ", store.OpRemoved: "− "}[c.Op] + v
			}
			parts = append(parts, v)
		}
		out = append(out, wrapLabel(a.T("ui.history.value", label, strings.Join(parts, ", "))))
	}
	return out
}

// fieldLine shows one field's change.
func (a *App) fieldLine(label string, ch store.Change, mode store.Op) fyne.CanvasObject {
	var shown fyne.CanvasObject
	var text string
	switch {
	case mode == store.OpAdded:
		text = a.T("ui.history.value", label, a.value(ch, ch.New))
	case mode == store.OpRemoved:
		text = a.T("ui.history.value", label, a.value(ch, ch.Old))
	case ch.Kind == store.KindLong && ch.Old != "" && ch.New != "":
		shown = a.passage(label, ch.Old, ch.New)
	default:
		text = a.T("ui.history.change", label, a.value(ch, ch.Old), a.value(ch, ch.New))
	}
	if shown == nil {
		shown = wrapLabel(text)
	}
	if !ch.Sensitive {
		return shown
	}
	return a.hiddenUntilShown(label, shown)
}

// hiddenUntilShown hides a sensitive field's value (a legal name, a
// contact) behind its name until Show is pressed: someone may be looking
// over the shoulder.
func (a *App) hiddenUntilShown(label string, shown fyne.CanvasObject) fyne.CanvasObject {
	hidden := wrapLabel(a.T("ui.history.hidden", label))
	shown.Hide()
	var toggle *widget.Button
	toggle = widget.NewButton(a.T("ui.history.show"), safe(func() {
		a.touch()
		if shown.Visible() {
			shown.Hide()
			hidden.Show()
			toggle.SetText(a.T("ui.history.show"))
		} else {
			hidden.Hide()
			shown.Show()
			toggle.SetText(a.T("ui.history.hide"))
		}
	}))
	toggle.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, nil, toggle, container.NewStack(hidden, shown))
}

// fieldLabel is the field's name in the person's language.
func (a *App) fieldLabel(ch store.Change) string {
	if ch.List == "" {
		return a.T("ui.field." + ch.Field)
	}
	return a.T("ui.field." + ch.List + "." + ch.Field)
}

// value is a field's value as the person reads it: vocabulary labels,
// yes or no, a dash for nothing, long texts clipped.
func (a *App) value(ch store.Change, s string) string {
	switch {
	case s == "":
		return "—"
	case ch.Kind == store.KindVocab:
		return assets.VocabLabel(a.lang, ch.Vocab, s)
	case ch.Kind == store.KindBool && s == "true":
		return a.T("ui.history.yes")
	case ch.Kind == store.KindBool:
		return a.T("ui.history.no")
	}
	return a.clip(s)
}

// passage shows a long text's change as the passages that changed, before
// and after, the words removed and added marked (bold, in the theme's
// error and success colours), with some unchanged text around them.
func (a *App) passage(label, old, new string) fyne.CanvasObject {
	spans := store.TextDiff(old, new)
	plain := func(s string) widget.RichTextSegment {
		return &widget.TextSegment{Text: s, Style: widget.RichTextStyleInline}
	}
	marked := func(s string, color fyne.ThemeColorName) widget.RichTextSegment {
		return &widget.TextSegment{Text: a.clip(s), Style: widget.RichTextStyle{Inline: true, ColorName: color, TextStyle: fyne.TextStyle{Bold: true}}}
	}
	before := []widget.RichTextSegment{&widget.TextSegment{Text: a.T("ui.history.before") + " ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Italic: true}}}}
	after := []widget.RichTextSegment{&widget.TextSegment{Text: a.T("ui.history.after") + " ", Style: widget.RichTextStyle{Inline: true, TextStyle: fyne.TextStyle{Italic: true}}}}
	for i, s := range spans {
		switch s.Op {
		case store.SpanDeleted:
			before = append(before, marked(s.Text, theme.ColorNameError))
		case store.SpanInserted:
			after = append(after, marked(s.Text, theme.ColorNameSuccess))
		default:
			t := keepContext(s.Text, i > 0, i < len(spans)-1)
			before, after = append(before, plain(t)), append(after, plain(t))
		}
	}
	rich := func(segs []widget.RichTextSegment) *widget.RichText {
		rt := widget.NewRichText(segs...)
		rt.Wrapping = fyne.TextWrapWord
		return rt
	}
	return container.NewVBox(wrapLabel(a.T("ui.history.value", label, "")), indent(rich(before)), indent(rich(after)))
}

// clip shortens a long text added or removed whole to what a dialog can
// show.
func (a *App) clip(s string) string {
	r := []rune(s)
	if len(r) <= wholeText {
		return s
	}
	return string(r[:wholeText]) + " " + a.N("ui.history.more", len(r)-wholeText)
}

// keepContext keeps the unchanged text next to changes: the end of it if a
// change follows (after), the start if one precedes (before), both ends
// if it is between two; what is left out shows as "…". Cuts fall between
// words where one is near.
func keepContext(s string, before, after bool) string {
	r := []rune(s)
	if len(r) <= 2*contextText+10 || !before && !after {
		return s
	}
	head, tail := "", ""
	if before {
		n := contextText
		for k := n; k > n-20 && k > 0; k-- {
			if unicode.IsSpace(r[k]) {
				n = k
				break
			}
		}
		head = string(r[:n])
	}
	if after {
		n := len(r) - contextText
		for k := n; k < n+20 && k < len(r); k++ {
			if unicode.IsSpace(r[k]) {
				n = k + 1
				break
			}
		}
		tail = string(r[n:])
	}
	switch {
	case before && after:
		return head + " … " + tail
	case before:
		return head + " …"
	}
	return "… " + tail
}
