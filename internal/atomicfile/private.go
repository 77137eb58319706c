package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// privatePrefix starts the name of every temporary file made by
// [CreatePrivate]. It says only that Dossier made the file, never what it
// holds or where it was going.
const privatePrefix = ".dossier-tmp-"

// privateRandLen is the number of hex digits after privatePrefix.
const privateRandLen = 16

// errBusy is what lockFile returns when another open file holds the lock.
var errBusy = errors.New("the file is locked by another writer")

// IsPrivateTempName reports whether name (a base name, not a path) is
// exactly the name [CreatePrivate] gives its temporary files:
// ".dossier-tmp-" and 16 lowercase hex digits, nothing before or after.
// [RemoveStale] considers nothing else, so a person's own files (even
// ".dossier-tmp-notes.txt") are never touched.
func IsPrivateTempName(name string) bool {
	rest, ok := strings.CutPrefix(name, privatePrefix)
	if !ok || len(rest) != privateRandLen {
		return false
	}
	for _, c := range rest {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// CreatePrivate is [Create] for content that must not be recognisable if
// the program is killed before Commit or Abort, such as plaintext
// evidence written out of the vault. The temporary file's name reveals
// nothing of the target ([IsPrivateTempName]), and for as long as it is
// open the file holds an exclusive lock (flock on Unix, LockFileEx on
// Windows) that the system drops when the process ends, however it ends.
// [RemoveStale] removes only files whose lock it can take, so a leftover of
// a killed writer is removed and the temporary file of a writer still at
// work (another extract into the same folder) is not. A lock, unlike a
// process id written into the name, cannot be fooled by a reused pid and
// needs no clock. Abort overwrites the bytes written before removing the
// file.
func CreatePrivate(path string, perm os.FileMode) (*File, error) {
	dir := filepath.Dir(path)
	for range 100 {
		var b [privateRandLen / 2]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("creating a temporary file: %w", err)
		}
		name := filepath.Join(dir, privatePrefix+hex.EncodeToString(b[:]))
		tmp, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("creating a temporary file: %w", err)
		}
		if err := lockFile(tmp); err != nil {
			tmp.Close()
			if errors.Is(err, errBusy) {
				// A RemoveStale took the lock between our create and our
				// lock: the file is empty and it removes it. Take another.
				continue
			}
			os.Remove(name)
			return nil, fmt.Errorf("locking a temporary file: %w", err)
		}
		// The same race, won by RemoveStale before our lock: the name no
		// longer leads to the file we hold.
		if !sameFile(name, tmp) {
			tmp.Close()
			continue
		}
		if err := tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
			tmp.Close()
			os.Remove(name)
			return nil, fmt.Errorf("setting permissions: %w", err)
		}
		return &File{File: tmp, path: path, private: true}, nil
	}
	return nil, errors.New("creating a temporary file: no free name")
}

// sameFile reports whether name leads to the open file f (not through a
// symbolic link).
func sameFile(name string, f *os.File) bool {
	a, err := os.Lstat(name)
	if err != nil {
		return false
	}
	b, err := f.Stat()
	return err == nil && os.SameFile(a, b)
}

// RemoveStale removes from dir the temporary files that [CreatePrivate]
// made and a killed or crashed program left behind, overwriting their bytes
// with zeros first (best effort: a copy-on-write or flash file system may
// keep the old blocks). It takes only regular files (never a link, which it
// does not follow) whose name [IsPrivateTempName] accepts, that belong to
// the user running it (on Unix; on Windows the folder's permissions decide
// what one may remove) and whose lock it can take, so the file of a writer
// still at work is left alone. It returns how many it removed; an error
// only if dir cannot be read (a missing folder is not an error). A file
// it could not remove is skipped: a later run tries again.
func RemoveStale(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the folder: %w", err)
	}
	n := 0
	for _, e := range ents {
		if !IsPrivateTempName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if removeStale(filepath.Join(dir, e.Name())) {
			n++
		}
	}
	return n, nil
}

// removeStale shreds and removes one candidate, checking again on the open
// file what the folder listing said: it could have been replaced by a link
// or another file since.
func removeStale(name string) bool {
	f, err := os.OpenFile(name, os.O_RDWR|openNoFollow, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || !ownedByMe(fi) {
		return false
	}
	if lockFile(f) != nil {
		return false // a writer at work holds it
	}
	if !sameFile(name, f) {
		return false
	}
	shred(f, fi.Size())
	// Closed first: Windows does not remove a file that is open, even by
	// the remover, and would keep the plaintext. Closing drops the lock;
	// no writer comes back to this name (each writer makes a new one).
	f.Close()
	return os.Remove(name) == nil
}

// shred overwrites the first size bytes of f with zeros and syncs, in
// pieces so that a large file needs no large buffer. Errors are ignored:
// the file is removed anyway, and this is a courtesy to the disk's free
// blocks, not a promise.
func shred(f *os.File, size int64) {
	zeros := make([]byte, min(size, 1<<20))
	for off := int64(0); off < size; {
		n, err := f.WriteAt(zeros[:min(int64(len(zeros)), size-off)], off)
		if err != nil {
			return
		}
		off += int64(n)
	}
	f.Sync()
}
