package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

// CheckEvidence lists the damaged evidence records, in the order they were
// added. It always compares each record with what is stored for it (a
// hash, sizes: quick); with full set it also reads every item's bytes and
// hashes them, which takes as long as reading all the evidence.
func (v *Vault) CheckEvidence(ctx context.Context, full bool) ([]Damage, error) {
	// length() of a blob reads its size from the record header, not
	// the blob: the quick check does not read the evidence.
	rows, err := v.db.QueryContext(ctx, `SELECT e.n, e.id, e.kind, c.id, c.reference, e.size, e.sha256,
		coalesce((SELECT sum(length(k.data)) FROM evidence_chunks k WHERE k.evidence_n = e.n), 0)
		FROM evidence e JOIN cases c ON c.n = e.case_n ORDER BY e.n`)
	if err != nil {
		return nil, fmt.Errorf("checking evidence: %w", err)
	}
	type item struct {
		n      int64
		d      Damage
		size   int64
		sha    string
		stored int64
	}
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.n, &it.d.EvidenceID, &it.d.Kind, &it.d.CaseID, &it.d.CaseRef, &it.size, &it.sha, &it.stored); err != nil {
			rows.Close()
			return nil, fmt.Errorf("checking evidence: %w", err)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("checking evidence: %w", err)
	}
	var out []Damage
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		switch {
		case !validSHA256(it.sha):
			it.d.Reason = DamageNoHash
		case it.stored != it.size:
			it.d.Reason = DamageSize
		case full:
			err := v.verifyStream(ctx, it.n, &Evidence{ID: it.d.EvidenceID, Size: it.size, SHA256: it.sha}, io.Discard)
			if errors.Is(err, ErrEvidenceCorrupt) {
				it.d.Reason = DamageHash
			} else if err != nil {
				return nil, err
			}
		}
		if it.d.Reason != "" {
			out = append(out, it.d)
		}
	}
	return out, nil
}

func validSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}
