package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dossier-hr/dossier/internal/atomicfile"
)

// ErrRestoreIncomplete means a restore into the folder was interrupted (the
// program killed, the computer switched off) before it committed: the
// folder holds no usable vault. Restoring again into the same folder
// starts over.
var ErrRestoreIncomplete = errors.New("a restore into this folder was interrupted before it finished")

// restoreMarker is the file a restore keeps in the new vault's folder from
// before anything else is written there until the restored content is
// committed. A folder holding it is an unfinished restore, whatever else
// it holds: the key file is written before the content is loaded.
const restoreMarker = "restore-incomplete"

const restoreMarkerText = `A restore into this folder did not finish: the folder holds no usable
vault. Run the restore again into this same folder; it starts over.
`

// RestoreInterrupted reports whether dir holds a restore that did not
// finish (see ErrRestoreIncomplete).
func RestoreInterrupted(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, restoreMarker))
	return err == nil
}

// restoreLeftover reports whether a file name is one a restore writes in
// its folder: the database and SQLite's files beside it, the key file and
// its temporary, the marker.
func restoreLeftover(name string) bool {
	switch name {
	case DBFile, DBFile + "-wal", DBFile + "-shm", DBFile + "-journal", KeyFileName, restoreMarker:
		return true
	}
	return strings.HasPrefix(name, "."+KeyFileName+".tmp-")
}

// clearInterruptedRestore removes what an interrupted restore left in dir,
// so that a new one can start over. It removes only the files a restore
// writes, and refuses if the folder holds anything else.
func clearInterruptedRestore(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading the folder of the interrupted restore: %w", err)
	}
	for _, e := range ents {
		evidence := e.Name() == EvidenceDir && e.IsDir()
		if !evidence && (!restoreLeftover(e.Name()) || !e.Type().IsRegular()) {
			return fmt.Errorf("%s holds an interrupted restore and other files too; restore into a new folder", dir)
		}
	}
	// The marker goes last: interrupted here, the folder is still
	// recognised as a restore to start over. The evidence folder holds
	// only what the restore stored (encrypted, under keys that were
	// never committed).
	for _, e := range ents {
		if e.Name() != restoreMarker {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("clearing the interrupted restore: %w", err)
			}
		}
	}
	return nil
}

// markRestore writes the marker, durably, before anything else of a
// restore reaches the folder.
func markRestore(dir string) error {
	f, err := os.OpenFile(filepath.Join(dir, restoreMarker), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("starting the restore: %w", err)
	}
	_, err = f.WriteString(restoreMarkerText)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("starting the restore: %w", err)
	}
	return atomicfile.SyncDir(dir)
}

// FinishRestore marks the restore that made this vault (CreateForRestore)
// as finished, once its content is committed: from then on the folder
// opens as a vault. A restore cut off after the commit but before this is
// finished by the next unlock, which finds the content there.
func (v *Vault) FinishRestore() error {
	if err := os.Remove(filepath.Join(v.dir, restoreMarker)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("finishing the restore: %w", err)
	}
	return atomicfile.SyncDir(v.dir)
}

func restoreIncomplete(dir string) error {
	return fmt.Errorf("%w: %s", ErrRestoreIncomplete, dir)
}
