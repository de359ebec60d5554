package luavm

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The string functions of Lua 5.1's lstrlib.c that gopher-lua implements
// differently (the pattern functions are in pattern.go, format in
// format.go):
//
//   - string.upper and string.lower use Go's Unicode case mapping:
//     string.upper("é") is "É", string.upper("\255") is U+FFFD's bytes.
//     Lua 5.1 in the C locale maps the ASCII letters, byte by byte.
//   - every function takes a number where it wants a string, and
//     gopher-lua formats it with Go's rules: string.rep(1e15, 2) is
//     "10000000000000001000000000000000", not "1e+151e+15".
//   - string.char accepts any value and keeps its low byte; Lua 5.1 fails
//     with "invalid value" outside 0..255. string.byte's bounds and
//     defaults differ at the edges (string.byte("abc", 0) is 97 in
//     gopher-lua, nothing in Lua 5.1).
//
// So each is Lua 5.1's, one function per builtin.

// strLen is str_len.
func strLen(L *lua.LState) int {
	L.Push(lua.LNumber(len(checkString(L, 1))))
	return 1
}

// posrelat is lstrlib.c's posrelat: a negative position counts from the
// end of a string of length n.
func posrelat(pos int64, n int) int64 {
	if pos < 0 {
		pos += int64(n) + 1
	}
	if pos >= 0 {
		return pos
	}
	return 0
}

// strSub is str_sub.
func strSub(L *lua.LState) int {
	s := checkString(L, 1)
	start := posrelat(checkInteger(L, 2), len(s))
	end := posrelat(optInteger(L, 3, -1), len(s))
	if start < 1 {
		start = 1
	}
	if end > int64(len(s)) {
		end = int64(len(s))
	}
	if start <= end {
		L.Push(lua.LString(s[start-1 : end]))
	} else {
		L.Push(lua.LString(""))
	}
	return 1
}

// strReverse is str_reverse.
func strReverse(L *lua.LState) int {
	s := checkString(L, 1)
	b := make([]byte, len(s))
	for i := range len(s) {
		b[len(s)-1-i] = s[i]
	}
	L.Push(lua.LString(b))
	return 1
}

// strLower is str_lower: C's tolower in the "C" locale, byte by byte.
func strLower(L *lua.LState) int {
	s := []byte(checkString(L, 1))
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			s[i] = c + ('a' - 'A')
		}
	}
	L.Push(lua.LString(s))
	return 1
}

// strUpper is str_upper: C's toupper in the "C" locale, byte by byte.
func strUpper(L *lua.LState) int {
	s := []byte(checkString(L, 1))
	for i, c := range s {
		if 'a' <= c && c <= 'z' {
			s[i] = c - ('a' - 'A')
		}
	}
	L.Push(lua.LString(s))
	return 1
}

// maxStringSize bounds what string.rep makes. Lua 5.1 tries any size and
// fails with "not enough memory" when malloc does; quire fails before
// asking Go for more than this.
const maxStringSize = 1 << 30

// strRep is str_rep (Lua 5.1's has no separator argument).
func strRep(L *lua.LState) int {
	s := checkString(L, 1)
	n := checkInt(L, 2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if int64(len(s))*int64(n) > maxStringSize {
		L.Error(lua.LString("not enough memory"), 0)
	}
	L.Push(lua.LString(strings.Repeat(s, int(n))))
	return 1
}

// luaMaxCStack is Lua 5.1's LUAI_MAXCSTACK, the most values a C function
// may push (luaL_checkstack).
const luaMaxCStack = 8000

// strByte is str_byte.
func strByte(L *lua.LState) int {
	s := checkString(L, 1)
	posi := posrelat(optInteger(L, 2, 1), len(s))
	pose := posrelat(optInteger(L, 3, posi), len(s))
	if posi <= 0 {
		posi = 1
	}
	if pose > int64(len(s)) {
		pose = int64(len(s))
	}
	if posi > pose {
		return 0
	}
	n := int(pose - posi + 1)
	if L.GetTop()+n > luaMaxCStack {
		raiseError(L, "stack overflow (string slice too long)")
	}
	for i := range n {
		L.Push(lua.LNumber(s[posi-1+int64(i)]))
	}
	return n
}

// strChar is str_char.
func strChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := checkInt(L, i)
		if c < 0 || c > 255 {
			argError(L, i, "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}

// tableConcat is Lua 5.1's table.concat (ltablib.c tconcat): numbers in
// the table are formatted with "%.14g" (gopher-lua gives
// "1000000000000000" for 1e15), the range is i..j as given (gopher-lua
// clamps it to the table), and a value that is not a string or number,
// or missing, is an error naming its index.
func tableConcat(L *lua.LState) int {
	sep := optString(L, 2, "")
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		typeError(L, 1, "table")
	}
	i := int64(optInt(L, 3, 1))
	var last int64
	if L.Get(4) == lua.LNil {
		last = int64(t.Len()) // luaL_getn: the raw length, no __len
	} else {
		last = int64(checkInt(L, 4))
	}
	var b strings.Builder
	add := func(i int64) {
		v := t.RawGetInt(int(i))
		s, ok := toLString(v)
		if !ok {
			raiseError(L, "invalid value (%s) at index %d in table for 'concat'", v.Type().String(), i)
		}
		b.WriteString(s)
	}
	for ; i < last; i++ {
		add(i)
		b.WriteString(sep)
	}
	if i == last {
		add(i)
	}
	L.Push(lua.LString(b.String()))
	return 1
}
