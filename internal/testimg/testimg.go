// Package testimg makes images laden with metadata, for the tests of
// metadata stripping.
package testimg

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// MetadataMarkers are strings JPEGWithMetadata hides in its metadata; none
// may survive stripping.
var MetadataMarkers = []string{"Exif", "MRKcamera", "MRKxmp", "MRKiptc", "MRKicc", "MRKcomment", "MRKtrailer"}

// exifWithGPS builds an APP1 EXIF segment holding a GPS position
// (latitude 55°45'N) and a camera make.
func exifWithGPS() []byte {
	le := binary.LittleEndian
	var t bytes.Buffer
	t.WriteString("II*\x00")
	binary.Write(&t, le, uint32(8))
	// IFD0: Make (ASCII, at 38) and GPSInfo (LONG, GPS IFD at 50).
	binary.Write(&t, le, uint16(2))
	binary.Write(&t, le, []uint16{0x010F, 2})
	binary.Write(&t, le, []uint32{12, 38})
	binary.Write(&t, le, []uint16{0x8825, 4})
	binary.Write(&t, le, []uint32{1, 50})
	binary.Write(&t, le, uint32(0))
	t.WriteString("MRKcamera\x00\x00\x00") // 38..49
	// GPS IFD at 50: LatitudeRef "N", Latitude 3 rationals at 80.
	binary.Write(&t, le, uint16(2))
	binary.Write(&t, le, []uint16{0x0001, 2})
	binary.Write(&t, le, []uint32{2, 'N'})
	binary.Write(&t, le, []uint16{0x0002, 5})
	binary.Write(&t, le, []uint32{3, 80})
	binary.Write(&t, le, uint32(0))
	binary.Write(&t, le, []uint32{55, 1, 45, 1, 0, 1})
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	return segment(0xE1, payload)
}

func segment(marker byte, payload []byte) []byte {
	out := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(out[2:], uint16(len(payload)+2))
	return append(out, payload...)
}

// Image is a 40×30 gradient.
func Image() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 6), uint8(y * 8), 128, 255})
		}
	}
	return img
}

// JPEGWithMetadata returns a JPEG with EXIF (camera make and a GPS
// position), XMP, IPTC, an ICC profile and a comment, each holding a
// marker of MetadataMarkers, and trailing bytes after the image.
func JPEGWithMetadata() []byte {
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, Image(), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	b := enc.Bytes()
	var out bytes.Buffer
	out.Write(b[:2])
	out.Write(exifWithGPS())
	out.Write(segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>MRKxmp</x:xmpmeta>")))
	out.Write(segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04MRKiptc")))
	out.Write(segment(0xE2, []byte("ICC_PROFILE\x00\x01\x01MRKicc")))
	out.Write(segment(0xFE, []byte("MRKcomment")))
	out.Write(b[2:])
	out.WriteString("MRKtrailer")
	return out.Bytes()
}

// PNG returns Image as a PNG file.
func PNG() []byte {
	var enc bytes.Buffer
	if err := png.Encode(&enc, Image()); err != nil {
		panic(err)
	}
	return enc.Bytes()
}

// Damaged are images no stripped copy can be made from, by name: what
// people do get sent (a photo cut short by a dropped connection, an empty
// file) and what an adversary could craft. Each name ends with the
// extension the file would be given.
func Damaged() map[string][]byte {
	jpg := JPEGWithMetadata()
	eoi := bytes.LastIndex(jpg, []byte{0xFF, 0xD9})
	p := PNG()
	badCRC := append([]byte(nil), p...)
	badCRC[len(badCRC)-13] ^= 0xFF                               // the last byte of IDAT's CRC, before IEND
	absurd := append([]byte{0xFF, 0xD8}, 0xFF, 0xDB, 0xFF, 0xFF) // a table 65535 bytes long…
	absurd = append(absurd, bytes.Repeat([]byte{1}, 40)...)      // …of which 40 are there
	return map[string][]byte{
		"truncated-in-scan.jpg":  jpg[:eoi-200],
		"empty.jpg":              {},
		"absurd-segment.jpg":     absurd,
		"bad-length.jpg":         {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x01, 0xFF, 0xD9},
		"bad-crc.png":            badCRC,
		"truncated.png":          p[:len(p)/2],
		"text-named-photo.jpg":   []byte("not an image at all, but named like one\n"),
		"jpeg-marker-only.jpg":   {0xFF, 0xD8},
		"png-signature-only.png": p[:8],
	}
}
