package atomicfile

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// openNoFollow is nothing on Windows: os.OpenFile does not open a
// symbolic link's target differently, and RemoveStale only looks at names
// the folder listing showed as regular files.
const openNoFollow = 0

// lockFile takes an exclusive lock on one byte far past any content
// (so that it never blocks reading the file) without waiting. Windows drops
// it when the process ends, killed or not.
func lockFile(f *os.File) error {
	ol := &windows.Overlapped{OffsetHigh: 0x7fffffff}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return errBusy
	}
	return err
}

// ownedByMe is true on Windows: the folder's access control decides which
// files one may remove, and a file one may not remove is skipped.
func ownedByMe(fs.FileInfo) bool { return true }
