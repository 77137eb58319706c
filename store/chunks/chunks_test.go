package chunks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/iotest"
)

const cs = 1 << defaultShift

// pattern is a deterministic, incompressible-looking byte stream of n
// bytes, made as it is read (never held whole).
func pattern(seed uint64, n int64) io.Reader {
	return io.LimitReader(&prngReader{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, n)
}

type prngReader struct{ r *rand.Rand }

func (p *prngReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(p.r.Uint32())
	}
	return len(b), nil
}

func bytesOf(seed uint64, n int64) []byte {
	b, err := io.ReadAll(pattern(seed, n))
	if err != nil {
		panic(err)
	}
	return b
}

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "evidence"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func put(t testing.TB, s *Store, data []byte) Ref {
	t.Helper()
	ref, err := s.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// readAll reads a stored file back, returning what was read before any
// error too.
func readAll(s *Store, ref Ref) ([]byte, error) {
	rc, err := s.Get(ref)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func TestRoundTrip(t *testing.T) {
	s := newStore(t)
	for _, n := range []int64{0, 1, cs - 1, cs, cs + 1, 2 * cs, 3*cs + 7, 5<<20 + 3} {
		data := bytesOf(uint64(n), n)
		ref := put(t, s, data)
		if ref.Size != n || ref.SHA256 != sha256.Sum256(data) {
			t.Errorf("size %d: Ref has size %d and the wrong hash %v", n, ref.Size, ref.SHA256 != sha256.Sum256(data))
		}
		fi, err := os.Stat(s.path(ref.ID))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != storedSize(n, defaultShift) {
			t.Errorf("size %d: stored as %d bytes, want %d", n, fi.Size(), storedSize(n, defaultShift))
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
			t.Errorf("size %d: stored with mode %v", n, fi.Mode().Perm())
		}
		got, err := readAll(s, ref)
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("size %d: read back %d different bytes", n, len(got))
		}
	}
}

// Random sizes, chunk sizes, and readers that return a byte at a time or
// half of what is asked, on both sides.
func TestRoundTripProperty(t *testing.T) {
	s := newStore(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 60; i++ {
		s.shift = uint8(minShift + rng.IntN(3))
		c := 1 << s.shift
		var n int64
		switch rng.IntN(3) {
		case 0:
			n = int64(rng.IntN(4 * c))
		case 1:
			n = int64(rng.IntN(4)*c + rng.IntN(3) - 1)
		default:
			n = int64(rng.IntN(64))
		}
		if n < 0 {
			n = 0
		}
		data := bytesOf(uint64(i), n)
		var in io.Reader = bytes.NewReader(data)
		if i%2 == 0 {
			in = iotest.HalfReader(in)
		} else if n < 3*int64(c) {
			in = iotest.OneByteReader(in)
		}
		ref, err := s.Put(in)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := s.Get(ref)
		if err != nil {
			t.Fatal(err)
		}
		var out io.Reader = rc
		if i%3 == 0 {
			out = iotest.OneByteReader(rc)
		}
		got, err := io.ReadAll(out)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) || ref.Size != n || ref.SHA256 != sha256.Sum256(data) {
			t.Fatalf("size %d, chunk %d: round trip failed (err %v, %d bytes back)", n, c, err, len(got))
		}
		if err := iotest.TestReader(mustGet(t, s, ref), data); err != nil {
			t.Fatalf("size %d, chunk %d: %v", n, c, err)
		}
	}
}

func mustGet(t *testing.T, s *Store, ref Ref) io.Reader {
	t.Helper()
	rc, err := s.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	return rc
}

// Every change to a stored file fails with ErrCorrupt, and no byte of a
// changed chunk is returned.
func TestTamper(t *testing.T) {
	s := newStore(t)
	const n = 3*cs + 100 // chunks of cs, cs, cs, 100
	data := bytesOf(7, n)
	ref := put(t, s, data)
	other := put(t, s, bytesOf(8, n))
	p := s.path(ref.ID)
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	otherBytes, err := os.ReadFile(s.path(other.ID))
	if err != nil {
		t.Fatal(err)
	}
	ct := cs + overhead // a full chunk on disk
	chunkAt := func(i int) int { return headerSize + i*ct }
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(orig)) }
	flip := func(off int) []byte { return mod(func(b []byte) []byte { b[off] ^= 0x01; return b }) }

	cases := map[string][]byte{
		"magic":                 flip(0),
		"version":               flip(len(magic)),
		"chunk size":            flip(len(magic) + 1),
		"reserved":              flip(len(magic) + 2),
		"first byte of chunk 0": flip(chunkAt(0)),
		"tag of chunk 0":        flip(chunkAt(1) - 1),
		"middle of chunk 1":     flip(chunkAt(1) + cs/2),
		"tag of chunk 2":        flip(chunkAt(3) - 3),
		"last chunk":            flip(chunkAt(3) + 5),
		"last byte":             flip(len(orig) - 1),
		"chunks 0 and 1 swapped": mod(func(b []byte) []byte {
			c0 := bytes.Clone(b[chunkAt(0):chunkAt(1)])
			copy(b[chunkAt(0):], b[chunkAt(1):chunkAt(2)])
			copy(b[chunkAt(1):], c0)
			return b
		}),
		"chunk 1 repeated in place of 2": mod(func(b []byte) []byte {
			copy(b[chunkAt(2):], b[chunkAt(1):chunkAt(2)])
			return b
		}),
		"chunk 1 from another file": mod(func(b []byte) []byte {
			copy(b[chunkAt(1):], otherBytes[chunkAt(1):chunkAt(2)])
			return b
		}),
		"appended byte":     append(bytes.Clone(orig), 0),
		"appended chunk":    append(bytes.Clone(orig), orig[chunkAt(1):chunkAt(2)]...),
		"empty":             {},
		"header only":       bytes.Clone(orig[:headerSize]),
		"cut mid-header":    bytes.Clone(orig[:headerSize/2]),
		"cut after chunk 0": bytes.Clone(orig[:chunkAt(1)]),
		"cut after chunk 1": bytes.Clone(orig[:chunkAt(2)]),
		"cut after chunk 2": bytes.Clone(orig[:chunkAt(3)]),
		"cut mid-chunk 1":   bytes.Clone(orig[:chunkAt(1)+cs/2]),
		"cut in last chunk": bytes.Clone(orig[:len(orig)-1]),
		// A file cut at a chunk boundary whose last chunk is then marked
		// last cannot be made without the key; a whole other file can:
		"another file in its place": bytes.Clone(otherBytes),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := readAll(s, ref)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("read %d bytes and %v, want ErrCorrupt", len(got), err)
			}
			// What came out before the error is the genuine start.
			if !bytes.Equal(got, data[:len(got)]) {
				t.Fatalf("returned %d bytes that are not the file's", len(got))
			}
		})
	}
	if err := os.WriteFile(p, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(s, ref); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the untouched file does not read back: %v", err)
	}

	// The wrong Ref: another file's key, a wrong size, the right key under
	// another file's id (the file renamed over another).
	wrongKey := ref
	wrongKey.Key = other.Key
	wrongSize := ref
	wrongSize.Size--
	renamed := other
	renamed.Key = ref.Key
	for name, r := range map[string]Ref{"wrong key": wrongKey, "wrong size": wrongSize} {
		if _, err := readAll(s, r); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	if err := os.WriteFile(s.path(other.ID), orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(s, renamed); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a file renamed over another: %v, want ErrCorrupt", err)
	}
}

// A chunk cut at a boundary and re-marked last cannot be forged without
// the key; a file of the same length whose chunks are authentic but whose
// last is not marked last (a cut file padded back to the length) fails.
func TestTruncationAtBoundaryDetected(t *testing.T) {
	s := newStore(t)
	data := bytesOf(3, 2*cs)
	ref := put(t, s, data)
	// The same bytes sealed as the start of a longer file: chunks 0 and 1
	// are not last there.
	var longer bytes.Buffer
	if _, _, err := seal(&longer, bytes.NewReader(append(bytes.Clone(data), 1)), ref.Key[:], ref.ID, defaultShift); err != nil {
		t.Fatal(err)
	}
	cut := longer.Bytes()[:storedSize(2*cs, defaultShift)]
	if err := os.WriteFile(s.path(ref.ID), cut, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(s, ref)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a file cut at a chunk boundary read as %d bytes, %v", len(got), err)
	}
}

func TestGetMissing(t *testing.T) {
	s := newStore(t)
	if _, err := s.Get(Ref{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing file: %v", err)
	}
}

type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// A Put whose source fails leaves nothing in the folder.
func TestPutFailureLeavesNothing(t *testing.T) {
	s := newStore(t)
	boom := errors.New("disk unplugged")
	_, err := s.Put(&failingReader{r: pattern(1, 3*cs+5), err: boom})
	if !errors.Is(err, boom) {
		t.Fatalf("Put: %v, want the reader's error", err)
	}
	rep, err := s.Check(context.Background(), refsOf(), false)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Files != 0 {
		t.Fatalf("after a failed Put: %+v", rep)
	}
}

func TestDelete(t *testing.T) {
	s := newStore(t)
	ref := put(t, s, []byte("evidence"))
	if err := s.Delete(ref.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ref); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
	if err := s.Delete(ref.ID); err != nil {
		t.Fatalf("Delete again: %v", err)
	}
}

func TestParseID(t *testing.T) {
	var id ID
	id[0], id[15] = 0xab, 0x01
	got, err := ParseID(id.String())
	if err != nil || got != id {
		t.Fatalf("ParseID(%s) = %v, %v", id, got, err)
	}
	for _, bad := range []string{"", "ab", id.String() + "0", "AB" + id.String()[2:], "zz" + id.String()[2:]} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

// Put and Get hold a bounded number of buffers whatever the file's size:
// the bytes allocated while storing and reading 96 MiB are a small
// fraction of a megabyte (two chunks and their bookkeeping).
func TestMemoryBounded(t *testing.T) {
	s := newStore(t)
	const n = 96 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ref, err := s.Put(pattern(5, n))
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("Put of %d MiB allocated %d KiB", n>>20, alloc>>10)
	}
	rc, err := s.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	buf := make([]byte, 32<<10)
	runtime.ReadMemStats(&before)
	m, err := io.CopyBuffer(h, struct{ io.Reader }{rc}, buf)
	runtime.ReadMemStats(&after)
	rc.Close()
	if err != nil || m != n || [32]byte(h.Sum(nil)) != ref.SHA256 {
		t.Fatalf("read back %d bytes, %v", m, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("Get of %d MiB allocated %d KiB", n>>20, alloc>>10)
	}
}
