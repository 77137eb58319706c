package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/dossier-hr/dossier/internal/atomicfile"
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
func (v *Vault) ExtractTo(ctx context.Context, id string, stripped bool, path, purpose string, overwrite bool) (*Evidence, error) {
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return nil, ErrFileExists
		}
	}
	f, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return nil, fmt.Errorf("writing the evidence file: %w", err)
	}
	defer f.Abort()
	w := bufio.NewWriterSize(f, 1<<20)
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
