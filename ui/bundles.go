package ui

import (
	"context"
	"errors"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/export"
)

// askBackup asks where to write a full backup, then writes it.
func (m *mainScreen) askBackup() {
	m.a.touch()
	m.a.askSavePath("dossier-backup-"+time.Now().Format("2006-01-02")+".age", func(path string) { m.backupTo(path) })
}

// backupTo writes a full backup to path off the UI goroutine, with a
// progress bar and a Cancel button. It returns the dialog, for tests.
func (m *mainScreen) backupTo(path string) dialog.Dialog {
	a := m.a
	ctx, cancel := context.WithCancel(m.ctx)
	bar := widget.NewProgressBar()
	stop := widget.NewButton(a.T("ui.cancel"), cancel)
	d := dialog.NewCustomWithoutButtons(a.T("ui.backup.working"), container.NewVBox(bar, stop), a.win)
	d.Show()
	go func() {
		res, err := export.WriteFile(ctx, m.v, path, export.Options{Progress: func(done, total int64) {
			if total > 0 {
				do(func() { bar.SetValue(float64(done) / float64(total)) })
			}
		}})
		cancel()
		do(func() {
			d.Hide()
			a.touch()
			switch {
			case errors.Is(err, context.Canceled):
				dialog.ShowInformation(a.T("ui.main.backup"), a.T("ui.backup.cancelled"), a.win)
			case err != nil:
				a.log.WithError(err).Warn("backup failed")
				dialog.ShowError(errors.New(a.message(err)), a.win)
			default:
				a.log.Info("backup written")
				dialog.ShowInformation(a.T("ui.main.backup"), a.T("ui.backup.done", res.Cases, res.Evidence), a.win)
				m.showBackupAge()
			}
		})
	}()
	return d
}

// askImport asks for a bundle, then checks and imports it.
func (m *mainScreen) askImport() {
	m.a.touch()
	m.a.askOpenPath(m.importFrom)
}

// importFrom verifies the bundle at path in full, shows who made it and
// what it holds, and imports it only when the person confirms.
func (m *mainScreen) importFrom(path string) {
	a := m.a
	wait := dialog.NewCustomWithoutButtons(a.T("ui.import.checking"), widget.NewProgressBarInfinite(), a.win)
	wait.Show()
	go func() {
		man, who, known, err := m.check(path)
		do(func() {
			wait.Hide()
			a.touch()
			if err != nil {
				a.log.WithError(err).Warn("bundle refused")
				dialog.ShowError(errors.New(a.message(err)), a.win)
				return
			}
			text := a.T("ui.import.summary", man.Kind, man.Creator.Name, man.Creator.Fingerprint, who, man.CreatedAt, man.Cases, man.Evidence)
			label := widget.NewLabel(text)
			label.Wrapping = fyne.TextWrapWord
			c := dialog.NewCustomConfirm(a.T("ui.main.import"), a.T("ui.import.confirm"), a.T("ui.cancel"), label, func(ok bool) {
				if ok {
					m.doImport(path, !known)
				}
			}, a.win)
			if !known {
				c.SetConfirmText(a.T("ui.import.confirm_unknown"))
				c.SetConfirmImportance(widget.DangerImportance)
			}
			c.Resize(fyne.NewSize(520, 320))
			c.Show()
		})
	}()
}

// check verifies a bundle without importing it and says who made it.
func (m *mainScreen) check(path string) (*export.Manifest, string, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", false, err
	}
	defer f.Close()
	own, err := m.v.Identity()
	if err != nil {
		return nil, "", false, err
	}
	man, err := export.Read(m.ctx, f, export.OrgIdentities(own), nil)
	if err != nil {
		return nil, "", false, err
	}
	if man.Creator.Fingerprint == own.Fingerprint() {
		return man, m.a.T("ui.import.self"), true, nil
	}
	pk, _ := man.Creator.PublicKey()
	if c, err := m.v.ContactBySignKey(m.ctx, pk); err == nil && c != nil {
		return man, m.a.T("ui.import.known") + ": " + c.Name, true, nil
	}
	return man, m.a.T("ui.import.unknown"), false, nil
}

func (m *mainScreen) doImport(path string, acceptUnknown bool) {
	a := m.a
	wait := dialog.NewCustomWithoutButtons(a.T("ui.import.checking"), widget.NewProgressBarInfinite(), a.win)
	wait.Show()
	go func() {
		res, err := export.Import(m.ctx, m.v, path, acceptUnknown)
		do(func() {
			wait.Hide()
			a.touch()
			if err != nil {
				a.log.WithError(err).Warn("import failed")
				dialog.ShowError(errors.New(a.message(err)), a.win)
				return
			}
			a.log.Info("bundle imported")
			dialog.ShowInformation(a.T("ui.main.import"), a.T("ui.import.done", res.Added, res.Updated, res.Unchanged, res.Conflicts, res.Evidence), a.win)
			m.refresh()
		})
	}()
}

// showBackupAge shows the reminder banner when the last backup is older
// than the configured number of days, or there is none.
func (m *mainScreen) showBackupAge() {
	last, err := m.v.LastBackupAt(m.ctx)
	if err != nil {
		return
	}
	switch age := time.Since(last); {
	case last.IsZero():
		m.banner.SetText(m.a.T("ui.backup.never"))
	case age > m.a.cfg.BackupReminder:
		m.banner.SetText(m.a.T("ui.backup.old", int(age.Hours()/24)))
	default:
		m.bannerBox.Hide()
		return
	}
	m.bannerBox.Show()
}
