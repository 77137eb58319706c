package export

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"filippo.io/age"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/internal/atomicfile"
	"github.com/dossier-hr/dossier/store"
)

// Options choose what a bundle holds and who can open it.
type Options struct {
	Kind string // KindFull (the default) or KindShare
	// Cases are the ids or references a share carries.
	Cases []string
	// Redact is the redaction profile of a share; RedactPseudonymise by
	// default.
	Redact string
	// To are partners' cards the bundle is also encrypted to.
	To []Card
	// Passphrase, if set, encrypts the bundle with a one-off passphrase
	// instead of keys (age allows nothing else beside a passphrase).
	Passphrase string
	// X25519 encrypts to classic X25519 recipients instead of
	// post-quantum ones, for age command-line tools before 1.3.
	X25519 bool
	// Progress, if set, is called with the work done so far and the
	// total, in arbitrary units covering cases and evidence (and, for
	// WriteFile, the read-back verification), from the writing goroutine.
	Progress func(done, total int64)
	// SkipDamaged writes the bundle without the damaged evidence records
	// it would carry (and the copies made from a damaged original), and
	// records them in the manifest's Skipped. Without it, a damaged record
	// refuses the bundle with a *DamagedError naming it. Damage found
	// only by hashing an item as it is written stops Write either way,
	// the bundle being half written; WriteFile then starts again without
	// that item.
	SkipDamaged bool

	skip []store.Damage // found by hash in earlier attempts of WriteFile
}

// Write streams a bundle of v to w and returns its manifest. A full bundle
// is encrypted to the vault's recovery key, to the vault's own
// organisation key (so that it can be read back and verified) and to the
// cards in opts.To.
func Write(ctx context.Context, v *store.Vault, w io.Writer, opts Options) (*Manifest, error) {
	if opts.Kind == "" {
		opts.Kind = KindFull
	}
	if opts.Kind != KindFull && opts.Kind != KindShare && opts.Kind != KindIncremental {
		return nil, fmt.Errorf("bundle kind %q is not supported (full, incremental or share)", opts.Kind)
	}
	var base string
	var baseSeq int64
	if opts.Kind == KindIncremental {
		var err error
		if base, baseSeq, err = v.LastBundle(ctx); err != nil {
			return nil, err
		}
		if base == "" {
			return nil, errors.New("no full backup was made from this vault yet; make one first (an incremental bundle holds only what changed since the last backup)")
		}
	}
	var shared []*store.Case
	if opts.Kind == KindShare {
		if opts.Redact == "" {
			opts.Redact = RedactPseudonymise
		}
		if !slices.Contains(Redactions, opts.Redact) {
			return nil, fmt.Errorf("unknown redaction %q (none, pseudonymise or anonymise)", opts.Redact)
		}
		if len(opts.To) == 0 && opts.Passphrase == "" {
			return nil, errors.New("a share needs at least one recipient's contact card")
		}
		if len(opts.Cases) == 0 {
			return nil, errors.New("a share needs the cases to share")
		}
		for _, ref := range opts.Cases {
			c, err := v.Get(ctx, ref)
			if err != nil {
				return nil, err
			}
			shared = append(shared, c)
		}
		if err := checkConsent(shared, opts.Redact); err != nil {
			return nil, err
		}
	}
	id, err := v.Identity()
	if err != nil {
		return nil, err
	}
	recips, err := recipients(ctx, v, id, opts)
	if err != nil {
		return nil, err
	}
	aw, err := age.Encrypt(w, recips...)
	if err != nil {
		return nil, err
	}
	bw := &bundleWriter{tw: tar.NewWriter(aw), now: time.Now().UTC()}
	m := &Manifest{Format: BundleFormat, Version: BundleVersion, Kind: opts.Kind,
		CreatedAt: bw.now.Format(time.RFC3339), Creator: CardOf(v.Org().Name, id)}
	m.Base = base
	if (opts.Kind == KindFull || opts.Kind == KindIncremental) && opts.Passphrase == "" {
		// Whatever the recipients' form (X25519 or not), both come from
		// one recovery key, named by its post-quantum recipient.
		rr, err := v.RecoveryRecipient(ctx)
		if err != nil {
			return nil, err
		}
		m.RecoveryKey = crypto.RecoveryKeyID(rr)
		if m.RecoveryBound, err = v.RecoveryBound(ctx); err != nil {
			return nil, err
		}
	}
	hdr := Header{Format: BundleFormat, Version: BundleVersion, Kind: m.Kind, CreatedAt: m.CreatedAt, Creator: m.Creator, Base: base}
	if err := bw.bytes(entryHeader, marshal(hdr)); err != nil {
		return nil, err
	}
	var items []*store.Evidence
	if opts.Kind == KindFull || opts.Kind == KindIncremental {
		meta, err := v.BackupMeta(ctx)
		if err != nil {
			return nil, err
		}
		if err := bw.bytes(entryMeta, marshal(meta)); err != nil {
			return nil, err
		}
		contacts, err := v.Contacts(ctx)
		if err != nil {
			return nil, err
		}
		if err := bw.bytes(entryContacts, marshal(contacts)); err != nil {
			return nil, err
		}
	}
	var prog *progress
	switch opts.Kind {
	case KindFull:
		n, err := v.Count(ctx, store.Query{})
		if err != nil {
			return nil, err
		}
		all, err := v.AllEvidence(ctx)
		if err != nil {
			return nil, err
		}
		total := int64(n) * caseWeight
		for _, e := range all {
			total += e.Size
		}
		prog = newProgress(opts.Progress, total)
		err = v.EachCase(ctx, func(id string, rec *store.CaseRecord) error {
			m.Cases++
			if err := bw.bytes("cases/"+id+".json", caseEntryBytes(rec)); err != nil {
				return err
			}
			prog.add(caseWeight)
			ev, err := v.EvidenceOf(ctx, id)
			items = append(items, ev...)
			return err
		})
		if err != nil {
			return nil, err
		}
	case KindIncremental:
		changed, deleted, added, err := v.Changes(ctx, baseSeq)
		if err != nil {
			return nil, err
		}
		if deleted == nil {
			deleted = []string{}
		}
		if err := bw.bytes(entryDeleted, marshal(deleted)); err != nil {
			return nil, err
		}
		all, err := v.AllEvidence(ctx)
		if err != nil {
			return nil, err
		}
		total := int64(len(changed)) * caseWeight
		for _, e := range all {
			if slices.Contains(added, e.ID) {
				total += e.Size
			}
		}
		prog = newProgress(opts.Progress, total)
		for _, id := range changed {
			rec, err := v.CaseRecordOf(ctx, id)
			if err != nil {
				return nil, err
			}
			m.Cases++
			if err := bw.bytes("cases/"+id+".json", caseEntryBytes(rec)); err != nil {
				return nil, err
			}
			prog.add(caseWeight)
		}
		// New items travel whole; the others only with their custody,
		// which exports and extractions extend.
		for _, e := range all {
			if slices.Contains(added, e.ID) {
				items = append(items, e)
			} else if err := bw.bytes("custody/"+e.ID+".json", marshal(e)); err != nil {
				return nil, err
			}
		}
	default:
		// Sorted by id, as a full bundle is, so equal shares are equal.
		slices.SortFunc(shared, func(a, b *store.Case) int { return strings.Compare(a.ID, b.ID) })
		shared = slices.CompactFunc(shared, func(a, b *store.Case) bool { return a.ID == b.ID })
		total := int64(len(shared)) * caseWeight
		for _, c := range shared {
			ev, err := v.EvidenceOf(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			picked, left := shareEvidence(ev, opts.Redact)
			items = append(items, picked...)
			m.LeftOut += left
			for _, e := range picked {
				total += e.Size
			}
		}
		prog = newProgress(opts.Progress, total)
		for _, c := range shared {
			m.Cases++
			// No earlier version travels (it may hold what was redacted
			// or edited away), only the ids of the versions the case
			// descends from: random, so they tell the receiver nothing
			// of content, but enough to move forward on a re-share.
			lineage, err := v.Lineage(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			if err := bw.bytes("cases/"+c.ID+".json", caseEntryBytes(&store.CaseRecord{Doc: marshal(redact(c, opts.Redact)), Lineage: lineage})); err != nil {
				return nil, err
			}
			prog.add(caseWeight)
		}
	}
	if items, err = leaveOutDamaged(ctx, v, m, items, opts); err != nil {
		return nil, err
	}
	for _, e := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m.Evidence++
		if e.Kind == store.EvidenceStripped {
			m.Stripped++
		} else {
			m.Originals++
		}
		if err := bw.bytes("evidence/"+e.ID+".json", marshal(e)); err != nil {
			return nil, err
		}
		r, err := v.OpenEvidenceRaw(ctx, e.ID)
		if errors.Is(err, store.ErrEvidenceCorrupt) {
			// Its stored file is missing or its header is damaged.
			return nil, &DamagedError{Damage: []store.Damage{damageOf(ctx, v, e, err)}}
		}
		if err != nil {
			return nil, err
		}
		err = bw.streamAhead("evidence/"+e.ID+".bin", e.Size, e.SHA256, r, prog.add)
		r.Close()
		if errors.Is(err, store.ErrEvidenceCorrupt) {
			return nil, &DamagedError{Damage: []store.Damage{damageOf(ctx, v, e, err)}}
		}
		if err != nil {
			return nil, err
		}
	}
	if opts.Kind == KindFull || opts.Kind == KindIncremental {
		log, err := v.AuditLog(ctx)
		if err != nil {
			return nil, err
		}
		var audit []byte
		for _, e := range log {
			if e.Seq > baseSeq {
				audit = append(append(audit, marshal(e)...), '\n')
				m.Audit++
			}
			m.AuditSeq = e.Seq
		}
		if err := bw.bytes(entryAudit, audit); err != nil {
			return nil, err
		}
		if len(log) > 0 {
			m.AuditHead = log[len(log)-1].Hash
		}
	}
	m.Entries = bw.entries
	mb := marshal(m)
	sum := sha256.Sum256(mb)
	m.Hash = hex.EncodeToString(sum[:])
	if err := bw.bytes(entryManifest, mb); err != nil {
		return nil, err
	}
	if err := bw.bytes(entrySig, ed25519.Sign(id.Sign, mb)); err != nil {
		return nil, err
	}
	if err := bw.tw.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return m, nil
}

func recipients(ctx context.Context, v *store.Vault, id *crypto.OrgIdentity, opts Options) ([]age.Recipient, error) {
	if opts.Passphrase != "" {
		if len(opts.To) > 0 {
			return nil, errors.New("a bundle passphrase cannot be combined with recipients (age allows a passphrase alone)")
		}
		// The vault passphrase's KDF cost (about a second).
		r, err := crypto.NewScryptRecipient(opts.Passphrase)
		if err != nil {
			return nil, err
		}
		return []age.Recipient{r}, nil
	}
	// The vault's own key, so that the bundle can be read back and
	// verified before it is kept; a backup also to the recovery key. age
	// refuses to mix post-quantum and classic recipients, so it is all of
	// one or all of the other.
	parse := func(s string) (age.Recipient, error) {
		if opts.X25519 {
			return age.ParseX25519Recipient(s)
		}
		return age.ParseHybridRecipient(s)
	}
	own, err := id.RecipientString(opts.X25519)
	if err != nil {
		return nil, err
	}
	strs := []string{own}
	if opts.Kind == KindFull || opts.Kind == KindIncremental {
		get := v.RecoveryRecipient
		if opts.X25519 {
			get = v.RecoveryRecipientX25519
		}
		rr, err := get(ctx)
		if err != nil {
			return nil, err
		}
		strs = append(strs, rr)
	}
	out := []age.Recipient{}
	for _, s := range strs {
		r, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("the vault's recipients: %w", err)
		}
		out = append(out, r)
	}
	for _, c := range opts.To {
		if err := c.Check(); err != nil {
			return nil, err
		}
		s := c.AgeRecipient
		if opts.X25519 {
			s = c.AgeRecipientX25519
		}
		r, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %s's recipient: %v", ErrBadCard, c.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// bundleWriter writes tar entries and remembers their hashes.
type bundleWriter struct {
	tw      *tar.Writer
	now     time.Time
	entries []ManifestEntry
}

func (b *bundleWriter) bytes(name string, data []byte) error {
	return b.stream(name, int64(len(data)), bytesReader(data))
}

func (b *bundleWriter) stream(name string, size int64, r io.Reader) error {
	if err := b.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: b.now, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	h := sha256.New()
	k, err := io.Copy(io.MultiWriter(b.tw, h), r)
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if k != size {
		return fmt.Errorf("writing %s: %d bytes, expected %d", name, k, size)
	}
	b.entries = append(b.entries, ManifestEntry{Name: name, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// streamAhead is stream for evidence: r is read, and its bytes hashed, on
// another goroutine (an aheadReader), while this one packs and encrypts
// what was read before. count is told of the bytes as they go into the
// bundle.
//
// want is the SHA-256 the record holds: the bytes read must hash to it
// (the store authenticated them chunk by chunk; this ties them to the
// record), or the entry fails with store.ErrEvidenceCorrupt.
func (b *bundleWriter) streamAhead(name string, size int64, want string, r io.Reader, count func(int64)) error {
	ah := newAheadReader(r, sha256.New())
	defer ah.Close()
	if err := b.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: b.now, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	k, err := io.Copy(b.tw, &countingReader{r: ah, fn: count})
	if err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if k != size {
		return fmt.Errorf("writing %s: %d bytes, expected %d", name, k, size)
	}
	// io.Copy returned at the end of r: every byte read was hashed.
	sum := hex.EncodeToString(ah.Sum())
	if sum != want {
		return fmt.Errorf("writing %s: %w (its bytes do not hash to its record's SHA-256)", name, store.ErrEvidenceCorrupt)
	}
	b.entries = append(b.entries, ManifestEntry{Name: name, Size: size, SHA256: sum})
	return nil
}

type byteReader struct {
	b []byte
}

func bytesReader(b []byte) io.Reader { return &byteReader{b} }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// WriteFile writes a bundle to path safely: under a temporary name in the
// same folder, hashed as it is written, synced, read back and compared
// with what was written, and only then renamed. No file under the final
// name ever differs from what was written. After that, the export is
// recorded in the audit log and in each evidence item's custody.
//
// With opts.SkipDamaged, an item found damaged only as its bytes are
// written (their hash is wrong) costs one more attempt: the bundle is
// written again from the start without it.
func WriteFile(ctx context.Context, v *store.Vault, path string, opts Options) (*Manifest, error) {
	for {
		m, err := writeFile(ctx, v, path, opts)
		var de *DamagedError
		if !opts.SkipDamaged || !errors.As(err, &de) || !newDamage(opts.skip, de.Damage) {
			return m, err
		}
		opts.skip = append(opts.skip, de.Damage...)
	}
}

// newDamage reports whether found names a record known does not.
func newDamage(known, found []store.Damage) bool {
	for _, f := range found {
		if !slices.ContainsFunc(known, func(k store.Damage) bool { return k.EvidenceID == f.EvidenceID }) {
			return true
		}
	}
	return false
}

// ErrNotKept is wrapped by the errors of WriteFile that found the file
// written wrong when it was read back: it was removed, not kept.
var ErrNotKept = errors.New("the bundle did not verify when read back, so it was not kept")

// Shares of the progress bar (of 1000): writing, then reading back. The
// read-back hashes the file once (about the time of sha256sum), while
// writing reads, hashes and encrypts every byte and hashes it again.
const writeShare = 900

// afterWrite, when set by a test, is called with the temporary file once
// it is written and synced, before it is read back.
var afterWrite func(f *os.File)

func writeFile(ctx context.Context, v *store.Vault, path string, opts Options) (*Manifest, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s already exists; choose a new file name", path)
	}
	ids, err := ownIdentities(v, opts)
	if err != nil {
		return nil, err
	}
	tmp, err := atomicfile.Create(path, 0o600)
	if err != nil {
		return nil, err
	}
	defer tmp.Abort()
	report := opts.Progress
	opts.Progress = scaled(report, 0, writeShare)
	// Hashing the ciphertext and writing it run on a goroutine of their
	// own, behind the packing and encrypting.
	hw := newBehindWriter(tmp, readBackHash())
	m, err := Write(ctx, v, hw, opts)
	if cerr := hw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing %s: %w", path, cerr)
	}
	if err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	if afterWrite != nil {
		afterWrite(tmp.File)
	}
	// Why this is enough, and no full decryption is needed: Write built
	// every entry itself, hashed its bytes as they went into the tar
	// stream, and signed the manifest of those hashes; age's authenticated
	// encryption of that stream is the library's, exercised by every
	// test that reads a bundle. What can still go wrong after that is the
	// disk or the file system not holding what was written (a failing
	// USB stick, a fake-capacity one that wraps around, a network folder
	// that drops a block): the read-back catches exactly that, comparing
	// length and SHA-256 of the file with those of every ciphertext byte
	// handed to it, read from the device, not the page cache, where the
	// system allows it. What it cannot catch, unlike a full decryption, is
	// memory corrupted between hashing an entry and encrypting it; a
	// bundle so damaged is refused when read, as any damaged bundle is
	// ('dossierctl verify' checks one in full).
	size, sum := hw.Written()
	if err := readBack(ctx, tmp.File, size, sum, scaled(report, writeShare, 1000-writeShare)); err != nil {
		return nil, err
	}
	// And the vault's own keys open it: age's header, then the first
	// entry, the header, as the manifest lists it. Cheap (the first
	// chunk), and it would catch a bundle addressed to the wrong keys.
	if err := opens(io.NewSectionReader(tmp.File, 0, size), ids, m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotKept, err)
	}
	if err := tmp.Commit(); err != nil {
		return nil, err
	}
	if m.Kind != KindShare {
		if err := v.RecordBundle(ctx, m.Hash, m.AuditSeq); err != nil {
			return m, fmt.Errorf("the bundle was written, but recording it for the next incremental one failed: %w", err)
		}
	}
	if err := v.RecordExport(ctx, store.BundleKind(m.Kind), m.Cases, m.Evidence, evidenceIDs(m)); err != nil {
		return m, fmt.Errorf("the bundle was written, but recording it in the audit log failed: %w", err)
	}
	return m, nil
}

// ownIdentities are the identities WriteFile checks a bundle opens with:
// the vault's own (every bundle is encrypted to it), or the bundle's
// passphrase.
func ownIdentities(v *store.Vault, opts Options) ([]age.Identity, error) {
	if opts.Passphrase != "" {
		sid, err := age.NewScryptIdentity(opts.Passphrase)
		if err != nil {
			return nil, err
		}
		return []age.Identity{sid}, nil
	}
	oid, err := v.Identity()
	if err != nil {
		return nil, err
	}
	return oid.Identities(), nil
}

// openDevice opens a file to read what the storage device holds (see
// openDirect); tests replace it to fail, as it does where the system
// does not allow it.
var openDevice = openDirect

// readBack reads f from its start and checks that it holds size bytes
// whose SHA-256 is sum, reading what the storage device holds where the
// system allows it (openDevice).
func readBack(ctx context.Context, f *os.File, size int64, sum []byte, report func(done, total int64)) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotKept, err)
	}
	if fi.Size() != size {
		return fmt.Errorf("%w: the file holds %d bytes, %d were written", ErrNotKept, fi.Size(), size)
	}
	if d, buf, release, err := openDevice(f.Name()); err == nil {
		err = hashFile(ctx, d, buf, size, sum, report)
		release()
		if !errors.Is(err, syscall.EINVAL) {
			return err
		}
		// The file system took O_DIRECT at open but not at read.
	}
	// Written and synced: the cached pages can go, so that what follows
	// reads what the device holds, where the system drops them.
	dropCache(f)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("%w: %w", ErrNotKept, err)
	}
	return hashFile(ctx, f, make([]byte, 1<<20), size, sum, report)
}

// readBackHash is the checksum that compares the file read back with
// what was written: CRC-32C, which the processor computes (20 GB/s here,
// against SHA-256's 1.6). What it must catch is a disk or file system
// that does not hold what it was given — random damage, which a 32-bit
// CRC misses once in 4 billion — not a forger: the bundle is
// authenticated by age and by the signed manifest of SHA-256 entry
// hashes on every read, so a change made on purpose is refused there.
// SHA-256 here cost two more passes over every byte of the bundle.
func readBackHash() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }

// hashFile reads f to its end into buf and checks that it held size
// bytes whose SHA-256 is sum.
func hashFile(ctx context.Context, f *os.File, buf []byte, size int64, sum []byte, report func(done, total int64)) error {
	h := readBackHash()
	p := newProgress(report, size)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		p.add(int64(k))
		if err == io.EOF {
			break
		}
		if errors.Is(err, syscall.EINVAL) {
			return err
		}
		if err != nil {
			return fmt.Errorf("%w: reading it: %w", ErrNotKept, err)
		}
	}
	if n != size || !bytes.Equal(h.Sum(nil), sum) {
		return fmt.Errorf("%w: the file differs from what was written (%d bytes read, %d written)", ErrNotKept, n, size)
	}
	return nil
}

// opens checks that r, a bundle, opens with ids and that its first entry
// is the header the manifest m lists.
func opens(r io.Reader, ids []age.Identity, m *Manifest) error {
	ar, err := age.Decrypt(r, ids...)
	if err != nil {
		return fmt.Errorf("it does not open with the vault's own keys (%w)", err)
	}
	tr := tar.NewReader(ar)
	h, err := tr.Next()
	if err != nil {
		return fmt.Errorf("its first entry (%w)", err)
	}
	if len(m.Entries) == 0 || h.Name != entryHeader || m.Entries[0].Name != entryHeader || h.Size != m.Entries[0].Size || h.Size > maxJSONEntry {
		return errors.New("its first entry is not the header written")
	}
	data, err := io.ReadAll(io.LimitReader(tr, h.Size))
	if err != nil {
		return fmt.Errorf("its header (%w)", err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != m.Entries[0].SHA256 {
		return errors.New("its header is not the one written")
	}
	return nil
}

func evidenceIDs(m *Manifest) []string {
	var ids []string
	for _, e := range m.Entries {
		if g := evidenceEntry.FindStringSubmatch(e.Name); g != nil && g[2] == "bin" {
			ids = append(ids, g[1])
		}
	}
	return ids
}
