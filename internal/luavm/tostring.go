package luavm

import (
	"io"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// FormatNumber formats f as Lua 5.1 converts a number to a string
// (LUAI_NUMFFORMAT "%.14g" with C printf semantics): 1e15 is "1e+15", 3 is
// "3", -0 is "-0", infinities are "inf" and "-inf", and NaN is "nan" or
// "-nan" by its sign bit, as glibc prints it (0/0 computed on x86 is -nan).
//
// gopher-lua formats numbers with Go's rules instead: "1000000000000000",
// "+Inf", "NaN", "0". Both tostring and string.format use FormatNumber, as
// Fennel compares one with the other to print infinities.
func FormatNumber(f float64) string {
	return formatFloat(f, fmtSpec{verb: 'g', prec: 14})
}

// baseToString is Lua 5.1's tostring: a __tostring metamethod if there is
// one, numbers through FormatNumber, the rest as gopher-lua names them.
func baseToString(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "value expected")
	}
	L.Push(toStringMeta(L, L.Get(1)))
	return 1
}

func toStringMeta(L *lua.LState, v lua.LValue) lua.LValue {
	if n, ok := v.(lua.LNumber); ok && L.GetMetaField(v, "__tostring") == lua.LNil {
		return lua.LString(FormatNumber(float64(n)))
	}
	return L.ToStringMeta(v)
}

// newPrint makes Lua 5.1's print writing to w: each argument goes through
// the global tostring, as in lbaselib.c, so numbers print as "%.14g", and
// is written with fputs, so a string ends at its first NUL. gopher-lua's
// print formats numbers with Go's rules, ignores a redefined tostring and
// writes NULs.
func newPrint(w io.Writer) lua.LGFunction {
	return func(L *lua.LState) int {
		tostring := L.GetGlobal("tostring")
		var b strings.Builder
		for i := 1; i <= L.GetTop(); i++ {
			L.Push(tostring)
			L.Push(L.Get(i))
			L.Call(1, 1)
			s, ok := toLString(L.Get(-1))
			L.Pop(1)
			if !ok {
				raiseError(L, "'tostring' must return a string to 'print'")
			}
			if i > 1 {
				b.WriteByte('\t')
			}
			b.WriteString(cString(s)) // fputs: up to a NUL
		}
		b.WriteByte('\n')
		io.WriteString(w, b.String())
		return 0
	}
}
