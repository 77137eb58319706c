package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/goldenvault"
	"github.com/dossier-hr/dossier/store/chunks"
)

// goldenVault copies the vault made by the release before the chunk store
// into a new folder and returns it with its passphrase.
func goldenVault(t *testing.T) (dir, passphrase string) { return goldenvault.Copy(t) }

// checkMoved checks a vault whose evidence was moved: nothing is left in
// the database, every record names a stored file whose bytes hash to the
// record's SHA-256, the folder holds nothing else, the content is the
// golden dump byte for byte and the audit chain holds.
func checkMoved(t *testing.T, v *Vault) {
	t.Helper()
	var legacy, unmoved int
	v.db.QueryRow("SELECT count(*) FROM evidence_chunks").Scan(&legacy)
	v.db.QueryRow("SELECT count(*) FROM evidence WHERE blob IS NULL").Scan(&unmoved)
	if legacy != 0 || unmoved != 0 {
		t.Fatalf("left in the database: %d chunks, %d records", legacy, unmoved)
	}
	all, err := v.AllEvidence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 {
		t.Fatalf("%d evidence records, the golden vault has 7", len(all))
	}
	for _, e := range all {
		h := sha256.New()
		if _, err := v.Extract(ctx, e.ID, false, h, "test"); err != nil {
			t.Fatalf("%s: %v", e.ID, err)
		}
		if hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
			t.Fatalf("%s: bytes do not hash to the record's SHA-256", e.ID)
		}
	}
	rep, err := v.CheckStore(ctx, true)
	if err != nil || len(rep.Damage) != 0 || rep.Files != 7 || rep.Orphans+rep.Temps+rep.Unknown != 0 {
		t.Fatalf("check after the move: %+v, %v", rep, err)
	}
	// Extract adds custody; the dump is compared before in TestMoveGoldenVault.
	if _, _, err := v.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

func dumpOf(t *testing.T, v *Vault) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := v.Dump(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The first unlock by this version moves a released vault's evidence out
// of the database: same content (the dump is byte-identical), every file
// readable and matching its hash, an audit entry, a database that shrank.
func TestMoveGoldenVault(t *testing.T) {
	dir, pp := goldenVault(t)
	before, _ := os.Stat(filepath.Join(dir, DBFile))
	v, err := Open(dir, pp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	want, err := os.ReadFile(filepath.Join("testdata", "golden", "vault-2026-12", "dump.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpOf(t, v); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("the dump changed in the move:\n%s", got)
	}
	log, err := v.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := log[len(log)-1]
	if last.Action != AuditEvidenceMoved || !strings.HasPrefix(last.Detail, "7 evidence item(s) moved") {
		t.Fatalf("last audit entry %+v", last)
	}
	checkMoved(t, v)
	v.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	after, _ := os.Stat(filepath.Join(dir, DBFile))
	// The golden evidence is 1.3 MB; the rest is the schema's pages.
	if after.Size() > before.Size()-1_200_000 {
		t.Errorf("the database is %d bytes after the move, %d before: not compacted", after.Size(), before.Size())
	}
	// No plaintext of the evidence in the folder: the golden statement
	// and the video's bytes are nowhere.
	var video []byte
	for _, e := range mustEvidence(t, v) {
		if e.Name == "statement.txt" || e.Name == "video.bin" {
			rc, _, err := v.OpenEvidence(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			video = append(video, b[:64]...)
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for i := 0; i+64 <= len(video); i += 64 {
			if bytes.Contains(b, video[i:i+64]) {
				t.Errorf("evidence bytes in clear in %s", filepath.Base(p))
			}
		}
		return nil
	})
	// Opening again moves nothing more and writes no second entry.
	v.Close()
	v2, err := Open(dir, pp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	log2, _ := v2.AuditLog(ctx)
	if len(log2) != len(log)+countExtracts(log2[len(log):]) {
		t.Fatalf("reopening wrote %d more audit entries", len(log2)-len(log))
	}
}

func countExtracts(es []AuditEntry) int {
	n := 0
	for _, e := range es {
		if e.Action == AuditExtract {
			n++
		}
	}
	return n
}

func mustEvidence(t *testing.T, v *Vault) []*Evidence {
	t.Helper()
	all, err := v.AllEvidence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// A move stopped after any record (a kill, a full disk) goes on at the
// next unlock where it stopped, and ends with the same vault.
func TestMoveResumes(t *testing.T) {
	for stop := 1; stop <= 6; stop++ {
		dir, pp := goldenVault(t)
		errStop := errors.New("stopped")
		hookMoved = func(moved int) error {
			if moved == stop {
				return errStop
			}
			return nil
		}
		_, err := Open(dir, pp, Options{})
		hookMoved = nil
		if !errors.Is(err, errStop) {
			t.Fatalf("stop after %d: %v", stop, err)
		}
		v, err := Open(dir, pp, Options{})
		if err != nil {
			t.Fatalf("reopening after a stop after %d: %v", stop, err)
		}
		want, _ := os.ReadFile(filepath.Join("testdata", "golden", "vault-2026-12", "dump.json"))
		if got := dumpOf(t, v); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
			t.Fatalf("stop after %d: the dump changed", stop)
		}
		checkMoved(t, v)
		v.Close()
	}
}

// A record whose bytes inside the database no longer match its hash is
// not moved: it stays as it was, the others move, and check names it.
func TestMoveLeavesDamagedRecord(t *testing.T) {
	dir, pp := goldenVault(t)
	v, err := Open(dir, pp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Put one record back inside the database, damaged: as if the move
	// had never run for it and a byte had rotted.
	n, id := unmove(t, v, "statement.txt")
	if _, err := v.db.Exec("INSERT INTO evidence_chunks(evidence_n, seq, data) VALUES (?, 0, ?)", n, bytes.Repeat([]byte("x"), 2800)); err != nil {
		t.Fatal(err)
	}
	v.blobs.Delete(id)
	v.Close()
	v, err = Open(dir, pp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var still int
	v.db.QueryRow("SELECT count(*) FROM evidence_chunks WHERE evidence_n = ?", n).Scan(&still)
	if still != 1 {
		t.Fatal("the damaged record's bytes were moved or lost")
	}
	d, err := v.CheckEvidence(ctx, true)
	if err != nil || len(d) != 1 || d[0].Reason != DamageHash {
		t.Fatalf("check: %+v, %v", d, err)
	}
	rep, _ := v.CheckStore(ctx, false)
	if rep.Orphans != 0 || rep.Temps != 0 {
		t.Fatalf("the refused move left files: %+v", rep)
	}
}

// The move says how far it is: from 0 to every byte, never backwards.
func TestMoveProgress(t *testing.T) {
	dir, pp := goldenVault(t)
	var calls [][2]int64
	v, err := Open(dir, pp, Options{MoveProgress: func(done, total int64) { calls = append(calls, [2]int64{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	const total = 560 + 517 + 2800 + 1300000 + 0 + 277 + 147
	if len(calls) != 8 || calls[0] != [2]int64{0, total} || calls[7] != [2]int64{total, total} {
		t.Fatalf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Fatalf("progress went backwards: %v", calls)
		}
	}
	// Nothing left to move: no call at all.
	calls = nil
	v, err = Open(dir, pp, Options{MoveProgress: func(done, total int64) { calls = append(calls, [2]int64{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if calls != nil {
		t.Fatalf("progress for a vault with nothing to move: %v", calls)
	}
}

// The move deletes a record's rows as it reads them (drainingReader): when
// the bytes then fail their hash, every row comes back, byte for byte.
func TestMoveRestoresRowsOfDamagedRecord(t *testing.T) {
	dir, pp := goldenVault(t)
	v, err := Open(dir, pp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, id := unmove(t, v, "video.bin")
	// Three chunks; the last one is not what was recorded.
	want := [][]byte{bytes.Repeat([]byte("a"), ChunkSize), bytes.Repeat([]byte("b"), ChunkSize), []byte("c")}
	for seq, data := range want {
		if _, err := v.db.Exec("INSERT INTO evidence_chunks(evidence_n, seq, data) VALUES (?, ?, ?)", n, seq, data); err != nil {
			t.Fatal(err)
		}
	}
	v.blobs.Delete(id)
	v.Close()
	v, err = Open(dir, pp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	rows, err := v.db.Query("SELECT seq, data FROM evidence_chunks WHERE evidence_n = ? ORDER BY seq", n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got [][]byte
	for rows.Next() {
		var seq int
		var data []byte
		if err := rows.Scan(&seq, &data); err != nil {
			t.Fatal(err)
		}
		if seq != len(got) {
			t.Fatalf("row seq %d where %d was expected", seq, len(got))
		}
		got = append(got, data)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows left of the damaged record, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("chunk %d of the damaged record changed", i)
		}
	}
	var blob []byte
	v.db.QueryRow("SELECT blob FROM evidence WHERE n = ?", n).Scan(&blob)
	if blob != nil {
		t.Fatal("the damaged record names a stored file")
	}
}

// unmove makes the record of the file named name look as if the move had
// never run for it (no stored file named) and returns its number and the
// id of the stored file it had.
func unmove(t *testing.T, v *Vault, name string) (int64, chunks.ID) {
	t.Helper()
	var n int64
	var col []byte
	if err := v.db.QueryRow("SELECT n, blob FROM evidence WHERE name = ?", name).Scan(&n, &col); err != nil {
		t.Fatal(err)
	}
	id, _ := blobID(col)
	if _, err := v.db.Exec("UPDATE evidence SET blob = NULL WHERE n = ?", n); err != nil {
		t.Fatal(err)
	}
	return n, id
}
