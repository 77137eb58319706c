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
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/store"
)

func TestEvidenceAttachPreviewSave(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	dir := t.TempDir()
	photo := filepath.Join(dir, "bruises.jpg")
	os.WriteFile(photo, testimg.JPEGWithMetadata(), 0o600)
	note := filepath.Join(dir, "certificate.txt")
	os.WriteFile(note, []byte("Medical certificate: bruises on both arms."), 0o600)

	// Dropping files with no case on screen says what to do.
	drop(t, w, photo)
	eventually(t, "the hint", func() bool { return labelWith(w, "Select a case first") })
	press(t, w, "OK")

	clickText(t, w, "Internação compulsória")
	eventually(t, "the case", func() bool { return labelWith(w, "No evidence yet") })
	drop(t, w, photo, note)
	eventually(t, "the form", func() bool { return labelWith(w, "bruises.jpg\ncertificate.txt") })
	from, how := attachFields(t, w)
	typeIn(t, w, from, "outreach worker")
	typeIn(t, w, how, "in person")
	press(t, w, "Attach")
	eventually(t, "the attach result", func() bool { return labelWith(w, "2 files attached and hashed.") })
	press(t, w, "OK")
	eventually(t, "the evidence list", func() bool {
		return labelWith(w, "bruises.jpg · image/jpeg") && labelWith(w, "certificate.txt · text/plain") && labelWith(w, "received · local · outreach worker · in person")
	})
	items, _ := a.Vault().EvidenceOf(t.Context(), a.main.current.ID)
	if len(items) != 3 { // two originals and the photo's stripped copy
		t.Fatalf("%d evidence items", len(items))
	}
	// Preview, inside the app: the photo, then the text.
	press(t, w, "Preview")
	eventually(t, "the preview", func() bool {
		img, ok := a.main.previewed.(*canvas.Image)
		return ok && img.Resource != nil && len(img.Resource.Content()) > 0
	})
	img := a.main.previewed.(*canvas.Image)
	if _, _, err := image.Decode(bytes.NewReader(img.Resource.Content())); err != nil {
		t.Fatalf("the preview is not the image: %v", err)
	}
	press(t, w, "Close")
	var previews []*widget.Button
	onUI(func() {
		for _, o := range shown(w.Content()) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Preview" {
				previews = append(previews, b)
			}
		}
	})
	if len(previews) != 2 {
		t.Fatalf("%d Preview buttons for a photo and a text", len(previews))
	}
	tap(t, w, previews[1])
	eventually(t, "the text's preview", func() bool { return labelWith(w, "Medical certificate: bruises on both arms.") })
	press(t, w, "Close")

	// Save the copy without metadata, and the original.
	var photoItem *store.Evidence
	for _, it := range items {
		if it.Name == "bruises.jpg" && it.Kind != store.EvidenceStripped {
			photoItem = it
		}
	}
	if photoItem == nil {
		t.Fatal("no original of the photo")
	}
	clean := filepath.Join(dir, "clean.jpg")
	orig := filepath.Join(dir, "orig.jpg")
	for _, save := range []struct{ button, path string }{{"Save copy without metadata", clean}, {"Save the original", orig}} { // the photo's, the first
		press(t, w, save.button)
		saveFile(t, w, save.path)
		eventually(t, "the saved message", func() bool { return labelWith(w, "Written and checked against its SHA-256.") })
		press(t, w, "OK")
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

	// Add files: the file chooser, then the same questions.
	press(t, w, "Add files")
	openFile(t, w, note)
	eventually(t, "the form again", func() bool { return labelWith(w, "certificate.txt") })
	from, _ = attachFields(t, w)
	typeIn(t, w, from, "the clinic")
	press(t, w, "Cancel")
	if got, _ := a.Vault().EvidenceOf(t.Context(), a.main.current.ID); len(got) != 3 {
		t.Fatalf("%d evidence items after a cancelled attach", len(got))
	}
}

// attachFields are the attach form's fields: from whom, and how.
func attachFields(t *testing.T, w fyne.Window) (from, how *widget.Entry) {
	t.Helper()
	var es []*widget.Entry
	onUI(func() {
		for _, o := range shown(clickable(w)) {
			if e, ok := o.(*widget.Entry); ok {
				es = append(es, e)
			}
		}
	})
	if len(es) != 2 {
		t.Fatalf("the attach form has %d fields", len(es))
	}
	return es[0], es[1]
}

// A photo no stripped copy can be made from is attached all the same, and
// the person is told.
func TestAttachDamagedPhoto(t *testing.T) {
	a, w, _ := unlocked(t, Config{AutoLock: -1})
	dir := t.TempDir()
	cut := filepath.Join(dir, "cut.jpg")
	os.WriteFile(cut, testimg.Damaged()["truncated-in-scan.jpg"], 0o600)
	good := filepath.Join(dir, "good.jpg")
	os.WriteFile(good, testimg.JPEGWithMetadata(), 0o600)
	clickText(t, w, "Internação compulsória")
	eventually(t, "the case", func() bool { return labelWith(w, "No evidence yet") })
	drop(t, w, cut, good)
	eventually(t, "the form", func() bool { return labelWith(w, "cut.jpg\ngood.jpg") })
	press(t, w, "Attach")
	eventually(t, "the attach result", func() bool {
		return labelWith(w, "2 files attached and hashed.\ncut.jpg: the stripped copy could not be made; the original is kept.")
	})
	if labelWith(w, "good.jpg: the stripped copy") {
		t.Fatal("a sound photo is said to have no stripped copy")
	}
	press(t, w, "OK")
	items, _ := a.Vault().EvidenceOf(t.Context(), a.main.current.ID)
	if len(items) != 3 { // two originals and the good photo's stripped copy
		t.Fatalf("%d evidence items", len(items))
	}
}
