// Package atomicfile replaces files so that, whatever happens — a crash, a
// kill, a power cut, a full disk — the file afterwards holds either its old
// content or the new one, never a mix or nothing.
//
// The new content is written to a temporary file in the same folder, named
// "." + the target's name + ".tmp-" + random digits (store recognises an
// interrupted write of its key file by that name), synced, renamed over the target and the
// folder synced. Until [File.Commit] the target is untouched; a failure
// or [File.Abort] removes the temporary file. Every writer of files in
// Dossier goes through here. Plaintext written out of the vault goes
// through [CreatePrivate] instead, whose temporary file's name says
// nothing of its target and whose leftovers after a kill [RemoveStale]
// finds and removes.
//
// It is a leaf package: it imports nothing of Dossier.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Hooks replaced by tests to fail a step midway.
var (
	syncFile = (*os.File).Sync
	syncDir  = func(d *os.File) error { return d.Sync() }
)

// File is the temporary file that will replace a target path. Write (and
// read back, seek) through its embedded *os.File, then Commit or Abort.
type File struct {
	*os.File
	path string
	done bool
	// private: made by CreatePrivate; it holds a lock while open, and
	// its bytes are overwritten when it is discarded.
	private bool
	closed  bool
}

// holdOpenWhilePlacing reports whether the temporary file stays open (so
// locked) until it is renamed or linked into place: a private file closed
// before then could be taken for a leftover by a RemoveStale running at
// that moment. Windows cannot rename a file that is open, so there it is
// closed first, and the window stays.
func (f *File) holdOpenWhilePlacing() bool {
	return f.private && runtime.GOOS != "windows"
}

// target names the target in errors: its base name, but not for a
// CreatePrivate file, whose name (an evidence file's) errors must not
// carry.
func (f *File) target() string {
	if f.private {
		return "the file"
	}
	return filepath.Base(f.path)
}

// closeBeforePlacing closes the synced temporary file unless
// holdOpenWhilePlacing.
func (f *File) closeBeforePlacing() error {
	if f.holdOpenWhilePlacing() {
		return nil
	}
	f.closed = true
	return f.File.Close()
}

// closeAfterPlacing closes a file held open while placing it. Its content
// was synced before, so an error closing it says nothing about the data.
func (f *File) closeAfterPlacing() {
	if !f.closed {
		f.closed = true
		f.File.Close()
	}
}

// Create starts replacing path: it creates the temporary file beside it,
// with permissions perm.
func Create(path string, perm os.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file: %w", err)
	}
	if err := tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("setting permissions: %w", err)
	}
	return &File{File: tmp, path: path}, nil
}

// finishWriting ends the writing before the file is put in place: it
// marks the file done, syncs it and closes it (where the system needs it
// closed to place it). On an error the temporary file is gone.
func (f *File) finishWriting() error {
	if f.done {
		return errors.New("the file was already committed or abandoned")
	}
	f.done = true
	if err := syncFile(f.File); err != nil {
		f.discard()
		return fmt.Errorf("writing %s: %w", f.target(), err)
	}
	if err := f.closeBeforePlacing(); err != nil {
		f.discard()
		return fmt.Errorf("writing %s: %w", f.target(), err)
	}
	return nil
}

// Commit syncs and closes the temporary file, renames it over the target
// and syncs the folder. If it fails before the rename, the target is as it
// was and the temporary file is gone. An error syncing the folder comes
// after the rename: the target then holds the new content, which a crash
// may still undo, so it is reported.
func (f *File) Commit() error {
	if err := f.finishWriting(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		f.discard()
		return fmt.Errorf("replacing %s: %w", f.target(), err)
	}
	f.closeAfterPlacing()
	return SyncDir(filepath.Dir(f.path))
}

// CommitNew is Commit for a target that must not be replaced: if a file
// is at the target path, it fails with an error that matches
// fs.ErrExist, and the temporary file is gone. The check and the placing
// are one step (a hard link) where the file system has hard links; on
// those without (FAT on a USB stick) it checks, then renames, so only a
// file made in between could be replaced.
func (f *File) CommitNew() error {
	if err := f.finishWriting(); err != nil {
		return err
	}
	name := f.Name()
	err := os.Link(name, f.path)
	if err == nil {
		// The target is the same file now: remove only the extra name.
		f.closeAfterPlacing()
		os.Remove(name)
		return SyncDir(filepath.Dir(f.path))
	}
	if errors.Is(err, fs.ErrExist) {
		f.discard()
		return fmt.Errorf("%s: %w", f.target(), fs.ErrExist)
	}
	if _, serr := os.Lstat(f.path); serr == nil {
		f.discard()
		return fmt.Errorf("%s: %w", f.target(), fs.ErrExist)
	}
	if err := os.Rename(name, f.path); err != nil {
		f.discard()
		return fmt.Errorf("placing %s: %w", f.target(), err)
	}
	f.closeAfterPlacing()
	return SyncDir(filepath.Dir(f.path))
}

// discard removes the temporary file that was not placed. A CreatePrivate
// file still open has its bytes overwritten first (on Windows it was
// closed before placing, and is only removed).
func (f *File) discard() {
	if f.private && !f.closed {
		if fi, err := f.File.Stat(); err == nil {
			shred(f.File, fi.Size())
		}
	}
	if !f.closed {
		f.File.Close()
		f.closed = true
	}
	os.Remove(f.Name())
}

// Abort closes and removes the temporary file, leaving the target as it
// was; a [CreatePrivate] file's bytes are overwritten first. After Commit it
// does nothing, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.discard()
}

// WriteFile replaces path with data, atomically (see the package doc).
func WriteFile(path string, data []byte, perm os.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return f.Commit()
}

// SyncDir fsyncs a folder so that a rename, create or remove inside it is
// durable. On systems where folders cannot be synced (Windows) it does
// nothing.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening the folder to sync it: %w", err)
	}
	defer d.Close()
	if err := syncDir(d); err != nil && !syncUnsupported(err) {
		return fmt.Errorf("syncing the folder: %w", err)
	}
	return nil
}

// syncUnsupported reports errors that mean "this platform cannot fsync a
// folder", which Windows returns; everywhere else a failed sync is real.
func syncUnsupported(err error) bool {
	return runtime.GOOS == "windows" && (errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrInvalid))
}
