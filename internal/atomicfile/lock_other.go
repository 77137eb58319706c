//go:build !windows

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow makes opening a candidate leftover fail on a symbolic link,
// and not wait on a FIFO planted under its name.
const openNoFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// lockFile takes an exclusive flock on f without waiting. The lock belongs
// to the open file, so the kernel drops it when the process ends, killed
// or not.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return errBusy
		}
		return err
	}
}

// ownedByMe reports whether the file belongs to the user running Dossier.
func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
