package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/dossier-hr/dossier/store/chunks"
)

// Kinds of damage an evidence record can have. They say what is wrong,
// never what the file holds.
const (
	// DamageNoHash: the record has no SHA-256. Earlier versions left such
	// a record, of size 0, when a stripped copy could not be made from a
	// damaged image.
	DamageNoHash = "no hash was recorded for it"
	// DamageSize: the stored bytes are not as many as the record says.
	DamageSize = "its stored bytes are not the size recorded"
	// DamageHash: the stored bytes do not hash to the recorded SHA-256.
	DamageHash = "its stored bytes do not match the hash recorded at intake"
)

// Damage is an evidence record the vault cannot vouch for: a backup
// cannot carry it as it is, and an extraction refuses it.
type Damage struct {
	EvidenceID string // the damaged record
	Kind       string // EvidenceOriginal or EvidenceStripped
	CaseID     string // the case it belongs to
	CaseRef    string // that case's reference
	Reason     string // one of the Damage… kinds
}

func (d Damage) String() string {
	what := "evidence"
	if d.Kind == EvidenceStripped {
		what = "stripped copy"
	}
	return fmt.Sprintf("%s %s of case %s: %s", what, d.EvidenceID, d.CaseRef, d.Reason)
}

// Damage kinds of evidence kept in the chunk store (evidence/).
const (
	// DamageMissing: the record's stored file is not in the folder.
	DamageMissing = "its stored file is missing from the evidence folder" // ErrStoredMissing's text
	// DamageStored: the stored file fails authentication: a byte of it
	// was changed, it was cut or extended, or another file was put in
	// its place.
	DamageStored = "its stored file is damaged or altered"
	// DamageKey: the record's wrapped file key does not open.
	DamageKey = "its file key in the database does not open"
)

// CheckEvidence lists the damaged evidence records, in the order they were
// added. Without full it compares each record with what is stored for it
// (the stored file is there, with the right header and length: quick);
// with full it also reads every stored file and authenticates each of its
// chunks (and hashes evidence still kept inside the database), which
// takes as long as reading all the evidence. One damaged file does not
// stop the check of the others.
func (v *Vault) CheckEvidence(ctx context.Context, full bool) ([]Damage, error) {
	rep, err := v.CheckStore(ctx, full)
	return rep.Damage, err
}

// StoreReport is what CheckStore found.
type StoreReport struct {
	// Damage lists the damaged records, in the order they were added.
	Damage []Damage
	// Orphans is the number of stored files no record names (left by an
	// attach or import cut off before it committed, or by a deletion cut
	// off before its files were removed); Temps, the temporary files of
	// stores cut off midway. RepairEvidence removes both. They hold
	// nothing readable without a key the database no longer has.
	Orphans, Temps int
	// Unknown counts entries in the evidence folder that Dossier did not
	// make; they are never removed.
	Unknown int
	// Files is the number of stored files.
	Files int
}

// CheckStore checks every evidence record against the evidence folder
// (see CheckEvidence) and the folder against the records.
func (v *Vault) CheckStore(ctx context.Context, full bool) (StoreReport, error) {
	var rep StoreReport
	// length() of a blob reads its size from the record header, not
	// the blob: the quick check does not read the evidence.
	rows, err := v.db.QueryContext(ctx, `SELECT e.n, e.id, e.kind, c.id, c.reference, e.size, e.sha256, e.blob,
		CASE WHEN e.blob IS NULL THEN coalesce((SELECT sum(length(k.data)) FROM evidence_chunks k WHERE k.evidence_n = e.n), 0) ELSE 0 END
		FROM evidence e JOIN cases c ON c.n = e.case_n ORDER BY e.n`)
	if err != nil {
		return rep, fmt.Errorf("checking evidence: %w", err)
	}
	type item struct {
		n      int64
		d      Damage
		size   int64
		sha    string
		blob   []byte
		stored int64
	}
	var items []*item
	for rows.Next() {
		it := new(item)
		if err := rows.Scan(&it.n, &it.d.EvidenceID, &it.d.Kind, &it.d.CaseID, &it.d.CaseRef, &it.size, &it.sha, &it.blob, &it.stored); err != nil {
			rows.Close()
			return rep, fmt.Errorf("checking evidence: %w", err)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("checking evidence: %w", err)
	}
	byFile := map[chunks.ID]*item{}
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		switch {
		case !validSHA256(it.sha):
			it.d.Reason = DamageNoHash
		case it.blob != nil:
			if id, ok := blobID(it.blob); ok {
				byFile[id] = it
			} else {
				it.d.Reason = DamageKey
			}
		case it.stored != it.size:
			it.d.Reason = DamageSize
		case full:
			err := v.verifyStream(ctx, it.n, &Evidence{ID: it.d.EvidenceID, Size: it.size, SHA256: it.sha}, io.Discard)
			if errors.Is(err, ErrEvidenceCorrupt) {
				it.d.Reason = DamageHash
			} else if err != nil {
				return rep, err
			}
		}
	}
	refs := func(yield func(chunks.Ref) error) error {
		for _, it := range items {
			if it.blob == nil || it.d.Reason != "" {
				continue
			}
			ref, err := v.blobRef(it.blob, it.size, it.sha)
			if err != nil {
				it.d.Reason = DamageKey
				continue
			}
			if err := yield(ref); err != nil {
				return err
			}
		}
		return nil
	}
	cr, err := v.blobs.Check(ctx, refs, full)
	if err != nil {
		return rep, fmt.Errorf("checking evidence: %w", err)
	}
	for _, id := range cr.Missing {
		byFile[id].d.Reason = DamageMissing
	}
	for _, d := range cr.Damaged {
		if !errors.Is(d.Err, chunks.ErrCorrupt) {
			return rep, fmt.Errorf("checking evidence: %w", d.Err)
		}
		byFile[d.ID].d.Reason = DamageStored
	}
	for _, it := range items {
		if it.d.Reason != "" {
			rep.Damage = append(rep.Damage, it.d)
		}
	}
	rep.Orphans, rep.Temps, rep.Unknown, rep.Files = len(cr.Orphans), len(cr.Temps), len(cr.Unknown), cr.Files
	return rep, nil
}

// RepairEvidence removes the stored files no record names and the
// temporary files of stores cut off midway, and returns how many it
// removed. It needs the vault alone: while another program has it open,
// a file that program stored but has not yet recorded would look like an
// orphan, so it returns chunks.ErrBusy instead. Damaged records are not
// changed: what they lost comes back only from a backup.
func (v *Vault) RepairEvidence(ctx context.Context) (int, error) {
	v.blobMu.Lock()
	defer v.blobMu.Unlock()
	release, err := v.blobs.Alone()
	if err != nil {
		return 0, err
	}
	defer release()
	rows, err := v.db.QueryContext(ctx, "SELECT blob FROM evidence WHERE blob IS NOT NULL")
	if err != nil {
		return 0, fmt.Errorf("listing stored evidence: %w", err)
	}
	var ids []chunks.ID
	for rows.Next() {
		var col []byte
		if err := rows.Scan(&col); err != nil {
			rows.Close()
			return 0, fmt.Errorf("listing stored evidence: %w", err)
		}
		if id, ok := blobID(col); ok {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("listing stored evidence: %w", err)
	}
	// Only the ids matter to find orphans; readData off reads headers.
	cr, err := v.blobs.Check(ctx, func(yield func(chunks.Ref) error) error {
		for _, id := range ids {
			if err := yield(chunks.Ref{ID: id}); err != nil {
				return err
			}
		}
		return nil
	}, false)
	if err != nil {
		return 0, fmt.Errorf("checking evidence: %w", err)
	}
	removed, err := v.blobs.RemoveOrphans(cr)
	if err != nil {
		return removed, err
	}
	if removed > 0 {
		if err := v.write(ctx, func(t *writeTx) error {
			return t.audit(AuditEvidenceRepair, "", fmt.Sprintf("%d orphaned or temporary stored file(s) removed from the evidence folder", removed))
		}); err != nil {
			return removed, err
		}
	}
	return removed, nil
}

func validSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}
