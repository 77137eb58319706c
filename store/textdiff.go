package store

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SpanOp says whether a span of text is in both versions, only the old one
// or only the new one.
type SpanOp int

const (
	SpanSame     SpanOp = iota // in both
	SpanDeleted                // only in the old text
	SpanInserted               // only in the new text
)

// TextSpan is a piece of a compared text.
type TextSpan struct {
	Op   SpanOp
	Text string
}

// maxDiffCells bounds the work of comparing the part of two texts that
// differs (after their common beginning and end): words in the old part
// times words in the new. Beyond it, the whole part is shown replaced.
// Edits are local in practice (a sentence added, a date corrected), so
// the bound is met only by texts rewritten throughout.
const maxDiffCells = 1 << 20

// TextDiff compares two texts word by word. The spans, in order, spell
// old when the inserted ones are left out, and new when the deleted ones
// are; within a run of changes, what was deleted comes before what was
// inserted. Equal texts give one SpanSame span (none if both are empty).
func TextDiff(old, new string) []TextSpan {
	a, b := tokens(old), tokens(new)
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	var ops []tokenOp
	for _, t := range a[:p] {
		ops = append(ops, tokenOp{SpanSame, t})
	}
	ops = append(ops, lcsOps(a[p:len(a)-s], b[p:len(b)-s])...)
	for _, t := range a[len(a)-s:] {
		ops = append(ops, tokenOp{SpanSame, t})
	}
	return spans(ops)
}

type tokenOp struct {
	op  SpanOp
	tok string
}

// tokens splits text into words (letters, digits and marks), runs of
// spaces, and single other characters, so that joining them gives the text
// back.
func tokens(s string) []string {
	var out []string
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		class := tokenClass(r)
		if class == 0 {
			out, s = append(out, s[:n]), s[n:]
			continue
		}
		i := n
		for i < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[i:])
			if tokenClass(r2) != class {
				break
			}
			i += n2
		}
		out, s = append(out, s[:i]), s[i:]
	}
	return out
}

func tokenClass(r rune) int {
	switch {
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
		return 1
	case unicode.IsSpace(r):
		return 2
	}
	return 0
}

// lcsOps aligns two token lists on a longest common subsequence; above
// maxDiffCells it gives up and deletes a, inserts b.
func lcsOps(a, b []string) []tokenOp {
	var out []tokenOp
	if len(a) == 0 || len(b) == 0 || len(a)*len(b) > maxDiffCells {
		for _, t := range a {
			out = append(out, tokenOp{SpanDeleted, t})
		}
		for _, t := range b {
			out = append(out, tokenOp{SpanInserted, t})
		}
		return out
	}
	// l[i][j]: length of the LCS of a[i:] and b[j:], in one flat slice.
	w := len(b) + 1
	l := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			switch {
			case a[i] == b[j]:
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			case l[(i+1)*w+j] >= l[i*w+j+1]:
				l[i*w+j] = l[(i+1)*w+j]
			default:
				l[i*w+j] = l[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, tokenOp{SpanSame, a[i]})
			i++
			j++
		case l[(i+1)*w+j] >= l[i*w+j+1]:
			out = append(out, tokenOp{SpanDeleted, a[i]})
			i++
		default:
			out = append(out, tokenOp{SpanInserted, b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, tokenOp{SpanDeleted, a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, tokenOp{SpanInserted, b[j]})
	}
	return out
}

// spans joins token operations into spans. A run of spaces or punctuation
// kept between two changes joins the change ("the cat" → "a dog" reads as
// one replacement, not two around a kept space), and within each run of
// changes the deleted text comes before the inserted.
func spans(ops []tokenOp) []TextSpan {
	// Absorb short kept separators between changes.
	for i := 1; i < len(ops)-1; i++ {
		if ops[i].op != SpanSame || tokenClass(firstRune(ops[i].tok)) == 1 {
			continue
		}
		j := i
		for j < len(ops) && ops[j].op == SpanSame && tokenClass(firstRune(ops[j].tok)) != 1 {
			j++
		}
		if ops[i-1].op != SpanSame && j < len(ops) && ops[j].op != SpanSame {
			var sep []tokenOp
			for _, o := range ops[i:j] {
				sep = append(sep, tokenOp{SpanDeleted, o.tok})
			}
			for _, o := range ops[i:j] {
				sep = append(sep, tokenOp{SpanInserted, o.tok})
			}
			ops = append(ops[:i], append(sep, ops[j:]...)...)
			i += len(sep) - 1
		} else {
			i = j - 1
		}
	}
	var out []TextSpan
	var same, del, ins strings.Builder
	flush := func(b *strings.Builder, op SpanOp) {
		if b.Len() > 0 {
			out = append(out, TextSpan{op, b.String()})
			b.Reset()
		}
	}
	for _, o := range ops {
		switch o.op {
		case SpanDeleted:
			flush(&same, SpanSame)
			del.WriteString(o.tok)
		case SpanInserted:
			flush(&same, SpanSame)
			ins.WriteString(o.tok)
		default:
			flush(&del, SpanDeleted)
			flush(&ins, SpanInserted)
			same.WriteString(o.tok)
		}
	}
	flush(&same, SpanSame)
	flush(&del, SpanDeleted)
	flush(&ins, SpanInserted)
	return out
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
