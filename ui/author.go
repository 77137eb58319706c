package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/store"
)

// The person's name is recorded as the author of revisions, notes and
// audit entries (store.SettingAuthor, inside the vault). It is asked once
// per vault: in Settings, or at the first save of a case if it was never
// given; the question can be skipped, and is not asked again.

// settingAuthorAsked is set in the vault once the name was asked.
const settingAuthorAsked = "author_asked"

// needAuthor reports whether the name should be asked before a save.
func (m *mainScreen) needAuthor() bool {
	name, err1 := m.v.Setting(m.ctx, store.SettingAuthor)
	asked, err2 := m.v.Setting(m.ctx, settingAuthorAsked)
	return err1 == nil && err2 == nil && name == "" && asked == ""
}

// askAuthor asks for the person's name, then calls then: after the name
// is recorded, or the question skipped.
func (m *mainScreen) askAuthor(then func()) {
	a := m.a
	name := widget.NewEntry()
	name.SetPlaceHolder(a.T("ui.settings.author_placeholder"))
	problem := wrapLabel("")
	problem.Importance = widget.DangerImportance
	problem.Hide()
	var d dialog.Dialog
	done := func() {
		m.v.SetSetting(m.ctx, settingAuthorAsked, "1")
		d.Hide()
		then()
	}
	record := widget.NewButton(a.T("ui.author.record"), safe(func() {
		a.touch()
		if strings.TrimSpace(name.Text) == "" {
			done() // nothing typed: as Skip, with nothing to record
			return
		}
		if err := m.v.SetAuthor(m.ctx, name.Text); err != nil {
			problem.SetText(a.authorProblem(err))
			problem.Show()
			return
		}
		a.log.Info("author's name recorded")
		done()
	}))
	record.Importance = widget.HighImportance
	name.OnSubmitted = safe(func(string) { record.OnTapped() })
	skip := widget.NewButton(a.T("ui.author.skip"), safe(func() {
		a.touch()
		done()
	}))
	d = dialog.NewCustomWithoutButtons(a.T("ui.author.title"),
		container.NewVBox(wrapLabel(a.T("ui.author.ask")), name, problem, container.NewHBox(record, skip)), a.win)
	d.Resize(fyne.NewSize(min(520, a.win.Canvas().Size().Width-40), 0))
	d.Show()
	a.win.Canvas().Focus(name)
}

// authorProblem says why a name was refused, in the person's language.
func (a *App) authorProblem(err error) string {
	var fe *store.FieldError
	if errors.As(err, &fe) {
		return a.fieldMessage(fe)
	}
	return a.message(err)
}
