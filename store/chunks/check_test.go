package chunks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// refsOf is a Refs over a fixed list.
func refsOf(refs ...Ref) Refs {
	return func(yield func(Ref) error) error {
		for _, r := range refs {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestCheck(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	good := put(t, s, bytesOf(1, 2*cs+1))
	flipped := put(t, s, bytesOf(2, 2*cs+1))
	cut := put(t, s, bytesOf(3, 2*cs+1))
	orphan := put(t, s, bytesOf(4, 10))
	gone := put(t, s, bytesOf(5, 10))

	// A bit flipped in the middle chunk: only a read of the data sees it.
	b, err := os.ReadFile(s.path(flipped.ID))
	if err != nil {
		t.Fatal(err)
	}
	b[headerSize+cs+overhead+5] ^= 0x80
	if err := os.WriteFile(s.path(flipped.ID), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(s.path(cut.ID), storedSize(cs, defaultShift)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(s.path(gone.ID)); err != nil {
		t.Fatal(err)
	}
	// What a kill during a Put leaves, and something the store did not make.
	temp := filepath.Join(good.ID.String()[:2], "."+good.ID.String()+".tmp-123456")
	if err := os.WriteFile(filepath.Join(s.dir, temp), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "notes.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}

	known := refsOf(good, flipped, cut, gone)
	rep, err := s.Check(ctx, known, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 4 || !reflect.DeepEqual(rep.Orphans, []ID{orphan.ID}) || !reflect.DeepEqual(rep.Missing, []ID{gone.ID}) ||
		!reflect.DeepEqual(rep.Temps, []string{filepath.ToSlash(temp)}) || !reflect.DeepEqual(rep.Unknown, []string{"notes.txt"}) {
		t.Errorf("Check: %+v", rep)
	}
	if len(rep.Damaged) != 1 || rep.Damaged[0].ID != cut.ID || !errors.Is(rep.Damaged[0].Err, ErrCorrupt) {
		t.Errorf("Check without reading the data: damaged %+v, want the cut file", rep.Damaged)
	}

	rep, err = s.Check(ctx, known, true)
	if err != nil {
		t.Fatal(err)
	}
	var damaged []ID
	for _, d := range rep.Damaged {
		if !errors.Is(d.Err, ErrCorrupt) {
			t.Errorf("damage of %s: %v", d.ID, d.Err)
		}
		damaged = append(damaged, d.ID)
	}
	want := []ID{flipped.ID, cut.ID}
	sortIDs(want)
	if !reflect.DeepEqual(damaged, want) {
		t.Errorf("Check reading the data: damaged %v, want %v", damaged, want)
	}

	n, err := s.RemoveOrphans(rep)
	if err != nil || n != 2 {
		t.Fatalf("RemoveOrphans: %d, %v", n, err)
	}
	rep, err = s.Check(ctx, known, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Orphans)+len(rep.Temps) != 0 || !reflect.DeepEqual(rep.Unknown, []string{"notes.txt"}) || rep.Files != 3 {
		t.Errorf("after RemoveOrphans: %+v", rep)
	}
	if _, err := readAll(s, good); err != nil {
		t.Errorf("the good file after RemoveOrphans: %v", err)
	}
}

// A Refs that fails midway fails the Check: no report that would call
// the files it did not reach orphans.
func TestCheckRefsError(t *testing.T) {
	s := newStore(t)
	put(t, s, []byte("a"))
	boom := errors.New("database gone")
	rep, err := s.Check(context.Background(), func(func(Ref) error) error { return boom }, false)
	if !errors.Is(err, boom) || len(rep.Orphans) != 0 {
		t.Fatalf("Check: %+v, %v", rep, err)
	}
}

func TestCheckCancelled(t *testing.T) {
	s := newStore(t)
	ref := put(t, s, bytesOf(1, 3*cs))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Check(ctx, refsOf(ref), true); !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: %v", err)
	}
}

// RemoveOrphans deletes only what its report names as a temporary file.
func TestRemoveOrphansRefusesOtherNames(t *testing.T) {
	s := newStore(t)
	if err := os.WriteFile(filepath.Join(s.dir, "keep"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveOrphans(Report{Temps: []string{"../keep"}}); err == nil {
		t.Fatal("RemoveOrphans removed a name that is not a temporary file")
	}
	if _, err := os.Stat(filepath.Join(s.dir, "keep")); err != nil {
		t.Fatal(err)
	}
}

// TestAloneWhileHeldElsewhere: a second holder (another program opens the
// vault) keeps the store from being had alone, and the lock file is not
// reported as an unknown entry.
func TestAloneWhileHeldElsewhere(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Hold(); err != nil {
		t.Fatal(err)
	}
	if err := b.Hold(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Alone(); !errors.Is(err, ErrBusy) {
		t.Fatalf("Alone with another holder = %v, want ErrBusy", err)
	}
	b.Close()
	release, err := a.Alone()
	if err != nil {
		t.Fatalf("Alone once the other closed: %v", err)
	}
	if err := b.Hold(); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hold while another has the store alone = %v, want ErrBusy", err)
	}
	release()
	rep, err := a.Check(context.Background(), func(func(Ref) error) error { return nil }, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Unknown) != 0 {
		t.Errorf("unknown entries: %v", rep.Unknown)
	}
	a.Close()
}

// With readData, a Ref whose hash is not the file's (a record changed in
// the database) is reported as damage; without, only headers are read.
func TestCheckComparesHash(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.Put(bytes.NewReader([]byte("the bytes as received")))
	if err != nil {
		t.Fatal(err)
	}
	ref.SHA256[0] ^= 1
	rep, err := s.Check(context.Background(), refsOf(ref), true)
	if err != nil || len(rep.Damaged) != 1 || !errors.Is(rep.Damaged[0].Err, ErrCorrupt) {
		t.Fatalf("read-data check with a wrong hash: %+v, %v", rep, err)
	}
	if rep, err := s.Check(context.Background(), refsOf(ref), false); err != nil || len(rep.Damaged) != 0 {
		t.Fatalf("quick check: %+v, %v", rep, err)
	}
}
