// Emergency erase: destroying a vault folder so that this computer no
// longer holds anything that opens it, the most important bytes first.

package store

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/dossier-hr/dossier/internal/atomicfile"
)

// Sentinel errors of Erase.
var (
	// ErrNotVaultFolder means Erase was given a folder that holds neither
	// a key file nor a database: nothing in it was touched.
	ErrNotVaultFolder = errors.New("not a vault folder (it holds no vault.key and no vault.db); nothing was touched")
	// ErrOthersKept means the vault was erased but its folder also held
	// files that are not Dossier's, which were left, with the folder.
	ErrOthersKept = errors.New("the folder also holds files that are not Dossier's; they were left in place, and so was the folder")
)

// EvidenceDir is the folder inside a vault folder that an evidence chunk
// store (package chunks) is kept in. Erase destroys everything under it.
const EvidenceDir = "evidence"

// headSize is how much of the start of the database, its -wal and its
// -shm file the second step of Erase overwrites: one page of the vault's
// database (cipher_page_size 65536), which holds SQLCipher's salt in its
// first 16 bytes, and more than the WAL's header and the whole index.
const headSize = 64 << 10

// eraseStop, in tests, stops Erase after that step (1: key file, 2:
// database heads), before anything else is overwritten or removed.
var eraseStop int

// Erase destroys the vault in dir. It needs no passphrase or key: it is
// meant for a person who has seconds, and it can only destroy. It works in
// this order, each step synced to the disk before the next begins:
//
//  1. vault.key (both wraps of the data key: the passphrase's and the
//     recovery key's) and any temporary key file beside it are
//     overwritten with random bytes, then zeros, then removed. From here
//     on nothing on this computer unwraps the data key.
//  2. The start of vault.db (SQLCipher's salt and the first page), of
//     vault.db-wal and of vault.db-shm, and every copy of the salt in the
//     WAL, are overwritten. SQLCipher then refuses the database even with
//     the right key.
//  3. The rest of those files, the restore marker, Dossier's temporary
//     files and everything under evidence/ are overwritten with random
//     bytes and removed, then the folder itself.
//
// A folder that holds neither vault.key nor vault.db is refused with
// ErrNotVaultFolder before anything is touched. Files in the folder that
// are not of Dossier's kinds (a person may have created the vault in a
// folder of their own) are left alone, and the error then wraps
// ErrOthersKept. Symbolic links are removed, never followed.
//
// Past the checks, Erase keeps going after an error and returns them all,
// joined: a failure in one step must not spare what later steps destroy.
//
// Close a vault open in this process before erasing it (Vault.Erase does):
// SQLite writes pages back through its open files when it closes (a
// checkpoint), and Windows cannot remove open files. On Linux and macOS
// the overwrite reaches the disk through open files too, but what SQLite
// writes afterwards would land in the removed files' blocks.
//
// Overwriting is best effort below the file system: SSDs (wear levelling)
// and journalling or copy-on-write file systems may keep old blocks
// elsewhere (docs/security.md). What makes the vault unrecoverable is that
// the only wraps of its key are gone.
func Erase(dir string) error {
	dir, err := checkVaultFolder(dir)
	if err != nil {
		return err
	}
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	own, others, err := vaultFiles(dir)
	note(err)

	// 1. The key file: both wraps.
	for _, name := range own {
		if base := filepath.Base(name); base == KeyFileName || isTempOf(base, KeyFileName) {
			note(overwriteFile(name, 0, -1, true))
			note(removeFile(name))
		}
	}
	note(syncDir(dir))
	if eraseStop == 1 {
		return errors.Join(errs...)
	}

	// 2. The database's salt and first page, the WAL's and index's starts,
	// and every copy of the salt the WAL holds (SQLCipher writes page 1
	// with its salt into the WAL too).
	dbPath := filepath.Join(dir, DBFile)
	salt := readHead(dbPath, 16)
	for _, f := range []string{DBFile, DBFile + "-wal", DBFile + "-shm", DBFile + "-journal"} {
		note(overwriteFile(filepath.Join(dir, f), 0, headSize, true))
	}
	note(overwriteMatches(filepath.Join(dir, DBFile+"-wal"), salt))
	if eraseStop == 2 {
		return errors.Join(errs...)
	}

	// 3. Everything else of the vault's, then the folder.
	for _, name := range own {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			continue // the key file, gone in step 1
		}
		note(overwriteFile(name, 0, -1, false))
		note(removeFile(name))
	}
	note(removeTree(filepath.Join(dir, EvidenceDir)))
	if others > 0 {
		errs = append(errs, fmt.Errorf("%w (%d)", ErrOthersKept, others))
	} else if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		note(fmt.Errorf("removing the vault folder: %w", err))
	} else {
		note(syncDir(filepath.Dir(dir)))
	}
	return errors.Join(errs...)
}

// Erase closes the vault and erases its folder (see Erase).
func (v *Vault) Erase() error {
	err := v.Close()
	if eerr := Erase(v.dir); eerr != nil {
		return eerr
	}
	if err != nil {
		// The files are gone; a failed close only matters for the record.
		return fmt.Errorf("closing the vault before erasing it: %w", err)
	}
	return nil
}

// checkVaultFolder refuses what Erase must not touch: a missing folder, a
// file, and a folder with neither a key file nor a database. It returns
// the folder to erase: for a link to the vault (a data folder moved
// elsewhere), the folder it points to; the link is left, dangling.
func checkVaultFolder(dir string) (string, error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w: %s", ErrNoVault, dir)
	}
	if err != nil {
		return "", fmt.Errorf("reading the vault folder: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if dir, err = filepath.EvalSymlinks(dir); err != nil {
			return "", fmt.Errorf("reading the vault folder: %w", err)
		}
		if fi, err = os.Stat(dir); err != nil {
			return "", fmt.Errorf("reading the vault folder: %w", err)
		}
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%w: %s", ErrNotVaultFolder, dir)
	}
	for _, f := range []string{KeyFileName, DBFile} {
		if fi, err := os.Lstat(filepath.Join(dir, f)); err == nil && fi.Mode().IsRegular() {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNotVaultFolder, dir)
}

// vaultFiles lists the vault's own entries in dir (not under evidence/,
// which is removed whole) and counts the others, which Erase leaves.
func vaultFiles(dir string) (own []string, others int, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the vault folder: %w", err)
	}
	for _, e := range ents {
		if ownName(e.Name()) {
			own = append(own, filepath.Join(dir, e.Name()))
		} else if e.Name() != EvidenceDir {
			others++
		}
	}
	return own, others, nil
}

// ownName reports whether name is of a kind Dossier writes in a vault
// folder: the database and SQLite's files beside it, the key file, the
// restore marker, and the temporary files of their atomic writes and of
// extracts into the folder.
func ownName(name string) bool {
	for _, f := range []string{KeyFileName, DBFile, DBFile + "-wal", DBFile + "-shm", DBFile + "-journal", restoreMarker} {
		if name == f || isTempOf(name, f) {
			return true
		}
	}
	return atomicfile.IsPrivateTempName(name)
}

// isTempOf reports whether name is a temporary file of atomicfile.Create
// for target.
func isTempOf(name, target string) bool {
	return strings.HasPrefix(name, "."+target+".tmp-")
}

// overwriteFile overwrites length bytes of the regular file name from off
// (all of it for a negative length; no more than its size), with random
// bytes, and then with zeros too if twice is set, syncing after each pass.
// A missing file is no error; a symbolic link or anything but a regular
// file is left to removeFile, never written through.
func overwriteFile(name string, off, length int64, twice bool) error {
	f, size, err := openRegular(name)
	if f == nil {
		return err
	}
	defer f.Close()
	if length < 0 || off+length > size {
		length = size - off
	}
	if length <= 0 {
		return nil
	}
	if err := fill(f, off, length, randomBytes()); err != nil {
		return err
	}
	if twice {
		return fill(f, off, length, zeros{})
	}
	return nil
}

// openRegular opens name for writing if it is a regular file, checking on
// the open file that it is what the folder listed (not a link swapped in).
// It returns a nil file and a nil error for anything else.
func openRegular(name string) (*os.File, int64, error) {
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("erasing %s: %w", filepath.Base(name), err)
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, nil
	}
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("erasing %s: %w", filepath.Base(name), err)
	}
	ofi, err := f.Stat()
	if err != nil || !os.SameFile(fi, ofi) {
		f.Close()
		return nil, 0, fmt.Errorf("erasing %s: the file changed while it was being erased", filepath.Base(name))
	}
	return f, ofi.Size(), nil
}

// fill writes length bytes from src over f from off, and syncs.
func fill(f *os.File, off, length int64, src io.Reader) error {
	buf := make([]byte, min(length, 1<<20))
	for done := int64(0); done < length; {
		n := min(int64(len(buf)), length-done)
		if _, err := io.ReadFull(src, buf[:n]); err != nil {
			return fmt.Errorf("erasing %s: %w", filepath.Base(f.Name()), err)
		}
		if _, err := f.WriteAt(buf[:n], off+done); err != nil {
			return fmt.Errorf("erasing %s: %w", filepath.Base(f.Name()), err)
		}
		done += n
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("erasing %s: %w", filepath.Base(f.Name()), err)
	}
	return nil
}

// randomBytes returns a fast stream of unpredictable bytes (ChaCha8 seeded
// from the system's generator): random rather than zeros because some
// drives compress or deduplicate zeros instead of writing them.
func randomBytes() io.Reader {
	var seed [32]byte
	crand.Read(seed[:]) // never fails (Go 1.24+)
	return rand.NewChaCha8(seed)
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// readHead returns the first n bytes of a regular file, or nil.
func readHead(name string, n int) []byte {
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil
	}
	return b
}

// overwriteMatches overwrites, twice, the page around every place the
// regular file name holds pat: a WAL frame is a 24-byte header and a page.
// An empty or all-zero pat (no salt read) does nothing.
func overwriteMatches(name string, pat []byte) error {
	if len(pat) == 0 || bytes.Count(pat, []byte{0}) == len(pat) {
		return nil
	}
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	// The WAL is bounded by checkpoints (tens of MiB at most): reading it
	// whole is faster than writing all of it.
	b, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("erasing %s: %w", filepath.Base(name), err)
	}
	var errs []error
	for i := 0; ; {
		j := bytes.Index(b[i:], pat)
		if j < 0 {
			break
		}
		at := int64(i + j)
		start := max(at-24, 0)
		if err := overwriteFile(name, start, at+headSize-start, true); err != nil {
			errs = append(errs, err)
		}
		i += j + len(pat)
	}
	return errors.Join(errs...)
}

// removeFile removes name (a link itself, not what it points to); a
// missing file is no error.
func removeFile(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", filepath.Base(name), err)
	}
	return nil
}

// removeTree overwrites every regular file under root and removes it all,
// deepest first, without following links; a missing root is no error.
func removeTree(root string) error {
	fi, err := os.Lstat(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("erasing the evidence folder: %w", err)
	}
	if !fi.IsDir() {
		return errors.Join(overwriteFile(root, 0, -1, false), removeFile(root))
	}
	var errs []error
	var dirs []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("erasing the evidence folder: %w", err))
			return nil
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		errs = append(errs, overwriteFile(p, 0, -1, false), removeFile(p))
		return nil
	})
	errs = append(errs, err)
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("erasing the evidence folder: %w", err))
		}
	}
	return errors.Join(errs...)
}

// syncDir makes removals in dir durable.
func syncDir(dir string) error {
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("erasing: %w", err)
	}
	return nil
}
