// Package strip removes metadata from images: EXIF (with GPS), XMP, IPTC,
// ICC profiles, comments, thumbnails and anything after the image. It
// streams, holding no more than one segment header in memory, and copies
// the image data byte for byte, never re-encoding it.
//
// It parses files from outside (evidence as received), so it must never
// panic or loop on any input; its fuzz targets check that. It knows
// nothing of the vault: [store] calls [Image] when a file is attached.
package strip

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// Error means a file could not be parsed for stripping. Every error the
// strippers return is an *Error.
type Error struct{ Msg string }

func (e *Error) Error() string { return "cannot strip metadata: " + e.Msg }

// strippers remove metadata from a file type, streaming.
var strippers = map[string]func(io.Reader, io.Writer) error{
	"image/jpeg": JPEG,
	"image/png":  PNG,
}

// Supported reports whether images of that media type (image/jpeg,
// image/png) can be stripped.
func Supported(mediaType string) bool { return strippers[mediaType] != nil }

// Image copies the image in r, of the given media type, to w without its
// metadata. A type that is not [Supported], or an image that cannot be
// parsed, is an *[Error]; w may then hold part of the image.
func Image(mediaType string, r io.Reader, w io.Writer) error {
	f := strippers[mediaType]
	if f == nil {
		return &Error{"no stripper for " + mediaType}
	}
	return f(r, w)
}

// JPEG copies a JPEG image without its metadata: every APPn segment
// (JFIF, EXIF with GPS, XMP, ICC profiles, IPTC, maker notes and the
// thumbnails they hold) and comments, and anything after the end of the
// image. Only Adobe's APP14, which says how to decode the colours, is kept.
// The image data is copied byte for byte, not re-encoded. An EXIF
// orientation is lost with the rest, so a photo may show rotated.
func JPEG(r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return &Error{"not a JPEG image"}
	}
	bw.Write(soi[:])
	pending := byte(0) // a marker read while copying scan data
	for {
		m := pending
		pending = 0
		if m == 0 {
			b, err := br.ReadByte()
			if err != nil {
				return &Error{"truncated JPEG image"}
			}
			if b != 0xFF {
				return &Error{fmt.Sprintf("expected a JPEG marker, found byte %#x", b)}
			}
			for m = 0xFF; m == 0xFF; { // fill bytes
				if m, err = br.ReadByte(); err != nil {
					return &Error{"truncated JPEG image"}
				}
			}
		}
		switch {
		case m == 0xD9: // end of image; whatever follows is dropped
			bw.Write([]byte{0xFF, 0xD9})
			return bw.Flush()
		case m >= 0xD0 && m <= 0xD7 || m == 0x01: // markers without a segment
			bw.Write([]byte{0xFF, m})
			continue
		case m == 0x00 || m == 0xD8:
			return &Error{fmt.Sprintf("unexpected JPEG marker %#x", m)}
		}
		var lb [2]byte
		if _, err := io.ReadFull(br, lb[:]); err != nil {
			return &Error{"truncated JPEG segment"}
		}
		length := int64(binary.BigEndian.Uint16(lb[:]))
		if length < 2 {
			return &Error{"bad JPEG segment length"}
		}
		drop := m >= 0xE0 && m <= 0xEF || m == 0xFE
		if m == 0xEE { // APP14: keep Adobe's colour-transform segment only
			id, _ := br.Peek(5)
			drop = !bytes.Equal(id, []byte("Adobe"))
		}
		if drop {
			if _, err := br.Discard(int(length - 2)); err != nil {
				return &Error{"truncated JPEG segment"}
			}
			continue
		}
		bw.Write([]byte{0xFF, m})
		bw.Write(lb[:])
		if _, err := io.CopyN(bw, br, length-2); err != nil {
			return &Error{"truncated JPEG segment"}
		}
		if m != 0xDA { // start of scan: entropy-coded data follows
			continue
		}
		var err error
		if pending, err = copyScan(br, bw); err != nil {
			return err
		}
	}
}

// copyScan copies entropy-coded data up to the next marker that is not a
// stuffed zero or a restart, and returns that marker.
func copyScan(br *bufio.Reader, bw *bufio.Writer) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, &Error{"truncated JPEG scan"}
		}
		if b != 0xFF {
			bw.WriteByte(b)
			continue
		}
		n, err := br.ReadByte()
		for err == nil && n == 0xFF {
			n, err = br.ReadByte()
		}
		if err != nil {
			return 0, &Error{"truncated JPEG scan"}
		}
		if n == 0x00 || n >= 0xD0 && n <= 0xD7 {
			bw.Write([]byte{0xFF, n})
			continue
		}
		return n, nil
	}
}

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}

// pngKeep are the chunks a stripped PNG keeps: those needed to show the
// image as it is. Text (tEXt, zTXt, iTXt, which hold XMP), eXIf, tIME,
// pHYs, iCCP and every private chunk are dropped.
var pngKeep = map[string]bool{"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true, "tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "sBIT": true, "acTL": true, "fcTL": true, "fdAT": true}

// PNG copies a PNG image without its metadata chunks, and without
// anything after IEND. The chunks it keeps must have their CRC right.
func PNG(r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	sig := make([]byte, 8)
	if _, err := io.ReadFull(br, sig); err != nil || !bytes.Equal(sig, pngSignature) {
		return &Error{"not a PNG image"}
	}
	bw.Write(sig)
	for first := true; ; first = false {
		var hdr [8]byte
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return &Error{"truncated PNG image (no IEND)"}
		}
		length := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:])
		if length > 1<<31-1 {
			return &Error{"bad PNG chunk length"}
		}
		for _, c := range hdr[4:] {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
				return &Error{"bad PNG chunk type"}
			}
		}
		if first && typ != "IHDR" {
			return &Error{"PNG image does not start with IHDR"}
		}
		if !pngKeep[typ] {
			if _, err := br.Discard(int(length + 4)); err != nil {
				return &Error{"truncated PNG chunk"}
			}
			continue
		}
		// A kept chunk is checked against its CRC: a damaged image gets
		// no stripped copy rather than one that claims to be the image.
		bw.Write(hdr[:])
		crc := crc32.NewIEEE()
		crc.Write(hdr[4:])
		if _, err := io.CopyN(io.MultiWriter(bw, crc), br, length); err != nil {
			return &Error{"truncated PNG chunk"}
		}
		var sum [4]byte
		if _, err := io.ReadFull(br, sum[:]); err != nil {
			return &Error{"truncated PNG chunk"}
		}
		if binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			return &Error{"bad PNG chunk CRC"}
		}
		bw.Write(sum[:])
		if typ == "IEND" {
			return bw.Flush()
		}
	}
}
