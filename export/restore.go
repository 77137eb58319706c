package export

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// restoreSink stages a full backup into a new vault's open transaction.
type restoreSink struct {
	l    *store.Loader
	meta map[string][]byte
}

func (s *restoreSink) Header(h *Header) error {
	if h.Kind != KindFull {
		return refuse(ErrWrongKind, "a %s bundle cannot rebuild a vault; restore needs a full backup", h.Kind)
	}
	return nil
}

func (s *restoreSink) Meta(meta map[string][]byte) error {
	s.meta = meta
	for k, v := range meta {
		if err := s.l.Meta(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (s *restoreSink) Contacts(cs []store.Contact) error {
	for _, c := range cs {
		if err := s.l.RestoreContact(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *restoreSink) Case(rec *store.CaseRecord) error { return s.l.RestoreCase(rec) }
func (s *restoreSink) Evidence(e *store.Evidence, r io.Reader) error {
	return s.l.RestoreEvidence(e, r)
}
func (s *restoreSink) Audit(e store.AuditEntry) error { return s.l.RestoreAudit(e) }

// Restore rebuilds a vault in dir (a new, empty folder) from a full backup
// decrypted with the recovery key. The new vault opens with passphrase and
// with the same recovery key. Everything is staged in one transaction of
// the new vault and committed only after the whole bundle has verified; on
// any error the new folder is removed and nothing is left behind.
func Restore(ctx context.Context, bundle string, rk *crypto.RecoveryKey, dir, passphrase string) (*Manifest, error) {
	f, err := os.Open(bundle)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	if _, err := os.Stat(dir); err == nil {
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			return nil, fmt.Errorf("export: %s is not empty; restore into a new folder", dir)
		}
	}
	v, err := store.CreateForRestore(dir, passphrase, rk, store.Options{})
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		v.Close()
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	l, err := v.BeginLoad(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Rollback()
	sink := &restoreSink{l: l}
	m, err := Read(ctx, f, []age.Identity{rk.Identity()}, sink)
	if err != nil {
		return nil, err
	}
	// The creator must be the organisation whose identity the backup
	// carries: a backup signed by anyone else is not this vault's.
	seed := sink.meta["org_sign_seed"]
	if len(seed) != ed25519.SeedSize {
		return nil, refuse(ErrCorrupt, "the backup lacks the organisation's signing key")
	}
	pk, _ := m.Creator.PublicKey()
	if !ed25519.PrivateKey(ed25519.NewKeyFromSeed(seed)).Public().(ed25519.PublicKey).Equal(pk) {
		return nil, refuse(ErrBadSignature, "signed by another organisation than the one it restores")
	}
	if m.AuditHead != "" && l.AuditHead() != m.AuditHead {
		return nil, refuse(ErrCorrupt, "the audit log does not end where the manifest says")
	}
	if err := l.Commit(); err != nil {
		return nil, err
	}
	ok = true
	return m, nil
}

// IsVerifyError reports whether err means the bundle was refused.
func IsVerifyError(err error) bool { return errors.Is(err, ErrVerify) }
