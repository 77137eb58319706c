package crypto

import (
	"errors"
	"strings"
)

// A minimal BIP-173 bech32, for the recovery key's text form (age's
// AGE-SECRET-KEY-PQ-1…), which shares split by its data.

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		b := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (b>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

func bech32HRPExpand(hrp string) []byte {
	var out []byte
	for _, c := range hrp {
		out = append(out, byte(c)>>5)
	}
	out = append(out, 0)
	for _, c := range hrp {
		out = append(out, byte(c)&31)
	}
	return out
}

func convertBits(data []byte, from, to uint, pad bool) ([]byte, error) {
	var acc uint32
	var bits uint
	var out []byte
	maxv := uint32(1)<<to - 1
	for _, v := range data {
		acc = acc<<from | uint32(v)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from || acc<<(to-bits)&maxv != 0 {
		return nil, errors.New("bech32: bad padding")
	}
	return out, nil
}

// bech32Data returns the bytes of s, a bech32 string with the given
// human-readable part (its letter case is ignored), after checking its
// checksum.
func bech32Data(s, hrp string) ([]byte, error) {
	s = strings.ToLower(s)
	hrp = strings.ToLower(hrp)
	if !strings.HasPrefix(s, hrp+"1") || len(s) < len(hrp)+7 {
		return nil, errors.New("bech32: wrong prefix")
	}
	var vals []byte
	for _, c := range s[len(hrp)+1:] {
		i := strings.IndexRune(bech32Charset, c)
		if i < 0 {
			return nil, errors.New("bech32: bad character")
		}
		vals = append(vals, byte(i))
	}
	if bech32Polymod(append(bech32HRPExpand(hrp), vals...)) != 1 {
		return nil, errors.New("bech32: bad checksum")
	}
	return convertBits(vals[:len(vals)-6], 5, 8, false)
}

// bech32Encode writes data as bech32 with the human-readable part hrp, in
// capitals when hrp is in capitals (as age writes secret keys).
func bech32Encode(hrp string, data []byte) string {
	lower := strings.ToLower(hrp)
	vals, _ := convertBits(data, 8, 5, true)
	pm := bech32Polymod(append(append(bech32HRPExpand(lower), vals...), 0, 0, 0, 0, 0, 0)) ^ 1
	var b strings.Builder
	b.WriteString(lower + "1")
	for _, v := range vals {
		b.WriteByte(bech32Charset[v])
	}
	for i := 0; i < 6; i++ {
		b.WriteByte(bech32Charset[(pm>>(5*(5-i)))&31])
	}
	if hrp == strings.ToUpper(hrp) {
		return strings.ToUpper(b.String())
	}
	return b.String()
}
