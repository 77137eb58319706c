package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/internal/testhooks"
)

// ErrFileExists means ExtractTo was asked not to replace a file that is
// there; nothing was written.
var ErrFileExists = errors.New("the file already exists")

// ExtractTo writes an evidence item (or its stripped copy) out of the vault
// to path: the one rule for saving evidence to a file, the app's and
// dossierctl's. It is written to a temporary file in the same folder,
// readable only by its owner, synced, its SHA-256 checked (Extract), and
// only then put in place, so no file under path is ever partial or
// unverified; on any error nothing is left behind. An existing file is
// replaced only with overwrite set (the app's save dialog asked the person
// first; dossierctl needs --force); otherwise ErrFileExists, and the check
// and the placing are one step (a hard link), so a file that appears
// meanwhile is not replaced either.
//
// The temporary file is named like any Dossier temporary file
// (atomicfile.CreatePrivate: nothing of the evidence's or the output's name)
// and locked while written. A kill leaves it behind with plaintext in it,
// so every ExtractTo first removes, overwriting them, the leftovers in the
// output's folder whose writer is gone (a running extract's file is locked
// and kept); Open does the same in the vault's folder.
func (v *Vault) ExtractTo(ctx context.Context, id string, stripped bool, path, purpose string, overwrite bool) (*Evidence, error) {
	// Best effort: a folder that cannot be listed fails below anyway.
	atomicfile.RemoveStale(filepath.Dir(path))
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return nil, ErrFileExists
		}
	}
	f, err := atomicfile.CreatePrivate(path, 0o600)
	if err != nil {
		return nil, fmt.Errorf("writing the evidence file: %w", err)
	}
	defer f.Abort()
	var dst io.Writer = f
	if testhooks.ExtractWrote != nil {
		dst = hookWriter{f}
	}
	w := bufio.NewWriterSize(dst, 1<<20)
	e, err := v.Extract(ctx, id, stripped, w, purpose)
	if err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, fmt.Errorf("writing the evidence file: %w", err)
	}
	if overwrite {
		err = f.Commit()
	} else if err = f.CommitNew(); errors.Is(err, fs.ErrExist) {
		return nil, ErrFileExists
	}
	if err != nil {
		return nil, fmt.Errorf("writing the evidence file: %w", err)
	}
	return e, nil
}

// hookWriter calls testhooks.ExtractWrote after each write to the
// temporary file, for tests that kill an extract midway.
type hookWriter struct{ w io.Writer }

func (h hookWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	if err == nil {
		testhooks.ExtractWrote()
	}
	return n, err
}
