package luavm

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// strFormat is Lua 5.1.5's string.format (lstrlib.c str_format), with C
// printf semantics for each conversion.
//
// gopher-lua hands the format to Go's fmt: %q uses Go escapes (\t, \x1b,
// \u00a0) that Lua 5.1 reads back wrongly, %g and %e lack C's default
// precision, infinities print as +Inf, and bad options print "%!y(...)"
// instead of failing.
//
// Lua 5.1 quirks kept on purpose: each converted item is cut at its first
// NUL (sprintf then strlen), so %s stops at a NUL and %c of 0 is empty;
// %s of a string of 100 bytes or more without a precision is copied whole,
// ignoring the width; %q ignores flags and width; %d truncates a float like
// a C (long) cast on x86-64; %s and %q accept only strings and numbers.
func strFormat(L *lua.LState) int {
	format := checkString(L, 1)
	top := L.GetTop()
	arg := 1
	var b strings.Builder
	for i := 0; i < len(format); {
		c := format[i]
		i++
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i < len(format) && format[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		arg++
		if arg > top {
			argError(L, arg, "no value")
		}
		spec, n, errmsg := scanFormat(format[i:])
		if errmsg != "" {
			raiseError(L, "%s", errmsg)
		}
		i += n
		var verb byte // a NUL when the format ends after the flags
		if i < len(format) {
			verb = format[i]
			i++
		}
		spec.verb = verb
		switch verb {
		case 'c':
			// luaL_addlstring(&b, buff, strlen(buff)): up to a NUL.
			b.WriteString(cString(spec.pad(string([]byte{byte(cInt(checkNumber(L, arg)))}), false)))
		case 'd', 'i':
			b.WriteString(formatInt(cLong(checkNumber(L, arg)), spec))
		case 'o', 'u', 'x', 'X':
			b.WriteString(formatUnsigned(cUnsignedLong(checkNumber(L, arg)), spec))
		case 'e', 'E', 'f', 'g', 'G':
			b.WriteString(formatFloat(checkNumber(L, arg), spec))
		case 'q':
			b.WriteString(quoteString(checkString(L, arg)))
		case 's':
			s := checkString(L, arg)
			if spec.prec < 0 && len(s) >= 100 {
				b.WriteString(s) // whole, NULs and all
				continue
			}
			s = cString(s)
			if spec.prec >= 0 && len(s) > spec.prec {
				s = s[:spec.prec]
			}
			b.WriteString(spec.pad(s, false))
		default:
			// luaL_error's %c of a NUL adds nothing.
			opt := "%"
			if verb != 0 {
				opt += string([]byte{verb})
			}
			raiseError(L, "invalid option '%s' to 'format'", opt)
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// A fmtSpec is one parsed conversion: %[flags][width][.precision]verb.
type fmtSpec struct {
	minus, plus, space, hash, zero bool
	width                          int
	prec                           int // -1 when absent
	verb                           byte
}

// scanFormat is lstrlib.c's scanformat on the text after a '%': at most
// five flag characters, at most two digits of width and of precision. It
// returns the spec, the bytes read (up to the verb) and Lua 5.1's error.
func scanFormat(s string) (spec fmtSpec, n int, errmsg string) {
	spec.prec = -1
	for n < len(s) && strings.IndexByte("-+ #0", s[n]) >= 0 {
		switch s[n] {
		case '-':
			spec.minus = true
		case '+':
			spec.plus = true
		case ' ':
			spec.space = true
		case '#':
			spec.hash = true
		case '0':
			spec.zero = true
		}
		n++
	}
	if n >= len("-+ #0")+1 {
		return spec, n, "invalid format (repeated flags)"
	}
	digits := func() int {
		v := 0
		for k := 0; k < 2 && n < len(s) && isDigit(s[n]); k++ {
			v = v*10 + int(s[n]-'0')
			n++
		}
		return v
	}
	spec.width = digits()
	if n < len(s) && s[n] == '.' {
		n++
		spec.prec = digits()
	}
	if n < len(s) && isDigit(s[n]) {
		return spec, n, "invalid format (width or precision too long)"
	}
	return spec, n, ""
}

// pad applies the width: spaces on the left, or on the right with '-', or
// zeros after the sign when zeros is allowed and '0' was given.
func (s fmtSpec) pad(body string, zeros bool) string {
	return s.padSigned("", body, zeros)
}

func (s fmtSpec) padSigned(sign, body string, zeros bool) string {
	fill := s.width - len(sign) - len(body)
	switch {
	case fill <= 0:
		return sign + body
	case s.minus:
		return sign + body + strings.Repeat(" ", fill)
	case s.zero && zeros:
		return sign + strings.Repeat("0", fill) + body
	default:
		return strings.Repeat(" ", fill) + sign + body
	}
}

// formatInt is C's %d / %i of a long.
func formatInt(v int64, spec fmtSpec) string {
	u := uint64(v)
	sign := ""
	switch {
	case v < 0:
		u, sign = -u, "-"
	case spec.plus:
		sign = "+"
	case spec.space:
		sign = " "
	}
	digits := precDigits(strconv.FormatUint(u, 10), u, spec.prec)
	return spec.padSigned(sign, digits, spec.prec < 0)
}

// formatUnsigned is C's %o %u %x %X of an unsigned long.
func formatUnsigned(u uint64, spec fmtSpec) string {
	var digits, prefix string
	switch spec.verb {
	case 'o':
		digits = precDigits(strconv.FormatUint(u, 8), u, spec.prec)
		if spec.hash && !strings.HasPrefix(digits, "0") {
			digits = "0" + digits
		}
	case 'u':
		digits = precDigits(strconv.FormatUint(u, 10), u, spec.prec)
	case 'x', 'X':
		digits = precDigits(strconv.FormatUint(u, 16), u, spec.prec)
		if spec.hash && u != 0 {
			prefix = "0x"
		}
		if spec.verb == 'X' {
			digits, prefix = strings.ToUpper(digits), strings.ToUpper(prefix)
		}
	}
	return spec.padSigned(prefix, digits, spec.prec < 0)
}

// precDigits applies an integer precision: the minimum number of digits,
// where precision 0 prints no digit for 0.
func precDigits(digits string, u uint64, prec int) string {
	if prec < 0 {
		return digits
	}
	if prec == 0 && u == 0 {
		return ""
	}
	if len(digits) < prec {
		return strings.Repeat("0", prec-len(digits)) + digits
	}
	return digits
}

// formatFloat is C's %e %E %f %g %G (glibc): default precision 6, %g's
// choice of style and removal of trailing zeros, '#' keeping the point and
// the zeros, and "inf"/"nan" (with their sign) never zero-padded.
func formatFloat(f float64, spec fmtSpec) string {
	prec := spec.prec
	if prec < 0 {
		prec = 6
	}
	upper := spec.verb == 'E' || spec.verb == 'G'
	sign := ""
	switch {
	case math.Signbit(f):
		sign = "-"
	case spec.plus:
		sign = "+"
	case spec.space:
		sign = " "
	}
	var body string
	finite := !math.IsNaN(f) && !math.IsInf(f, 0)
	switch {
	case math.IsNaN(f):
		body = "nan"
	case math.IsInf(f, 0):
		body = "inf"
	default:
		a := math.Abs(f)
		switch spec.verb {
		case 'e', 'E':
			body = strconv.FormatFloat(a, 'e', prec, 64)
			if spec.hash && prec == 0 {
				body = strings.Replace(body, "e", ".e", 1)
			}
		case 'f':
			body = strconv.FormatFloat(a, 'f', prec, 64)
			if spec.hash && prec == 0 {
				body += "."
			}
		case 'g', 'G':
			body = formatG(a, prec, spec.hash)
		}
	}
	if upper {
		body = strings.ToUpper(body)
	}
	return spec.padSigned(sign, body, finite)
}

// formatG is C's %g of a non-negative finite number: P significant digits
// (0 means 1); style e when the exponent X is < -4 or >= P, else style f
// with P-1-X decimals; trailing zeros removed unless '#'.
func formatG(a float64, p int, hash bool) string {
	if p == 0 {
		p = 1
	}
	e := strconv.FormatFloat(a, 'e', p-1, 64)
	x, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	var s, exp string
	if x < -4 || x >= p {
		i := strings.IndexByte(e, 'e')
		s, exp = e[:i], e[i:]
	} else {
		s = strconv.FormatFloat(a, 'f', p-1-x, 64)
	}
	if hash {
		if !strings.Contains(s, ".") {
			s += "."
		}
	} else if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s + exp
}

// quoteString is Lua 5.1.5's %q (addquoted): `"`, `\` and newline get a
// backslash, '\r' is written "\r", NUL "\000", every other byte is copied
// raw, so that Lua 5.1 reads the result back as the same string.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\000`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// cLong is C's (long) cast of a double as x86-64 does it (cvttsd2si):
// truncation, and 0x8000000000000000 for NaN and out-of-range values.
// Go leaves the out-of-range conversion implementation-defined.
func cLong(f float64) int64 {
	if math.IsNaN(f) || f >= 1<<63 || f < -(1<<63) {
		return math.MinInt64
	}
	return int64(f)
}

// cUnsignedLong is C's (unsigned long) cast of a double as GCC compiles it
// on x86-64: below 2^63 (and NaN) through cLong, else cLong(f-2^63) with
// the top bit flipped. So -1 gives 2^64-1 and 2^64 gives 0.
func cUnsignedLong(f float64) uint64 {
	if math.IsNaN(f) || f < 1<<63 {
		return uint64(cLong(f))
	}
	return uint64(cLong(f-(1<<63))) ^ (1 << 63)
}

// cInt is C's (int) cast of a double on x86-64 (32-bit cvttsd2si).
func cInt(f float64) int32 {
	if math.IsNaN(f) || f >= 1<<31 || f < -(1<<31) {
		return math.MinInt32
	}
	return int32(f)
}
