package chunks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dossier-hr/dossier/internal/atomicfile"
)

// Refs yields every Ref the caller (the database) knows, calling yield
// once for each, and returns its own error, if any, or yield's. A Refs that
// fails midway makes Check fail: a partial list would make every file it
// did not reach look like an orphan.
type Refs func(yield func(Ref) error) error

// Report is what [Store.Check] found. Ids and names are sorted.
type Report struct {
	// Files is the number of stored files in the folder.
	Files int
	// Orphans are stored files that no Ref names: left by a Put whose
	// record was never written, or by a deletion that removed the record
	// and was interrupted before the file.
	Orphans []ID
	// Temps are temporary files of interrupted Puts, by their path
	// relative to the store's folder.
	Temps []string
	// Unknown are entries the store did not make, by their path relative
	// to its folder. They are reported and never removed.
	Unknown []string
	// Missing are Refs whose file is not in the folder.
	Missing []ID
	// Damaged are files that failed their check, with why.
	Damaged []Damage
}

// Damage is one stored file that failed its check. Err matches
// [ErrCorrupt] when the file was read and is wrong; any other error is a
// failure to read it (a disk error, a permission).
type Damage struct {
	ID  ID
	Err error
}

// OK says the store and the Refs agree and no file is damaged.
func (r Report) OK() bool {
	return len(r.Orphans)+len(r.Temps)+len(r.Unknown)+len(r.Missing)+len(r.Damaged) == 0
}

// Check compares the folder with the Refs the caller knows. Every file is
// checked for its header and for a length that matches its Ref's size;
// with readData every chunk of every file is also read and authenticated.
// A damaged file is reported and the check goes on with the others. Check
// changes nothing; [Store.RemoveOrphans] acts on its Report.
func (s *Store) Check(ctx context.Context, refs Refs, readData bool) (Report, error) {
	var rep Report
	onDisk, err := s.scan(&rep)
	if err != nil {
		return Report{}, err
	}
	rep.Files = len(onDisk)
	known := make(map[ID]bool, len(onDisk))
	err = refs(func(ref Ref) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if known[ref.ID] {
			return nil
		}
		known[ref.ID] = true
		if !onDisk[ref.ID] {
			rep.Missing = append(rep.Missing, ref.ID)
			return nil
		}
		if err := s.verify(ctx, ref, readData); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rep.Damaged = append(rep.Damaged, Damage{ID: ref.ID, Err: err})
		}
		return nil
	})
	if err != nil {
		return Report{}, fmt.Errorf("checking stored evidence: %w", err)
	}
	for id := range onDisk {
		if !known[id] {
			rep.Orphans = append(rep.Orphans, id)
		}
	}
	sortIDs(rep.Orphans)
	sortIDs(rep.Missing)
	sort.Slice(rep.Damaged, func(i, j int) bool { return less(rep.Damaged[i].ID, rep.Damaged[j].ID) })
	sort.Strings(rep.Temps)
	sort.Strings(rep.Unknown)
	return rep, nil
}

// verify checks one file: its header and length, and with readData every
// chunk.
func (s *Store) verify(ctx context.Context, ref Ref, readData bool) error {
	rc, err := s.Get(ref)
	if err != nil {
		return err
	}
	defer rc.Close()
	if !readData {
		return nil
	}
	// The chunks are authenticated as they are read; the plaintext's
	// hash ties them to the Ref too (a record whose hash was changed).
	h := sha256.New()
	if _, err = io.Copy(h, ctxReader{ctx, rc}); err != nil {
		return err
	}
	if ref.SHA256 != ([sha256.Size]byte{}) && !bytes.Equal(h.Sum(nil), ref.SHA256[:]) {
		return fmt.Errorf("%w: its bytes do not hash to the SHA-256 its reference gives", ErrCorrupt)
	}
	return nil
}

// ctxReader stops a long read when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// scan lists the folder: the ids of the stored files, and in rep the
// temporary files and what the store did not make.
func (s *Store) scan(rep *Report) (map[ID]bool, error) {
	top, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("listing stored evidence: %w", err)
	}
	ids := make(map[ID]bool)
	for _, d := range top {
		if d.Name() == lockName && d.Type().IsRegular() {
			continue
		}
		if !d.IsDir() || !isFanout(d.Name()) {
			rep.Unknown = append(rep.Unknown, d.Name())
			continue
		}
		entries, err := os.ReadDir(filepath.Join(s.dir, d.Name()))
		if err != nil {
			return nil, fmt.Errorf("listing stored evidence: %w", err)
		}
		for _, e := range entries {
			rel := d.Name() + "/" + e.Name()
			if !e.Type().IsRegular() {
				rep.Unknown = append(rep.Unknown, rel)
				continue
			}
			if id, err := ParseID(e.Name()); err == nil && e.Name()[:2] == d.Name() {
				ids[id] = true
				continue
			}
			if isTemp(e.Name()) {
				rep.Temps = append(rep.Temps, rel)
				continue
			}
			rep.Unknown = append(rep.Unknown, rel)
		}
	}
	return ids, nil
}

// isFanout says whether name is a fan-out folder's: two lower-case hex
// digits.
func isFanout(name string) bool {
	return len(name) == 2 && isHex(name)
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isTemp says whether name is one of atomicfile's temporary files for a
// stored file: "." + id + ".tmp-" + digits.
func isTemp(name string) bool {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return false
	}
	idPart, digits, ok := strings.Cut(rest, ".tmp-")
	if !ok || digits == "" {
		return false
	}
	if _, err := ParseID(idPart); err != nil {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// RemoveOrphans deletes the orphans and temporary files rep lists, and
// returns how many it deleted. rep must come from a Check run while no
// Put was under way and no Ref was added since; the caller holds the
// vault alone for both. Unknown entries are left alone.
func (s *Store) RemoveOrphans(rep Report) (int, error) {
	removed := 0
	dirs := make(map[string]bool)
	for _, id := range rep.Orphans {
		p := s.path(id)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("removing an orphaned evidence file: %w", err)
		}
		removed++
		dirs[filepath.Dir(p)] = true
	}
	for _, rel := range rep.Temps {
		dir, name, ok := strings.Cut(rel, "/")
		if !ok || !isFanout(dir) || !isTemp(name) {
			return removed, fmt.Errorf("removing a temporary evidence file: %q is not one", rel)
		}
		p := filepath.Join(s.dir, dir, name)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("removing a temporary evidence file: %w", err)
		}
		removed++
		dirs[filepath.Dir(p)] = true
	}
	for d := range dirs {
		if err := atomicfile.SyncDir(d); err != nil {
			return removed, fmt.Errorf("removing orphaned evidence files: %w", err)
		}
	}
	return removed, nil
}

func less(a, b ID) bool { return string(a[:]) < string(b[:]) }

func sortIDs(ids []ID) { sort.Slice(ids, func(i, j int) bool { return less(ids[i], ids[j]) }) }
