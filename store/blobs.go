package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/dossier-hr/dossier/crypto"
	"github.com/dossier-hr/dossier/store/chunks"
	"github.com/sirupsen/logrus"
)

// Evidence bytes live in the vault folder's evidence/ chunk store
// (package chunks, docs/evidence-store.md), one encrypted file per
// evidence record; the database keeps the record, its hashes and custody,
// and in the column evidence.blob the file's random id followed by its
// random key wrapped under the vault's data key (crypto.EvidenceKeys).
// A record whose blob is NULL was written by a version before the chunk
// store: its bytes are still in the table evidence_chunks until
// moveEvidence moves them.

// Errors of stored evidence files. Each comes wrapped with
// ErrEvidenceCorrupt, so callers that only need to know the bytes cannot
// be vouched for test that one.
var (
	ErrStoredMissing = errors.New("its stored file is missing from the evidence folder")
	ErrStoredDamaged = errors.New("its stored file is damaged or altered")
	// ErrInUse: RepairEvidence needs the vault open nowhere else.
	ErrInUse = chunks.ErrBusy
)

// openBlobs opens the vault's chunk store and takes its shared lock (see
// chunks.Store.Hold) for as long as the vault is open.
func (v *Vault) openBlobs() error {
	s, err := chunks.Open(filepath.Join(v.dir, EvidenceDir))
	if err != nil {
		return err
	}
	if err := s.Hold(); err != nil {
		return err
	}
	ek, err := crypto.NewEvidenceKeys(v.key)
	if err != nil {
		s.Close()
		return err
	}
	v.blobs, v.ekeys = s, ek
	return nil
}

// blobColumn is the value of evidence.blob for ref.
func (v *Vault) blobColumn(ref chunks.Ref) ([]byte, error) {
	w, err := v.ekeys.Wrap(ref.ID[:], ref.Key[:])
	if err != nil {
		return nil, err
	}
	return append(append(make([]byte, 0, len(ref.ID)+len(w)), ref.ID[:]...), w...), nil
}

// blobID is the file id a blob column names, without unwrapping its key.
func blobID(col []byte) (chunks.ID, bool) {
	var id chunks.ID
	if len(col) != len(id)+crypto.WrappedEvidenceKeySize {
		return id, false
	}
	copy(id[:], col)
	return id, true
}

// blobRef rebuilds the Ref of a record's stored file from its blob column
// and its recorded size and hash.
func (v *Vault) blobRef(col []byte, size int64, sha string) (chunks.Ref, error) {
	var ref chunks.Ref
	id, ok := blobID(col)
	if !ok {
		return ref, crypto.ErrEvidenceKey
	}
	key, err := v.ekeys.Unwrap(id[:], col[len(id):])
	if err != nil {
		return ref, err
	}
	ref.ID, ref.Size = id, size
	copy(ref.Key[:], key)
	clear(key)
	if b, err := hex.DecodeString(sha); err == nil && len(b) == len(ref.SHA256) {
		copy(ref.SHA256[:], b)
	}
	return ref, nil
}

// limitReader stops a Put once more than MaxEvidenceSize bytes came.
type limitReader struct {
	r    io.Reader
	read int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	k, err := l.r.Read(p)
	l.read += int64(k)
	if l.read > MaxEvidenceSize {
		return 0, fmt.Errorf("%w: the limit is %d GiB", ErrEvidenceTooLarge, MaxEvidenceSize>>30)
	}
	return k, err
}

// putBlob stores r in the chunk store for this transaction. Until the
// transaction commits, no record names the file: a rollback deletes it,
// and a crash leaves an orphan that check --repair removes. The
// transaction holds the store's read lock from its first Put until it
// ends, so that RepairEvidence never takes such a file for an orphan.
func (t *writeTx) putBlob(r io.Reader) (chunks.Ref, []byte, error) {
	if !t.blobLocked {
		t.v.blobMu.RLock()
		t.blobLocked = true
	}
	ref, err := t.v.blobs.Put(&ctxReader{ctx: t.ctx, r: &limitReader{r: r}})
	if err != nil {
		return ref, nil, diskFull(err)
	}
	t.newBlobs = append(t.newBlobs, ref.ID)
	col, err := t.v.blobColumn(ref)
	if err != nil {
		return ref, nil, err
	}
	return ref, col, nil
}

// dropBlobs notes the stored files of the records a statement is about to
// delete (WHERE clause on evidence, alias-free), so that commit deletes
// them after their keys are gone from the database.
func (t *writeTx) dropBlobs(where string, args ...any) error {
	rows, err := t.tx.QueryContext(t.ctx, "SELECT blob FROM evidence WHERE blob IS NOT NULL AND "+where, args...)
	if err != nil {
		return fmt.Errorf("listing stored evidence: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var col []byte
		if err := rows.Scan(&col); err != nil {
			return fmt.Errorf("listing stored evidence: %w", err)
		}
		if id, ok := blobID(col); ok {
			t.oldBlobs = append(t.oldBlobs, id)
		}
	}
	return rows.Err()
}

// endBlobs runs when the transaction ends: after a rollback the files it
// stored are deleted (no record names them); after a commit the files of
// the records it deleted are. A failure leaves orphans for
// check --repair, never a record without its file.
func (t *writeTx) endBlobs(committed bool) {
	gone := t.oldBlobs
	if !committed {
		gone = t.newBlobs
	}
	for _, id := range gone {
		if err := t.v.blobs.Delete(id); err != nil {
			logrus.WithError(err).Warn("a stored evidence file could not be deleted; check --repair will remove it")
		}
	}
	t.newBlobs, t.oldBlobs = nil, nil
	if t.blobLocked {
		t.blobLocked = false
		t.v.blobMu.RUnlock()
	}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// evidenceBytes opens the stored bytes of record n (as q sees it): from
// the chunk store, or from evidence_chunks for a record not yet moved.
// The caller checks the SHA-256 (verifyingReader, verifyStream).
func (v *Vault) evidenceBytes(ctx context.Context, q querier, n int64, e *Evidence) (io.ReadCloser, error) {
	rows, err := q.QueryContext(ctx, "SELECT blob FROM evidence WHERE n = ?", n)
	if err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	var col []byte
	found := rows.Next()
	if found {
		err = rows.Scan(&col)
	}
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("%w: %s", ErrNoEvidence, e.ID)
	}
	if col == nil {
		return v.chunkReader(ctx, q, n), nil
	}
	ref, err := v.blobRef(col, e.Size, e.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w (evidence %s): %w", ErrEvidenceCorrupt, e.ID, ErrStoredDamaged)
	}
	rc, err := v.blobs.Get(ref)
	if errors.Is(err, chunks.ErrNotFound) {
		return nil, fmt.Errorf("%w (evidence %s): %w", ErrEvidenceCorrupt, e.ID, ErrStoredMissing)
	}
	if errors.Is(err, chunks.ErrCorrupt) {
		return nil, fmt.Errorf("%w (evidence %s): %w", ErrEvidenceCorrupt, e.ID, ErrStoredDamaged)
	}
	if err != nil {
		return nil, fmt.Errorf("reading evidence: %w", err)
	}
	return &blobReader{rc: rc, id: e.ID}, nil
}

// blobReader reports a chunk that fails authentication as
// ErrEvidenceCorrupt, as a hash mismatch is.
type blobReader struct {
	rc io.ReadCloser
	id string
}

func (b *blobReader) Read(p []byte) (int, error) {
	k, err := b.rc.Read(p)
	if errors.Is(err, chunks.ErrCorrupt) {
		err = fmt.Errorf("%w (evidence %s): %w", ErrEvidenceCorrupt, b.id, ErrStoredDamaged)
	}
	return k, err
}

func (b *blobReader) Close() error { return b.rc.Close() }

// hasLegacyEvidence reports whether some evidence is still inside the
// database.
func (v *Vault) hasLegacyEvidence(ctx context.Context) (bool, error) {
	var one int
	err := v.db.QueryRowContext(ctx, "SELECT 1 FROM evidence WHERE blob IS NULL LIMIT 1").Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading evidence: %w", err)
	}
	return true, nil
}

// hookMoved, when set by a test, runs after each record moved out of the
// database, with the number moved so far in this run; an error stops the
// move there, as a kill would.
var hookMoved func(moved int) error

// moveEvidence moves the bytes of records written before the chunk store
// out of the database into it, one record per transaction, so that a kill
// at any point loses nothing and the next unlock goes on where it
// stopped: a record is either still wholly inside the database or wholly
// in the store, and at worst a stored file of the record being moved is
// left over (an orphan, removed at the end of a later run or by
// check --repair). Each record's bytes are re-read and checked against
// its SHA-256 on the way; a record that does not match stays inside the
// database, untouched, and check reports it as damaged. When every record
// is out, the space they took in the database file is given back.
func (v *Vault) moveEvidence(ctx context.Context) error {
	var moved, left int
	var after int64 // records before it were tried in this run
	var done, total int64
	if v.moveProgress != nil {
		if err := v.db.QueryRowContext(ctx, "SELECT count(*), coalesce(sum(size), 0) FROM evidence WHERE blob IS NULL").Scan(&left, &total); err != nil {
			return fmt.Errorf("moving evidence out of the database: %w", err)
		}
		if left == 0 {
			return nil
		}
		left = 0
		v.moveProgress(0, total)
	}
	for {
		t, err := v.begin(ctx)
		if err != nil {
			return err
		}
		var n int64
		var e Evidence
		err = t.queryRow(`SELECT n, id, size, sha256 FROM evidence WHERE blob IS NULL AND n > ? ORDER BY n LIMIT 1`, after).
			Scan(&n, &e.ID, &e.Size, &e.SHA256)
		if errors.Is(err, sql.ErrNoRows) {
			t.rollback()
			break
		}
		if err != nil {
			t.rollback()
			return fmt.Errorf("moving evidence out of the database: %w", err)
		}
		ok, err := t.moveOne(n, &e)
		if err != nil {
			t.rollback()
			return fmt.Errorf("moving evidence out of the database: %w", err)
		}
		if !ok {
			t.rollback()
			left++
			after = n
			continue
		}
		if err := t.commit(); err != nil {
			return fmt.Errorf("moving evidence out of the database: %w", err)
		}
		moved++
		if done += e.Size; v.moveProgress != nil {
			v.moveProgress(done, total)
		}
		if hookMoved != nil {
			if err := hookMoved(moved); err != nil {
				return err
			}
		}
	}
	if moved == 0 {
		return nil
	}
	logrus.WithFields(logrus.Fields{"moved": moved, "left_damaged": left}).Info("evidence moved out of the database into the vault's evidence folder")
	if err := v.write(ctx, func(t *writeTx) error {
		return t.audit(AuditEvidenceMoved, "", fmt.Sprintf("%d evidence item(s) moved into the evidence folder, each checked against its SHA-256; %d left in the database as damaged", moved, left))
	}); err != nil {
		return err
	}
	if left == 0 {
		// The freed pages are encrypted like the rest of the database
		// (and zeroed: secure_delete), but they keep the file as large as
		// it was; VACUUM copies the little that is left and returns them.
		if _, err := v.db.ExecContext(ctx, "VACUUM"); err != nil {
			logrus.WithError(err).Warn("the database could not be compacted after moving the evidence out; it works as it is")
		} else if _, err := v.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			// VACUUM went through the write-ahead log: the file shrinks
			// at the next checkpoint, here or at close.
			logrus.WithError(err).Info("the database will shrink at its next checkpoint")
		}
	}
	return nil
}

// moveOne moves record n: it stores the bytes, checking them against the
// recorded hash, names the file in the record and deletes the rows that
// held them. ok is false when the bytes do not match: nothing is changed.
func (t *writeTx) moveOne(n int64, e *Evidence) (ok bool, err error) {
	ref, col, err := t.putBlob(&drainingReader{t: t, cr: t.v.chunkReader(t.ctx, t.tx, n)})
	if err != nil {
		return false, err
	}
	if ref.Size != e.Size || hex.EncodeToString(ref.SHA256[:]) != e.SHA256 {
		return false, nil // the rollback deletes the stored file
	}
	if _, err := t.exec("UPDATE evidence SET blob = ? WHERE n = ?", col, n); err != nil {
		return false, err
	}
	if _, err := t.exec("DELETE FROM evidence_chunks WHERE evidence_n = ?", n); err != nil {
		return false, err
	}
	return true, nil
}

// drainingReader reads a record's chunks inside the database, as
// chunkReader does, and deletes each row in the move's transaction once
// its bytes are read. Freeing a row's pages (zeroing them: secure_delete)
// needs them in SQLite's cache: deleted right after the read, they are
// still there; deleted after the whole record was copied, a record larger
// than the cache (32 MB) has every page read and decrypted a second time
// only to be freed. If the bytes do not match their hash, the rollback
// brings the rows back.
type drainingReader struct {
	t       *writeTx
	cr      *chunkReader
	deleted int64 // rows before this seq are deleted
}

func (d *drainingReader) Read(p []byte) (int, error) {
	k, err := d.cr.Read(p)
	for ; d.deleted < d.cr.seq; d.deleted++ {
		if _, derr := d.t.exec("DELETE FROM evidence_chunks WHERE evidence_n = ? AND seq = ?", d.cr.n, d.deleted); derr != nil {
			return k, derr
		}
	}
	return k, err
}
