package export

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dossier-hr/dossier/internal/testhooks"
	"github.com/dossier-hr/dossier/internal/testimg"
	"github.com/dossier-hr/dossier/store"
)

// A photo cut short, an empty "photo", hostile images: attached, they do
// not stop the next backup, which restores to the same vault.
func TestBackupAfterDamagedImages(t *testing.T) {
	v, rk, _ := fullVault(t)
	all, _ := v.List(ctx, store.Query{})
	for name, data := range testimg.Damaged() {
		if _, err := v.Attach(ctx, all[0].ID, bytes.NewReader(data), store.AttachOptions{Name: name}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	before := dump(t, v)
	path := filepath.Join(t.TempDir(), "backup.age")
	m, err := WriteFile(ctx, v, path, Options{})
	if err != nil {
		t.Fatalf("the backup after attaching damaged images: %v", err)
	}
	if len(m.Skipped) != 0 {
		t.Fatalf("skipped %v", m.Skipped)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := Restore(ctx, []string{path}, rk, dir, "p", RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := store.Open(dir, "p", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !bytes.Equal(dump(t, r), before) {
		t.Fatal("the restored vault differs")
	}
}

// evidenceNamed returns a case's evidence item of that name and kind.
func evidenceNamed(t *testing.T, v *store.Vault, caseID, name, kind string) *store.Evidence {
	t.Helper()
	items, err := v.EvidenceOf(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range items {
		if e.Name == name && e.Kind == kind {
			return e
		}
	}
	t.Fatalf("no %s %s", kind, name)
	return nil
}

// A damaged record refuses a backup, naming it and its case; with
// SkipDamaged the backup holds everything else and says what it left out,
// and restores.
func TestBackupDamagedRecord(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, v *store.Vault, c store.Summary) (bad string, left []string)
		reason string
	}{{
		// What earlier versions left for a photo cut short: a stripped
		// copy of size 0 with no hash. Found before anything is written.
		name: "empty stripped record",
		damage: func(t *testing.T, v *store.Vault, c store.Summary) (string, []string) {
			photo := evidenceNamed(t, v, c.ID, "photo.jpg", store.EvidenceOriginal)
			old := evidenceNamed(t, v, c.ID, "photo.jpg", store.EvidenceStripped)
			bad := "0190f4f0-0000-7000-8000-0000000000aa"
			mustExec(t, v, `DELETE FROM evidence WHERE id = '`+old.ID+`'`)
			mustExec(t, v, `INSERT INTO evidence(id, case_n, derived_from, kind, name, media_type, size, sha256, added_at, added_by)
				SELECT '`+bad+`', case_n, n, 'stripped', name, media_type, 0, '', added_at, added_by FROM evidence WHERE id = '`+photo.ID+`'`)
			return bad, []string{bad}
		},
		reason: store.DamageNoHash,
	}, {
		// Bytes changed on disk: found only as they are written.
		name: "bytes damaged",
		damage: func(t *testing.T, v *store.Vault, c store.Summary) (string, []string) {
			note := evidenceNamed(t, v, c.ID, "note.txt", store.EvidenceOriginal)
			zeroStored(t, v, note.ID)
			return note.ID, []string{note.ID}
		},
		reason: store.DamageStored,
	}, {
		// The record's hash changed in the database (by someone with
		// the key): the stored bytes no longer match it.
		name: "record hash changed",
		damage: func(t *testing.T, v *store.Vault, c store.Summary) (string, []string) {
			note := evidenceNamed(t, v, c.ID, "note.txt", store.EvidenceOriginal)
			mustExec(t, v, `UPDATE evidence SET sha256 = '`+strings.Repeat("ab", 32)+`' WHERE id = '`+note.ID+`'`)
			return note.ID, []string{note.ID}
		},
		reason: store.DamageHash,
	}, {
		// The stored file gone from the evidence folder.
		name: "file missing",
		damage: func(t *testing.T, v *store.Vault, c store.Summary) (string, []string) {
			note := evidenceNamed(t, v, c.ID, "note.txt", store.EvidenceOriginal)
			p, err := testhooks.EvidenceFile(v, note.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			return note.ID, []string{note.ID}
		},
		reason: store.DamageMissing,
	}, {
		// A damaged original takes its sound stripped copy with it: a
		// restore needs the original first.
		name: "original damaged",
		damage: func(t *testing.T, v *store.Vault, c store.Summary) (string, []string) {
			photo := evidenceNamed(t, v, c.ID, "photo.jpg", store.EvidenceOriginal)
			copy := evidenceNamed(t, v, c.ID, "photo.jpg", store.EvidenceStripped)
			zeroStored(t, v, photo.ID)
			return photo.ID, []string{photo.ID, copy.ID}
		},
		reason: store.DamageStored,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			v, rk, _ := fullVault(t)
			all, _ := v.List(ctx, store.Query{})
			var c store.Summary
			for _, x := range all {
				if x.Title == "Задержание у аптеки" {
					c = x
				}
			}
			bad, left := tc.damage(t, v, c)
			tot, _ := v.Totals(ctx)
			path := filepath.Join(t.TempDir(), "backup.age")
			_, err := WriteFile(ctx, v, path, Options{})
			var de *DamagedError
			if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) {
				t.Fatalf("a backup with a damaged record: %v", err)
			}
			want := store.Damage{EvidenceID: bad, Kind: de.Damage[0].Kind, CaseID: c.ID, CaseRef: c.Reference, Reason: tc.reason}
			if len(de.Damage) != 1 || de.Damage[0] != want {
				t.Fatalf("refused naming %+v; want %+v", de.Damage, want)
			}
			if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 0 {
				t.Fatalf("a refused backup left %v", ents)
			}

			m, err := WriteFile(ctx, v, path, Options{SkipDamaged: true})
			if err != nil {
				t.Fatal(err)
			}
			var skipped []string
			for _, s := range m.Skipped {
				if s.Case != c.ID {
					t.Errorf("skipped %+v: not of case %s", s, c.ID)
				}
				skipped = append(skipped, s.Evidence)
			}
			if !slices.Equal(skipped, left) || len(m.Damaged()) != len(left) || m.Damaged()[0].CaseRef != c.Reference {
				t.Fatalf("skipped %+v (%+v); want %v", m.Skipped, m.Damaged(), left)
			}
			if m.Evidence != tot.Originals+tot.Stripped-len(left) {
				t.Fatalf("%d evidence items written of %d, %d left out", m.Evidence, tot.Originals+tot.Stripped, len(left))
			}
			// Read back, the manifest still says what was left out.
			id, _ := v.Identity()
			f, _ := os.Open(path)
			back, err := Read(ctx, f, id.Identities(), nil)
			f.Close()
			if err != nil || len(back.Skipped) != len(left) || back.Skipped[0].Reason != tc.reason {
				t.Fatalf("read back: %+v, %v", back, err)
			}
			dir := filepath.Join(t.TempDir(), "restored")
			res, err := Restore(ctx, []string{path}, rk, dir, "p", RestoreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Bundles[0].Skipped != len(left) || res.Vault.Originals+res.Vault.Stripped != m.Evidence {
				t.Fatalf("restored %+v", res)
			}
		})
	}
}

// An incremental bundle carries the custody of items an earlier bundle
// carried; of an item the full backup left out as damaged it has nothing
// to go to, and the chain restores all the same.
func TestIncrementalAfterSkippedRecord(t *testing.T) {
	v, rk, _ := fullVault(t)
	all, _ := v.List(ctx, store.Query{})
	var c store.Summary
	for _, x := range all {
		if x.Title == "Задержание у аптеки" {
			c = x
		}
	}
	note := evidenceNamed(t, v, c.ID, "note.txt", store.EvidenceOriginal)
	zeroStored(t, v, note.ID)
	dir := t.TempDir()
	full, inc := filepath.Join(dir, "full.age"), filepath.Join(dir, "inc.age")
	if _, err := WriteFile(ctx, v, full, Options{SkipDamaged: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddCases(ctx, bytes.NewReader([]byte(`{"title":"after the full backup"}`))); err != nil {
		t.Fatal(err)
	}
	m, err := WriteFile(ctx, v, inc, Options{Kind: KindIncremental})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(m.Entries, func(e ManifestEntry) bool { return e.Name == "custody/"+note.ID+".json" }) {
		t.Fatal("the incremental does not carry the damaged item's custody; the test proves nothing")
	}
	res, err := Restore(ctx, []string{full, inc}, rk, filepath.Join(dir, "r"), "p", RestoreOptions{})
	if err != nil {
		t.Fatalf("restoring the chain: %v", err)
	}
	if res.Vault.Cases != 4 {
		t.Fatalf("restored %+v", res.Vault)
	}
}

func mustExec(t *testing.T, v *store.Vault, stmt string) {
	t.Helper()
	if err := testhooks.VaultExec(v, stmt); err != nil {
		t.Fatal(err)
	}
}

// zeroStored overwrites an evidence record's stored file, after its
// header, with zeros of the same length: damage found only when its
// chunks are read.
func zeroStored(t *testing.T, v *store.Vault, id string) {
	t.Helper()
	p, err := testhooks.EvidenceFile(v, id)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, fi.Size()-20), 20); err != nil {
		t.Fatal(err)
	}
}
