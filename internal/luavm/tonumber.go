package luavm

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// baseToNumber is Lua 5.1's tonumber (lbaselib.c luaB_tonumber).
//
// gopher-lua parses as an integer unless the text has a '.', so "1e2",
// "1e15", "-0x10", "inf" and integers beyond int64 give nil, and it accepts
// Go-only syntax. Lua 5.1 on glibc converts with strtod (luaO_str2d): hex
// integers and hex floats, "inf"/"nan", C whitespace around the number, and
// the text ends at a NUL. With a base other than 10 it uses strtoul.
func baseToNumber(L *lua.LState) int {
	base := int(optInt(L, 2, 10)) // luaL_optint: a C int, as Lua 5.1 reads it
	if base == 10 {
		v := L.Get(1)
		if L.GetTop() < 1 {
			argError(L, 1, "value expected")
		}
		if n, ok := toNumber(v); ok {
			L.Push(lua.LNumber(n))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	s := checkString(L, 1)
	if base < 2 || base > 36 {
		argError(L, 2, "base out of range")
	}
	if n, ok := strtoul(s, base); ok {
		L.Push(lua.LNumber(float64(n)))
		return 1
	}
	L.Push(lua.LNil)
	return 1
}

// toNumber is Lua 5.1's lua_tonumber: numbers as they are, strings through
// luaO_str2d, anything else fails.
func toNumber(v lua.LValue) (float64, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		return float64(v), true
	case lua.LString:
		return str2d(string(v))
	}
	return 0, false
}

// isCSpace is C's isspace in the "C" locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// cString is s up to its first NUL, as C code sees a Lua string.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// str2d is Lua 5.1's luaO_str2d on glibc: strtod, then strtoul base 16 if
// strtod stopped at an 'x', then only whitespace may follow.
func str2d(s string) (float64, bool) {
	s = cString(s)
	v, end := strtod(s)
	if end == 0 {
		return 0, false
	}
	if end < len(s) && (s[end] == 'x' || s[end] == 'X') {
		n, e := strtoulPrefix(s, 16)
		v, end = float64(n), e
	}
	for end < len(s) && isCSpace(s[end]) {
		end++
	}
	return v, end == len(s)
}

// strtod is glibc's strtod in the "C" locale: it returns the value of the
// longest prefix of s that is a number and that prefix's length (0 when
// there is none). It accepts leading whitespace, a sign, decimal numbers
// with an optional exponent, hex numbers "0x1.8p3" with an optional binary
// exponent, "inf", "infinity" and "nan", "nan(chars)", in any case.
func strtod(s string) (float64, int) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	signed := func(v float64) float64 {
		if neg {
			return -v
		}
		return v
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return signed(math.Inf(1)), i + len("infinity")
	case hasPrefixFold(rest, "inf"):
		return signed(math.Inf(1)), i + len("inf")
	case hasPrefixFold(rest, "nan"):
		n := i + len("nan")
		if n < len(s) && s[n] == '(' {
			j := n + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		// glibc's NAN has the sign bit clear; "-nan" sets it.
		return signed(math.Float64frombits(0x7ff8000000000000)), n
	}
	if len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		if v, n := hexFloat(rest[2:]); n > 0 {
			return signed(v), i + 2 + n
		}
		return signed(0), i + 1 // just the "0"
	}
	n := decimalPrefix(rest)
	if n == 0 {
		return 0, 0
	}
	v, err := strconv.ParseFloat(rest[:n], 64)
	if err != nil && !isRangeError(err) {
		return 0, 0
	}
	return signed(v), i + n
}

// decimalPrefix is the length of the longest prefix of s of the form
// digits [. digits] [(e|E) [sign] digits], with at least one digit before
// the exponent.
func decimalPrefix(s string) int {
	i, digits := mantissa(s, isDigit)
	if digits == 0 {
		return 0
	}
	return i + exponent(s[i:], 'e', 'E')
}

// mantissa reads digits [. digits] at the start of s, digits being what
// isDigit accepts, and returns the length read and how many digits it held.
func mantissa(s string, isDigit func(byte) bool) (n, digits int) {
	for n < len(s) && isDigit(s[n]) {
		n, digits = n+1, digits+1
	}
	if n < len(s) && s[n] == '.' {
		n++
		for n < len(s) && isDigit(s[n]) {
			n, digits = n+1, digits+1
		}
	}
	return n, digits
}

// exponent is the length of an exponent at the start of s: the marker
// (either case), an optional sign and at least one decimal digit; 0 when
// there is none, as C's strtod then stops before the marker.
func exponent(s string, lower, upper byte) int {
	if len(s) == 0 || (s[0] != lower && s[0] != upper) {
		return 0
	}
	j := 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j == len(s) || !isDigit(s[j]) {
		return 0
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return j
}

// hexFloat reads hex digits [. hex digits] [(p|P) [sign] digits] after a
// "0x" prefix; n is 0 when there is no hex digit.
func hexFloat(s string) (v float64, n int) {
	i, digits := mantissa(s, isHexDigit)
	if digits == 0 {
		return 0, 0
	}
	mant := s[:i]
	exp := "p0"
	if e := exponent(s[i:], 'p', 'P'); e > 0 {
		exp, i = "p"+s[i+1:i+e], i+e
	}
	// Go's ParseFloat reads hex floats exactly when they carry an exponent.
	v, err := strconv.ParseFloat("0x"+mant+exp, 64)
	if err != nil && !isRangeError(err) {
		return 0, 0
	}
	return v, i
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// strtoul is tonumber's conversion with a base: C's strtoul, then only
// whitespace may follow.
func strtoul(s string, base int) (uint64, bool) {
	s = cString(s)
	n, end := strtoulPrefix(s, base)
	if end == 0 {
		return 0, false
	}
	for end < len(s) && isCSpace(s[end]) {
		end++
	}
	return n, end == len(s)
}

// strtoulPrefix is glibc's strtoul: leading whitespace, a sign (a minus
// negates the result modulo 2^64), "0x" when base is 16, then digits of the
// base. It saturates at 2^64-1 on overflow. end is 0 when no digit was read.
func strtoulPrefix(s string, base int) (n uint64, end int) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && isHexDigit(s[i+2]) {
		i += 2
	}
	start, overflow := i, false
	for i < len(s) {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if n > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
		}
		n = n*uint64(base) + uint64(d)
		i++
	}
	if i == start {
		return 0, 0
	}
	if overflow {
		return math.MaxUint64, i
	}
	if neg {
		n = -n
	}
	return n, i
}

// digitValue is the value of c as a digit of bases up to 36, or 99.
func digitValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool { return digitValue(c) < 16 }
func isAlnum(c byte) bool    { return digitValue(c) < 36 }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
