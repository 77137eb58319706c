package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dossier-hr/dossier/crypto"
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
			return nil, fmt.Errorf("store: %w", ErrFileExists)
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".part-*")
	if err != nil {
		return nil, fmt.Errorf("store: writing the evidence file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a rename or a link, removes nothing or the extra name
	fail := func(err error) (*Evidence, error) {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(fmt.Errorf("store: writing the evidence file: %w", err))
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	e, err := v.Extract(ctx, id, stripped, w, purpose)
	if err != nil {
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(fmt.Errorf("store: writing the evidence file: %w", err))
	}
	if err := tmp.Sync(); err != nil {
		return fail(fmt.Errorf("store: writing the evidence file: %w", err))
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("store: writing the evidence file: %w", err)
	}
	if overwrite {
		err = os.Rename(tmp.Name(), path)
	} else if err = os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("store: %w", ErrFileExists)
	} else if err != nil {
		// File systems without hard links (FAT on a USB stick): check,
		// then rename; only a file made in between could be replaced.
		if _, serr := os.Lstat(path); serr == nil {
			return nil, fmt.Errorf("store: %w", ErrFileExists)
		}
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: writing the evidence file: %w", err)
	}
	crypto.SyncDir(dir)
	return e, nil
}
