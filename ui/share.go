package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/store"
)

// shareForm is the share dialog's content, for tests.
type shareForm struct {
	to      *widget.CheckGroup
	redact  *widget.RadioGroup
	preview *widget.Label
	write   *widget.Button
	cards   map[string]export.Card // by the label shown

	byPass   *widget.Check // a one-off passphrase instead of contacts
	pass     *widget.Entry
	passNote *widget.Label
	classic  *widget.Check // X25519, for age before 1.3
}

// showShare chooses recipients and redaction for the case on screen,
// previews what leaves, and writes the bundle.
func (m *mainScreen) showShare(c *store.Case) *shareForm {
	a := m.a
	a.touch()
	f := &shareForm{cards: map[string]export.Card{}}
	contacts, err := m.v.Contacts(m.ctx)
	if err != nil {
		a.showError(a.message(err))
		return nil
	}
	var names []string
	for _, k := range contacts {
		label := k.Name + " · " + k.Fingerprint
		names = append(names, label)
		f.cards[label] = export.CardOfContact(k)
	}
	f.to = widget.NewCheckGroup(names, safe(func([]string) { m.updateShare(c, f) }))
	labels := []string{a.T("ui.redact.none"), a.T("ui.redact.pseudonymise"), a.T("ui.redact.anonymise")}
	f.redact = widget.NewRadioGroup(labels, safe(func(string) { m.updateShare(c, f) }))
	f.redact.Required = true // a click on the chosen option must not leave none chosen
	f.preview = widget.NewLabel("")
	f.preview.Wrapping = fyne.TextWrapWord
	f.write = widget.NewButton(a.T("ui.share.write"), safe(func() { m.askWriteShare(c, f) }))
	f.write.Importance = widget.HighImportance
	var to fyne.CanvasObject = f.to
	if len(names) == 0 {
		to = widget.NewLabel(a.T("ui.share.no_contacts"))
	}
	f.pass = widget.NewPasswordEntry()
	f.pass.SetPlaceHolder(a.T("ui.share.passphrase"))
	f.pass.OnChanged = safe(func(string) { a.touch(); m.updateShare(c, f) })
	f.pass.Hide()
	f.passNote = wrapLabel("")
	f.passNote.Hide()
	f.byPass = widget.NewCheck(a.T("ui.share.by_passphrase"), safe(func(on bool) {
		if on {
			f.pass.Show()
			f.passNote.Show()
			f.to.Disable()
		} else {
			f.pass.Hide()
			f.passNote.Hide()
			f.to.Enable()
		}
		m.updateShare(c, f)
	}))
	f.classic = widget.NewCheck(a.T("ui.share.classic"), nil)
	f.redact.SetSelected(labels[1]) // pseudonymise, the safe default
	box := container.NewVBox(
		widget.NewLabelWithStyle(a.T("ui.share.to"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), to,
		f.byPass, f.pass, f.passNote, f.classic,
		widget.NewLabelWithStyle(a.T("ui.share.redaction"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), f.redact,
		widget.NewLabelWithStyle(a.T("ui.share.preview"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), f.preview,
		f.write,
	)
	scroll := a.readScroll(box)
	scroll.SetMinSize(fyne.NewSize(620, 480))
	dialog.ShowCustom(a.T("ui.share.title"), a.T("ui.cancel"), scroll, a.win)
	m.updateShare(c, f)
	m.lastShare = f
	return f
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// updateShare shows what the share would carry, or why it cannot be made.
func (m *mainScreen) updateShare(c *store.Case, f *shareForm) {
	a := m.a
	if f.preview == nil || f.write == nil {
		return
	}
	i := indexOf(f.redact.Options, f.redact.Selected)
	if i < 0 {
		return
	}
	profile := []string{export.RedactNone, export.RedactPseudonymise, export.RedactAnonymise}[i]
	p, err := export.PreviewShare(m.ctx, m.v, []string{c.ID}, profile)
	if errors.Is(err, export.ErrConsent) {
		f.preview.SetText(a.T("ui.share.consent"))
		f.write.Disable()
		return
	}
	if err != nil {
		f.preview.SetText(a.message(err))
		f.write.Disable()
		return
	}
	var b strings.Builder
	for _, rc := range p.Cases {
		b.WriteString(rc.Reference + " · " + rc.Title + "\n")
		var people []string
		for _, person := range rc.People {
			s := person.Pseudonym
			if person.LegalName != "" {
				s += " (" + person.LegalName + ")"
			}
			people = append(people, s)
		}
		if len(people) > 0 {
			b.WriteString(a.T("ui.case.people") + ": " + strings.Join(people, ", ") + "\n")
		}
		var place []string
		for _, x := range []string{rc.Locality, rc.Region, rc.Country} {
			if x != "" {
				place = append(place, x)
			}
		}
		if len(place) > 0 {
			b.WriteString(a.T("ui.case.place") + ": " + strings.Join(place, ", ") + "\n")
		}
		if rc.Narrative != "" {
			b.WriteString(a.T("ui.case.narrative") + ": " + rc.Narrative + "\n")
		}
	}
	b.WriteString(a.T("ui.share.evidence", a.N("ui.share.evidence_go", len(p.Evidence)), a.N("ui.share.evidence_stay", p.LeftOut)))
	f.preview.SetText(b.String())
	ready := len(f.to.Selected) > 0
	if f.byPass != nil && f.byPass.Checked {
		// Anyone who gets the file can try passphrases offline: only a
		// strong one, said to the recipient another way than the file.
		ready = false
		switch err := crypto.CheckPassphrase(f.pass.Text); {
		case f.pass.Text == "":
			f.passNote.SetText(a.T("ui.share.passphrase_how"))
		case err != nil:
			f.passNote.SetText(a.message(err))
		default:
			f.passNote.SetText(a.T("ui.share.passphrase_how"))
			ready = true
		}
	}
	if ready {
		f.write.Enable()
	} else {
		f.write.Disable()
	}
}

func (m *mainScreen) askWriteShare(c *store.Case, f *shareForm) {
	m.a.askSavePath(c.Reference+".age", func(path string) { m.writeShare(c, f, path) })
}

// writeShare writes the bundle off the UI goroutine.
func (m *mainScreen) writeShare(c *store.Case, f *shareForm, path string) {
	a := m.a
	opts := export.Options{Kind: export.KindShare, Cases: []string{c.ID}, X25519: f.classic.Checked,
		Redact: []string{export.RedactNone, export.RedactPseudonymise, export.RedactAnonymise}[indexOf(f.redact.Options, f.redact.Selected)]}
	if f.byPass.Checked {
		opts.Passphrase, opts.X25519 = f.pass.Text, false // scrypt: any age opens it
	} else {
		for _, s := range f.to.Selected {
			opts.To = append(opts.To, f.cards[s])
		}
	}
	a.runLong(m.ctx, longWork{
		title: a.T("ui.share.title"), name: a.T("ui.share.title"), cancelled: "ui.share.cancelled", failed: "share failed",
		run: func(ctx context.Context, report func(done, total int64)) error {
			opts.Progress = report
			_, err := export.WriteFile(ctx, m.v, path, opts)
			return err
		},
		done: func() {
			a.log.Info("share written")
			done := a.T("ui.share.done")
			if opts.Passphrase != "" {
				done = a.T("ui.share.done_passphrase")
			}
			a.showInfo(a.T("ui.share.title"), done)
		},
	})
}
