package ui

import (
	"encoding/json"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/export"
	"github.com/dossier-hr/dossier/internal/atomicfile"
)

// showContacts shows this organisation's card and its partners.
func (m *mainScreen) showContacts() {
	a := m.a
	a.touch()
	own, err := export.OwnCard(m.v)
	if err != nil {
		a.showError(a.message(err))
		return
	}
	box := container.NewVBox(
		widget.NewLabelWithStyle(a.T("ui.contacts.mine"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel(own.Name),
		wrapLabel(a.T("ui.contacts.fingerprint", own.Fingerprint)),
		container.NewHBox(
			widget.NewButtonWithIcon(a.T("ui.contacts.copy_mine"), theme.ContentCopyIcon(), safe(func() { m.copyCard(own) })),
			widget.NewButtonWithIcon(a.T("ui.contacts.save_mine"), theme.DocumentSaveIcon(), safe(func() { m.askSaveCard(own) })),
		),
		widget.NewSeparator(),
		widget.NewLabelWithStyle(a.T("ui.main.contacts"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	m.partners = container.NewVBox()
	if !m.listPartners() {
		return
	}
	box.Add(m.partners)
	box.Add(container.NewHBox(
		widget.NewButtonWithIcon(a.T("ui.contacts.add"), theme.ContentAddIcon(), safe(m.askAddCard)),
		widget.NewButtonWithIcon(a.T("ui.contacts.paste"), theme.ContentPasteIcon(), safe(func() { m.askPasteCard() })),
	))
	d := dialog.NewCustom(a.T("ui.main.contacts"), a.T("ui.close"), a.readScroll(box), a.win)
	d.Resize(fyne.NewSize(560, 440))
	d.Show()
}

func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (m *mainScreen) askSaveCard(card export.Card) {
	m.a.askSavePath(strings.ReplaceAll(card.Name, " ", "-")+".card", func(path string) {
		if err := saveCard(card, path); err != nil {
			m.a.showError(m.a.message(err))
		}
	})
}

func saveCard(card export.Card, path string) error {
	return atomicfile.WriteFile(path, cardBytes(card), 0o644)
}

func cardBytes(card export.Card) []byte {
	b, _ := json.MarshalIndent(card, "", "  ")
	return append(b, '\n')
}

// copyCard puts the organisation's own card on the clipboard, because the
// person asked: it holds public keys and the name, no case content.
func (m *mainScreen) copyCard(card export.Card) {
	a := m.a
	a.touch()
	fyne.CurrentApp().Clipboard().SetContent(string(cardBytes(card)))
	a.log.Info("own contact card copied")
	a.showInfo(a.T("ui.main.contacts"), a.T("ui.contacts.copied"))
}

// askPasteCard takes a partner's card pasted as text (from a message),
// then asks for the fingerprint as addCard does. It returns the text
// entry, for tests.
func (m *mainScreen) askPasteCard() *widget.Entry {
	a := m.a
	a.touch()
	text := widget.NewMultiLineEntry()
	text.SetPlaceHolder(a.T("ui.contacts.paste_here"))
	text.SetMinRowsVisible(8)
	dialog.ShowCustomConfirm(a.T("ui.contacts.paste"), a.T("ui.next"), a.T("ui.cancel"), text, safe(func(ok bool) {
		if ok {
			m.confirmCard([]byte(text.Text))
		}
	}), a.win)
	return text
}

func (m *mainScreen) askAddCard() {
	m.a.askOpenPath(func(path string) { m.addCard(path) })
}

// addCard reads a partner's card and adds it only once the person has
// typed the fingerprint the partner read to them, and it matches. It
// returns the entry for the fingerprint, for tests.
func (m *mainScreen) addCard(path string) *widget.Entry {
	b, err := os.ReadFile(path)
	if err != nil {
		m.a.showError(m.a.T("ui.contacts.bad_card"))
		return nil
	}
	return m.confirmCard(b)
}

// confirmCard checks a card's bytes and asks for its fingerprint.
func (m *mainScreen) confirmCard(b []byte) *widget.Entry {
	a := m.a
	a.touch()
	card, err := export.ParseCard(b)
	if err != nil {
		a.showError(a.T("ui.contacts.bad_card"))
		return nil
	}
	typed := widget.NewEntry()
	typed.SetPlaceHolder("XXXX-XXXX-XXXX-XXXX")
	msg := wrapLabel("")
	msg.Importance = widget.DangerImportance
	content := container.NewVBox(wrapLabel(a.T("ui.contacts.confirm", card.Name)), widget.NewLabel(a.T("ui.contacts.typed")), typed, msg)
	var d dialog.Dialog
	add := widget.NewButton(a.T("ui.add"), safe(func() {
		norm := func(s string) string {
			return strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "-", " ")), ""))
		}
		if norm(typed.Text) != norm(card.Fingerprint) {
			msg.SetText(a.T("ui.contacts.mismatch"))
			return
		}
		c, err := card.Contact()
		if err == nil {
			err = m.v.AddContact(m.ctx, c)
		}
		d.Hide()
		if err != nil {
			a.showError(a.message(err))
			return
		}
		a.log.Info("contact added")
		m.listPartners() // the Contacts dialog, still open behind, lists it at once
		a.showInfo(a.T("ui.main.contacts"), a.T("ui.contacts.added", card.Name))
	}))
	add.Importance = widget.HighImportance
	content.Add(add)
	d = dialog.NewCustom(a.T("ui.contacts.add"), a.T("ui.cancel"), content, a.win)
	d.Resize(fyne.NewSize(560, 360))
	d.Show()
	return typed
}

// listPartners fills the open Contacts dialog's list of partners; it says
// whether the vault could be read.
func (m *mainScreen) listPartners() bool {
	if m.partners == nil {
		return true
	}
	cs, err := m.v.Contacts(m.ctx)
	if err != nil {
		m.a.showError(m.a.message(err))
		return false
	}
	m.partners.RemoveAll()
	if len(cs) == 0 {
		m.partners.Add(widget.NewLabel(m.a.T("ui.contacts.none")))
	}
	for _, c := range cs {
		m.partners.Add(widget.NewLabel(c.Name + " · " + c.Fingerprint))
	}
	return true
}
