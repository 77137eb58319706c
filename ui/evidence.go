package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/assets"
	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/store"
)

// maxPreview bounds what a preview reads into memory.
const maxPreview = 64 << 20

// evidenceView lists a case's evidence with its hash and custody, and the
// actions on it.
func (m *mainScreen) evidenceView(c *store.Case) []fyne.CanvasObject {
	a := m.a
	out := []fyne.CanvasObject{
		widget.NewLabelWithStyle(a.T("ui.evidence.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	}
	items, err := m.v.EvidenceOf(m.ctx, c.ID)
	if err != nil {
		return append(out, widget.NewLabel(a.message(err)))
	}
	if len(items) == 0 {
		hint := widget.NewLabel(a.T("ui.evidence.none"))
		hint.Wrapping = fyne.TextWrapWord
		out = append(out, hint)
	}
	stripped := map[string]*store.Evidence{}
	for _, e := range items {
		if e.Kind == store.EvidenceStripped {
			stripped[e.DerivedFrom] = e
		}
	}
	for _, e := range items {
		if e.Kind == store.EvidenceStripped && e.DerivedFrom != "" {
			continue // shown with its original
		}
		e := e
		head := widget.NewLabel(fmt.Sprintf("%s · %s · %s", store.VisibleText(e.Name, false), e.MediaType, size(e.Size)))
		head.Wrapping = fyne.TextWrapBreak
		sum := widget.NewLabelWithStyle("SHA-256 "+e.SHA256, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		sum.Wrapping = fyne.TextWrapBreak
		buttons := container.NewHBox()
		if previewable(e.MediaType) {
			buttons.Add(widget.NewButtonWithIcon(a.T("ui.evidence.preview"), theme.VisibilityIcon(), safe(func() { m.preview(e) })))
		}
		if s := stripped[e.ID]; s != nil {
			buttons.Add(widget.NewButtonWithIcon(a.T("ui.evidence.save_stripped"), theme.DocumentSaveIcon(), safe(func() { m.askSave(e, true) })))
		}
		buttons.Add(widget.NewButtonWithIcon(a.T("ui.evidence.save_original"), theme.DocumentSaveIcon(), safe(func() { m.askSave(e, false) })))
		custody := []string{a.T("ui.evidence.custody") + ":"}
		for _, k := range e.Custody {
			line := "  " + when(k.At) + " · " + assets.VocabLabel(a.lang, "custody", k.Action) + " · " + k.Actor
			for _, x := range []string{k.From, k.Method, k.Note} {
				if x != "" {
					line += " · " + x
				}
			}
			custody = append(custody, line)
		}
		cust := widget.NewLabel(strings.Join(custody, "\n"))
		cust.Wrapping = fyne.TextWrapWord
		out = append(out, widget.NewCard("", "", container.NewVBox(head, sum, buttons, cust)))
	}
	add := widget.NewButtonWithIcon(a.T("ui.evidence.add"), theme.ContentAddIcon(), safe(func() { m.askAttach(c) }))
	return append(out, add)
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func previewable(mediaType string) bool {
	return mediaType == "image/jpeg" || mediaType == "image/png" || mediaType == "image/gif" || strings.HasPrefix(mediaType, "text/")
}

// askAttach chooses a file, then asks where it came from.
func (m *mainScreen) askAttach(c *store.Case) {
	m.a.touch()
	m.a.askOpenPath(func(path string) { m.attachForm(c, []string{path}) })
}

// dropped attaches files dropped on the window to the case on screen.
func (m *mainScreen) dropped(uris []fyne.URI) {
	m.a.touch()
	if m.current == nil {
		m.a.showInfo(m.a.T("ui.evidence.title"), m.a.T("ui.evidence.select_case_first"))
		return
	}
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) > 0 {
		m.attachForm(m.current, paths)
	}
}

// attachForm asks from whom and how the files were received, then attaches
// them. It returns the form dialog, for tests.
func (m *mainScreen) attachForm(c *store.Case, paths []string) *dialog.FormDialog {
	a := m.a
	from, how := widget.NewEntry(), widget.NewEntry()
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	items := []*widget.FormItem{
		widget.NewFormItem("", widget.NewLabel(strings.Join(names, "\n"))),
		widget.NewFormItem(a.T("ui.evidence.received_from"), from),
		widget.NewFormItem(a.T("ui.evidence.method"), how),
	}
	d := dialog.NewForm(a.T("ui.evidence.add"), a.T("ui.evidence.attach"), a.T("ui.cancel"), items, safe(func(ok bool) {
		if ok {
			m.attach(c, paths, store.AttachOptions{ReceivedFrom: from.Text, Method: how.Text})
		}
	}), a.win)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
	return d
}

// attach stores files off the UI goroutine: a large video takes a while.
func (m *mainScreen) attach(c *store.Case, paths []string, opts store.AttachOptions) {
	a := m.a
	wait := dialog.NewCustomWithoutButtons(a.T("ui.evidence.attaching"), widget.NewProgressBarInfinite(), a.win)
	wait.Show()
	goSafe(func() {
		done := 0
		var err error
		var unstripped []string // names of images no stripped copy could be made from
		for _, p := range paths {
			var f *os.File
			if f, err = os.Open(p); err != nil {
				break
			}
			o := opts
			o.Name = filepath.Base(p)
			var e *store.Evidence
			e, err = m.v.Attach(m.ctx, c.ID, f, o)
			f.Close()
			if err != nil {
				break
			}
			if e.StripFailed != nil {
				unstripped = append(unstripped, o.Name)
			}
			done++
		}
		do(func() {
			wait.Hide()
			a.touch()
			if err != nil {
				a.log.WithError(err).Warn("attach failed")
				a.showError(a.message(err))
			} else {
				a.log.WithField("files", done).Info("evidence attached")
				msg := a.N("ui.evidence.attached", done)
				for _, name := range unstripped {
					msg += "\n" + a.T("ui.evidence.strip_failed", name)
				}
				if len(unstripped) > 0 {
					a.log.WithField("files", len(unstripped)).Warn("no stripped copy could be made")
				}
				a.showInfo(a.T("ui.evidence.title"), msg)
			}
			if cur, err := m.v.Get(m.ctx, c.ID); err == nil {
				m.showCase(cur)
			}
		})
	})
}

// preview shows an image or a text inside the app, read from the vault
// and checked against its hash: never through a file on disk.
func (m *mainScreen) preview(e *store.Evidence) {
	a := m.a
	a.touch()
	if e.Size > maxPreview {
		a.showInfo(a.T("ui.evidence.preview"), a.T("ui.evidence.no_preview"))
		return
	}
	rc, _, err := m.v.OpenEvidence(m.ctx, e.ID)
	if err != nil {
		a.showError(a.message(err))
		return
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		a.showError(a.message(err))
		return
	}
	var content fyne.CanvasObject
	if strings.HasPrefix(e.MediaType, "text/") {
		l := widget.NewLabel(string(data))
		l.Wrapping = fyne.TextWrapWord
		content = container.NewVScroll(l)
	} else {
		img := canvas.NewImageFromReader(bytes.NewReader(data), e.Name)
		img.FillMode = canvas.ImageFillContain
		content = img
	}
	m.previewed = content
	d := dialog.NewCustom(store.VisibleText(e.Name, false), a.T("ui.close"), content, a.win)
	d.Resize(fyne.NewSize(800, 600))
	d.Show()
}

// askSave writes the original, or the copy without metadata, where the
// person chooses.
func (m *mainScreen) askSave(e *store.Evidence, stripped bool) {
	a := m.a
	a.touch()
	a.askSavePath(e.Name, func(path string) {
		if err := m.saveEvidence(e, stripped, path); err != nil {
			a.showError(a.message(err))
			return
		}
		a.showInfo(a.T("ui.evidence.title"), a.T("ui.evidence.saved"))
	})
}

// saveEvidence writes an item to path: under a temporary name, renamed
// only once its hash has been checked.
func (m *mainScreen) saveEvidence(e *store.Evidence, stripped bool, path string) error {
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := m.v.Extract(m.ctx, e.ID, stripped, f, "saved from the app"); err != nil {
		return err
	}
	return f.Commit()
}
