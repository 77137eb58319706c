package chunks

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// FuzzGet reads arbitrary bytes as a stored file. It must never panic,
// fail only with ErrCorrupt, and return only authenticated plaintext:
// what it returns, sealed again under the same key, id and chunk size,
// gives back exactly the bytes it was read from (the whole file when it
// succeeds; the chunks it returned when it fails).
func FuzzGet(f *testing.F) {
	var key [KeySize]byte
	for i := range key {
		key[i] = byte(i)
	}
	id := ID{0xde, 0xad, 0xbe, 0xef}
	// Seeds in the smallest chunk size a reader accepts, so that they
	// have several chunks and stay small.
	const small = 1 << minShift
	for _, n := range []int{0, 1, 100, small, small + 1, 2*small + 3} {
		var b bytes.Buffer
		if _, _, err := seal(&b, bytes.NewReader(bytesOf(uint64(n), int64(n))), key[:], id, minShift); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes(), int64(n))
	}
	f.Add([]byte(magic+"\x01\x10\x00\x00"), int64(0))
	f.Add([]byte{}, int64(-1))
	f.Fuzz(func(t *testing.T, file []byte, size int64) {
		ref := Ref{ID: id, Key: key, Size: size}
		r, err := newReader(io.NopCloser(bytes.NewReader(file)), int64(len(file)), ref)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("newReader: %v, want ErrCorrupt", err)
			}
			return
		}
		out, err := io.ReadAll(r)
		if err == nil {
			var again bytes.Buffer
			if _, _, err := seal(&again, bytes.NewReader(out), key[:], id, r.shift); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), file) || int64(len(out)) != size {
				t.Fatalf("read %d bytes from a file that is not their sealing", len(out))
			}
			return
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Read: %v, want ErrCorrupt", err)
		}
		// Each chunk returned is the sealing of the file's chunk there.
		aead, _ := chacha20poly1305.New(key[:])
		c := 1 << r.shift
		ad := r.ad
		var nonce [chacha20poly1305.NonceSize]byte
		for i := 0; len(out) > 0; i++ {
			n := min(c, len(out))
			setNonce(&nonce, uint64(i), uint64(i) == r.chunks-1)
			ct := aead.Seal(nil, nonce[:], out[:n], ad)
			off := headerSize + i*(c+overhead)
			if off+len(ct) > len(file) || !bytes.Equal(ct, file[off:off+len(ct)]) {
				t.Fatalf("chunk %d was returned but is not the file's", i)
			}
			out = out[n:]
		}
	})
}
