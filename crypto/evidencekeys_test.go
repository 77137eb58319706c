package crypto

import (
	"bytes"
	"errors"
	"testing"
)

func TestEvidenceKeysRoundTrip(t *testing.T) {
	dk, _ := NewDataKey()
	ek, err := NewEvidenceKeys(dk)
	if err != nil {
		t.Fatal(err)
	}
	id := bytes.Repeat([]byte{7}, 16)
	key := bytes.Repeat([]byte{9}, 32)
	w, err := ek.Wrap(id, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != WrappedEvidenceKeySize || bytes.Contains(w, key[:8]) {
		t.Fatalf("wrapped key has %d bytes or holds the key in clear", len(w))
	}
	got, err := ek.Unwrap(id, w)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("Unwrap = %x, %v", got, err)
	}
	// Another file's id, another vault's key, a flipped byte: refused.
	other := bytes.Repeat([]byte{8}, 16)
	if _, err := ek.Unwrap(other, w); !errors.Is(err, ErrEvidenceKey) {
		t.Errorf("key moved to another file: %v", err)
	}
	dk2, _ := NewDataKey()
	ek2, _ := NewEvidenceKeys(dk2)
	if _, err := ek2.Unwrap(id, w); !errors.Is(err, ErrEvidenceKey) {
		t.Errorf("another vault's key: %v", err)
	}
	for i := range w {
		b := bytes.Clone(w)
		b[i] ^= 1
		if _, err := ek.Unwrap(id, b); !errors.Is(err, ErrEvidenceKey) {
			t.Fatalf("flipped byte %d accepted", i)
		}
	}
	if _, err := ek.Unwrap(id, w[:10]); !errors.Is(err, ErrEvidenceKey) {
		t.Errorf("short: %v", err)
	}
}
