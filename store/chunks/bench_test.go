package chunks

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// BenchmarkPut and BenchmarkGet store and read 64 MiB at each chunk size
// (64 KiB, 256 KiB, 1 MiB), fsync included. bench/evidence-store.sh times
// the same work as whole processes next to openssl and age.
func BenchmarkPut(b *testing.B) {
	data := bytesOf(1, 64<<20)
	for _, shift := range []uint8{16, 18, 20} {
		b.Run(fmt.Sprintf("chunk=%dKiB", 1<<shift>>10), func(b *testing.B) {
			s := newStore(b)
			s.shift = shift
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				ref, err := s.Put(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				s.Delete(ref.ID)
				b.StartTimer()
			}
		})
	}
}

func BenchmarkGet(b *testing.B) {
	data := bytesOf(1, 64<<20)
	for _, shift := range []uint8{16, 18, 20} {
		b.Run(fmt.Sprintf("chunk=%dKiB", 1<<shift>>10), func(b *testing.B) {
			s := newStore(b)
			s.shift = shift
			ref, err := s.Put(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 256<<10)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				rc, err := s.Get(ref)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{rc}, buf); err != nil {
					b.Fatal(err)
				}
				rc.Close()
			}
		})
	}
}
