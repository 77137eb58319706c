package ui

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/export"
)

// progressDialog shows a progress bar with a Cancel button for long work.
// It returns the work's context (cancelled by the button), the report
// function (safe from any goroutine) and hide, which also cancels.
func (a *App) progressDialog(parent context.Context, title string) (context.Context, func(done, total int64), func()) {
	ctx, cancel := context.WithCancel(parent)
	bar := widget.NewProgressBar()
	stop := widget.NewButton(a.T("ui.cancel"), safe(cancel))
	d := dialog.NewCustomWithoutButtons(title, container.NewVBox(bar, stop), a.win)
	d.Resize(fyne.NewSize(420, 140))
	d.Show()
	var shown atomic.Int64 // per mille on screen: redraw only when it moves
	shown.Store(-1)
	report := func(done, total int64) {
		if h := a.progressHook; h != nil {
			h(done, total)
		}
		if total <= 0 {
			return
		}
		if pm := 1000 * done / total; shown.Swap(pm) != pm {
			do(func() { bar.SetValue(float64(pm) / 1000) })
		}
	}
	return ctx, report, func() { cancel(); d.Hide() }
}

// longWork is work that runs off the UI goroutine behind a progress bar
// with Cancel: a backup, a share, an import check, an import.
type longWork struct {
	title     string // the progress dialog's title
	name      string // the title of what is said after
	cancelled string // message key when cancelled
	failed    string // log message when it fails (never the error's content alone)
	run       func(ctx context.Context, report func(done, total int64)) error
	// refused, if set, says an error itself and reports whether it did.
	refused func(err error) bool
	done    func() // after success, on the UI goroutine
}

// runLong runs w; everything after runs on the UI goroutine. The
// auto-lock waits while it runs (see beginWork), however long it takes.
func (a *App) runLong(parent context.Context, w longWork) {
	ctx, report, hide := a.progressDialog(parent, w.title)
	end := a.beginWork()
	goSafe(func() {
		defer do(end) // also when run panics; more calls do nothing
		err := w.run(ctx, report)
		do(func() {
			end()
			hide()
			switch {
			case errors.Is(err, context.Canceled):
				a.showInfo(w.name, a.T(w.cancelled))
			case err != nil && w.refused != nil && w.refused(err):
			case err != nil:
				a.logErr(err).Warn(w.failed)
				a.showError(a.message(err))
			default:
				w.done()
			}
		})
	})
}

// backupForm is the backup dialog's content, for tests.
type backupForm struct {
	kind *widget.RadioGroup
}

// askBackup asks which kind of backup (full, or incremental once a full
// one exists), then where to write it, then writes it.
func (m *mainScreen) askBackup() *backupForm {
	a := m.a
	a.touch()
	base, _, err := m.v.LastBundle(m.ctx)
	if err != nil {
		a.showError(a.message(err))
		return nil
	}
	full, incr := a.T("ui.backup.full"), a.T("ui.backup.incremental")
	options := []string{full}
	explain := a.T("ui.backup.incremental_later")
	if base != "" {
		options = append(options, incr)
		explain = a.T("ui.backup.incremental_needs")
	}
	f := &backupForm{kind: widget.NewRadioGroup(options, nil)}
	f.kind.SetSelected(full)
	f.kind.Required = true
	content := container.NewVBox(f.kind, wrapLabel(explain))
	d := dialog.NewCustomConfirm(a.T("ui.main.backup"), a.T("ui.next"), a.T("ui.cancel"), content, safe(func(ok bool) {
		a.touch()
		if !ok {
			return
		}
		kind, name := export.KindFull, "dossier-backup-"
		if f.kind.Selected == incr {
			kind, name = export.KindIncremental, "dossier-incremental-"
		}
		a.askSavePath(name+time.Now().Format("2006-01-02-1504")+".age", func(path string) { m.backupTo(path, kind) })
	}), a.win)
	d.Resize(fyne.NewSize(520, 280))
	d.Show()
	return f
}

// backupTo writes a backup of the given kind to path off the UI
// goroutine, with a progress bar and a Cancel button.
func (m *mainScreen) backupTo(path, kind string) {
	a := m.a
	var res *export.Manifest
	a.runLong(m.ctx, longWork{
		title: a.T("ui.backup.working"), name: a.T("ui.main.backup"), cancelled: "ui.backup.cancelled", failed: "backup failed",
		run: func(ctx context.Context, report func(done, total int64)) (err error) {
			res, err = export.WriteFile(ctx, m.v, path, export.Options{Kind: kind, Progress: report})
			return err
		},
		done: func() {
			a.log.WithField("kind", kind).Info("backup written")
			done := a.T("ui.backup.done", a.N("ui.n.cases", res.Cases), a.evidenceCount("ui.n.evidence_files", res.Originals, res.Stripped))
			if kind == export.KindIncremental {
				done = a.T("ui.backup.done_incremental", a.N("ui.n.changed_cases", res.Cases), a.evidenceCount("ui.n.new_evidence_files", res.Originals, res.Stripped))
			}
			// The key's public id, to compare with the person's key file
			// or paper: a backup encrypted to another key says so here.
			done += "\n\n" + a.T("ui.backup.opens_with", res.RecoveryKey)
			if !res.RecoveryBound {
				done += "\n\n" + a.T("ui.backup.not_bound")
			}
			a.showInfo(a.T("ui.main.backup"), done)
			m.showBackupAge()
		},
	})
}

// askImport asks for a bundle, then checks and imports it.
func (m *mainScreen) askImport() {
	m.a.touch()
	m.a.askOpenPath(m.importFrom)
}

// importFrom verifies the bundle at path in full, shows who made it and
// what it holds, and imports it only when the person confirms.
func (m *mainScreen) importFrom(path string) { m.importWith(path, "") }

// askBundlePassphrase asks for the one-off passphrase of a bundle that no
// key of this vault opens, then checks it again with it. It returns the
// entry, for tests.
//
// After a wrong passphrase it asks again, saying so: the person may have
// mistyped it.
func (m *mainScreen) askBundlePassphrase(path string, wrong bool) *widget.Entry {
	a := m.a
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(a.T("ui.share.passphrase"))
	content := container.NewVBox(wrapLabel(a.T("ui.import.ask_passphrase")), pass)
	if wrong {
		again := wrapLabel(a.T("ui.import.wrong_passphrase"))
		again.Importance = widget.DangerImportance
		content.Objects = append([]fyne.CanvasObject{again}, content.Objects...)
	}
	d := dialog.NewCustomConfirm(a.T("ui.main.import"), a.T("ui.next"), a.T("ui.cancel"), content, safe(func(ok bool) {
		a.touch()
		if ok && pass.Text != "" {
			m.importWith(path, pass.Text)
		}
	}), a.win)
	pass.OnSubmitted = safe(func(string) { d.Confirm() })
	d.Resize(fyne.NewSize(520, 300))
	d.Show()
	a.win.Canvas().Focus(pass)
	return pass
}

func (m *mainScreen) importWith(path, passphrase string) {
	a := m.a
	var res *export.ImportResult
	a.runLong(m.ctx, longWork{
		title: a.T("ui.import.checking"), name: a.T("ui.main.import"), cancelled: "ui.import.cancelled", failed: "bundle refused",
		// A dry run: everything verified and merged in a transaction that
		// is rolled back, so the summary can say what would be added,
		// updated and flagged as conflicts before anything is committed.
		run: func(ctx context.Context, report func(done, total int64)) (err error) {
			res, err = export.Import(ctx, m.v, path, export.ImportOptions{DryRun: true, Passphrase: passphrase, Progress: report})
			return err
		},
		refused: func(err error) bool {
			switch {
			case errors.Is(err, export.ErrNotAddressed):
				// Perhaps a share protected by a one-off passphrase; or the
				// passphrase was mistyped: ask (again).
				m.askBundlePassphrase(path, passphrase != "")
			default:
				return false
			}
			return true
		},
		done: func() {
			man := res.Manifest
			who := a.T("ui.import.unknown")
			switch {
			case res.Own:
				who = a.T("ui.import.self")
			case res.Known:
				who = a.T("ui.import.known") + ": " + res.Signer
			}
			kind, ok := map[string]string{export.KindFull: a.T("ui.bundle.kind_full"),
				export.KindIncremental: a.T("ui.bundle.kind_incremental"), export.KindShare: a.T("ui.bundle.kind_share")}[man.Kind]
			if !ok {
				kind = man.Kind
			}
			text := a.T("ui.import.summary", kind, man.Creator.Name, man.Creator.Fingerprint, who, when(man.CreatedAt),
				a.N("ui.n.cases", man.Cases), a.evidenceCount("ui.n.evidence_files", man.Originals, man.Stripped)) +
				"\n\n" + a.T("ui.import.would", a.N("ui.import.would_add", res.Added), a.N("ui.import.would_update", res.Updated),
				a.N("ui.import.would_leave", res.Unchanged), a.N("ui.import.would_flag", res.Conflicts), a.N("ui.import.would_add_evidence", res.Originals))
			label := widget.NewLabel(text)
			label.Wrapping = fyne.TextWrapWord
			c := dialog.NewCustomConfirm(a.T("ui.main.import"), a.T("ui.import.confirm"), a.T("ui.cancel"), label, safe(func(ok bool) {
				if ok {
					m.doImport(path, !res.Known, passphrase)
				}
			}), a.win)
			if !res.Known {
				c.SetConfirmText(a.T("ui.import.confirm_unknown"))
				c.SetConfirmImportance(widget.DangerImportance)
			}
			c.Resize(fyne.NewSize(560, 400))
			c.Show()
		},
	})
}

func (m *mainScreen) doImport(path string, acceptUnknown bool, passphrase string) {
	a := m.a
	var res *export.ImportResult
	a.runLong(m.ctx, longWork{
		title: a.T("ui.import.importing"), name: a.T("ui.main.import"), cancelled: "ui.import.cancelled", failed: "import failed",
		run: func(ctx context.Context, report func(done, total int64)) (err error) {
			res, err = export.Import(ctx, m.v, path, export.ImportOptions{AcceptUnknown: acceptUnknown, Passphrase: passphrase, Progress: report})
			return err
		},
		done: func() {
			a.log.Info("bundle imported")
			a.showInfo(a.T("ui.main.import"), a.T("ui.import.done", a.N("ui.import.done_added", res.Added),
				a.N("ui.import.done_updated", res.Updated), a.N("ui.import.done_unchanged", res.Unchanged),
				a.N("ui.import.done_conflicts", res.Conflicts), a.N("ui.import.done_evidence", res.Originals)))
			m.refresh()
		},
	})
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
		m.banner.SetText(m.a.N("ui.backup.old", int(age.Hours()/24)))
	default:
		m.bannerBox.Hide()
		return
	}
	m.bannerBox.Show()
}

// evidenceCount says how many evidence files, the key's count message for
// the originals, and how many stripped copies (made for sharing) come
// with them: a copy is not a second evidence file.
func (a *App) evidenceCount(key string, originals, stripped int) string {
	s := a.N(key, originals)
	if stripped > 0 {
		s += " " + a.N("ui.n.plus_stripped", stripped)
	}
	return s
}
