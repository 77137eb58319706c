//go:build !windows

package main

import (
	"os"
	"syscall"
)

// peakMiB is a finished process's peak resident memory in MiB.
func peakMiB(ps *os.ProcessState) (float64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return float64(ru.Maxrss) / 1024, true // kilobytes on Linux
}

// underWine: Wine runs Windows programs only.
func underWine() bool { return false }
