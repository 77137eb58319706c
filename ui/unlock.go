package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// unlockScreen asks for the passphrase, or the recovery key.
type unlockScreen struct {
	a          *App
	pass       *widget.Entry
	recovery   *widget.Entry
	button     *widget.Button
	toggle     *widget.Button
	fromFile   *widget.Button
	status     *widget.Label
	progress   *widget.ProgressBarInfinite
	byRecovery bool
}

func (a *App) showUnlock() {
	s := &unlockScreen{a: a}
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder(a.T("ui.unlock.passphrase"))
	s.pass.OnSubmitted = safe(func(string) { s.submit() })
	// The recovery key opens the vault as the passphrase does: it is
	// hidden as it is typed or pasted, and Enter submits it.
	s.recovery = widget.NewPasswordEntry()
	s.recovery.SetPlaceHolder(a.T("ui.unlock.recovery_key"))
	s.recovery.OnSubmitted = safe(func(string) { s.submit() })
	s.recovery.Hide()
	// A recovery key file (crypto.RecoveryKeyText, as the app and
	// dossierctl save it) is read rather than pasted: a one-line field
	// would run its lines together.
	s.fromFile = widget.NewButton(a.T("ui.unlock.key_file"), safe(func() { a.askOpenPath(s.readKeyFile) }))
	s.fromFile.Importance = widget.LowImportance
	s.fromFile.Hide()
	s.button = widget.NewButton(a.T("ui.unlock.button"), safe(s.submit))
	s.button.Importance = widget.HighImportance
	s.toggle = widget.NewButton(a.T("ui.unlock.use_recovery"), safe(s.switchMode))
	s.toggle.Importance = widget.LowImportance
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.status.Importance = widget.DangerImportance
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Stop()
	s.progress.Hide()
	title := widget.NewLabelWithStyle(a.T("ui.unlock.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	where := widget.NewLabel(a.T("ui.unlock.vault", a.cfg.VaultDir))
	where.Wrapping = fyne.TextWrapBreak
	if a.lockedIdle {
		s.status.Importance = widget.MediumImportance
		s.status.SetText(a.N("ui.locked_idle", int(a.cfg.AutoLock.Minutes())))
		a.lockedIdle = false
	}
	form := container.NewVBox(title, where, s.pass, s.recovery, s.fromFile, s.button, s.progress, s.status, s.toggle)
	a.win.SetContent(container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(440, 420)), form)))
	a.win.Canvas().Focus(s.pass)
	if g, err := store.ReadUnlockGuard(a.cfg.VaultDir); err == nil && g.Wiped {
		s.passphraseGone()
	}
}

// passphraseGone says the guard destroyed the passphrase wrap and leaves
// only the recovery key to try.
func (s *unlockScreen) passphraseGone() {
	if !s.byRecovery {
		s.switchMode()
	}
	s.toggle.Hide()
	s.status.Importance = widget.DangerImportance
	s.status.SetText(s.a.T("ui.unlock.wiped"))
}

func (s *unlockScreen) switchMode() {
	s.byRecovery = !s.byRecovery
	s.status.SetText("")
	if s.byRecovery {
		s.pass.Hide()
		s.recovery.Show()
		s.fromFile.Show()
		s.toggle.SetText(s.a.T("ui.unlock.use_passphrase"))
		s.a.win.Canvas().Focus(s.recovery)
	} else {
		s.recovery.Hide()
		s.fromFile.Hide()
		s.pass.Show()
		s.toggle.SetText(s.a.T("ui.unlock.use_recovery"))
		s.a.win.Canvas().Focus(s.pass)
	}
}

// readKeyFile puts the recovery key a file holds into the field, for the
// person to unlock with.
func (s *unlockScreen) readKeyFile(path string) {
	rk, err := crypto.ReadRecoveryKey(path)
	if err != nil {
		s.a.log.Info("reading a recovery key file failed")
		s.status.Importance = widget.DangerImportance
		s.status.SetText(s.a.message(err))
		return
	}
	s.status.SetText("")
	s.recovery.SetText(rk.String())
	s.a.win.Canvas().Focus(s.recovery)
}

// submit unlocks off the UI goroutine: the KDF takes about a second.
func (s *unlockScreen) submit() {
	a := s.a
	pass, key, byRecovery := s.pass.Text, s.recovery.Text, s.byRecovery
	s.button.Disable()
	// Importance first: SetText draws the label, in the colour it has.
	s.status.Importance = widget.MediumImportance
	s.status.SetText(a.T("ui.unlock.working"))
	s.progress.Show()
	s.progress.Start()
	goSafe(func() {
		var v *store.Vault
		var err error
		// A vault of a version before the evidence folder moves its
		// evidence there at this unlock: minutes for a large one, so
		// the person sees how far it is.
		opts := store.Options{MoveProgress: func(done, total int64) {
			pct := 0
			if total > 0 {
				pct = int(done * 100 / total)
			}
			do(func() { s.status.SetText(a.T("ui.unlock.moving", a.percent(pct))) })
		}}
		if byRecovery {
			var rk *crypto.RecoveryKey
			if rk, err = crypto.ParseRecoveryKey(key); err == nil {
				v, err = store.OpenWithRecoveryKey(a.cfg.VaultDir, rk, opts)
			}
		} else {
			v, err = store.Open(a.cfg.VaultDir, pass, opts)
		}
		do(func() {
			s.progress.Stop()
			s.progress.Hide()
			s.button.Enable()
			if err == nil {
				s.pass.SetText("")
				s.recovery.SetText("")
				if v.IgnoredKeyFileRecipients() {
					a.log.Warn("the key file named recovery recipients other than the vault's settings: ignored, and the key file sealed (see the audit log)")
				}
				a.opened(v)
				if v.UnlockGuard().Wiped && a.main != nil {
					// Opened by recovery key after a wipe: the vault has
					// no passphrase until one is set.
					f := a.main.showSettings()
					f.say(a.T("ui.settings.set_new_passphrase"))
					a.win.Canvas().Focus(f.pass)
				}
				return
			}
			a.log.Info("unlock failed") // said to the person; not a fault of the program
			s.status.Importance = widget.DangerImportance
			s.status.SetText(a.message(err))
			s.pass.SetText("")
			// What the attempt left, as store counted it (dossierctl
			// says the same, from the same store.GuardAfter). Failures
			// reach the audit log at the next unlock, from the key file.
			g, counted := store.GuardAfter(err)
			switch {
			case errors.Is(err, crypto.ErrPassphraseWiped):
				s.passphraseGone()
			case counted && g.WipeAfter > 0:
				s.status.SetText(a.N("ui.unlock.wrong_counted", g.Left()))
			case counted:
				s.status.SetText(a.N("ui.unlock.wrong_recorded", g.Failed))
			}
		})
	})
}
