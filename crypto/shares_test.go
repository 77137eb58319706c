package crypto

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// FIPS-197 section 4.2 gives {57}•{83} = {c1} and section 5.1.1's table
// the inverse of {53} as {ca}: the field is AES's.
func TestGF256Vectors(t *testing.T) {
	if got := gfMul(0x57, 0x83); got != 0xc1 {
		t.Fatalf("57*83 = %02x, want c1", got)
	}
	if got := gfMul(0x57, 0x13); got != 0xfe { // FIPS-197 4.2.1
		t.Fatalf("57*13 = %02x, want fe", got)
	}
	if got := gfMul(0x53, 0xca); got != 0x01 {
		t.Fatalf("53*ca = %02x, want 01", got)
	}
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			if gfMul(byte(a), byte(b)) != gfMulSlow(byte(a), byte(b)) {
				t.Fatalf("tables disagree at %02x*%02x", a, b)
			}
			if b != 0 && gfDiv(gfMul(byte(a), byte(b)), byte(b)) != byte(a) {
				t.Fatalf("division at %02x/%02x", a, b)
			}
		}
	}
}

func TestBech32RoundTrip(t *testing.T) {
	rk, err := NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	seed, err := bech32Data(rk.String(), "AGE-SECRET-KEY-PQ-")
	if err != nil || len(seed) != 32 {
		t.Fatalf("seed %d bytes, %v", len(seed), err)
	}
	if got := bech32Encode("AGE-SECRET-KEY-PQ-", seed); got != rk.String() {
		t.Fatalf("re-encoded %s, want %s", got, rk.String())
	}
	bad := []byte(rk.String())
	bad[len(bad)-3] ^= 1
	if _, err := bech32Data(string(bad), "AGE-SECRET-KEY-PQ-"); err == nil {
		t.Fatal("a changed character passed the checksum")
	}
}

// Property: any k of the n shares, in any order, rebuild the key; more
// than k too; fewer do not.
func TestSharesAnyKRebuild(t *testing.T) {
	rk, _ := NewRecoveryKey()
	r := rand.New(rand.NewPCG(1, 2))
	for _, nk := range [][2]int{{2, 2}, {3, 2}, {5, 3}, {16, 16}, {7, 4}} {
		n, k := nk[0], nk[1]
		shares, err := rk.Split(n, k)
		if err != nil {
			t.Fatal(err)
		}
		for trial := 0; trial < 20; trial++ {
			perm := r.Perm(n)
			m := k + r.IntN(n-k+1)
			var pick []Share
			for _, i := range perm[:m] {
				// Through text, as on paper: lower case, spaces.
				s, err := ParseShare(strings.ToLower(strings.ReplaceAll(shares[i].String(), "-", " - ")))
				if err != nil {
					t.Fatalf("%d of %d: parse: %v", k, n, err)
				}
				pick = append(pick, s)
			}
			got, err := CombineShares(pick)
			if err != nil || got.String() != rk.String() {
				t.Fatalf("%d of %d, shares %v: %v", k, n, perm[:m], err)
			}
			if _, err := CombineShares(pick[:k-1]); !errors.Is(err, ErrShares) {
				t.Fatalf("%d shares of a %d-of-%d split: %v", k-1, k, n, err)
			}
		}
	}
}

// Property: k-1 shares tell nothing checkable: for any k-1 shares and any
// value of a byte of the secret, some k-th share value leads to it, and
// to each value exactly once — the k-1 shares are equally consistent with
// every secret.
func TestSharesFewerRevealNothing(t *testing.T) {
	secret := []byte{0x42}
	for _, k := range []int{2, 3, 4} {
		coeffs := make([]byte, k-1)
		rand.New(rand.NewPCG(uint64(k), 9)).Shuffle(len(coeffs), func(i, j int) {})
		for i := range coeffs {
			coeffs[i] = byte(17*i + 5*k)
		}
		ys := shamirSplit(secret, k, k, coeffs)
		xs := make([]byte, k)
		for i := range xs {
			xs[i] = byte(i + 1)
		}
		counts := map[byte]int{}
		for v := 0; v < 256; v++ {
			last := append([][]byte{}, ys[:k-1]...)
			last = append(last, []byte{byte(v)})
			counts[shamirCombine(xs, last)[0]]++
		}
		if len(counts) != 256 {
			t.Fatalf("k=%d: %d-1 shares leave only %d possible secrets", k, k, len(counts))
		}
	}
}

func TestSharesRefuseMistakes(t *testing.T) {
	rk, _ := NewRecoveryKey()
	other, _ := NewRecoveryKey()
	a, _ := rk.Split(3, 2)
	b, _ := other.Split(3, 2)
	if _, err := CombineShares([]Share{a[0], b[1]}); !errors.Is(err, ErrShares) {
		t.Fatalf("shares of two keys: %v", err)
	}
	if _, err := CombineShares([]Share{a[0], a[0]}); !errors.Is(err, ErrShares) {
		t.Fatalf("one share twice: %v", err)
	}
	// A typo in any character is caught by the share's checksum.
	text := a[1].String()
	for i := len(sharePrefix); i < len(text); i++ {
		if text[i] == '-' {
			continue
		}
		c := byte('A')
		if text[i] == 'A' {
			c = 'B'
		}
		typo := text[:i] + string(c) + text[i+1:]
		s, err := ParseShare(typo)
		if err == nil {
			// A typo in the key id or numbers that still parses
			// must not rebuild the key.
			if k, err := CombineShares([]Share{a[0], s}); err == nil && k.String() == rk.String() && s.X != a[0].X {
				continue
			}
			t.Fatalf("typo at %d accepted: %q", i, typo)
		}
	}
	// The same share rebuilt twice differs: the coefficients are random.
	c, _ := rk.Split(3, 2)
	if bytes.Equal(a[0].data, c[0].data) {
		t.Fatal("two splits gave the same shares")
	}
	if _, err := rk.Split(2, 3); err == nil {
		t.Fatal("threshold above shares accepted")
	}
	if _, err := rk.Split(17, 2); err == nil {
		t.Fatal("17 shares accepted")
	}
}

func FuzzParseShare(f *testing.F) {
	rk, _ := NewRecoveryKey()
	s, _ := rk.Split(3, 2)
	f.Add(s[0].String())
	f.Add(ShareText(s[1], 3, "Org"))
	f.Add("DOSSIER-SHARE-1-AAAAAAAAAAAAAAAA-2-1-AAAA")
	f.Fuzz(func(t *testing.T, text string) {
		sh, err := ParseShare(text)
		if err != nil {
			return
		}
		back, err := ParseShare(sh.String())
		if err != nil || back.X != sh.X || back.KeyID != sh.KeyID || !bytes.Equal(back.data, sh.data) {
			t.Fatalf("a parsed share does not round-trip: %v", err)
		}
	})
}
