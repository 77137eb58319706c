package export

import (
	"errors"
	"hash"
	"io"
	"sync"
	"sync/atomic"
)

// Writing or reading a bundle is a chain of stages that each cost about
// as much CPU as the others: reading the evidence (and decrypting and
// hashing it), hashing entries and encrypting the tar stream with age,
// hashing the ciphertext and writing the file. On one goroutine they take
// turns on one core; aheadReader and behindWriter run a stage on its own
// goroutine, connected by a few buffers, so that two cores share the work.
// Memory stays flat: pipeDepth buffers of pipeBuf bytes per stage,
// whatever the size of the bundle.
const (
	pipeBuf   = 256 << 10
	pipeDepth = 4
)

// aheadReader reads its source on its own goroutine, up to pipeDepth
// buffers ahead of its reader. The bytes, and the error that ended the
// source (io.EOF or another), reach the reader in the order the source
// gave them: a reader sees a damaged stream exactly where it would have
// without aheadReader. If h is set, the goroutine hashes every byte read
// (Sum, once the source ended).
type aheadReader struct {
	full    chan []byte // filled buffers, closed when the source ended
	free    chan []byte
	stop    chan struct{}
	stopped sync.Once
	done    sync.WaitGroup
	cur     []byte // what is left of the buffer being read
	buf     []byte // that buffer, to hand back
	h       hash.Hash
	err     error // set before full is closed
}

func newAheadReader(r io.Reader, h hash.Hash) *aheadReader {
	a := &aheadReader{full: make(chan []byte, pipeDepth), free: make(chan []byte, pipeDepth),
		stop: make(chan struct{}), h: h}
	for range pipeDepth {
		a.free <- make([]byte, pipeBuf)
	}
	a.done.Add(1)
	go a.fill(r)
	return a
}

func (a *aheadReader) fill(r io.Reader) {
	defer a.done.Done()
	defer close(a.full)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.stop:
			a.err = errPipeClosed
			return
		}
		n := 0
		var err error
		for n < len(b) && err == nil {
			var k int
			k, err = r.Read(b[n:])
			n += k
		}
		if n > 0 {
			if a.h != nil {
				a.h.Write(b[:n])
			}
			select {
			case a.full <- b[:n]:
			case <-a.stop:
				a.err = errPipeClosed
				return
			}
		}
		if err != nil {
			a.err = err
			return
		}
	}
}

var errPipeClosed = errors.New("read after the pipe was closed")

func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.buf != nil {
			a.free <- a.buf[:cap(a.buf)] // never blocks: there are only pipeDepth buffers
			a.buf = nil
		}
		b, ok := <-a.full
		if !ok {
			return 0, a.err
		}
		a.cur, a.buf = b, b
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Sum returns the hash of every byte the source gave. It is only
// complete once Read returned the source's final error.
func (a *aheadReader) Sum() []byte { return a.h.Sum(nil) }

// Close stops the goroutine and waits for it to end, so that the source
// is no longer read when Close returns (its owner may close it then).
func (a *aheadReader) Close() {
	a.stopped.Do(func() { close(a.stop) })
	a.done.Wait()
}

// behindWriter writes to w on its own goroutine, up to pipeDepth buffers
// behind its writer, hashing every byte it writes with h. A failure of w
// is returned by a later Write, and by Close.
type behindWriter struct {
	w      io.Writer
	h      hash.Hash
	full   chan []byte
	free   chan []byte
	cur    []byte
	done   sync.WaitGroup
	failed atomic.Bool
	err    error // the first failure of w; read once failed is set or the goroutine ended
	n      int64 // bytes written; read after Close
	closed bool
}

func newBehindWriter(w io.Writer, h hash.Hash) *behindWriter {
	b := &behindWriter{w: w, h: h, full: make(chan []byte, pipeDepth), free: make(chan []byte, pipeDepth)}
	for range pipeDepth {
		b.free <- make([]byte, 0, pipeBuf)
	}
	b.done.Add(1)
	go b.drain()
	return b
}

func (b *behindWriter) drain() {
	defer b.done.Done()
	for buf := range b.full {
		if b.err == nil {
			b.h.Write(buf)
			k, err := b.w.Write(buf)
			b.n += int64(k)
			if err == nil && k < len(buf) {
				err = io.ErrShortWrite
			}
			if err != nil {
				b.err = err
				b.failed.Store(true)
			}
		}
		b.free <- buf[:0]
	}
}

func (b *behindWriter) Write(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("write after close")
	}
	n := 0
	for len(p) > 0 {
		if b.failed.Load() {
			return n, b.err
		}
		if b.cur == nil {
			b.cur = <-b.free
		}
		k := copy(b.cur[len(b.cur):cap(b.cur)], p)
		b.cur = b.cur[:len(b.cur)+k]
		p = p[k:]
		n += k
		if len(b.cur) == cap(b.cur) {
			b.full <- b.cur
			b.cur = nil
		}
	}
	return n, nil
}

// Close writes what is buffered, waits for the goroutine to end and
// returns the first failure of w. It must be called, also after a
// failure, to end the goroutine.
func (b *behindWriter) Close() error {
	if b.closed {
		return b.err
	}
	b.closed = true
	if len(b.cur) > 0 {
		b.full <- b.cur
		b.cur = nil
	}
	close(b.full)
	b.done.Wait()
	return b.err
}

// Written returns how many bytes reached w, and the hash of them; only
// after Close.
func (b *behindWriter) Written() (int64, []byte) { return b.n, b.h.Sum(nil) }
