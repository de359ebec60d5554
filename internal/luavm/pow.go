package luavm

import (
	"math"
	"math/big"
	"sync"
)

// cPow is C's pow, the luai_numpow of Lua 5.1: the special cases of C99
// Annex F as glibc returns them, and otherwise the correctly rounded
// result. glibc's pow (since 2.28) is within 0.54 ULP, so it agrees but
// for results within a few hundredths of a unit of a halfway point, and
// exact halfway cases, which it rounds either way: 10^23 is
// 1.0000000000000001e+23 under glibc 2.36, 9.9999999999999992e+22 here.
// Go's math.Pow is often a unit off: it gives 1.0000000000000001e-24 for
// 10^-24 and 7^-19 ends in ...933e-17, not ...946e-17.
//
// constfold.go uses it for the powers Lua 5.1 folds or computes from
// constants. A ^ computed at run time from variables still runs in
// gopher-lua's VM, with math.Pow.
func cPow(x, y float64) float64 {
	// The special cases in glibc's order, which decides the sign of the
	// NaNs: y is ±0, ±inf or NaN; then x is ±0, ±inf or NaN.
	if y == 0 || math.IsInf(y, 0) || math.IsNaN(y) {
		switch ax := math.Abs(x); {
		case y == 0, x == 1:
			return 1
		case math.IsNaN(x) || math.IsNaN(y):
			return x + y
		case ax == 1:
			return 1
		case (ax < 1) == (y > 0):
			return 0
		}
		return y * y // +inf
	}
	odd := isOddInteger(y)
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		x2 := x * x
		if math.Signbit(x) && odd {
			x2 = -x2
		}
		if y < 0 {
			return 1 / x2
		}
		return x2
	}
	if x < 0 {
		if y != math.Trunc(y) {
			z := x - x
			return z / z // glibc's __math_invalid: the default NaN
		}
		r := powPositive(-x, y, true)
		if odd {
			return -r
		}
		return r
	}
	return powPositive(x, y, y == math.Trunc(y))
}

// isOddInteger reports whether the finite y is an odd integer.
func isOddInteger(y float64) bool {
	return y == math.Trunc(y) && math.Abs(y) < 1<<53 && math.Mod(y, 2) != 0
}

// powPrec is the precision of the intermediate results, in bits: far more
// than the 53 of the result, so that rounding them once is correct.
const powPrec = 320

// powPositive is x^y for finite x > 0, x != 1, and finite y != 0.
func powPositive(x, y float64, yInt bool) float64 {
	// Results far outside the float64 range over- or underflow; the
	// others are computed exactly enough in big.Float's wide range.
	switch est := y * math.Log2(x); {
	case est > 1100:
		return math.Inf(1)
	case est < -1200:
		return 0
	}
	var r *big.Float
	if yInt {
		r = bigPowInt(newBig(x), math.Abs(y))
		if y < 0 {
			r = new(big.Float).SetPrec(powPrec).Quo(newBig(1), r)
		}
	} else {
		t := bigLog(newBig(x))
		t.Mul(t, newBig(y))
		r = bigExp(t)
	}
	v, _ := r.Float64()
	return v
}

func newBig(v float64) *big.Float {
	return new(big.Float).SetPrec(powPrec).SetFloat64(v)
}

// bigPowInt is x^n for a whole n >= 1, by repeated squaring.
func bigPowInt(x *big.Float, n float64) *big.Float {
	r := newBig(1)
	sq := new(big.Float).SetPrec(powPrec).Set(x)
	for n >= 1 {
		if math.Mod(n, 2) == 1 {
			r.Mul(r, sq)
		}
		n = math.Floor(n / 2)
		if n >= 1 {
			sq.Mul(sq, sq)
		}
	}
	return r
}

var ln2 = sync.OnceValue(func() *big.Float {
	third := new(big.Float).SetPrec(powPrec).Quo(newBig(1), newBig(3))
	return bigAtanhTimes2(third) // ln 2 = 2 atanh(1/3)
})

// bigLog is ln x for x > 0: x = m 2^e with m in [1/sqrt2, sqrt2), and
// ln m = 2 atanh((m-1)/(m+1)).
func bigLog(x *big.Float) *big.Float {
	m := new(big.Float).SetPrec(powPrec)
	e := x.MantExp(m) // m in [0.5, 1)
	if m.Cmp(newBig(math.Sqrt2/2)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	num := new(big.Float).SetPrec(powPrec).Sub(m, newBig(1))
	den := new(big.Float).SetPrec(powPrec).Add(m, newBig(1))
	r := bigAtanhTimes2(num.Quo(num, den))
	le := new(big.Float).SetPrec(powPrec).SetInt64(int64(e))
	return r.Add(r, le.Mul(le, ln2()))
}

// bigAtanhTimes2 is 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...) for |z| <= 1/3.
func bigAtanhTimes2(z *big.Float) *big.Float {
	sum := new(big.Float).SetPrec(powPrec).Set(z)
	z2 := new(big.Float).SetPrec(powPrec).Mul(z, z)
	pow := new(big.Float).SetPrec(powPrec).Set(z)
	term := new(big.Float).SetPrec(powPrec)
	for k := int64(3); ; k += 2 {
		pow.Mul(pow, z2)
		term.Quo(pow, new(big.Float).SetPrec(powPrec).SetInt64(k))
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -powPrec-8 {
			break
		}
		sum.Add(sum, term)
	}
	return sum.Mul(sum, newBig(2))
}

// bigExp is e^t for |t| < 2000: t = k ln2 + r, e^r by its Taylor series on
// r/2^10, squared back ten times.
func bigExp(t *big.Float) *big.Float {
	q := new(big.Float).SetPrec(powPrec).Quo(t, ln2())
	kf, _ := q.Float64()
	k := math.Round(kf)
	r := new(big.Float).SetPrec(powPrec).Mul(newBig(k), ln2())
	r.Sub(t, r)
	const halvings = 10
	r.SetMantExp(r, -halvings)
	sum := newBig(1)
	term := newBig(1)
	for n := int64(1); ; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(powPrec).SetInt64(n))
		if term.Sign() == 0 || term.MantExp(nil) < -powPrec-8 {
			break
		}
		sum.Add(sum, term)
	}
	for range halvings {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}
