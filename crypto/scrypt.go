package crypto

import (
	"fmt"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/internal/testhooks"
)

// defaultScryptWorkFactor is log2 of scrypt's N for new passphrase wraps:
// 2^18 with r=8 uses 256 MiB and takes about a second on a 2-core machine
// (measured in docs/performance.md). The factor is stored in the wrap, so
// changing this affects only wraps made afterwards. Tests lower it through
// testhooks.ScryptWorkFactor to keep the suite fast.
const defaultScryptWorkFactor = 18

func scryptWorkFactor() int {
	if n := testhooks.ScryptWorkFactor; n != 0 {
		return n
	}
	return defaultScryptWorkFactor
}

// NewScryptRecipient returns an age passphrase recipient at the vault
// passphrase's KDF cost (about a second); any age reads the factor from
// the file.
func NewScryptRecipient(passphrase string) (*age.ScryptRecipient, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("passphrase recipient: %w", err)
	}
	r.SetWorkFactor(scryptWorkFactor())
	return r, nil
}
