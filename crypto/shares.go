package crypto

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Recovery key shares: the recovery key cut with Shamir's secret sharing
// over GF(256) (gf256.go) into n shares, any k of which rebuild it and
// fewer tell nothing about it, so that k of n people at different places
// must come together to restore (docs/security.md, "Recovery key
// shares"). What is shared is the key's 32-byte secret seed.

// ErrBadShare means a text is not a recovery key share, or has a typo
// (each share carries a checksum).
var ErrBadShare = errors.New("not a Dossier recovery key share, or mistyped")

// ErrShares means the shares given do not rebuild a key: too few, two of
// the same, or shares of different keys or splits.
var ErrShares = errors.New("the recovery key shares do not rebuild a key")

// Share is one share of a recovery key.
type Share struct {
	KeyID     string // RecoveryKeyID of the key it is a share of
	Threshold int    // how many shares rebuild the key
	X         int    // the share's number, 1…255
	data      []byte // f(X) for each byte of the seed
}

const sharePrefix = "DOSSIER-SHARE-1-"

var shareEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// String is the share as one line of capital letters and digits, in
// groups of four for copying by hand:
// DOSSIER-SHARE-1-<key id>-<k>-<x>-<data and a 2-byte checksum in base32>.
func (s Share) String() string {
	head := fmt.Sprintf("%s%s-%d-%d", sharePrefix, strings.ReplaceAll(s.KeyID, "-", ""), s.Threshold, s.X)
	sum := sha256.Sum256(append([]byte(head), s.data...))
	body := shareEncoding.EncodeToString(append(append([]byte{}, s.data...), sum[:2]...))
	var g []string
	for i := 0; i < len(body); i += 4 {
		g = append(g, body[i:min(i+4, len(body))])
	}
	return head + "-" + strings.Join(g, "-")
}

// ParseShare reads a share as String writes it; spaces, line breaks,
// letter case and '#' comment lines are forgiven, as for recovery keys.
func ParseShare(text string) (Share, error) {
	var keep []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			keep = append(keep, line)
		}
	}
	t := strings.ToUpper(strings.Join(strings.Fields(strings.Join(keep, "")), ""))
	rest, ok := strings.CutPrefix(t, sharePrefix)
	if !ok {
		return Share{}, ErrBadShare
	}
	f := strings.SplitN(rest, "-", 4)
	if len(f) != 4 || len(f[0]) != 16 {
		return Share{}, ErrBadShare
	}
	k, err1 := strconv.Atoi(f[1])
	x, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || k < 2 || k > 255 || x < 1 || x > 255 {
		return Share{}, ErrBadShare
	}
	raw, err := shareEncoding.DecodeString(strings.ReplaceAll(f[3], "-", ""))
	if err != nil || len(raw) != seedSize+2 {
		return Share{}, ErrBadShare
	}
	id := f[0][:4] + "-" + f[0][4:8] + "-" + f[0][8:12] + "-" + f[0][12:]
	s := Share{KeyID: id, Threshold: k, X: x, data: raw[:seedSize]}
	head := fmt.Sprintf("%s%s-%d-%d", sharePrefix, f[0], k, x)
	sum := sha256.Sum256(append([]byte(head), s.data...))
	if sum[0] != raw[seedSize] || sum[1] != raw[seedSize+1] {
		return Share{}, ErrBadShare
	}
	return s, nil
}

// seedSize is the length of a recovery key's secret seed.
const seedSize = 32

// Split cuts the recovery key into n shares, any k of which rebuild it
// (2 ≤ k ≤ n ≤ 16: shares are for people, and more than that is a
// mistake).
func (rk *RecoveryKey) Split(n, k int) ([]Share, error) {
	if k < 2 || n < k || n > 16 {
		return nil, fmt.Errorf("shares: need 2 ≤ threshold ≤ shares ≤ 16 (got %d of %d)", k, n)
	}
	seed, err := bech32Data(rk.String(), "AGE-SECRET-KEY-PQ-")
	if err != nil || len(seed) != seedSize {
		return nil, fmt.Errorf("shares: the recovery key's seed: %v", err)
	}
	coeffs := make([]byte, seedSize*(k-1))
	if _, err := rand.Read(coeffs); err != nil {
		return nil, fmt.Errorf("reading randomness: %w", err)
	}
	ys := shamirSplit(seed, n, k, coeffs)
	clear(coeffs)
	clear(seed)
	out := make([]Share, n)
	for i := range out {
		out[i] = Share{KeyID: rk.ID(), Threshold: k, X: i + 1, data: ys[i]}
	}
	return out, nil
}

// CombineShares rebuilds a recovery key from at least Threshold shares of
// one split; more are fine (the first Threshold distinct ones are used, and
// the rebuilt key must have the shares' key id, so a wrong share among
// them is caught).
func CombineShares(shares []Share) (*RecoveryKey, error) {
	if len(shares) == 0 {
		return nil, fmt.Errorf("%w: no share given", ErrShares)
	}
	first := shares[0]
	seen := map[int]bool{}
	var xs []byte
	var ys [][]byte
	for _, s := range shares {
		if s.KeyID != first.KeyID || s.Threshold != first.Threshold {
			return nil, fmt.Errorf("%w: they are shares of different keys or splits (key ids %s and %s)", ErrShares, first.KeyID, s.KeyID)
		}
		if seen[s.X] {
			continue
		}
		seen[s.X] = true
		xs = append(xs, byte(s.X))
		ys = append(ys, s.data)
	}
	if len(xs) < first.Threshold {
		return nil, fmt.Errorf("%w: %d different share(s) given, %d needed", ErrShares, len(xs), first.Threshold)
	}
	xs, ys = xs[:first.Threshold], ys[:first.Threshold]
	seed := shamirCombine(xs, ys)
	defer clear(seed)
	rk, err := ParseRecoveryKey(bech32Encode("AGE-SECRET-KEY-PQ-", seed))
	if err != nil || rk.ID() != first.KeyID {
		return nil, fmt.Errorf("%w: the key they make is not key %s (a share is wrong)", ErrShares, first.KeyID)
	}
	return rk, nil
}

// ShareText is a share file's text: comments saying what it is, then the
// share, grouped.
func ShareText(s Share, n int, org string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Dossier recovery key share %d of %d, for the vault of %s.\n", s.X, n, oneLine(org))
	fmt.Fprintf(&b, "# Any %d of the %d shares rebuild the recovery key %s; fewer tell nothing.\n", s.Threshold, n, s.KeyID)
	b.WriteString("# Keep it on paper, away from the laptop and from the other shares.\n#\n")
	b.WriteString(s.String() + "\n")
	return b.String()
}
