package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

// The Resolve dialog settles a case flagged for review. Where an import
// met a version of the case changed beside this vault's, it shows both
// side by side, difference by difference (store.Choices, from the same
// field-by-field comparison History uses), and the person keeps either
// side of each; saving makes a new revision (store.Resolve) that clears
// the flag and that the next bundle carries to the partner. A case
// flagged without another version (an anonymised share) is marked
// reviewed.

// resolveForm is the open dialog, for tests to look at.
type resolveForm struct {
	dialog  dialog.Dialog
	mine    *store.Case
	theirs  *store.Case
	choices []store.Choice
	picks   []*widget.RadioGroup // one per choice, in order
}

// showResolve opens the Resolve dialog of a case.
func (m *mainScreen) showResolve(c *store.Case) *resolveForm {
	a := m.a
	a.touch()
	mine, err := m.v.Get(m.ctx, c.ID)
	if err != nil {
		a.showError(a.message(err))
		return nil
	}
	conflicts, err := m.v.Conflicts(m.ctx, c.ID)
	if err != nil {
		a.showError(a.message(err))
		return nil
	}
	f := &resolveForm{mine: mine}
	title := a.T("ui.resolve.title", mine.Reference)
	if len(conflicts) == 0 {
		f.dialog = dialog.NewCustomConfirm(title, a.T("ui.resolve.mark_reviewed"), a.T("ui.cancel"),
			wrapLabel(a.T("ui.resolve.no_conflict")), safe(func(ok bool) {
				if ok {
					m.resolve(mine, store.KeepMine, nil)
				}
			}), a.win)
		f.dialog.Show()
		return f
	}
	// The latest version received; saving settles them all.
	theirs := conflicts[0]
	for _, k := range conflicts[1:] {
		if k.Case.UpdatedAt > theirs.Case.UpdatedAt {
			theirs = k
		}
	}
	f.theirs = theirs.Case
	from := theirs.FromOrg
	if from == "" {
		from = a.T("ui.resolve.another_org")
	}
	box := container.NewVBox(wrapLabel(a.T("ui.resolve.intro", from)))
	if len(conflicts) > 1 {
		box.Add(wrapLabel(a.N("ui.resolve.several", len(conflicts))))
	}
	head := func(s string) fyne.CanvasObject {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	box.Add(container.NewGridWithColumns(2,
		head(a.T("ui.resolve.mine", mine.Revision, when(mine.UpdatedAt), orDash(mine.UpdatedBy))),
		head(a.T("ui.resolve.theirs", from, f.theirs.Revision, when(f.theirs.UpdatedAt), orDash(f.theirs.UpdatedBy)))))
	box.Add(widget.NewSeparator())
	f.choices = store.Choices(mine, f.theirs)
	if len(f.choices) == 0 {
		box.Add(wrapLabel(a.T("ui.resolve.same")))
	}
	keepMine, keepTheirs := a.T("ui.resolve.keep_mine"), a.T("ui.resolve.keep_theirs")
	for _, ch := range f.choices {
		ours, their := a.choiceSides(ch, mine, f.theirs)
		pick := widget.NewRadioGroup([]string{keepMine, keepTheirs}, safe(func(string) { a.touch() }))
		pick.Horizontal = true
		pick.Required = true
		pick.SetSelected(keepMine)
		f.picks = append(f.picks, pick)
		box.Add(head(a.choiceName(ch, mine, f.theirs)))
		box.Add(container.NewGridWithColumns(2, ours, their))
		box.Add(pick)
		box.Add(widget.NewSeparator())
	}
	f.dialog = dialog.NewCustomConfirm(title, a.T("ui.resolve.save"), a.T("ui.cancel"), a.readScroll(box), safe(func(ok bool) {
		if !ok {
			return
		}
		var taken []store.Choice
		for i, p := range f.picks {
			if p.Selected == keepTheirs {
				taken = append(taken, f.choices[i])
			}
		}
		switch {
		case len(taken) == 0:
			m.resolve(mine, store.KeepMine, nil)
		case len(taken) == len(f.choices) && len(conflicts) == 1:
			m.resolve(mine, store.KeepTheirs, nil)
		default:
			merged, err := store.Pick(mine, taken)
			if err != nil {
				a.showError(a.message(err))
				return
			}
			m.resolve(mine, store.KeepMerged, merged)
		}
	}), a.win)
	f.dialog.Resize(historySize(a.win.Canvas().Size()))
	f.dialog.Show()
	return f
}

// resolve saves the decision and shows the case as it now is.
func (m *mainScreen) resolve(c *store.Case, keep string, merged *store.Case) {
	a := m.a
	a.touch()
	saved, err := m.v.Resolve(m.ctx, c.ID, keep, merged)
	if err != nil {
		a.logErr(err).Warn("resolving a case failed")
		a.showError(a.message(err))
		return
	}
	a.log.WithField("revision", saved.Revision).Info("case resolved")
	m.refresh()
	m.showCase(saved)
	done := widget.NewLabel(a.T("ui.resolve.done", saved.Revision))
	done.Importance = widget.SuccessImportance
	m.detail.Objects = append([]fyne.CanvasObject{done}, m.detail.Objects...)
	m.detailRefresh()
}

// choiceName names what a choice decides: a field, or a row (a person, a
// violation…) as History names it.
func (a *App) choiceName(ch store.Choice, mine, theirs *store.Case) string {
	if ch.Field != "" {
		return a.fieldLabel(ch.Changes[0])
	}
	return strings.TrimSuffix(a.T("ui.history.changed."+ch.List, a.rowName(ch.List, ch.Row, mine, theirs)), ":")
}

// choiceSides shows a choice's values in this vault's version and in the
// other: a field's value, the keys of a list only one side has, or a
// row's differing fields ("not in this version" for a row one side
// lacks). Legal names and contacts are hidden until Show is pressed, as
// in History.
func (a *App) choiceSides(ch store.Choice, mine, theirs *store.Case) (fyne.CanvasObject, fyne.CanvasObject) {
	ours, their := container.NewVBox(), container.NewVBox()
	changes := ch.Changes
	if changes[0].Kind == store.KindRow {
		absent := wrapLabel(a.T("ui.resolve.absent"))
		if changes[0].Op == store.OpAdded {
			ours.Add(absent)
		} else {
			their.Add(absent)
		}
	}
	inOurs := changes[0].Kind != store.KindRow || changes[0].Op != store.OpAdded
	inTheirs := changes[0].Kind != store.KindRow || changes[0].Op != store.OpRemoved
	if !inOurs || !inTheirs {
		changes = changes[1:]
	}
	alone := ch.Field != ""
	var oursKeys, theirKeys []string
	for _, c := range changes {
		label := a.fieldLabel(c)
		switch c.Op {
		case store.OpRemoved:
			oursKeys = append(oursKeys, label+": "+a.value(c, c.Old))
		case store.OpAdded:
			theirKeys = append(theirKeys, label+": "+a.value(c, c.New))
		default:
			if inOurs {
				ours.Add(a.sideValue(c, label, c.Old, alone))
			}
			if inTheirs {
				their.Add(a.sideValue(c, label, c.New, alone))
			}
		}
	}
	for _, k := range oursKeys {
		ours.Add(wrapLabel(k))
	}
	for _, k := range theirKeys {
		their.Add(wrapLabel(k))
	}
	return ours, their
}

// sideValue shows one side's value of a field; alone, a field of the case
// named above it shows its value only.
func (a *App) sideValue(c store.Change, label, v string, alone bool) fyne.CanvasObject {
	text := a.T("ui.history.value", label, a.value(c, v))
	if alone {
		text = a.value(c, v)
	}
	shown := wrapLabel(text)
	if !c.Sensitive || v == "" {
		return shown
	}
	return a.hiddenUntilShown(label, shown)
}
