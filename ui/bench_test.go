package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

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

// BenchmarkUIListAfterUnlock100k: from the moment the vault is unlocked to
// the list showing its first page and count, over 100,000 cases.
func BenchmarkUIListAfterUnlock100k(b *testing.B) {
	dir := benchVault(b)
	newApp(b)
	var ds []time.Duration
	for i := 0; i < b.N; i++ {
		v, err := store.Open(dir, "p", store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		w := test.NewWindow(nil)
		a := New(w, Config{VaultDir: dir, AutoLock: -1})
		shown := make(chan struct{})
		start := time.Now()
		onUI(func() {
			a.opened(v)
			a.main.queried = func() { close(shown) }
		})
		<-shown
		ds = append(ds, time.Since(start))
		onUI(func() { a.Lock(); w.Close() })
	}
	b.ReportMetric(float64(median(ds).Microseconds())/1000, "ms-median")
}

// BenchmarkUISearch100k: from the last keystroke of a query to the list
// showing its results, debounce included, over 100,000 cases.
func BenchmarkUISearch100k(b *testing.B) {
	dir := benchVault(b)
	newApp(b)
	v, err := store.Open(dir, "p", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	w := test.NewWindow(nil)
	a := New(w, Config{VaultDir: dir, AutoLock: -1})
	ready := make(chan struct{}, 1)
	onUI(func() {
		a.opened(v)
		a.main.queried = func() { ready <- struct{}{} }
	})
	<-ready
	defer onUI(func() { a.Lock(); w.Close() })
	queries := []string{"metadona", "razia", "prison court", "деньги", "extorsão", "police", synth.Words[4000]}
	var ds []time.Duration
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		start := time.Now()
		onUI(func() { a.main.search.SetText(q) })
		<-ready
		ds = append(ds, time.Since(start))
		onUI(func() { a.main.search.SetText("") })
		<-ready
	}
	b.ReportMetric(float64(median(ds).Microseconds())/1000, "ms-median")
}
