package store

import (
	"errors"
	"strings"
	"testing"
)

// The person's name, once set, is recorded as the author of revisions,
// notes and audit entries, is kept in the vault across a lock, and what was
// recorded before keeps the name it had.
func TestAuthorRecorded(t *testing.T) {
	v, _, dir := testVault(t)
	if v.Author() != DefaultAuthor {
		t.Fatalf("author of a new vault: %q", v.Author())
	}
	ids, err := v.Add(ctx, &Case{Title: "Detained", Notes: []Note{{Text: "first note"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetAuthor(ctx, "  Anna Kovalenko \t"); err != nil {
		t.Fatal(err)
	}
	if v.Author() != "Anna Kovalenko" {
		t.Fatalf("author after SetAuthor: %q", v.Author())
	}
	if s, _ := v.Setting(ctx, SettingAuthor); s != "Anna Kovalenko" {
		t.Fatalf("setting: %q", s)
	}
	c, _ := v.Get(ctx, ids[0])
	c.Status = "referred"
	c.Notes = append(c.Notes, Note{Text: "second note"})
	if err := v.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	v.Close()

	v, err = Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Author() != "Anna Kovalenko" {
		t.Fatalf("author after reopening: %q", v.Author())
	}
	c, _ = v.Get(ctx, ids[0])
	if c.UpdatedBy != "Anna Kovalenko" || c.CreatedBy != DefaultAuthor {
		t.Fatalf("stamps: created by %q, updated by %q", c.CreatedBy, c.UpdatedBy)
	}
	if c.Notes[0].Author != DefaultAuthor || c.Notes[1].Author != "Anna Kovalenko" || c.Notes[1].Date == "" {
		t.Fatalf("notes: %+v", c.Notes)
	}
	revs, _ := v.Revisions(ctx, ids[0])
	if len(revs) != 1 || revs[0].UpdatedBy != DefaultAuthor {
		t.Fatalf("the earlier revision lost its author: %+v", revs)
	}
	// A note that names its author keeps it (a record copied from paper).
	c.Notes = append(c.Notes, Note{Text: "from the intake form", Author: "Outreach worker", Date: "2025-01-02"})
	if err := v.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.Notes[2].Author != "Outreach worker" || c.Notes[2].Date != "2025-01-02" {
		t.Fatalf("a note's own author was replaced: %+v", c.Notes[2])
	}
	log, _ := v.AuditLog(ctx)
	var actors []string
	for _, e := range log {
		actors = append(actors, e.Action+":"+e.Actor)
	}
	want := []string{"create:local", "author_change:Anna Kovalenko", "edit:Anna Kovalenko", "edit:Anna Kovalenko"}
	if len(actors) != len(want) {
		t.Fatalf("audit log %v", actors)
	}
	for i := range want {
		if actors[i] != want[i] {
			t.Fatalf("audit log %v, want %v", actors, want)
		}
	}
	if _, _, err := v.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	// Cleared: back to the default, in the setting and from now on.
	if err := v.SetAuthor(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if s, _ := v.Setting(ctx, SettingAuthor); s != "" || v.Author() != DefaultAuthor {
		t.Fatalf("cleared: setting %q, author %q", s, v.Author())
	}
}

// A name given when opening (dossierctl --author) wins over the setting,
// for that session only.
func TestAuthorOption(t *testing.T) {
	v, _, dir := testVault(t)
	if err := v.SetAuthor(ctx, "Anna"); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v, err := Open(dir, "test passphrase", Options{Actor: "script"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := v.Add(ctx, &Case{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := v.Get(ctx, ids[0])
	v.Close()
	if c.CreatedBy != "script" {
		t.Fatalf("created by %q", c.CreatedBy)
	}
	v, err = Open(dir, "test passphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Author() != "Anna" {
		t.Fatalf("the option changed the setting: %q", v.Author())
	}
}

func TestAuthorRefused(t *testing.T) {
	v, _, _ := testVault(t)
	for _, name := range []string{"Anna\nEvil", "tab\x00", "Anna\tB", "Anna\u202eB", string([]byte{0xff, 0xfe}), strings.Repeat("я", 201)} {
		err := v.SetAuthor(ctx, name)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != SettingAuthor {
			t.Errorf("SetAuthor(%q) = %v", name, err)
		}
	}
	if v.Author() != DefaultAuthor {
		t.Fatalf("a refused name was taken: %q", v.Author())
	}
	if got, err := CheckAuthor(" Анна Ковальчук "); err != nil || got != "Анна Ковальчук" {
		t.Fatalf("CheckAuthor: %q %v", got, err)
	}
}

// A restore brings the author setting with the other settings.
func TestAuthorAfterRestoreSetting(t *testing.T) {
	v, _, _ := testVault(t)
	if err := v.SetAuthor(ctx, "Olga"); err != nil {
		t.Fatal(err)
	}
	meta, err := v.BackupMeta(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(meta["setting."+SettingAuthor]) != "Olga" {
		t.Fatalf("a full backup does not carry the name: %q", meta["setting."+SettingAuthor])
	}
}
