package crypto

import (
	"errors"
	"io/fs"
	"runtime"
)

// isSyncUnsupported reports errors that mean "this platform cannot fsync a
// folder", which Windows returns; everywhere else a failed sync is real.
func isSyncUnsupported(err error) bool {
	return runtime.GOOS == "windows" && (errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrInvalid))
}
