//go:build !linux

package export

import (
	"errors"
	"os"
)

// openDirect is not available here: the read-back reads through the
// system's cache, which may still hold what was written.
func openDirect(name string) (*os.File, []byte, func(), error) {
	return nil, nil, nil, errors.ErrUnsupported
}

func dropCache(f *os.File) {}
