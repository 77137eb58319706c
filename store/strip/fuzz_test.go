package strip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/png"
	"testing"

	"github.com/dossier-hr/dossier/internal/testimg"
)

// FuzzJPEG: the JPEG stripper reads files from outside. It must never
// panic or loop, and what it writes must hold no APPn or comment segment
// before the first scan.
func FuzzJPEG(f *testing.F) {
	f.Add(testimg.JPEGWithMetadata())
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xD9})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02, 0xFF, 0xD9})
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := JPEG(bytes.NewReader(in), &out); err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error is not an *Error: %v", err)
			}
			return
		}
		if out.Len() > len(in) {
			t.Fatalf("stripping grew the file from %d to %d bytes", len(in), out.Len())
		}
		b := out.Bytes()
		for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
			m := b[i+1]
			if m >= 0xE0 && m <= 0xEF && m != 0xEE || m == 0xFE {
				t.Fatalf("marker %#x kept at %d", m, i)
			}
			if m == 0xDA || m >= 0xD0 && m <= 0xD9 {
				break
			}
			i += 2 + int(b[i+2])<<8 | int(b[i+3])
		}
	})
}

// FuzzPNG: the PNG stripper must never panic, and keeps only the
// chunks it allows.
func FuzzPNG(f *testing.F) {
	var enc bytes.Buffer
	png.Encode(&enc, testimg.Image())
	f.Add(enc.Bytes())
	f.Add(append(append([]byte{}, pngSignature...), 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := PNG(bytes.NewReader(in), &out); err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error is not an *Error: %v", err)
			}
			return
		}
		b := out.Bytes()[8:]
		for len(b) >= 12 {
			n := int(binary.BigEndian.Uint32(b))
			if !pngKeep[string(b[4:8])] {
				t.Fatalf("chunk %q kept", b[4:8])
			}
			if 12+n > len(b) {
				break
			}
			b = b[12+n:]
		}
	})
}
