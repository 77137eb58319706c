package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// createScreen makes a new vault: organisation, passphrase twice, a
// strength check that refuses weak passphrases with a reason.
type createScreen struct {
	a             *App
	org           *widget.Entry
	pass, confirm *widget.Entry
	strength      *widget.Label
	status        *widget.Label
	button        *widget.Button
	progress      *widget.ProgressBarInfinite
}

func (a *App) showCreate() {
	s := &createScreen{a: a}
	s.org = widget.NewEntry()
	s.org.SetPlaceHolder(a.T("ui.create.org"))
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder(a.T("ui.unlock.passphrase"))
	s.confirm = widget.NewPasswordEntry()
	s.confirm.SetPlaceHolder(a.T("ui.create.confirm"))
	s.strength = widget.NewLabel("")
	s.strength.Wrapping = fyne.TextWrapWord
	s.pass.OnChanged = safe(func(p string) { s.showStrength(p) })
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.status.Importance = widget.DangerImportance
	s.button = widget.NewButton(a.T("ui.create.button"), safe(s.submit))
	s.button.Importance = widget.HighImportance
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	intro := widget.NewLabel(a.T("ui.create.intro", a.cfg.VaultDir))
	intro.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(a.T("ui.create.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	restore := widget.NewButton(a.T("ui.restore.open"), safe(func() { a.showRestore() }))
	restore.Importance = widget.LowImportance
	// Enter moves on, and submits from the last field.
	s.org.OnSubmitted = safe(func(string) { a.win.Canvas().Focus(s.pass) })
	s.pass.OnSubmitted = safe(func(string) { a.win.Canvas().Focus(s.confirm) })
	s.confirm.OnSubmitted = safe(func(string) { s.submit() })
	// The hint has room for two lines whatever it says, so the fields
	// below do not move under the pointer while the passphrase is typed.
	form := container.NewVBox(title, intro, s.org, s.pass, reserve(s.strength, 2), s.confirm, s.button, s.progress, s.status, restore)
	a.win.SetContent(container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(480, 520)), form)))
	a.win.Canvas().Focus(s.org)
}

// reserve gives o the height of lines lines of text at least, so that
// what it says does not move what is below it.
func reserve(o fyne.CanvasObject, lines int) fyne.CanvasObject {
	h := canvas.NewRectangle(color.Transparent)
	line := theme.Size(theme.SizeNameText) + 2*theme.Size(theme.SizeNameLineSpacing)
	h.SetMinSize(fyne.NewSize(0, float32(lines)*line+2*theme.Size(theme.SizeNameInnerPadding)))
	return container.NewStack(h, o)
}

func (s *createScreen) showStrength(p string) {
	if p == "" {
		s.strength.SetText("")
		return
	}
	if err := crypto.CheckPassphrase(p); err != nil {
		s.strength.Importance = widget.WarningImportance
		s.strength.SetText(s.a.message(err))
		return
	}
	s.strength.Importance = widget.SuccessImportance
	s.strength.SetText(s.a.T("ui.strength.ok"))
}

// newPassphraseProblem says what is wrong with a new passphrase typed
// twice (too weak, or the two differ), or "" if nothing is.
func (a *App) newPassphraseProblem(pass, confirm string) string {
	if err := crypto.CheckPassphrase(pass); err != nil {
		return a.message(err)
	}
	if pass != confirm {
		return a.T("ui.create.mismatch")
	}
	return ""
}

func (s *createScreen) submit() {
	a := s.a
	if msg := a.newPassphraseProblem(s.pass.Text, s.confirm.Text); msg != "" {
		s.status.SetText(msg)
		return
	}
	pass, org := s.pass.Text, s.org.Text
	s.button.Disable()
	s.status.SetText("")
	s.progress.Show()
	s.progress.Start()
	goSafe(func() {
		v, rk, err := store.Create(a.cfg.VaultDir, pass, store.CreateOptions{OrgName: org})
		do(func() {
			s.progress.Stop()
			s.progress.Hide()
			s.button.Enable()
			if err != nil {
				s.status.SetText(a.message(err)) // a passphrase with a tab, say: in the person's words
				return
			}
			a.log.Info("vault created")
			a.showRecoveryKey(rk, v.Org().Name, func() { a.opened(v) })
		})
	})
}

// showRecoveryKey shows the recovery key once; Continue is enabled only
// after the person confirms it was saved.
func (a *App) showRecoveryKey(rk *crypto.RecoveryKey, org string, next func()) {
	cont := widget.NewButton(a.T("ui.recovery.continue"), safe(next))
	cont.Importance = widget.HighImportance
	cont.Disable()
	title := widget.NewLabelWithStyle(a.T("ui.recovery.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := a.recoveryKeyBox(rk, org, a.T("ui.recovery.explain"), func(saved bool) {
		if saved {
			cont.Enable()
		} else {
			cont.Disable()
		}
	})
	a.win.SetContent(container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(560, 460)),
		container.NewVBox(title, box, cont))))
}

// recoveryKeyBox shows a recovery key with what to do with it, a button to
// save it to a file for printing (crypto.RecoveryKeyText, the file
// dossierctl writes too, naming org) and the "I saved it" check, whose
// changes go to saved.
func (a *App) recoveryKeyBox(rk *crypto.RecoveryKey, org, explainText string, saved func(bool)) fyne.CanvasObject {
	key := widget.NewLabelWithStyle(groupKey(rk.String()), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	key.Wrapping = fyne.TextWrapBreak
	explain := widget.NewLabel(explainText)
	explain.Wrapping = fyne.TextWrapWord
	check := widget.NewCheck(a.T("ui.recovery.saved"), safe(saved))
	save := widget.NewButtonWithIcon(a.T("ui.recovery.save"), theme.DocumentSaveIcon(), safe(func() {
		a.askSavePath("dossier-recovery-key.txt", func(path string) {
			if err := crypto.WriteRecoveryKey(path, rk, org); err != nil {
				a.showError(a.message(err))
				return
			}
			a.log.Info("recovery key saved to a file at the person's request")
			a.showInfo(a.T("ui.recovery.title"), a.T("ui.recovery.saved_file"))
		})
	}))
	save.Importance = widget.LowImportance
	id := widget.NewLabel(a.T("ui.recovery.id", rk.ID()))
	id.Wrapping = fyne.TextWrapWord
	return container.NewVBox(explain, widget.NewCard("", "", key), id, save, check)
}

// groupKey splits the key into groups of eight after its prefix, so it can
// be copied by hand without losing one's place.
func groupKey(s string) string { return crypto.GroupRecoveryKey(s) }
