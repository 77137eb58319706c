package ui

import (
	"bytes"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/internal/testimg"
)

func TestEvidenceAttachPreviewSave(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	dir := t.TempDir()
	photo := filepath.Join(dir, "bruises.jpg")
	os.WriteFile(photo, testimg.JPEGWithMetadata(), 0o600)
	note := filepath.Join(dir, "certificate.txt")
	os.WriteFile(note, []byte("Medical certificate: bruises on both arms."), 0o600)

	// Dropping files with no case on screen says what to do.
	onUI(func() { a.main.dropped([]fyne.URI{storage.NewFileURI(photo)}) })
	eventually(t, "the hint", func() bool { return labelWith(w, "Select a case first") })
	onUI(func() { test.Tap(button(t, w, "OK")) })

	onUI(func() { a.main.list.Select(0) })
	eventually(t, "the case", func() bool { return labelWith(w, "No evidence yet") })
	onUI(func() {
		a.main.dropped([]fyne.URI{storage.NewFileURI(photo), storage.NewFileURI(note)})
	})
	eventually(t, "the form", func() bool { return labelWith(w, "bruises.jpg\ncertificate.txt") })
	onUI(func() {
		from, _ := find(w, func(e *widget.Entry) bool { return !e.MultiLine && e.Text == "" && e.Visible() })
		test.Type(from, "outreach worker")
		test.Tap(button(t, w, "Attach"))
	})
	eventually(t, "the attach result", func() bool { return labelWith(w, "2 files attached and hashed.") })
	onUI(func() { test.Tap(button(t, w, "OK")) })
	eventually(t, "the evidence list", func() bool {
		return labelWith(w, "bruises.jpg · image/jpeg") && labelWith(w, "certificate.txt · text/plain") && labelWith(w, "received · local · outreach worker")
	})
	items, _ := a.Vault().EvidenceOf(t.Context(), a.main.current.ID)
	if len(items) != 3 { // two originals and the photo's stripped copy
		t.Fatalf("%d evidence items", len(items))
	}
	// Preview, inside the app.
	onUI(func() { test.Tap(button(t, w, "Preview")) })
	eventually(t, "the preview", func() bool {
		img, ok := a.main.previewed.(*canvas.Image)
		return ok && img.Resource != nil && len(img.Resource.Content()) > 0
	})
	img := a.main.previewed.(*canvas.Image)
	if _, _, err := image.Decode(bytes.NewReader(img.Resource.Content())); err != nil {
		t.Fatalf("the preview is not the image: %v", err)
	}
	// Save the copy without metadata, and the original.
	clean := filepath.Join(dir, "clean.jpg")
	orig := filepath.Join(dir, "orig.jpg")
	if err := a.main.saveEvidence(items[0], true, clean); err != nil {
		t.Fatal(err)
	}
	if err := a.main.saveEvidence(items[0], false, orig); err != nil {
		t.Fatal(err)
	}
	c, _ := os.ReadFile(clean)
	o, _ := os.ReadFile(orig)
	for _, m := range testimg.MetadataMarkers {
		if bytes.Contains(c, []byte(m)) {
			t.Fatalf("the copy without metadata holds %q", m)
		}
	}
	if !bytes.Equal(o, testimg.JPEGWithMetadata()) {
		t.Fatal("the saved original differs")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if filepath.Ext(e.Name()) != ".jpg" && filepath.Ext(e.Name()) != ".txt" {
			t.Fatalf("left behind: %s", e.Name())
		}
	}
}
