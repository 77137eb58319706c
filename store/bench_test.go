package store_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dossier-hr/dossier/internal/synth"
	"github.com/dossier-hr/dossier/store"
)

var ctx = context.Background()

func benchNDJSON(n int, seed uint64) []byte {
	var buf bytes.Buffer
	synth.WriteNDJSON(&buf, n, seed)
	return buf.Bytes()
}

// BenchmarkAddCases10k adds 10,000 cases from NDJSON in one call (the KDF is
// not included here; bench/run.sh times the CLI with the real KDF).
func BenchmarkAddCases10k(b *testing.B) {
	in := benchNDJSON(10000, 1)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		v, _, err := store.Create(filepath.Join(b.TempDir(), "v"), "p", store.CreateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := v.AddCases(ctx, bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		v.Close()
	}
}

var (
	bigOnce sync.Once
	bigDir  string
)

// bigVault builds (once per run) a vault of 100,000 synthetic cases. Set
// DOSSIER_BENCH_VAULT to a folder to keep it between runs.
func bigVault(b *testing.B) *store.Vault {
	bigOnce.Do(func() {
		bigDir = os.Getenv("DOSSIER_BENCH_VAULT")
		if bigDir == "" {
			d, err := os.MkdirTemp("", "dossier-bench-")
			if err != nil {
				b.Fatal(err)
			}
			bigDir = filepath.Join(d, "v")
		}
		if store.Exists(bigDir) {
			return
		}
		start := time.Now()
		v, _, err := store.Create(bigDir, "p", store.CreateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for k := 0; k < 10; k++ {
			if _, err := v.AddCases(ctx, bytes.NewReader(benchNDJSON(10000, uint64(k+100)))); err != nil {
				b.Fatal(err)
			}
		}
		v.Close()
		b.Logf("built a 100,000-case vault in %v", time.Since(start).Round(time.Second))
	})
	v, err := store.Open(bigDir, "p", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	return v
}

// reportMedian runs op over each input round-robin for b.N iterations and
// reports the median and 95th percentile latency in milliseconds.
func reportMedian(b *testing.B, n int, op func(i int)) {
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		op(i % n)
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(ds[len(ds)*95/100].Microseconds())/1000, "ms-p95")
}

// BenchmarkSearch100k: a full-text search, as the list shows it (first
// page of 50 and the count), over 100,000 cases, for common, rare and
// multi-word queries in several scripts.
func BenchmarkSearch100k(b *testing.B) {
	v := bigVault(b)
	queries := []string{"police", "полиция", "metadona", "razia", "prison court", "kariмо", synth.Words[300], synth.Words[4000], "деньги ночью", "extorsão"}
	reportMedian(b, len(queries), func(i int) {
		q := store.Query{Text: queries[i], Limit: 50}
		if _, err := v.List(ctx, q); err != nil {
			b.Fatal(err)
		}
		if _, err := v.Count(ctx, q); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkFilteredPage100k: the first page (50) of a filtered list over
// 100,000 cases, with the count, for single and combined filters.
func BenchmarkFilteredPage100k(b *testing.B) {
	v := bigVault(b)
	qs := []store.Query{
		{Status: "open"},
		{Violation: "extortion"},
		{Perpetrator: "police", Country: "RU"},
		{Country: "ML", From: "2020", To: "2022"},
		{Status: "referred", Violation: "death_in_custody"},
		{Violation: "torture_ill_treatment", Perpetrator: "prison_staff", Country: "BR"},
		{},
	}
	reportMedian(b, len(qs), func(i int) {
		q := qs[i]
		q.Limit = 50
		if _, err := v.List(ctx, q); err != nil {
			b.Fatal(err)
		}
		if _, err := v.Count(ctx, q); err != nil {
			b.Fatal(err)
		}
	})
}

// benchEvidence is 64 MiB of incompressible bytes.
var benchEvidence = func() []byte {
	b := make([]byte, 64<<20)
	for i := range b {
		b[i] = byte(i*7919 + i>>13)
	}
	return b
}()

// BenchmarkAttach64MiB measures attach throughput (MB/s) through SQLCipher.
func BenchmarkAttach64MiB(b *testing.B) {
	v, _, err := store.Create(filepath.Join(b.TempDir(), "v"), "p", store.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	ids, _ := v.AddCases(ctx, bytes.NewReader([]byte(`{"title":"bench"}`)))
	b.SetBytes(int64(len(benchEvidence)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Attach(ctx, ids[0], bytes.NewReader(benchEvidence), store.AttachOptions{Name: "x.bin"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtract64MiB measures extract throughput, hash check included.
func BenchmarkExtract64MiB(b *testing.B) {
	v, _, err := store.Create(filepath.Join(b.TempDir(), "v"), "p", store.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	ids, _ := v.AddCases(ctx, bytes.NewReader([]byte(`{"title":"bench"}`)))
	e, err := v.Attach(ctx, ids[0], bytes.NewReader(benchEvidence), store.AttachOptions{Name: "x.bin"})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(e.Size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Extract(ctx, e.ID, false, io.Discard, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStats100k: the statistics of the whole list and of a filtered
// one, over 100,000 cases.
func BenchmarkStats100k(b *testing.B) {
	v := bigVault(b)
	qs := []store.Query{{}, {Country: "RU"}, {Violation: "extortion"}, {Text: "police"}}
	reportMedian(b, len(qs), func(i int) {
		if _, err := v.Stats(ctx, qs[i], store.StatsOptions{AllCases: true, MinCount: 1}); err != nil {
			b.Fatal(err)
		}
	})
}
