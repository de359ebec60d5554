package luavm

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// This file is Lua 5.1's pattern matching (lstrlib.c) and the functions
// built on it: string.find, string.match, string.gmatch and string.gsub.
//
// gopher-lua compiles patterns with its own pm package, which differs from
// Lua 5.1's matcher: it has no %f frontier, accepts malformed patterns
// such as a trailing "%" ("a%" matches "a"), and its functions differ at
// the edges (string.match returns nothing instead of nil; string.gmatch's
// iterator needs its state argument, so calling it directly fails, and it
// raises pattern errors at the call instead of the first iteration). The
// matcher here follows lstrlib.c's backtracking match function case by
// case, with its C-string view of the pattern (it ends at a NUL) and of
// the subject (reading at its end gives a NUL).

// luaMaxCaptures is Lua 5.1's LUA_MAXCAPTURES.
const luaMaxCaptures = 32

const (
	capUnfinished = -1
	capPosition   = -2
)

// patternSpecials is lstrlib.c's SPECIALS: a pattern without any of these
// is searched for as plain text by string.find.
const patternSpecials = "^$*+?.([%-"

// A matchState is lstrlib.c's MatchState. Positions are byte offsets; -1
// is C's NULL, no match.
type matchState struct {
	L       *lua.LState
	src     string
	pat     string
	level   int
	capture [luaMaxCaptures]struct{ init, len int }
}

// p is the pattern byte at i, 0 past its end.
func (ms *matchState) p(i int) byte {
	if i < len(ms.pat) {
		return ms.pat[i]
	}
	return 0
}

// s is the subject byte at i, 0 at its end.
func (ms *matchState) s(i int) byte {
	if i < len(ms.src) {
		return ms.src[i]
	}
	return 0
}

func (ms *matchState) checkCapture(l byte) int {
	i := int(l) - '1'
	if i < 0 || i >= ms.level || ms.capture[i].len == capUnfinished {
		raiseError(ms.L, "invalid capture index")
	}
	return i
}

func (ms *matchState) captureToClose() int {
	for level := ms.level - 1; level >= 0; level-- {
		if ms.capture[level].len == capUnfinished {
			return level
		}
	}
	raiseError(ms.L, "invalid pattern capture")
	return 0
}

// classEnd is the position after the single-character class at p.
func (ms *matchState) classEnd(p int) int {
	c := ms.p(p)
	p++
	switch c {
	case '%':
		if ms.p(p) == 0 {
			raiseError(ms.L, "malformed pattern (ends with '%%')")
		}
		return p + 1
	case '[':
		if ms.p(p) == '^' {
			p++
		}
		for { // look for a ']'
			if ms.p(p) == 0 {
				raiseError(ms.L, "malformed pattern (missing ']')")
			}
			c := ms.p(p)
			p++
			if c == '%' && ms.p(p) != 0 {
				p++ // skip escapes (e.g. '%]')
			}
			if ms.p(p) == ']' {
				return p + 1
			}
		}
	}
	return p
}

// matchClass is match_class: c against the class letter cl (%a, %A, ...)
// with C's ctype in the "C" locale, or cl itself.
func matchClass(c, cl byte) bool {
	var res bool
	switch cl | 0x20 { // tolower, for letters
	case 'a':
		res = isCAlpha(c)
	case 'c':
		res = c < 32 || c == 127
	case 'd':
		res = '0' <= c && c <= '9'
	case 'l':
		res = 'a' <= c && c <= 'z'
	case 'p':
		res = isCPunct(c)
	case 's':
		res = isCSpace(c)
	case 'u':
		res = 'A' <= c && c <= 'Z'
	case 'w':
		res = isCAlpha(c) || '0' <= c && c <= '9'
	case 'x':
		res = isHexDigit(c)
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if 'a' <= cl && cl <= 'z' {
		return res
	}
	return !res
}

func isCAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isCPunct(c byte) bool {
	return 33 <= c && c <= 126 && !isCAlpha(c) && !('0' <= c && c <= '9')
}

// matchBracketClass is matchbracketclass: c against the set [...] from p
// (its '[') to ec (its ']').
func (ms *matchState) matchBracketClass(c byte, p, ec int) bool {
	sig := true
	if ms.p(p+1) == '^' {
		sig = false
		p++ // skip the '^'
	}
	for p++; p < ec; p++ {
		switch {
		case ms.p(p) == '%':
			p++
			if matchClass(c, ms.p(p)) {
				return sig
			}
		case ms.p(p+1) == '-' && p+2 < ec:
			p += 2
			if ms.p(p-2) <= c && c <= ms.p(p) {
				return sig
			}
		case ms.p(p) == c:
			return sig
		}
	}
	return !sig
}

// singleMatch is singlematch: c against the class from p to ep.
func (ms *matchState) singleMatch(c byte, p, ep int) bool {
	switch ms.p(p) {
	case '.':
		return true
	case '%':
		return matchClass(c, ms.p(p+1))
	case '[':
		return ms.matchBracketClass(c, p, ep-1)
	}
	return ms.p(p) == c
}

// matchBalance is matchbalance, for %bxy at p.
func (ms *matchState) matchBalance(s, p int) int {
	if ms.p(p) == 0 || ms.p(p+1) == 0 {
		raiseError(ms.L, "unbalanced pattern")
	}
	if ms.s(s) != ms.p(p) {
		return -1
	}
	b, e := ms.p(p), ms.p(p+1)
	cont := 1
	for s++; s < len(ms.src); s++ {
		switch ms.src[s] {
		case e:
			if cont--; cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return -1 // string ends out of balance
}

func (ms *matchState) maxExpand(s, p, ep int) int {
	i := 0 // counts maximum expand for item
	for s+i < len(ms.src) && ms.singleMatch(ms.src[s+i], p, ep) {
		i++
	}
	// keeps trying to match with the maximum repetitions
	for ; i >= 0; i-- {
		if res := ms.match(s+i, ep+1); res != -1 {
			return res
		}
	}
	return -1
}

func (ms *matchState) minExpand(s, p, ep int) int {
	for {
		if res := ms.match(s, ep+1); res != -1 {
			return res
		}
		if s < len(ms.src) && ms.singleMatch(ms.src[s], p, ep) {
			s++ // try with one more repetition
		} else {
			return -1
		}
	}
}

func (ms *matchState) startCapture(s, p, what int) int {
	if ms.level >= luaMaxCaptures {
		raiseError(ms.L, "too many captures")
	}
	ms.capture[ms.level].init = s
	ms.capture[ms.level].len = what
	ms.level++
	res := ms.match(s, p)
	if res == -1 {
		ms.level-- // undo capture
	}
	return res
}

func (ms *matchState) endCapture(s, p int) int {
	l := ms.captureToClose()
	ms.capture[l].len = s - ms.capture[l].init // close capture
	res := ms.match(s, p)
	if res == -1 {
		ms.capture[l].len = capUnfinished // undo capture
	}
	return res
}

func (ms *matchState) matchCapture(s int, l byte) int {
	i := ms.checkCapture(l)
	n := ms.capture[i].len // a position capture (-2) is a huge size_t in C
	init := ms.capture[i].init
	if n >= 0 && len(ms.src)-s >= n && ms.src[init:init+n] == ms.src[s:s+n] {
		return s + n
	}
	return -1
}

// match is lstrlib.c's match: the end of the match of the pattern from p
// against the subject from s, or -1.
func (ms *matchState) match(s, p int) int {
	for {
		switch ms.p(p) {
		case '(': // start capture
			if ms.p(p+1) == ')' { // position capture?
				return ms.startCapture(s, p+2, capPosition)
			}
			return ms.startCapture(s, p+1, capUnfinished)
		case ')': // end capture
			return ms.endCapture(s, p+1)
		case 0: // end of pattern
			return s
		case '%':
			switch c := ms.p(p + 1); {
			case c == 'b': // balanced string?
				if s = ms.matchBalance(s, p+2); s == -1 {
					return -1
				}
				p += 4
				continue
			case c == 'f': // frontier?
				p += 2
				if ms.p(p) != '[' {
					raiseError(ms.L, "missing '[' after '%%f' in pattern")
				}
				ep := ms.classEnd(p) // points to what is next
				var previous byte
				if s > 0 {
					previous = ms.src[s-1]
				}
				if ms.matchBracketClass(previous, p, ep-1) || !ms.matchBracketClass(ms.s(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			case '0' <= c && c <= '9': // capture results (%0-%9)?
				if s = ms.matchCapture(s, c); s == -1 {
					return -1
				}
				p += 2
				continue
			}
		case '$':
			if ms.p(p+1) == 0 { // is the '$' the last char in pattern?
				if s == len(ms.src) {
					return s
				}
				return -1
			}
		}
		// a pattern item
		ep := ms.classEnd(p) // points to what is next
		m := s < len(ms.src) && ms.singleMatch(ms.src[s], p, ep)
		switch ms.p(ep) {
		case '?': // optional
			if m {
				if res := ms.match(s+1, ep+1); res != -1 {
					return res
				}
			}
			p = ep + 1
		case '*': // 0 or more repetitions
			return ms.maxExpand(s, p, ep)
		case '+': // 1 or more repetitions
			if !m {
				return -1
			}
			return ms.maxExpand(s+1, p, ep)
		case '-': // 0 or more repetitions (minimum)
			return ms.minExpand(s, p, ep)
		default:
			if !m {
				return -1
			}
			s++
			p = ep
		}
	}
}

// captureValue is push_onecapture: capture i of the match from s to e (the
// whole match when there are no captures).
func (ms *matchState) captureValue(i, s, e int) lua.LValue {
	if i >= ms.level {
		if i != 0 {
			raiseError(ms.L, "invalid capture index")
		}
		return lua.LString(ms.src[s:e]) // add whole match
	}
	c := ms.capture[i]
	switch c.len {
	case capUnfinished:
		raiseError(ms.L, "unfinished capture")
	case capPosition:
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(ms.src[c.init : c.init+c.len])
}

// pushCaptures is push_captures; s is -1 (C's NULL) when there is no
// whole match to push.
func (ms *matchState) pushCaptures(s, e int) int {
	n := ms.level
	if n == 0 && s != -1 {
		n = 1
	}
	for i := range n {
		ms.L.Push(ms.captureValue(i, s, e))
	}
	return n
}

// newMatchState is a match of pattern (as C sees it: up to a NUL)
// against src.
func newMatchState(L *lua.LState, src, pattern string) *matchState {
	return &matchState{L: L, src: src, pat: cString(pattern)}
}

// strFind is string.find (str_find_aux with find).
func strFind(L *lua.LState) int { return strFindAux(L, true) }

// strMatch is string.match (str_find_aux without find): nil when there is
// no match, where gopher-lua returns nothing.
func strMatch(L *lua.LState) int { return strFindAux(L, false) }

func strFindAux(L *lua.LState, find bool) int {
	s := checkString(L, 1)
	p := checkString(L, 2)
	init := posrelat(optInteger(L, 3, 1), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > int64(len(s)) {
		init = int64(len(s))
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(cString(p), patternSpecials)) {
		// do a plain search
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(lua.LNumber(int(init) + i + 1))
			L.Push(lua.LNumber(int(init) + i + len(p)))
			return 2
		}
	} else {
		ms := newMatchState(L, s, p)
		anchor := strings.HasPrefix(ms.pat, "^")
		if anchor {
			ms.pat = ms.pat[1:]
		}
		for s1 := int(init); ; s1++ {
			ms.level = 0
			if e := ms.match(s1, 0); e != -1 {
				if find {
					L.Push(lua.LNumber(s1 + 1)) // start
					L.Push(lua.LNumber(e))      // end
					return ms.pushCaptures(-1, 0) + 2
				}
				return ms.pushCaptures(s1, e)
			}
			if s1 >= len(s) || anchor {
				break
			}
		}
	}
	L.Push(lua.LNil) // not found
	return 1
}

// strGmatch is string.gmatch: it returns a closure over the string, the
// pattern and the position, so the iterator works when called directly,
// with no arguments. As in Lua 5.1, a '^' at the start of the pattern is
// not an anchor here, an empty match advances one byte, a match may start
// at the end of the string, and a bad pattern fails at the first
// iteration.
func strGmatch(L *lua.LState) int {
	s := checkString(L, 1)
	p := checkString(L, 2)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		ms := newMatchState(L, s, p)
		for src := pos; src <= len(s); src++ {
			ms.level = 0
			if e := ms.match(src, 0); e != -1 {
				pos = e
				if e == src {
					pos++ // empty match: go on at the next byte
				}
				return ms.pushCaptures(src, e)
			}
		}
		return 0 // not found
	}))
	return 1
}

// strGsub is string.gsub (str_gsub).
func strGsub(L *lua.LState) int {
	src := checkString(L, 1)
	p := checkString(L, 2)
	repl := L.Get(3)
	maxN := optInt(L, 4, int32(len(src)+1))
	ms := newMatchState(L, src, p)
	anchor := strings.HasPrefix(ms.pat, "^")
	if anchor {
		ms.pat = ms.pat[1:]
	}
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTFunction, lua.LTTable:
	default:
		argError(L, 3, "string/function/table expected")
	}
	var b strings.Builder
	n := int32(0)
	s := 0
loop:
	for n < maxN {
		ms.level = 0
		e := ms.match(s, 0)
		if e != -1 {
			n++
			ms.addValue(&b, s, e, repl)
		}
		switch {
		case e != -1 && e > s: // non empty match? skip it
			s = e
		case s < len(src):
			b.WriteByte(src[s])
			s++
		default:
			break loop
		}
		if anchor {
			break
		}
	}
	b.WriteString(src[s:])
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n)) // number of substitutions
	return 2
}

// addValue is add_value: the replacement of the match from s to e.
func (ms *matchState) addValue(b *strings.Builder, s, e int, repl lua.LValue) {
	L := ms.L
	var v lua.LValue
	switch repl.Type() {
	case lua.LTNumber, lua.LTString:
		ms.addString(b, s, e, repl)
		return
	case lua.LTFunction:
		L.Push(repl)
		n := ms.pushCaptures(s, e)
		L.Call(n, 1)
		v = L.Get(-1)
		L.Pop(1)
	case lua.LTTable:
		v = L.GetTable(repl, ms.captureValue(0, s, e))
	}
	if !lua.LVAsBool(v) { // nil or false?
		b.WriteString(ms.src[s:e]) // keep original text
		return
	}
	str, ok := toLString(v)
	if !ok {
		raiseError(L, "invalid replacement value (a %s)", v.Type().String())
	}
	b.WriteString(str)
}

// addString is add_s: a replacement string with %0-%9 and %%. A '%' at
// its end adds the string's terminating NUL, as in C.
func (ms *matchState) addString(b *strings.Builder, s, e int, repl lua.LValue) {
	news, _ := toLString(repl)
	for i := 0; i < len(news); i++ {
		if news[i] != '%' {
			b.WriteByte(news[i])
			continue
		}
		i++ // skip ESC
		var c byte
		if i < len(news) {
			c = news[i]
		}
		switch {
		case c < '0' || c > '9':
			b.WriteByte(c)
		case c == '0':
			b.WriteString(ms.src[s:e])
		default:
			str, _ := toLString(ms.captureValue(int(c-'1'), s, e))
			b.WriteString(str)
		}
	}
}
