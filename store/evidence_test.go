package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/testimg"
)

func addOne(t *testing.T, v *Vault) string {
	t.Helper()
	ids, err := v.AddCases(ctx, strings.NewReader(`{"title":"evidence case","people":[{"role":"victim","pseudonym":"A"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func TestAttachExtractRoundTrip(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 12345} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		e, err := v.Attach(ctx, id, bytes.NewReader(data), AttachOptions{Name: "file.bin", ReceivedFrom: "peer worker", Method: "in person"})
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		sum := sha256.Sum256(data)
		if e.SHA256 != hex.EncodeToString(sum[:]) || e.Size != int64(size) {
			t.Fatalf("size %d: recorded %d %s", size, e.Size, e.SHA256)
		}
		var out bytes.Buffer
		if _, err := v.Extract(ctx, e.ID, false, &out, "test"); err != nil {
			t.Fatalf("size %d: extract: %v", size, err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Fatalf("size %d: extracted bytes differ", size)
		}
		rc, _, err := v.OpenEvidence(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("size %d: OpenEvidence: %v", size, err)
		}
	}
	items, err := v.EvidenceOf(ctx, id)
	if err != nil || len(items) != 6 {
		t.Fatalf("evidence list: %d items, %v", len(items), err)
	}
	c := items[0].Custody
	if len(c) != 2 || c[0].Action != CustodyReceived || c[0].From != "peer worker" || c[0].Method != "in person" || c[1].Action != CustodyExtracted {
		t.Fatalf("custody %+v", c)
	}
	if _, err := v.Extract(ctx, items[0].ID, true, io.Discard, ""); !errors.Is(err, ErrNoStrippedCopy) {
		t.Fatalf("stripped copy of a binary file: %v", err)
	}
	if _, err := v.GetEvidence(ctx, "nope"); !errors.Is(err, ErrNoEvidence) {
		t.Fatalf("missing evidence: %v", err)
	}
	if _, err := v.Attach(ctx, "nope", strings.NewReader("x"), AttachOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("attach to a missing case: %v", err)
	}
}

// A stored file altered in the evidence folder is caught on every read.
func TestExtractDetectsAlteredEvidence(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	e, err := v.Attach(ctx, id, strings.NewReader(strings.Repeat("original bytes ", 1000)), AttachOptions{Name: "a.txt"})
	if err != nil {
		t.Fatal(err)
	}
	flipStored(t, v, e.ID, 100)
	if _, err := v.Extract(ctx, e.ID, false, io.Discard, ""); !errors.Is(err, ErrEvidenceCorrupt) {
		t.Fatalf("got %v, want ErrEvidenceCorrupt", err)
	}
	rc, _, _ := v.OpenEvidence(ctx, e.ID)
	if _, err := io.ReadAll(rc); !errors.Is(err, ErrEvidenceCorrupt) {
		t.Fatalf("OpenEvidence: got %v, want ErrEvidenceCorrupt", err)
	}
}

func TestEvidenceNotInPlaintext(t *testing.T) {
	v, _, dir := testVault(t)
	id := addOne(t, v)
	marker := "MRKevidence5521"
	body := strings.Repeat("filler "+marker+" ", 50000) // several chunks
	if _, err := v.Attach(ctx, id, strings.NewReader(body), AttachOptions{Name: "MRKname5521.txt", ReceivedFrom: "MRKfrom5521"}); err != nil {
		t.Fatal(err)
	}
	scan := func() {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(p)
			for _, m := range []string{marker, "MRKname5521", "MRKfrom5521"} {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("%q in plaintext in %s", m, filepath.Base(p))
				}
			}
			return nil
		})
	}
	scan()
	v.Close()
	scan()
}

func jpegWithMetadata(t testing.TB, _ bool) []byte { return testimg.JPEGWithMetadata() }

var metadataMarkers = testimg.MetadataMarkers

// Attaching a JPEG with GPS keeps the original untouched and adds a
// stripped copy without EXIF or GPS — checked with exiftool when it is
// installed, and by the bytes otherwise.
func TestAttachJPEGMakesStrippedCopy(t *testing.T) {
	v, _, _ := testVault(t)
	id := addOne(t, v)
	orig := jpegWithMetadata(t, false)
	e, err := v.Attach(ctx, id, bytes.NewReader(orig), AttachOptions{Name: "photo.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	if e.MediaType != "image/jpeg" {
		t.Fatalf("media type %q", e.MediaType)
	}
	sum := sha256.Sum256(orig)
	if e.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatal("the original's hash is not of the bytes received")
	}
	var o, s bytes.Buffer
	if _, err := v.Extract(ctx, e.ID, false, &o, ""); err != nil || !bytes.Equal(o.Bytes(), orig) {
		t.Fatalf("original altered: %v", err)
	}
	se, err := v.Extract(ctx, e.ID, true, &s, "")
	if err != nil {
		t.Fatal(err)
	}
	if se.Kind != EvidenceStripped || se.DerivedFrom != e.ID || se.ID == e.ID {
		t.Fatalf("stripped record %+v", se)
	}
	for _, m := range metadataMarkers {
		if bytes.Contains(s.Bytes(), []byte(m)) {
			t.Errorf("stripped copy holds %q", m)
		}
	}
	if exiftool, err := exec.LookPath("exiftool"); err == nil {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "o.jpg"), o.Bytes(), 0o600)
		os.WriteFile(filepath.Join(dir, "s.jpg"), s.Bytes(), 0o600)
		tags := func(f string) map[string]any {
			out, err := exec.Command(exiftool, "-json", "-a", "-G1", filepath.Join(dir, f)).Output()
			if err != nil {
				t.Fatalf("exiftool: %v", err)
			}
			var m []map[string]any
			json.Unmarshal(out, &m)
			return m[0]
		}
		hasGroup := func(m map[string]any, prefix string) bool {
			for k := range m {
				if strings.HasPrefix(k, prefix) {
					return true
				}
			}
			return false
		}
		ot, st := tags("o.jpg"), tags("s.jpg")
		if !hasGroup(ot, "GPS:") || !hasGroup(ot, "IFD0:") {
			t.Fatalf("exiftool sees no GPS in the original, so the test proves nothing: %v", ot)
		}
		for _, g := range []string{"GPS:", "IFD0:", "ExifIFD:", "XMP", "IPTC", "ICC", "File:Comment", "JFIF:"} {
			if hasGroup(st, g) {
				t.Errorf("exiftool finds %s in the stripped copy", g)
			}
		}
	} else {
		t.Log("exiftool not installed; checked the bytes only")
	}
}

// auditedVault makes a vault whose log holds ten entries of every kind.
func auditedVault(t *testing.T) (*Vault, []string) {
	v, _, _ := testVault(t)
	ids, err := v.AddCases(ctx, strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	v.Edit(ctx, ids[0], []byte(`{"status":"closed"}`))
	e, _ := v.Attach(ctx, ids[1], strings.NewReader("x"), AttachOptions{})
	v.Extract(ctx, e.ID, false, io.Discard, "")
	v.ChangePassphrase("next passphrase")
	v.RecordFailedUnlocks(ctx, 2)
	if err := v.Delete(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	return v, ids
}

func TestAuditChain(t *testing.T) {
	v, ids := auditedVault(t)
	n, head, err := v.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log, _ := v.AuditLog(ctx)
	var actions []string
	for _, a := range log {
		actions = append(actions, a.Action)
	}
	want := "create create create create edit attach extract passphrase_change unlock_failed delete"
	if strings.Join(actions, " ") != want || n != 10 || head != log[9].Hash {
		t.Fatalf("audit log %v (n %d)", actions, n)
	}
	if !strings.Contains(log[9].Detail, "tombstone: reference") || log[9].Record != ids[2] {
		t.Fatalf("no tombstone: %+v", log[9])
	}
	for _, a := range log {
		if strings.Contains(a.Detail, "Пётр") || strings.Contains(a.Detail, "аптек") {
			t.Fatalf("audit entry holds case content: %+v", a)
		}
	}
}

// Each kind of tampering with the stored log is caught, and the first
// entry that does not fit is named.
func TestAuditTampering(t *testing.T) {
	tamper := []struct {
		name string
		sql  string
		seq  int64
	}{
		{"alter detail", "UPDATE audit SET detail = 'revision 9' WHERE seq = 5", 5},
		{"alter actor", "UPDATE audit SET actor = 'someone else' WHERE seq = 3", 3},
		{"alter time", "UPDATE audit SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 8", 8},
		{"remove middle", "DELETE FROM audit WHERE seq = 4", 5},
		{"remove last", "DELETE FROM audit WHERE seq = 10", 9},
		{"swap two", `UPDATE audit SET seq = CASE seq WHEN 6 THEN 106 ELSE 107 END WHERE seq IN (6, 7);
			UPDATE audit SET seq = 7 WHERE seq = 106; UPDATE audit SET seq = 6 WHERE seq = 107`, 6},
		{"rewrite hash", "UPDATE audit SET detail = 'x', hash = zeroblob(32) WHERE seq = 2", 2},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := auditedVault(t)
			if _, err := v.db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			_, _, err := v.VerifyAudit(ctx)
			var ae *AuditError
			if !errors.As(err, &ae) || !errors.Is(err, ErrAuditBroken) {
				t.Fatalf("got %v, want an AuditError", err)
			}
			if ae.Seq != tc.seq {
				t.Fatalf("named entry %d, want %d: %v", ae.Seq, tc.seq, err)
			}
		})
	}
}

func TestDeleteRemovesEverything(t *testing.T) {
	v, _, _ := testVault(t)
	ids, _ := v.AddCases(ctx, strings.NewReader(sample))
	v.Edit(ctx, ids[0], []byte(`{"status":"closed"}`))
	v.Attach(ctx, ids[0], bytes.NewReader(jpegWithMetadata(t, false)), AttachOptions{Name: "p.jpg"})
	if err := v.Delete(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get(ctx, ids[0]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted case still there: %v", err)
	}
	for _, table := range []string{"case_docs", "case_facets", "revisions", "evidence", "evidence_chunks", "custody"} {
		var n int
		v.db.QueryRow("SELECT count(*) FROM " + table + " WHERE " + map[string]string{
			"case_docs": "n NOT IN (SELECT n FROM cases)", "case_facets": "case_n NOT IN (SELECT n FROM cases)",
			"revisions": "case_n NOT IN (SELECT n FROM cases)", "evidence": "1", "evidence_chunks": "1", "custody": "1",
		}[table]).Scan(&n)
		if n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	// The stored files went with their keys.
	rep, err := v.CheckStore(ctx, false)
	if err != nil || rep.Files != 0 || rep.Orphans != 0 {
		t.Errorf("after deleting the case: %d stored files, %d orphans (%v)", rep.Files, rep.Orphans, err)
	}
	if got, _ := v.List(ctx, Query{Text: "аптек"}); len(got) != 0 {
		t.Fatal("deleted case still found by search")
	}
	if n, _ := v.Count(ctx, Query{}); n != 3 {
		t.Fatalf("%d cases left", n)
	}
}

// Totals counts evidence files and their stripped copies apart: a JPEG
// with its copy without metadata is one evidence file, not two.
func TestTotals(t *testing.T) {
	v, _, _ := testVault(t)
	ids, _ := v.AddCases(ctx, strings.NewReader(sample))
	if _, err := v.Attach(ctx, ids[0], bytes.NewReader(jpegWithMetadata(t, false)), AttachOptions{Name: "p.jpg"}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Attach(ctx, ids[1], strings.NewReader("a note"), AttachOptions{Name: "n.txt"}); err != nil {
		t.Fatal(err)
	}
	tot, err := v.Totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log, _ := v.AuditLog(ctx)
	if *tot != (Totals{Cases: 4, Originals: 2, Stripped: 1, Audit: len(log)}) || tot.Audit == 0 {
		t.Fatalf("totals %+v, want 4 cases, 2 originals, 1 stripped, %d audit entries", *tot, len(log))
	}
	// A deleted case takes its evidence with it.
	if err := v.Delete(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if tot, _ = v.Totals(ctx); tot.Cases != 3 || tot.Originals != 1 || tot.Stripped != 0 {
		t.Fatalf("after delete: %+v", *tot)
	}
}
