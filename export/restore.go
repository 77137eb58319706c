package export

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// restoreSink stages a full backup, then its incrementals, into a new
// vault's open transaction.
type restoreSink struct {
	l           *store.Loader
	meta        map[string][]byte
	incremental bool   // applying an incremental bundle
	base        string // the manifest hash the next bundle must follow
	cur         RestoredBundle
	creator     ed25519.PublicKey // the current bundle's, as its header claims
	// skipped are the damaged records earlier bundles left out: later
	// incrementals may carry their custody, which has nothing to go to.
	skipped map[string]bool
}

func (s *restoreSink) Header(h *Header) error {
	switch {
	case !s.incremental && h.Kind != KindFull:
		return refuse(ErrWrongKind, "restore starts from a full backup; the first bundle is %s", KindPhrase(h.Kind))
	case s.incremental && h.Kind != KindIncremental:
		return refuse(ErrWrongKind, "after the full backup come incremental bundles; this one is %s", KindPhrase(h.Kind))
	case s.incremental && h.Base != s.base:
		return refuse(ErrWrongKind, "this incremental bundle does not follow the one before it (give the bundles in the order they were made, with none missing)")
	}
	s.creator, _ = h.Creator.PublicKey() // nil if malformed: refused below
	return nil
}

func (s *restoreSink) Meta(meta map[string][]byte) error {
	// The settings come before any case: a backup claiming another
	// creator than the organisation it restores is refused before its
	// content is staged (Restore checks the signature itself at the end).
	seed := store.BackupSignSeed(meta)
	if len(seed) != ed25519.SeedSize {
		return refuse(ErrCorrupt, "the backup lacks the organisation's signing key")
	}
	if !ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey).Equal(s.creator) {
		return refuse(ErrBadSignature, "signed by another organisation than the one it restores")
	}
	s.meta = meta
	for k, v := range meta {
		if err := s.l.Meta(k, v); err != nil {
			return err
		}
	}
	return nil
}

func (s *restoreSink) Contacts(cs []store.Contact) error { return s.l.ReplaceContacts(cs) }

func (s *restoreSink) Deleted(ids []string) error {
	for _, id := range ids {
		deleted, err := s.l.DeleteCase(id)
		if err != nil {
			return err
		}
		if deleted {
			s.cur.Deleted++
		}
	}
	return nil
}

func (s *restoreSink) Case(rec *store.CaseRecord) error {
	if !s.incremental {
		s.cur.Added++
		return s.l.RestoreCase(rec)
	}
	added, err := s.l.ReplaceCase(rec)
	if added {
		s.cur.Added++
	} else {
		s.cur.Updated++
	}
	return err
}

func (s *restoreSink) Evidence(e *store.Evidence, r io.Reader) error {
	if s.incremental {
		if err := s.l.KnowCase(e.CaseID); err != nil {
			return err
		}
	}
	return s.l.RestoreEvidence(e, r)
}

func (s *restoreSink) Custody(e *store.Evidence) error {
	ok, err := s.l.HasEvidence(e.ID)
	if err != nil {
		return err
	}
	if !ok && s.skipped[e.ID] {
		return nil
	}
	if !ok {
		return refuse(ErrCorrupt, "custody for evidence %s, which the backups do not hold", e.ID)
	}
	return s.l.SetCustody(e.ID, e.Custody)
}

func (s *restoreSink) Audit(e store.AuditEntry) error {
	// The reader checked that the bundle's entries link up; here they
	// must also continue the log restored so far (from the first entry,
	// in a full backup). Either way it is the bundle that is wrong, not
	// a vault's log.
	if err := s.l.RestoreAudit(e); err != nil {
		if errors.Is(err, store.ErrAuditBroken) {
			return refuse(ErrCorrupt, "the audit log in the bundle does not continue the log before it (%v)", err)
		}
		return err
	}
	return nil
}

// RestoredBundle is one bundle of a restore and what it brought.
type RestoredBundle struct {
	Manifest *Manifest // its kind, creator, time and counts
	// Cases it added, cases it replaced with a later version (an
	// incremental bundle), and cases it deleted (an incremental bundle
	// records the deletions since the bundle before it).
	Added, Updated, Deleted int
	// Skipped counts the damaged evidence records the bundle was made
	// without (Manifest.Skipped): they are not in the restored vault.
	Skipped int
}

// RestoreResult says what a restore did: what each bundle brought and what
// the rebuilt vault holds once all are applied. The counts of the last
// bundle alone say nothing of the vault: an incremental bundle holds only
// what changed since the one before it.
type RestoreResult struct {
	Bundles []RestoredBundle // in the order applied: the full backup first
	Vault   store.Totals     // what the restored vault holds
}

// Last returns the manifest of the last bundle applied, whose audit chain
// the restored vault continues.
func (r *RestoreResult) Last() *Manifest { return r.Bundles[len(r.Bundles)-1].Manifest }

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Progress, if set, is called with the bytes of the bundles read so
	// far and their total size.
	Progress func(done, total int64)
}

// Restore rebuilds a vault in dir (a new, empty folder, or one where a
// restore was interrupted, which starts over) from a full backup and the
// incremental bundles made after it, in order, decrypted with the recovery
// key. The new vault opens with passphrase and with the same recovery key.
// Everything is staged in one transaction of the new vault and committed
// only after every bundle has verified; on any error the new folder is
// removed and nothing is left behind. Killed before it is done, it leaves
// a folder marked as an unfinished restore (store.ErrRestoreIncomplete),
// which restoring again into it starts over. The result says what each
// bundle brought and what the restored vault holds.
func Restore(ctx context.Context, bundles []string, rk *crypto.RecoveryKey, dir, passphrase string, opts RestoreOptions) (*RestoreResult, error) {
	if len(bundles) == 0 {
		return nil, errors.New("restore needs a full backup")
	}
	if _, err := os.Stat(dir); err == nil && !store.RestoreInterrupted(dir) {
		if ents, _ := os.ReadDir(dir); len(ents) > 0 {
			return nil, fmt.Errorf("%s is not empty; restore into a new folder", dir)
		}
	}
	files := make([]io.Reader, len(bundles))
	var total int64
	for i, b := range bundles {
		f, err := os.Open(b)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			total += fi.Size()
		}
		files[i] = f
	}
	if opts.Progress != nil {
		// One bar over all the bundles, by bytes read.
		p := newProgress(opts.Progress, total)
		for i, f := range files {
			files[i] = &countingReader{r: f, fn: p.add}
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
	sink := &restoreSink{l: l, skipped: map[string]bool{}}
	res := &RestoreResult{}
	var m *Manifest
	for i, f := range files {
		sink.incremental = i > 0
		sink.cur = RestoredBundle{}
		if m, err = Read(ctx, f, rk.Identities(), sink); err != nil {
			if len(files) > 1 {
				return nil, fmt.Errorf("%s: %w", bundles[i], err)
			}
			return nil, err
		}
		// The creator must be the organisation whose identity the
		// backup carries: a backup signed by anyone else is not this
		// vault's.
		seed := store.BackupSignSeed(sink.meta)
		if len(seed) != ed25519.SeedSize {
			return nil, refuse(ErrCorrupt, "the backup lacks the organisation's signing key")
		}
		pk, _ := m.Creator.PublicKey()
		if !ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey).Equal(pk) {
			return nil, refuse(ErrBadSignature, "signed by another organisation than the one it restores")
		}
		if m.AuditHead != "" && l.AuditHead() != m.AuditHead {
			return nil, refuse(ErrCorrupt, "the audit log does not end where the manifest says")
		}
		sink.base = m.Hash
		sink.cur.Manifest = m
		sink.cur.Skipped = len(m.Skipped)
		for _, k := range m.Skipped {
			sink.skipped[k.Evidence] = true
		}
		res.Bundles = append(res.Bundles, sink.cur)
	}
	// The rebuilt vault continues the chain of the last bundle applied.
	seq := m.AuditSeq
	if seq == 0 {
		seq = int64(m.Audit)
	}
	if err := l.SetLastBundle(m.Hash, seq); err != nil {
		return nil, err
	}
	if err := l.Commit(); err != nil {
		return nil, err
	}
	ok = true
	if err := v.FinishRestore(); err != nil {
		// Committed: the next unlock finishes it.
		return res, fmt.Errorf("the vault was restored, but marking the restore finished failed: %w", err)
	}
	tot, err := v.Totals(ctx)
	if err != nil {
		// Restored and committed; only the summary is missing.
		return res, fmt.Errorf("the vault was restored, but counting what it holds failed: %w", err)
	}
	res.Vault = *tot
	return res, nil
}

// IsVerifyError reports whether err means the bundle was refused.
func IsVerifyError(err error) bool { return errors.Is(err, ErrVerify) }
