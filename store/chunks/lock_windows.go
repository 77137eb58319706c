package chunks

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// Windows locks do not convert: the lock is released, then taken again.

func lockShared(f *os.File) error {
	h := windows.Handle(f.Fd())
	windows.UnlockFileEx(h, 0, 1, 0, &windows.Overlapped{})
	err := windows.LockFileEx(h, windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &windows.Overlapped{})
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return ErrBusy
	}
	return err
}

func lockExclusive(f *os.File) error {
	h := windows.Handle(f.Fd())
	windows.UnlockFileEx(h, 0, 1, 0, &windows.Overlapped{})
	err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &windows.Overlapped{})
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return ErrBusy
	}
	return err
}
