//go:build !linux

package export

import "os"

// dropCache does nothing here: the read-back may come from the system's
// cache.
func dropCache(f *os.File) {}
