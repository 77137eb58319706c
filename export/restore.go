package export

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store"
)

// restoreSink stages a full backup, then its incrementals, into a new
// vault's open transaction.
type restoreSink struct {
	l           *store.Loader
	rk          *crypto.RecoveryKey // the key restoring, which the backups must be bound to
	org         string              // RestoreOptions.Organisation
	meta        map[string][]byte
	incremental bool   // applying an incremental bundle
	base        string // the manifest hash the next bundle must follow
	cur         RestoredBundle
	creator     ed25519.PublicKey // the current bundle's, as its header claims
	card        Card              // the current bundle's creator, as its header claims
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
	s.card = h.Creator
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
	// Anyone who knows the public recovery recipient can make a backup
	// that opens with the recovery key; only the organisation the key
	// belongs to can make one bound to it.
	if err := checkBinding(meta, s.card, s.rk, s.org); err != nil {
		return err
	}
	s.meta = meta
	for k, v := range meta {
		if err := s.l.Meta(k, v); err != nil {
			return err
		}
	}
	// The restored vault's own binding, also when the backup (made by an
	// older Dossier, its organisation confirmed) carried none.
	return s.l.BindRecoveryKey(s.rk, s.creator)
}

// checkBinding checks that a backup's settings belong to the organisation
// the recovery key rk belongs to: they name rk as the recovery key (the
// restored vault's backups would be encrypted to it), and they carry the
// binding only rk can make over the creator's signing key. A backup made
// before bindings existed carries none: it passes only when organisation,
// the fingerprint the person confirmed, is its creator's.
func checkBinding(meta map[string][]byte, creator Card, rk *crypto.RecoveryKey, organisation string) error {
	pk, err := creator.PublicKey()
	if err != nil {
		return refuse(ErrBadSignature, "%v", err)
	}
	fp := crypto.Fingerprint(pk, creator.AgeRecipient, creator.AgeRecipientX25519)
	pq, classic := store.BackupRecoveryRecipients(meta)
	x, err := rk.X25519()
	if err != nil {
		return err
	}
	if pq != rk.RecipientString() || (classic != "" && classic != x.Recipient().String()) {
		return refuse(ErrNotBound, "it names another recovery key (%s), to which the restored vault would encrypt its backups", crypto.RecoveryKeyID(pq))
	}
	given := normalFingerprint(organisation)
	if given != "" && given != fp {
		return refuse(ErrNotBound, "its creator's fingerprint is %s, not %s", fp, organisation)
	}
	tag := store.BackupRecoveryBinding(meta)
	if tag == nil {
		if given == "" {
			return &VerifyError{Reason: ErrNoBinding, Fingerprint: fp,
				Detail: fmt.Sprintf("its creator's fingerprint is %s; restore it only once you have checked that this is your organisation's", fp)}
		}
		return nil
	}
	if !crypto.CheckRecoveryBinding(rk, pk, tag) {
		return refuse(ErrNotBound, "its creator %s (fingerprint %s) is not bound to this recovery key", safeName(creator.Name), fp)
	}
	return nil
}

// normalFingerprint writes a fingerprint as typed in its canonical form:
// capitals, groups of four joined by "-", whatever spaces or dashes the
// person used.
func normalFingerprint(s string) string {
	// By characters, not bytes: what was typed may be anything, and a
	// group must not cut one in two.
	r := []rune(strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s)))
	var parts []string
	for i := 0; i < len(r); i += 4 {
		parts = append(parts, string(r[i:min(i+4, len(r))]))
	}
	return strings.Join(parts, "-")
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
	// Organisation is the fingerprint of the organisation the person
	// confirmed the backups are from. A backup made before recovery
	// bindings existed (ErrNoBinding) is restored only with it; for
	// others, if set, it must be their creator's too.
	Organisation string
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
	sink := &restoreSink{l: l, rk: rk, org: opts.Organisation, skipped: map[string]bool{}}
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

// VerifyBackup reads a full or incremental backup with the recovery key
// rk and checks everything Read checks and, as Restore would, that it is
// bound to rk: that it opens with the recovery key the person holds and
// was made by the organisation that key belongs to. organisation is as
// RestoreOptions.Organisation. Nothing is written anywhere. The manifest
// returned has RecoveryKey set to rk's id.
func VerifyBackup(ctx context.Context, r io.Reader, rk *crypto.RecoveryKey, organisation string) (*Manifest, error) {
	sink := &bindingSink{rk: rk, org: organisation}
	m, err := Read(ctx, r, rk.Identities(), sink)
	if err != nil {
		return nil, err
	}
	if !sink.checked {
		// Only a backup carries settings; Header refused a share, and
		// the reader requires them of a backup. Fail closed anyway.
		return nil, refuse(ErrCorrupt, "the backup carries no settings")
	}
	m.RecoveryKey, m.RecoveryBound = rk.ID(), sink.bound
	return m, nil
}

// bindingSink checks a backup's binding (as restoreSink does) and keeps
// nothing.
type bindingSink struct {
	rk      *crypto.RecoveryKey
	org     string
	card    Card
	checked bool // the settings were read and passed
	bound   bool // they carried a binding (not only a confirmed organisation)
}

func (s *bindingSink) Header(h *Header) error {
	if h.Kind != KindFull && h.Kind != KindIncremental {
		return refuse(ErrWrongKind, "a recovery key opens backups; this is %s", KindPhrase(h.Kind))
	}
	s.card = h.Creator
	return nil
}

func (s *bindingSink) Meta(meta map[string][]byte) error {
	seed := store.BackupSignSeed(meta)
	pk, _ := s.card.PublicKey()
	if len(seed) != ed25519.SeedSize {
		return refuse(ErrCorrupt, "the backup lacks the organisation's signing key")
	}
	if !ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey).Equal(pk) {
		return refuse(ErrBadSignature, "signed by another organisation than the one it restores")
	}
	if err := checkBinding(meta, s.card, s.rk, s.org); err != nil {
		return err
	}
	s.checked, s.bound = true, store.BackupRecoveryBinding(meta) != nil
	return nil
}

func (s *bindingSink) Contacts([]store.Contact) error            { return nil }
func (s *bindingSink) Deleted([]string) error                    { return nil }
func (s *bindingSink) Custody(*store.Evidence) error             { return nil }
func (s *bindingSink) Case(*store.CaseRecord) error              { return nil }
func (s *bindingSink) Evidence(*store.Evidence, io.Reader) error { return nil }
func (s *bindingSink) Audit(store.AuditEntry) error              { return nil }
