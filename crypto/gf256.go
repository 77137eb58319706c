package crypto

// Arithmetic in GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1 (0x11b),
// by log and exp tables over the generator 3 (FIPS-197 section 4.2): the
// field of Shamir's secret sharing here. The tables are built once; all
// operations are on public share coordinates or done for every byte the
// same way, so timing depends only on the lengths.

var gfExp, gfLog [256]byte

func init() {
	x := byte(1)
	for i := 0; i < 255; i++ {
		gfExp[i] = x
		gfLog[x] = byte(i)
		x = gfMulSlow(x, 3)
	}
	gfExp[255] = gfExp[0]
}

// gfMulSlow multiplies by shifts and reductions ("xtime"), as FIPS-197
// defines it; it builds the tables and checks them in tests.
func gfMulSlow(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1b
		}
		b >>= 1
	}
	return p
}

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[(int(gfLog[a])+int(gfLog[b]))%255]
}

// gfDiv divides a by b; b is never 0 here (distinct share coordinates).
func gfDiv(a, b byte) byte {
	if a == 0 {
		return 0
	}
	return gfExp[(int(gfLog[a])+255-int(gfLog[b]))%255]
}

// shamirSplit cuts secret into n shares, any k of which rebuild it: for
// each byte a random polynomial of degree k-1 whose constant term is the
// byte, evaluated at x = 1…n. coeffs supplies the k-1 random coefficients
// of each byte, len(secret)*(k-1) bytes.
func shamirSplit(secret []byte, n, k int, coeffs []byte) [][]byte {
	shares := make([][]byte, n)
	for i := range shares {
		shares[i] = make([]byte, len(secret))
	}
	for j, s := range secret {
		c := coeffs[j*(k-1) : (j+1)*(k-1)]
		for i := 0; i < n; i++ {
			x := byte(i + 1)
			// Horner: ((c[k-2] x + c[k-3]) x + … + c[0]) x + s.
			var y byte
			for d := k - 2; d >= 0; d-- {
				y = gfMul(y, x) ^ c[d]
			}
			shares[i][j] = gfMul(y, x) ^ s
		}
	}
	return shares
}

// shamirCombine rebuilds the secret from shares at distinct non-zero
// coordinates xs, by Lagrange interpolation at 0.
func shamirCombine(xs []byte, ys [][]byte) []byte {
	out := make([]byte, len(ys[0]))
	for i, xi := range xs {
		// The Lagrange basis polynomial of xi, at 0: the product of
		// xj / (xj - xi) over the other j (minus is plus here).
		l := byte(1)
		for j, xj := range xs {
			if j != i {
				l = gfMul(l, gfDiv(xj, xj^xi))
			}
		}
		for b := range out {
			out[b] ^= gfMul(l, ys[i][b])
		}
	}
	return out
}
