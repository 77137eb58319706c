package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// peakMiB: Windows's rusage has no peak memory (the memory tests are
// for Linux).
func peakMiB(*os.ProcessState) (float64, bool) { return 0, false }

// underWine reports whether this Windows is Wine, whose ntdll has
// wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
