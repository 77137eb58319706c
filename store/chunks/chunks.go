// Package chunks keeps evidence bytes outside the database: one encrypted
// file per evidence file, in a folder of the vault (its evidence/).
//
// Each file is sealed under its own random 256-bit key with a variant of
// the STREAM construction that age uses (filippo.io/age, internal/stream):
// the plaintext is cut into chunks of a fixed size, each chunk sealed with
// ChaCha20-Poly1305 under a nonce made of the chunk's index and a flag
// that marks the last chunk. Every chunk's associated data is the file's
// header and its id, so a chunk moved to another place in the file, a
// file cut at any point, bytes appended, a header altered, or a file
// renamed over another all fail authentication ([ErrCorrupt]).
//
// The key is never written here, nor derived from anything in the folder:
// [Store.Put] returns it in a [Ref], which the caller keeps, wrapped, in
// the database. Without the Ref the folder is ciphertext under random
// names. What the folder still tells someone who holds it (the number of
// files, their sizes to within a few bytes, their times) is written down
// in docs/evidence-store.md, with the format byte by byte.
//
// Files are placed as restic places its objects: under
// DIR/ab/abcdef… (the id in hex, the first two digits naming a
// sub-folder), written to a temporary name beside their final one, synced
// and linked into place (package atomicfile), so that a crash leaves
// either no file or a whole one, plus at most a temporary file that
// [Store.Check] reports and [Store.RemoveOrphans] deletes.
//
// Nothing here holds a whole file in memory: Put holds two chunks at a
// time and Get one, whatever the file's size.
package chunks

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dossier-hr/dossier/internal/atomicfile"
	"golang.org/x/crypto/chacha20poly1305"
)

// ErrCorrupt means a stored file is not the one its Ref describes: it was
// altered, cut, extended, replaced, or the Ref (its key) is not its own.
// Errors from Get and Check that mean damage match it with errors.Is.
var ErrCorrupt = errors.New("stored evidence file is damaged or altered")

// ErrNotFound means no file with that id is in the store.
var ErrNotFound = errors.New("stored evidence file is missing")

// The format: see docs/evidence-store.md.
const (
	magic      = "dossier-evidence" // 16 bytes
	version    = 1
	headerSize = len(magic) + 4 // magic, version, chunk shift, 2 reserved bytes
	overhead   = chacha20poly1305.Overhead

	// minShift and maxShift bound the chunk sizes a reader accepts
	// (64 KiB to 4 MiB), so that a header cannot make it allocate much.
	minShift = 16
	maxShift = 22
	// defaultShift is the chunk size Put writes: 256 KiB. Against age's
	// 64 KiB it stores and reads about 12 % faster (fewer calls, less
	// per-chunk work); 1 MiB was no faster (docs/performance.md).
	defaultShift = 18

	lastChunkFlag = 0x01
)

// KeySize is the length of a file key.
const KeySize = chacha20poly1305.KeySize

// ID names a stored file. It is random, so it tells nothing of the file.
type ID [16]byte

// String is the id in lower-case hex, as it is named on disk.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// ParseID reads an id written by [ID.String].
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 2*len(id) {
		return id, fmt.Errorf("an evidence file id has %d hex digits, not %d", 2*len(id), len(s))
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("an evidence file id is hex: %w", err)
	}
	if s != id.String() {
		return id, errors.New("an evidence file id is lower-case hex")
	}
	return id, nil
}

// Ref is what the caller keeps, in the database, to read a stored file
// back: its id, its key, its size and the SHA-256 of its plaintext. The
// key is secret: whoever has it and the folder can read the file.
type Ref struct {
	ID     ID
	Key    [KeySize]byte
	Size   int64
	SHA256 [sha256.Size]byte
}

// Store is a folder of encrypted files. It is safe for concurrent use; but
// [Store.RemoveOrphans] must not run while a Put is under way (it would
// take the Put's temporary file for an orphan), so the caller runs it
// while it holds the vault alone.
type Store struct {
	dir   string
	shift uint8    // log2 of the chunk size Put writes
	lock  *os.File // see Hold
}

// Open opens the store in dir, creating the folder (readable only by its
// owner) if it does not exist.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("opening the evidence folder: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the evidence folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("opening the evidence folder: not a folder")
	}
	return &Store{dir: dir, shift: defaultShift}, nil
}

// path is where the file with id lives.
func (s *Store) path(id ID) string {
	h := id.String()
	return filepath.Join(s.dir, h[:2], h)
}

// header builds the header of a file with chunks of 1<<shift bytes.
func header(shift uint8) [headerSize]byte {
	var h [headerSize]byte
	copy(h[:], magic)
	h[len(magic)] = version
	h[len(magic)+1] = shift
	return h
}

// additionalData is what every chunk of a file authenticates besides its
// bytes: the header and the file's id.
func additionalData(h [headerSize]byte, id ID) []byte {
	ad := make([]byte, 0, headerSize+len(id))
	ad = append(ad, h[:]...)
	return append(ad, id[:]...)
}

// setNonce writes chunk index i, and the last flag, into nonce: 11 bytes
// of big-endian counter and one of flag, as in age's STREAM.
func setNonce(nonce *[chacha20poly1305.NonceSize]byte, i uint64, last bool) {
	*nonce = [chacha20poly1305.NonceSize]byte{}
	binary.BigEndian.PutUint64(nonce[3:11], i)
	if last {
		nonce[11] = lastChunkFlag
	}
}

// chunkCount is the number of chunks of a file of size bytes: at least
// one (an empty file is one empty last chunk).
func chunkCount(size int64, shift uint8) int64 {
	if size == 0 {
		return 1
	}
	return (size + (1 << shift) - 1) >> shift
}

// storedSize is the length on disk of a file of size bytes.
func storedSize(size int64, shift uint8) int64 {
	return int64(headerSize) + size + chunkCount(size, shift)*overhead
}

// Put stores what r yields under a new random id and key, and returns
// the Ref to read it back. The file is in place, synced, when Put returns;
// on an error nothing is left under its final name.
func (s *Store) Put(r io.Reader) (Ref, error) {
	var ref Ref
	if _, err := rand.Read(ref.ID[:]); err != nil {
		return Ref{}, fmt.Errorf("drawing a file id: %w", err)
	}
	if _, err := rand.Read(ref.Key[:]); err != nil {
		return Ref{}, fmt.Errorf("drawing a file key: %w", err)
	}
	p := s.path(ref.ID)
	if err := s.mkdirFanout(filepath.Dir(p)); err != nil {
		return Ref{}, err
	}
	f, err := atomicfile.Create(p, 0o600)
	if err != nil {
		return Ref{}, fmt.Errorf("storing evidence: %w", err)
	}
	defer f.Abort()
	size, sum, err := seal(f, r, ref.Key[:], ref.ID, s.shift)
	if err != nil {
		return Ref{}, fmt.Errorf("storing evidence: %w", err)
	}
	if err := f.CommitNew(); err != nil {
		return Ref{}, fmt.Errorf("storing evidence: %w", err)
	}
	ref.Size, ref.SHA256 = size, sum
	return ref, nil
}

// mkdirFanout makes a fan-out sub-folder, syncing the store's folder when
// it is new so that the sub-folder survives a crash with the file in it.
func (s *Store) mkdirFanout(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storing evidence: %w", err)
	}
	if err := atomicfile.SyncDir(s.dir); err != nil {
		return fmt.Errorf("storing evidence: %w", err)
	}
	return nil
}

// seal writes the header and the sealed chunks of r's bytes to w, and
// returns their count and SHA-256. It holds two chunks at a time: the
// next one is read before the current one is sealed, to know whether the
// current one is the last.
func seal(w io.Writer, r io.Reader, key []byte, id ID, shift uint8) (int64, [sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return 0, sum, err
	}
	h := header(shift)
	ad := additionalData(h, id)
	if _, err := w.Write(h[:]); err != nil {
		return 0, sum, err
	}
	cs := 1 << shift
	cur := make([]byte, cs+overhead)
	next := make([]byte, cs+overhead)
	hash := sha256.New()
	var nonce [chacha20poly1305.NonceSize]byte
	n, err := readChunk(r, cur[:cs])
	if err != nil {
		return 0, sum, err
	}
	var size int64
	for i := uint64(0); ; i++ {
		m := 0
		if n == cs {
			if m, err = readChunk(r, next[:cs]); err != nil {
				return 0, sum, err
			}
		}
		last := m == 0
		hash.Write(cur[:n])
		size += int64(n)
		setNonce(&nonce, i, last)
		ct := aead.Seal(cur[:0], nonce[:], cur[:n], ad)
		if _, err := w.Write(ct); err != nil {
			return 0, sum, err
		}
		if last {
			break
		}
		cur, next, n = next, cur, m
	}
	hash.Sum(sum[:0])
	return size, sum, nil
}

// readChunk fills p from r as far as r goes; a short count means r ended.
func readChunk(r io.Reader, p []byte) (int, error) {
	n, err := io.ReadFull(r, p)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	if err != nil {
		return n, fmt.Errorf("reading the file to store: %w", err)
	}
	return n, nil
}

// Get opens the stored file ref names and streams its plaintext. Each
// chunk is authenticated before any of its bytes are returned, and the
// file's length is checked against ref.Size before the first; so a cut or
// extended file fails at once, and any other damage fails with
// [ErrCorrupt] at the chunk it is in. Bytes returned before such an error
// are authentic but the file is incomplete: a caller that writes them out
// keeps them only once Read has returned io.EOF.
func (s *Store) Get(ref Ref) (io.ReadCloser, error) {
	f, err := os.Open(s.path(ref.ID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("opening stored evidence: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening stored evidence: %w", err)
	}
	rd, err := newReader(f, fi.Size(), ref)
	if err != nil {
		f.Close()
		return nil, err
	}
	return rd, nil
}

// reader authenticates and returns one file's chunks in order.
type reader struct {
	src    io.Reader
	closer io.Closer
	aead   interface {
		Open(dst, nonce, ciphertext, ad []byte) ([]byte, error)
	}
	ad     []byte
	shift  uint8
	size   int64 // plaintext size, from the Ref
	chunks uint64
	i      uint64 // next chunk to read
	buf    []byte
	unread []byte
	err    error
}

// newReader checks the header and the stored length of a file of
// storedLen bytes read from src, and returns a reader of its plaintext.
func newReader(src io.ReadCloser, storedLen int64, ref Ref) (*reader, error) {
	if ref.Size < 0 {
		return nil, fmt.Errorf("%w: the reference gives a negative size", ErrCorrupt)
	}
	var h [headerSize]byte
	if _, err := io.ReadFull(src, h[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: shorter than its header", ErrCorrupt)
		}
		return nil, fmt.Errorf("reading stored evidence: %w", err)
	}
	if string(h[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not a Dossier evidence file", ErrCorrupt)
	}
	if h[len(magic)] != version {
		return nil, fmt.Errorf("%w: unknown format version %d", ErrCorrupt, h[len(magic)])
	}
	shift := h[len(magic)+1]
	if shift < minShift || shift > maxShift || h[len(magic)+2] != 0 || h[len(magic)+3] != 0 {
		return nil, fmt.Errorf("%w: invalid header", ErrCorrupt)
	}
	// The Ref's size is at most what a real file could hold, so the
	// arithmetic below does not overflow.
	if ref.Size > 1<<56 || storedLen != storedSize(ref.Size, shift) {
		return nil, fmt.Errorf("%w: its length does not match its size", ErrCorrupt)
	}
	aead, err := chacha20poly1305.New(ref.Key[:])
	if err != nil {
		return nil, err
	}
	return &reader{
		src:    src,
		closer: src,
		aead:   aead,
		ad:     additionalData(h, ref.ID),
		shift:  shift,
		size:   ref.Size,
		chunks: uint64(chunkCount(ref.Size, shift)),
		buf:    make([]byte, (1<<shift)+overhead),
	}, nil
}

func (r *reader) Read(p []byte) (int, error) {
	for len(r.unread) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		r.err = r.next()
	}
	n := copy(p, r.unread)
	r.unread = r.unread[n:]
	return n, nil
}

// next reads and authenticates the next chunk into r.unread; after the
// last it returns io.EOF, once it has seen the file end there.
func (r *reader) next() error {
	if r.i == r.chunks {
		var b [1]byte
		switch n, err := io.ReadFull(r.src, b[:]); {
		case n > 0:
			return fmt.Errorf("%w: data after its last chunk", ErrCorrupt)
		case err == io.EOF:
			return io.EOF
		default:
			return fmt.Errorf("reading stored evidence: %w", err)
		}
	}
	cs := int64(1) << r.shift
	pt := cs
	last := r.i == r.chunks-1
	if last {
		pt = r.size - int64(r.i)*cs
	}
	in := r.buf[:pt+overhead]
	if _, err := io.ReadFull(r.src, in); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: cut short", ErrCorrupt)
		}
		return fmt.Errorf("reading stored evidence: %w", err)
	}
	var nonce [chacha20poly1305.NonceSize]byte
	setNonce(&nonce, r.i, last)
	out, err := r.aead.Open(in[:0], nonce[:], in, r.ad)
	if err != nil {
		return fmt.Errorf("%w: chunk %d does not authenticate", ErrCorrupt, r.i)
	}
	r.i++
	r.unread = out
	return nil
}

func (r *reader) Close() error {
	r.unread = nil
	if r.err == nil {
		r.err = errors.New("read after close")
	}
	return r.closer.Close()
}

// Delete removes the stored file with id and syncs its folder. A file
// already gone is not an error, so that an interrupted deletion can be
// run again.
func (s *Store) Delete(id ID) error {
	p := s.path(id)
	err := os.Remove(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting stored evidence: %w", err)
	}
	if err := atomicfile.SyncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("deleting stored evidence: %w", err)
	}
	return nil
}
