package strip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"github.com/dossier-hr/dossier/internal/testimg"
)

func TestJPEG(t *testing.T) {
	orig := testimg.JPEGWithMetadata()
	var out bytes.Buffer
	if err := JPEG(bytes.NewReader(orig), &out); err != nil {
		t.Fatal(err)
	}
	for _, m := range testimg.MetadataMarkers {
		if bytes.Contains(out.Bytes(), []byte(m)) {
			t.Errorf("stripped JPEG still holds %q", m)
		}
	}
	a, err := jpeg.Decode(bytes.NewReader(orig))
	if err != nil {
		t.Fatal(err)
	}
	b, err := jpeg.Decode(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("stripped JPEG does not decode: %v", err)
	}
	if a.Bounds() != b.Bounds() {
		t.Fatal("stripped JPEG has other dimensions")
	}
	for y := 0; y < 30; y += 7 {
		for x := 0; x < 40; x += 7 {
			if a.At(x, y) != b.At(x, y) {
				t.Fatalf("pixel %d,%d differs: the image data was altered", x, y)
			}
		}
	}
	for _, bad := range [][]byte{nil, []byte("GIF89a"), orig[:len(orig)/2], {0xFF, 0xD8, 0x00}} {
		if err := JPEG(bytes.NewReader(bad), io.Discard); err == nil {
			t.Errorf("StripJPEG accepted %d bad bytes", len(bad))
		}
	}
}

func TestPNG(t *testing.T) {
	var enc bytes.Buffer
	png.Encode(&enc, testimg.Image())
	b := enc.Bytes()
	chunk := func(typ string, data []byte) []byte {
		out := make([]byte, 4)
		binary.BigEndian.PutUint32(out, uint32(len(data)))
		out = append(out, typ...)
		out = append(out, data...)
		return append(out, 0, 0, 0, 0) // CRC: decoders check it only on kept chunks
	}
	// Insert metadata chunks after IHDR (8 + 25 bytes).
	var orig bytes.Buffer
	orig.Write(b[:33])
	orig.Write(chunk("tEXt", []byte("Comment\x00MRKtext")))
	orig.Write(chunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00MRKxmp")))
	orig.Write(chunk("eXIf", []byte("MM\x00*MRKexif")))
	orig.Write(chunk("tIME", []byte{7, 233, 1, 1, 0, 0, 0}))
	orig.Write(b[33:])
	orig.WriteString("MRKtrailer")
	var out bytes.Buffer
	if err := PNG(bytes.NewReader(orig.Bytes()), &out); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"tEXt", "iTXt", "eXIf", "tIME", "MRKtext", "MRKxmp", "MRKexif", "MRKtrailer"} {
		if bytes.Contains(out.Bytes(), []byte(m)) {
			t.Errorf("stripped PNG still holds %q", m)
		}
	}
	if !bytes.Equal(out.Bytes(), b) {
		t.Fatal("stripped PNG differs from the image without metadata")
	}
	if _, err := png.Decode(bytes.NewReader(out.Bytes())); err != nil {
		t.Fatalf("stripped PNG does not decode: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("\x89PNG\r\n\x1a\n"), orig.Bytes()[:40]} {
		if err := PNG(bytes.NewReader(bad), io.Discard); err == nil {
			t.Errorf("StripPNG accepted %d bad bytes", len(bad))
		}
	}
}

// Image strips the types it supports and refuses the others.
func TestImage(t *testing.T) {
	var out bytes.Buffer
	if err := Image("image/jpeg", bytes.NewReader(testimg.JPEGWithMetadata()), &out); err != nil {
		t.Fatal(err)
	}
	if !Supported("image/png") || Supported("image/gif") {
		t.Fatal("Supported is wrong")
	}
	var e *Error
	if err := Image("image/gif", bytes.NewReader([]byte("GIF89a")), io.Discard); !errors.As(err, &e) {
		t.Fatalf("a GIF: got %v, want an *Error", err)
	}
}
