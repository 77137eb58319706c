//go:build !windows

package chunks

import (
	"errors"
	"os"
	"syscall"
)

func lockShared(f *os.File) error { return flock(f, syscall.LOCK_SH|syscall.LOCK_NB) }

func lockExclusive(f *os.File) error { return flock(f, syscall.LOCK_EX|syscall.LOCK_NB) }

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return ErrBusy
		}
		return err
	}
}
