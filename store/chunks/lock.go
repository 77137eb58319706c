package chunks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBusy means another program (another Dossier, a dossierctl command)
// has the store open, so it cannot be had alone: removing orphans must
// wait until the other closes, or it could take that program's file,
// written but not yet recorded, for an orphan.
var ErrBusy = errors.New("the vault is open in another Dossier window or command")

// lockName is the store's lock file, at the top of its folder. Check does
// not count it as an unknown entry.
const lockName = ".lock"

// Hold takes a shared lock on the store for as long as the caller keeps
// it open, so that no other program can have it alone (see Alone). The
// kernel drops the lock when the process ends, killed or not. Close
// releases it.
func (s *Store) Hold() error {
	if s.lock != nil {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(s.dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("locking the evidence folder: %w", err)
	}
	if err := lockShared(f); err != nil {
		f.Close()
		return fmt.Errorf("locking the evidence folder: %w", err)
	}
	s.lock = f
	return nil
}

// Alone turns the shared lock Hold took into an exclusive one, without
// waiting: ErrBusy when another program holds the store. release turns it
// back into a shared lock.
func (s *Store) Alone() (release func(), err error) {
	if err := s.Hold(); err != nil {
		return nil, err
	}
	if err := lockExclusive(s.lock); err != nil {
		// A failed conversion may have dropped the shared lock too:
		// take it again (others hold only shared locks, so no wait).
		if err2 := lockShared(s.lock); err2 != nil {
			return nil, fmt.Errorf("locking the evidence folder: %w", err2)
		}
		return nil, err
	}
	return func() { lockShared(s.lock) }, nil
}

// Close releases the lock Hold took.
func (s *Store) Close() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close()
	s.lock = nil
	return err
}
