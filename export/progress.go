package export

import (
	"io"
	"sync/atomic"
)

// caseWeight is what writing one case record costs, in bytes of evidence
// that take as long: about 0.3 ms per case against ~80 MB/s of evidence
// here (docs/performance.md). It lets one progress bar cover a vault of
// many cases and little evidence as well as the reverse.
const caseWeight = 24 << 10

// progress reports work done against a total known in advance, in
// arbitrary units, at most every step units so a fast loop does not flood
// the UI.
type progress struct {
	fn          func(done, total int64)
	done, total int64
	last, step  int64
}

func newProgress(fn func(done, total int64), total int64) *progress {
	return &progress{fn: fn, total: total, step: max(total/200, 1)}
}

func (p *progress) add(n int64) {
	if p == nil || p.fn == nil {
		return
	}
	p.done += n
	if p.done-p.last >= p.step || p.done >= p.total {
		p.last = p.done
		p.fn(min(p.done, p.total), p.total)
	}
}

// countingReader reports the bytes read through it.
type countingReader struct {
	r  io.Reader
	fn func(n int64)
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if n > 0 {
		c.fn(int64(n))
	}
	return n, err
}

// scaled maps a phase's progress into [from, from+span) of a bar of 1000.
func scaled(fn func(done, total int64), from, span int64) func(done, total int64) {
	if fn == nil {
		return nil
	}
	var last atomic.Int64
	return func(done, total int64) {
		if total <= 0 {
			return
		}
		v := from + span*done/total
		if last.Swap(v) != v {
			fn(v, 1000)
		}
	}
}
