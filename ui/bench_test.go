package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/dossier-hr/dossier/internal/synth"
	"github.com/dossier-hr/dossier/store"
)

// benchVault returns a vault of 100,000 synthetic cases, built once (about
// a minute) or taken from DOSSIER_BENCH_VAULT, whose passphrase is "p".
func benchVault(b *testing.B) string {
	dir := os.Getenv("DOSSIER_BENCH_VAULT")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "v")
	}
	if store.Exists(dir) {
		return dir
	}
	v, _, err := store.Create(dir, "p", store.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	for k := 0; k < 10; k++ {
		var buf bytes.Buffer
		synth.WriteNDJSON(&buf, 10000, uint64(k+100))
		if _, err := v.AddCases(b.Context(), &buf); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

// unlockForBench types the passphrase and presses Unlock, as a person
// does, and returns when the list shows its first page and count.
func unlockForBench(b *testing.B, a *App, w fyne.Window) {
	b.Helper()
	e, ok := find(w, func(e *widget.Entry) bool { return e.Password })
	if !ok {
		b.Fatal("no passphrase field")
	}
	typeIn(b, w, e, "p")
	press(b, w, "Unlock")
	for shown := false; !shown; {
		onUI(func() {
			shown = a.main != nil && a.main.count.Text != "" && a.main.list.Length() > 0
		})
		if !shown {
			time.Sleep(time.Millisecond)
		}
	}
}

// BenchmarkUIListAfterUnlock100k: from pressing Unlock to the list
// showing its first page and count, over 100,000 cases. The key
// derivation is in it, at the tests' work factor (a few milliseconds).
func BenchmarkUIListAfterUnlock100k(b *testing.B) {
	dir := benchVault(b)
	newApp(b)
	var ds []time.Duration
	for i := 0; i < b.N; i++ {
		w := newWindow()
		a := New(w, Config{VaultDir: dir, AutoLock: -1})
		a.Start()
		start := time.Now()
		unlockForBench(b, a, w)
		ds = append(ds, time.Since(start))
		press(b, w, "Lock")
		w.Close()
	}
	b.ReportMetric(float64(median(ds).Microseconds())/1000, "ms-median")
}

// BenchmarkUISearch100k: from the last keystroke of a query to the list
// showing its results, debounce included, over 100,000 cases.
func BenchmarkUISearch100k(b *testing.B) {
	dir := benchVault(b)
	newApp(b)
	w := newWindow()
	a := New(w, Config{VaultDir: dir, AutoLock: -1})
	a.Start()
	unlockForBench(b, a, w)
	ready := make(chan struct{}, 1)
	onUI(func() { a.main.queried = func() { ready <- struct{}{} } })
	defer func() {
		press(b, w, "Lock")
		w.Close()
	}()
	queries := []string{"metadona", "razia", "prison court", "деньги", "extorsão", "police", synth.Words[4000]}
	var ds []time.Duration
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		retype(b, w, a.main.search, q)
		start := time.Now() // the last keystroke
		<-ready
		ds = append(ds, time.Since(start))
		retype(b, w, a.main.search, "")
		<-ready
	}
	b.ReportMetric(float64(median(ds).Microseconds())/1000, "ms-median")
}
