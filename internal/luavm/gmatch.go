package luavm

import (
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

// strGmatch is Lua 5.1's string.gmatch: it returns a closure over the
// string, the pattern and the position, so the iterator works when called
// directly, with no arguments.
//
// gopher-lua's iterator reads its state from its first argument, so
// calling it as `local next = s:gmatch(p); next()` fails; Fennel's friendly
// errors do exactly that and lose their source excerpt. It also matches
// everything up front, raising pattern errors at the gmatch call instead of
// at the first iteration.
//
// As in Lua 5.1, a '^' at the start of the pattern is not an anchor here
// (gmatch_aux never skips it), an empty match advances one byte, and a
// match may start at the end of the string.
func strGmatch(L *lua.LState) int {
	s := checkString(L, 1)
	pattern := checkString(L, 2)
	if len(pattern) > 0 && pattern[0] == '^' {
		pattern = "%" + pattern // pm would take it as an anchor
	}
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if pos > len(s) {
			return 0
		}
		matches, err := pm.Find(pattern, []byte(s), pos, 1)
		if err != nil {
			raiseError(L, "%s", err.Error())
		}
		if len(matches) == 0 {
			pos = len(s) + 1
			return 0
		}
		m := matches[0]
		start, end := m.Capture(0), m.Capture(1)
		pos = end
		if end == start {
			pos++ // empty match: go on at the next byte
		}
		if m.CaptureLength() == 2 {
			L.Push(lua.LString(s[start:end]))
			return 1
		}
		for i := 2; i < m.CaptureLength(); i += 2 {
			if m.IsPosCapture(i) {
				L.Push(lua.LNumber(m.Capture(i)))
			} else {
				L.Push(lua.LString(s[m.Capture(i):m.Capture(i+1)]))
			}
		}
		return m.CaptureLength()/2 - 1
	}))
	return 1
}
