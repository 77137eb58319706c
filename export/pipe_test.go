package export

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"testing/iotest"
)

// The aheadReader hands on the source's bytes, then the error that ended
// it, in order, as the source gave them (a damaged age stream must be
// found at the same place with it as without), and hashes every byte.
func TestAheadReaderKeepsBytesAndErrorInOrder(t *testing.T) {
	boom := errors.New("damaged chunk")
	for _, n := range []int{0, 1, pipeBuf - 1, pipeBuf, pipeBuf + 1, 3*pipeBuf + 17, 11 * pipeBuf} {
		data := make([]byte, n)
		rand.Read(data)
		for _, end := range []error{io.EOF, boom} {
			src := io.MultiReader(iotest.HalfReader(bytes.NewReader(data)), iotest.ErrReader(end))
			a := newAheadReader(src, sha256.New())
			got, err := io.ReadAll(iotest.OneByteReader(a))
			if end == io.EOF && err != nil || end != io.EOF && err != end {
				t.Fatalf("%d bytes, ending %v: got error %v", n, end, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%d bytes, ending %v: %d bytes differ", n, end, len(got))
			}
			if sum := sha256.Sum256(data); !bytes.Equal(a.Sum(), sum[:]) {
				t.Fatalf("%d bytes: wrong hash", n)
			}
			// The error stays: a reader asking again gets it again.
			if k, err := a.Read(make([]byte, 1)); k != 0 || err != end {
				t.Fatalf("read after the end: %d, %v", k, err)
			}
			a.Close()
		}
	}
}

// endless gives bytes forever and counts them.
type endless struct{ n atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	e.n.Add(int64(len(p)))
	return len(p), nil
}

// The read-ahead is bounded (a few buffers, never the whole source), and
// after Close the source is no longer read.
func TestAheadReaderBoundedAndStops(t *testing.T) {
	src := &endless{}
	a := newAheadReader(src, nil)
	if _, err := io.ReadFull(a, make([]byte, 5*pipeBuf)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	read := src.n.Load()
	if max := int64(5*pipeBuf + (pipeDepth+1)*pipeBuf); read > max {
		t.Fatalf("the source was read %d bytes for %d taken; want at most %d", read, 5*pipeBuf, max)
	}
	// What was buffered may still be read; then the pipe says it is closed.
	var err error
	for err == nil {
		_, err = a.Read(make([]byte, pipeBuf))
	}
	if !errors.Is(err, errPipeClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if src.n.Load() != read {
		t.Fatal("the source was read after Close returned")
	}
	a.Close() // twice is fine
}

// failing accepts limit bytes, then fails.
type failing struct {
	buf   bytes.Buffer
	limit int
}

var errDiskFull = errors.New("no space left on device")

func (f *failing) Write(p []byte) (int, error) {
	if room := f.limit - f.buf.Len(); len(p) > room {
		f.buf.Write(p[:room])
		return room, errDiskFull
	}
	return f.buf.Write(p)
}

// The behindWriter writes everything, in order, and hashes and counts
// what it wrote; a failure of the file (a full disk) reaches the writer
// at a later Write and at Close.
func TestBehindWriter(t *testing.T) {
	data := make([]byte, 7*pipeBuf+123)
	rand.Read(data)
	var out bytes.Buffer
	w := newBehindWriter(&out, sha256.New())
	for p := data; len(p) > 0; {
		k := min(len(p), 65552) // age's chunk with its tag
		if _, err := w.Write(p[:k]); err != nil {
			t.Fatal(err)
		}
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n, sum := w.Written()
	want := sha256.Sum256(data)
	if !bytes.Equal(out.Bytes(), data) || n != int64(len(data)) || !bytes.Equal(sum, want[:]) {
		t.Fatalf("wrote %d bytes (equal: %v), counted %d", out.Len(), bytes.Equal(out.Bytes(), data), n)
	}

	f := &failing{limit: 3 * pipeBuf / 2}
	w = newBehindWriter(f, sha256.New())
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		_, err = w.Write(data[:65552])
	}
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("writing on: %v, want the file's failure", err)
	}
	if err := w.Close(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Close: %v, want the file's failure", err)
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Fatal("a write after Close succeeded")
	}
}
