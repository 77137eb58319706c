// Package testimg makes images laden with metadata, for the tests of
// metadata stripping.
package testimg

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
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
