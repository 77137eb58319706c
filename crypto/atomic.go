package crypto

import (
	"os"

	"github.com/dossier-hr/dossier/internal/atomicfile"
)

// WriteFileAtomic replaces path with data so that, whatever happens, the
// file afterwards holds either its old content or the new one. It is
// [atomicfile.WriteFile], kept here for the key files this package writes.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return atomicfile.WriteFile(path, data, perm)
}
