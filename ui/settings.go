package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// loadSettings applies the settings kept in the vault.
func (a *App) loadSettings(ctx context.Context) {
	v := a.Vault()
	if v == nil {
		return
	}
	if s, _ := v.Setting(ctx, "auto_lock_minutes"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			a.cfg.AutoLock = time.Duration(n) * time.Minute
		}
	}
	erase, _ := v.Setting(ctx, settingEraseShortcut)
	a.eraseOn = erase == "1"
	a.setMenu()
	if s, _ := v.Setting(ctx, "backup_reminder_days"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			a.cfg.BackupReminder = time.Duration(n) * 24 * time.Hour
		}
	}
}

// settingsForm is the settings dialog's content, for tests.
type settingsForm struct {
	lang              *widget.Select
	author            *widget.Entry // the person's name, recorded in history and notes
	autoLock, remind  *widget.Entry
	pass, confirm     *widget.Entry
	message, strength *widget.Label
	guard             *widget.Select
	guardN            []int // the guard's choices, in the Select's order
	erase             *widget.Check
}

// settingEraseShortcut is the vault setting that enables the emergency
// erase shortcut ("1"). It is kept in the vault, so the shortcut works
// only while the vault is unlocked, and nothing outside the vault says
// that it is on.
const settingEraseShortcut = "emergency_erase_shortcut"

// wipeChoices are the offered numbers of wrong attempts before the wipe.
var wipeChoices = []int{0, 3, 5, 10, 20}

// showSettings edits language, auto-lock, backup reminder and passphrase.
func (m *mainScreen) showSettings() *settingsForm {
	a := m.a
	a.touch()
	f := &settingsForm{}
	m.curSettings = f
	var names []string
	for _, l := range assets.Languages {
		names = append(names, assets.Label(l, "language."+l))
	}
	f.lang = widget.NewSelect(names, nil)
	f.lang.SetSelectedIndex(slices.Index(assets.Languages, a.lang))
	f.author = widget.NewEntry()
	f.author.SetPlaceHolder(a.T("ui.settings.author_placeholder"))
	if name, err := m.v.Setting(m.ctx, store.SettingAuthor); err == nil {
		f.author.SetText(name)
	}
	f.autoLock, f.remind = widget.NewEntry(), widget.NewEntry()
	f.autoLock.SetText(strconv.Itoa(int(a.cfg.AutoLock.Minutes())))
	f.remind.SetText(strconv.Itoa(int(a.cfg.BackupReminder.Hours() / 24)))
	f.pass, f.confirm = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	f.pass.SetPlaceHolder(a.T("ui.settings.keep_passphrase"))
	f.strength = widget.NewLabel("")
	f.strength.Wrapping = fyne.TextWrapWord
	f.strength.Hide() // no blank gap while nothing is typed
	f.pass.OnChanged = safe(func(p string) {
		if p == "" {
			f.strength.SetText("")
			f.strength.Hide()
			return
		}
		if err := crypto.CheckPassphrase(p); err != nil {
			f.strength.Importance = widget.WarningImportance
			f.strength.SetText(a.message(err))
		} else {
			f.strength.Importance = widget.SuccessImportance
			f.strength.SetText(a.T("ui.strength.ok"))
		}
		f.strength.Show()
	})
	f.guardN = append([]int{}, wipeChoices...)
	if cur := m.v.UnlockGuard().WipeAfter; !slices.Contains(f.guardN, cur) {
		f.guardN = append(f.guardN, cur) // set from the CLI
	}
	var guardNames []string
	for _, n := range f.guardN {
		if n == 0 {
			guardNames = append(guardNames, a.T("ui.settings.wipe_off"))
		} else {
			guardNames = append(guardNames, a.N("ui.settings.wipe_n", n))
		}
	}
	f.guard = widget.NewSelect(guardNames, nil)
	f.guard.SetSelectedIndex(slices.Index(f.guardN, m.v.UnlockGuard().WipeAfter))
	f.erase = widget.NewCheck(a.T("ui.settings.erase_on"), nil)
	f.erase.SetChecked(a.eraseOn)
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Importance = widget.DangerImportance
	f.message.Hide() // shown with something to say: no blank gap meanwhile
	form := widget.NewForm(
		widget.NewFormItem(a.T("ui.settings.language"), f.lang),
		widget.NewFormItem(a.T("ui.settings.author"), f.author),
		widget.NewFormItem(a.T("ui.settings.auto_lock"), f.autoLock),
		widget.NewFormItem(a.T("ui.settings.reminder"), f.remind),
		widget.NewFormItem(a.T("ui.settings.new_passphrase"), f.pass),
		// The hint goes below the second field, so that it does not move
		// the second field while the first is typed.
		widget.NewFormItem(a.T("ui.create.confirm"), container.NewVBox(f.confirm, f.strength)),
		widget.NewFormItem(a.T("ui.settings.wipe_after"), f.guard),
		widget.NewFormItem(a.T("ui.settings.erase"), f.erase),
		widget.NewFormItem(a.T("ui.recovery.title"), widget.NewButton(a.T("ui.recovery.replace"), safe(func() { m.askReplaceRecoveryKey() }))),
	)
	var d dialog.Dialog
	save := widget.NewButton(a.T("ui.save"), safe(func() {
		m.saveSettings(f, d.Hide)
	}))
	save.Importance = widget.HighImportance
	f.confirm.OnSubmitted = safe(func(string) { m.saveSettings(f, d.Hide) })
	d = dialog.NewCustom(a.T("ui.main.settings"), a.T("ui.cancel"), container.NewVBox(form, f.message, save), a.win)
	d.Resize(fyne.NewSize(660, 520))
	d.Show()
	return f
}

// saveSettings checks and applies the form, calling close once it is
// valid and saved; it reports whether it did. close comes before any
// dialog that follows (progress, confirmation): hiding an overlay in Fyne
// removes every overlay shown above it.
func (m *mainScreen) saveSettings(f *settingsForm, close func()) bool {
	a := m.a
	a.touch()
	minutes, err1 := strconv.Atoi(f.autoLock.Text)
	days, err2 := strconv.Atoi(f.remind.Text)
	if err1 != nil || err2 != nil || minutes < 1 || minutes > 120 || days < 1 || days > 365 {
		f.say(a.T("ui.settings.bad_number"))
		return false
	}
	if f.pass.Text != "" {
		if msg := a.newPassphraseProblem(f.pass.Text, f.confirm.Text); msg != "" {
			f.say(msg)
			return false
		}
	}
	author, err := store.CheckAuthor(f.author.Text)
	if err != nil {
		f.message.SetText(a.authorProblem(err))
		return false
	}
	if cur, _ := m.v.Setting(m.ctx, store.SettingAuthor); author != cur {
		if err := m.v.SetAuthor(m.ctx, author); err != nil {
			f.message.SetText(a.authorProblem(err))
			return false
		}
		a.log.Info("author's name changed")
	}
	if err := errors.Join(m.v.SetSetting(m.ctx, settingAuthorAsked, "1"), m.v.SetSetting(m.ctx, "auto_lock_minutes", strconv.Itoa(minutes)),
		m.v.SetSetting(m.ctx, "backup_reminder_days", strconv.Itoa(days))); err != nil {
		f.say(a.message(err))
		return false
	}
	a.cfg.AutoLock = time.Duration(minutes) * time.Minute
	a.cfg.BackupReminder = time.Duration(days) * 24 * time.Hour
	a.touch()
	close()
	if pass := f.pass.Text; pass != "" {
		f.pass.SetText("")
		f.confirm.SetText("")
		m.changePassphrase(pass)
	}
	if i := f.guard.SelectedIndex(); i >= 0 && f.guardN[i] != m.v.UnlockGuard().WipeAfter {
		m.setWipeAfter(f.guardN[i])
	}
	if f.erase.Checked != a.eraseOn {
		m.setEraseShortcut(f.erase.Checked)
	}
	if i := f.lang.SelectedIndex(); i >= 0 && assets.Languages[i] != a.lang {
		a.setLanguage(assets.Languages[i])
	} else {
		m.showBackupAge()
	}
	a.log.Info("settings saved")
	return true
}

// setWipeAfter changes the guard against guessing. Turning it on asks
// first, with the whole truth about what it can destroy.
func (m *mainScreen) setWipeAfter(n int) {
	a := m.a
	apply := func() {
		if err := m.v.SetWipeAfter(m.ctx, n); err != nil {
			a.showError(a.message(err))
			return
		}
		a.log.Info("unlock guard changed")
	}
	if n == 0 {
		apply()
		return
	}
	warning := widget.NewLabel(a.T("ui.settings.wipe_warning", a.N("ui.settings.wipe_warning_after", n)))
	warning.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(a.T("ui.settings.wipe_title"), a.T("ui.settings.wipe_confirm"), a.T("ui.cancel"),
		warning, safe(func(ok bool) {
			a.touch()
			if ok {
				apply()
			}
		}), a.win)
	d.Resize(fyne.NewSize(560, 360))
	d.Show()
}

// setEraseShortcut enables or disables the emergency erase shortcut.
// Enabling it asks first, sternly: once on, the shortcut destroys the
// vault with no question.
func (m *mainScreen) setEraseShortcut(on bool) {
	a := m.a
	apply := func() {
		val := ""
		if on {
			val = "1"
		}
		if err := m.v.SetSetting(m.ctx, settingEraseShortcut, val); err != nil {
			a.showError(a.message(err))
			return
		}
		a.eraseOn = on
		a.setMenu()
		a.log.Info("emergency erase shortcut changed")
	}
	if !on {
		apply()
		return
	}
	warning := widget.NewLabel(a.T("ui.settings.erase_warning"))
	warning.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(a.T("ui.settings.erase_title"), a.T("ui.settings.erase_confirm"), a.T("ui.cancel"),
		warning, safe(func(ok bool) {
			a.touch()
			if ok {
				apply()
			}
		}), a.win)
	d.Resize(fyne.NewSize(560, 380))
	d.Show()
}

// changePassphrase rewraps the key off the UI goroutine: the KDF takes
// about a second.
func (m *mainScreen) changePassphrase(pass string) {
	a := m.a
	wait := dialog.NewCustomWithoutButtons(a.T("ui.main.settings"), widget.NewProgressBarInfinite(), a.win)
	wait.Show()
	end := a.beginWork()
	goSafe(func() {
		defer do(end)
		err := m.v.ChangePassphrase(pass)
		do(func() {
			end()
			wait.Hide()
			if err != nil {
				a.showError(a.message(err))
				return
			}
			a.log.Info("passphrase changed")
			a.showInfo(a.T("ui.main.settings"), a.T("ui.settings.passphrase_changed"))
		})
	})
}

// setLanguage switches the interface language now and for next time.
func (a *App) setLanguage(lang string) {
	a.lang = lang
	if a.cfg.SaveLanguage != nil {
		if err := a.cfg.SaveLanguage(lang); err != nil {
			a.logErr(err).Warn("keeping the language for the next start failed")
		}
	}
	a.win.SetTitle(a.title())
	a.setMenu()
	if v := a.Vault(); v != nil && a.main != nil {
		a.main.stop()
		a.main = newMainScreen(a, v)
		a.win.SetContent(a.main.content)
		a.main.refresh()
	}
}

// askReplaceRecoveryKey explains what replacing the recovery key does, then
// shows a new key; the vault changes only once the person confirms it was
// saved and presses Replace. It returns the Replace button, for tests.
func (m *mainScreen) askReplaceRecoveryKey() *widget.Button {
	a := m.a
	a.touch()
	rk, err := crypto.NewRecoveryKey()
	if err != nil {
		a.showError(a.message(err))
		return nil
	}
	var d dialog.Dialog
	replace := widget.NewButton(a.T("ui.recovery.replace_now"), safe(func() {
		a.touch()
		d.Hide()
		if err := m.v.ReplaceRecoveryKey(m.ctx, rk); err != nil {
			a.logErr(err).Warn("replacing the recovery key failed")
			a.showError(a.message(err))
			return
		}
		a.log.Info("recovery key replaced")
		a.showInfo(a.T("ui.recovery.title"), a.T("ui.recovery.replaced"))
	}))
	replace.Importance = widget.DangerImportance
	replace.Disable()
	box := a.recoveryKeyBox(rk, m.v.Org().Name, a.T("ui.recovery.replace_explain"), func(saved bool) {
		if saved {
			replace.Enable()
		} else {
			replace.Disable()
		}
	})
	d = dialog.NewCustom(a.T("ui.recovery.replace"), a.T("ui.cancel"), container.NewVScroll(container.NewVBox(box, replace)), a.win)
	d.Resize(fyne.NewSize(600, 560))
	d.Show()
	return replace
}

// say shows msg below the form, or nothing.
func (f *settingsForm) say(msg string) {
	f.message.SetText(msg)
	f.message.Hidden = msg == ""
	f.message.Refresh()
}
