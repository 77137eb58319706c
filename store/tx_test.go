package store

import (
	"errors"
	"strings"
	"testing"
)

// Adding a partner's card is a change to the vault like any other: the
// audit log records it, by fingerprint and never by name.
func TestContactAddAudited(t *testing.T) {
	v, _, _ := testVault(t)
	c := Contact{Name: "Partner Network", SignKey: make([]byte, 32), Fingerprint: "fp-1234", AgeRecipient: "age1x"}
	if err := v.AddContact(ctx, c); err != nil {
		t.Fatal(err)
	}
	log, err := v.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range log {
		if e.Action == AuditContactAdd && e.Record == "fp-1234" {
			found = true
		}
		if strings.Contains(e.Detail+e.Record, "Partner") {
			t.Errorf("the audit log names the partner: %+v", e)
		}
	}
	if !found {
		t.Fatalf("no %s entry in the audit log: %+v", AuditContactAdd, log)
	}
	if _, _, err := v.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// RecordBundle writes the hash, the audit position and the time together
// or not at all: a failure on the last write leaves the first two as they
// were.
func TestRecordBundleAtomic(t *testing.T) {
	v, _, _ := testVault(t)
	if err := v.RecordBundle(ctx, "old-hash", 1); err != nil {
		t.Fatal(err)
	}
	if err := execForTest(v, `CREATE TRIGGER fail_at AFTER INSERT ON meta WHEN NEW.key = '`+metaLastBundleAt+`'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	if err := v.RecordBundle(ctx, "new-hash", 7); err == nil {
		t.Fatal("RecordBundle succeeded despite the failure")
	}
	var h []byte
	var seq int64
	if err := v.db.QueryRow("SELECT value FROM meta WHERE key = ?", metaLastBundle).Scan(&h); err != nil {
		t.Fatal(err)
	}
	if err := v.db.QueryRow("SELECT value FROM meta WHERE key = ?", metaLastBundleSeq).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if string(h) != "old-hash" || seq != 1 {
		t.Fatalf("a failed RecordBundle left hash %q, audit seq %d; want old-hash, 1", h, seq)
	}
}

// SQLite's refusals are told by the driver's codes, not by its wording: a
// taken id is a FieldError, a database that does not open with the key is
// ErrNotDatabase.
func TestDriverErrorsByCode(t *testing.T) {
	v, _, _ := testVault(t)
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"t","country":"ru"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.AddCases(ctx, strings.NewReader(`{"id":"`+ids[0]+`","title":"t","country":"ru"}`))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "id" {
		t.Fatalf("a taken id: got %v, want a FieldError on id", err)
	}
	err = execForTest(v, "INSERT INTO contacts(fingerprint, name, age_recipient, age_recipient_x25519, sign_key, added_at) SELECT fingerprint, name, age_recipient, age_recipient_x25519, sign_key, added_at FROM contacts UNION ALL SELECT 'a','a','a','a',x'00','' UNION ALL SELECT 'a','a','a','a',x'00',''")
	if !isUniqueViolation(err) {
		t.Fatalf("isUniqueViolation(%v) = false", err)
	}
	if isUniqueViolation(errors.New("UNIQUE constraint failed")) {
		t.Fatal("isUniqueViolation matched words, not a code")
	}
}
