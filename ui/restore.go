package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// restoreScreen rebuilds a vault from its backups, at first run.
type restoreScreen struct {
	a             *App
	bundles       []string
	files         *widget.Label
	key           *widget.Entry
	pass, confirm *widget.Entry
	status        *widget.Label
	button        *widget.Button
	bar           *widget.ProgressBar
	// org is the fingerprint the person confirmed for backups made
	// before recovery bindings (export.RestoreOptions.Organisation).
	org string
}

func (a *App) showRestore() *restoreScreen {
	s := &restoreScreen{a: a}
	s.files = widget.NewLabel("")
	s.files.Wrapping = fyne.TextWrapBreak
	// Hidden like the passphrase (its eye shows it, to compare with the
	// paper): the recovery key opens every backup of the organisation.
	s.key = widget.NewPasswordEntry()
	s.key.SetPlaceHolder(a.T("ui.unlock.recovery_key"))
	s.pass, s.confirm = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	s.pass.SetPlaceHolder(a.T("ui.unlock.passphrase"))
	s.confirm.SetPlaceHolder(a.T("ui.create.confirm"))
	s.key.OnSubmitted = safe(func(string) { a.win.Canvas().Focus(s.pass) })
	s.pass.OnSubmitted = safe(func(string) { a.win.Canvas().Focus(s.confirm) })
	s.confirm.OnSubmitted = safe(func(string) { s.submit() })
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.status.Importance = widget.DangerImportance
	s.bar = widget.NewProgressBar()
	s.bar.Hide()
	s.button = widget.NewButton(a.T("ui.restore.button"), safe(s.submit))
	s.button.Importance = widget.HighImportance
	addFile := widget.NewButton(a.T("ui.restore.add_bundle"), safe(func() { a.askOpenPath(s.addBundle) }))
	back := widget.NewButton(a.T("ui.restore.back"), safe(a.showCreate))
	back.Importance = widget.LowImportance
	intro := widget.NewLabel(a.T("ui.restore.intro"))
	intro.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(a.T("ui.restore.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	form := container.NewVBox(title, intro, s.files, addFile, s.key, s.pass, s.confirm, s.button, s.bar, s.status, back)
	a.win.SetContent(container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(560, 620)), form)))
	return s
}

func (s *restoreScreen) addBundle(path string) {
	s.bundles = append(s.bundles, path)
	s.org = "" // confirmed for the backups chosen before
	var names []string
	for i, b := range s.bundles {
		names = append(names, fmt.Sprintf("%d. %s", i+1, filepath.Base(b)))
	}
	s.files.SetText(strings.Join(names, "\n"))
	if s.key.Text == "" {
		// What comes next is the key: the cursor waits there.
		s.a.win.Canvas().Focus(s.key)
	}
}

func (s *restoreScreen) submit() {
	a := s.a
	if len(s.bundles) == 0 {
		s.status.SetText(a.T("ui.restore.need_bundle"))
		return
	}
	rk, err := crypto.ParseRecoveryKey(s.key.Text)
	if err != nil {
		s.status.SetText(a.message(err))
		return
	}
	if msg := a.newPassphraseProblem(s.pass.Text, s.confirm.Text); msg != "" {
		s.status.SetText(msg)
		return
	}
	pass, bundles, org := s.pass.Text, append([]string(nil), s.bundles...), s.org
	s.button.Disable()
	s.status.Importance = widget.MediumImportance
	s.status.SetText(a.T("ui.restore.working"))
	s.bar.SetValue(0)
	s.bar.Show()
	report := func(done, total int64) {
		do(func() { s.bar.SetValue(float64(done) / float64(total)) })
	}
	goSafe(func() {
		_, err := export.Restore(context.Background(), bundles, rk, a.cfg.VaultDir, pass, export.RestoreOptions{Progress: report, Organisation: org})
		var v *store.Vault
		if err == nil {
			v, err = store.Open(a.cfg.VaultDir, pass, store.Options{})
		}
		do(func() {
			s.button.Enable()
			s.bar.Hide()
			if err != nil {
				a.logErr(err).Warn("restore failed")
				s.status.Importance = widget.DangerImportance
				s.status.SetText(a.message(err))
				if fp, ok := export.UnboundCreator(err); ok {
					s.askOrganisation(fp)
				}
				return
			}
			a.log.Info("vault restored")
			a.opened(v)
		})
	})
}

// askOrganisation shows the fingerprint of the organisation that made a
// backup of an older Dossier (one that does not state whose recovery key
// it belongs to) and restores it only if the person confirms it is
// theirs.
func (s *restoreScreen) askOrganisation(fp string) {
	a := s.a
	text := widget.NewLabel(a.T("ui.restore.confirm_org", fp))
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(a.T("ui.restore.title"), a.T("ui.restore.confirm_org_yes"), a.T("ui.cancel"), text, safe(func(ok bool) {
		a.touch()
		if !ok {
			return
		}
		s.org = fp
		s.submit()
	}), a.win)
	d.Resize(fyne.NewSize(520, 300))
	d.Show()
}
