package xwin

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTmpOCR(t *testing.T) {
	files, _ := filepath.Glob(os.Getenv("PNGS"))
	d := &Display{Artifacts: t.TempDir()}
	for _, fn := range files {
		f, _ := os.Open(fn)
		img, _ := png.Decode(f)
		f.Close()
		rgba := image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
		start := time.Now()
		w, err := d.ocr(rgba)
		s := &Screen{Img: rgba, Words: w}
		t.Logf("%s %s %v\n%s", fn, time.Since(start), err, s.Text())
		o, _ := os.Create(fn + ".ink.png")
		png.Encode(o, Ink(rgba))
		o.Close()
	}
}

func TestTmpLines(t *testing.T) {
	f, _ := os.Open(os.Getenv("PNG"))
	img, _ := png.Decode(f)
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	d := &Display{Artifacts: t.TempDir()}
	w, _ := d.ocr(rgba)
	s := &Screen{Img: rgba, Words: w}
	t.Log(s.Text())
	for _, p := range []string{"History", "Edit", "Share…", "Next", "Cancel", "Back up", "Import", "Raid on the harm", "Violation", "Add a violation", "Pseudonym", "Age", "Remove", "Lock"} {
		t.Logf("%q lines %v find %v", p, s.Lines(p), s.FindAll(p))
	}
}
