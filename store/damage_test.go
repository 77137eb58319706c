package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/png"
	"io"
	"testing"

	"github.com/dossier-hr/dossier/internal/testimg"
)

// A damaged, empty or hostile image is kept as received, gets no stripped
// copy (and no record of one), and Attach says so; nothing it leaves
// behind is damaged.
func TestAttachDamagedImages(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	for name, data := range testimg.Damaged() {
		e, err := v.Attach(ctx, id, bytes.NewReader(data), AttachOptions{Name: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sum := sha256.Sum256(data)
		if e.Size != int64(len(data)) || e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: the original is recorded as %d bytes, %s", name, e.Size, e.SHA256)
		}
		if e.StripFailed == nil {
			t.Errorf("%s (%s): Attach does not say the stripped copy could not be made", name, e.MediaType)
		}
		if _, err := v.Extract(ctx, e.ID, true, io.Discard, ""); !errors.Is(err, ErrNoStrippedCopy) {
			t.Errorf("%s: the stripped copy: %v; want none", name, err)
		}
		var out bytes.Buffer
		if _, err := v.Extract(ctx, e.ID, false, &out, ""); err != nil || !bytes.Equal(out.Bytes(), data) {
			t.Errorf("%s: the original: %v", name, err)
		}
	}
	items, err := v.EvidenceOf(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Kind != EvidenceOriginal {
			t.Errorf("a %s record (%d bytes, hash %q) was left for %s", it.Kind, it.Size, it.SHA256, it.Name)
		}
	}
	if d, err := v.CheckEvidence(ctx, true); err != nil || len(d) != 0 {
		t.Fatalf("damage after attaching bad images: %v, %v", d, err)
	}
}

// A PNG named .jpg is stripped as the PNG it is.
func TestAttachPNGNamedJPEG(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	e, err := v.Attach(ctx, id, bytes.NewReader(testimg.PNG()), AttachOptions{Name: "photo.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	if e.MediaType != "image/png" || e.StripFailed != nil {
		t.Fatalf("media type %s, strip failure %v", e.MediaType, e.StripFailed)
	}
	var s bytes.Buffer
	if _, err := v.Extract(ctx, e.ID, true, &s, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&s); err != nil {
		t.Fatalf("the stripped copy is not a PNG: %v", err)
	}
}

// A vault made by an earlier version can hold a stripped record with no
// bytes and no hash; and any item's bytes can be damaged on disk. The
// quick check finds the first, the full check both, naming the record and
// its case.
func TestCheckEvidenceFindsDamage(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	c, _ := v.Get(ctx, id)
	photo, err := v.Attach(ctx, id, bytes.NewReader(testimg.JPEGWithMetadata()), AttachOptions{Name: "photo.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := v.Attach(ctx, id, bytes.NewReader(bytes.Repeat([]byte("statement "), 100)), AttachOptions{Name: "statement.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := v.CheckEvidence(ctx, true); err != nil || len(d) != 0 {
		t.Fatalf("a sound vault: %v, %v", d, err)
	}
	// What earlier versions left for a truncated photo.
	bad := "0190f4f0-0000-7000-8000-000000000001"
	if _, err := v.db.Exec(`INSERT INTO evidence(id, case_n, derived_from, kind, name, media_type, size, sha256, added_at, added_by)
		SELECT ?, case_n, n, 'stripped', name, media_type, 0, '', added_at, added_by FROM evidence WHERE id = ?`, bad, photo.ID); err != nil {
		t.Fatal(err)
	}
	// A flipped byte in another item's stored file.
	flipStored(t, v, other.ID, 5)
	quick, err := v.CheckEvidence(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	want := Damage{EvidenceID: bad, Kind: EvidenceStripped, CaseID: c.ID, CaseRef: c.Reference, Reason: DamageNoHash}
	if len(quick) != 1 || quick[0] != want {
		t.Fatalf("quick check: %+v; want %+v", quick, want)
	}
	full, err := v.CheckEvidence(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	// In the order the records were added.
	if len(full) != 2 || full[0].EvidenceID != other.ID || full[0].Reason != DamageStored || full[1] != want {
		t.Fatalf("full check: %+v", full)
	}
	if s := full[1].String(); s != "stripped copy "+bad+" of case "+c.Reference+": "+DamageNoHash {
		t.Fatalf("said as %q", s)
	}
}
