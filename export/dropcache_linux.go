package export

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropCache asks the system to drop f's pages from its cache (f is
// synced: they are clean), so that reading f again reads the device.
// Where the file system ignores it, reads come from the cache, as
// elsewhere.
func dropCache(f *os.File) {
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
