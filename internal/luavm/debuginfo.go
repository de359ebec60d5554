package luavm

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// debugGetinfo is Lua 5.1's debug.getinfo([thread,] f-or-level [, what])
// (ldblib.c db_getinfo, ldebug.c lua_getinfo).
//
// gopher-lua's version has no short_src, namewhat or activelines, returns
// nil for option "L", fills every field whatever the options, calls Go
// functions "G" instead of "C", takes no thread argument, names functions
// "main chunk" or "<file:line>" where Lua 5.1 has no name, and reports the
// bottom frame for a level inside a lost tail call. Fennel's tracebacks and
// fennel.getinfo read these fields.
//
// Fields follow Lua 5.1: only those the options ask for; `source` is the
// full chunkname ("@ci.fnl", or the source text of a string chunk) and
// short_src its luaO_chunkid; what is "main", "Lua", "C" or "tail".
func debugGetinfo(L *lua.LState) int {
	L1, arg := L, 0
	if th, ok := L.Get(1).(*lua.LState); ok {
		L1, arg = th, 1
	}
	options := "flnSu"
	if L.Get(arg+2) != lua.LNil {
		options = checkString(L, arg+2)
	}
	info := L.NewTable()
	var fn *lua.LFunction
	var frame *lua.Debug // nil when asked about a function, not a level
	level, tail := -1, false
	switch v := L.Get(arg + 1).(type) {
	case *lua.LFunction:
		fn = v
	case lua.LNumber, lua.LString:
		n, ok := toNumber(v)
		if !ok {
			argError(L, arg+1, "function or level expected")
		}
		// Level 0 is getinfo itself, as in Lua 5.1.
		level = int(cLong(n))
		frame, _, tail, ok = stackLevel(L1, level)
		if !ok || level < 0 {
			L.Push(lua.LNil)
			return 1
		}
		if !tail {
			f, _ := L1.GetInfo("f", frame, lua.LNil)
			if fn, ok = f.(*lua.LFunction); !ok {
				L.Push(lua.LNil)
				return 1
			}
		}
	default:
		argError(L, arg+1, "function or level expected")
	}
	for _, c := range options {
		if !strings.ContainsRune("SlunfL", c) {
			argError(L, arg+2, "invalid option")
		}
	}

	has := func(c byte) bool { return strings.IndexByte(options, c) >= 0 }
	if has('S') {
		source, short, what, defined, lastDefined := "=(tail call)", "(tail call)", "tail", -1, -1
		switch {
		case tail:
		case fn.IsG:
			source, short, what = "=[C]", "[C]", "C"
		default:
			p := fn.Proto
			source, short = chunkSource(p), p.SourceName
			what, defined, lastDefined = "Lua", p.LineDefined, p.LastLineDefined
			if p.LineDefined == 0 {
				// A main chunk; gopher-lua sets its last line past the end.
				what, lastDefined = "main", 0
			}
		}
		info.RawSetString("source", lua.LString(source))
		info.RawSetString("short_src", lua.LString(short))
		info.RawSetString("linedefined", lua.LNumber(defined))
		info.RawSetString("lastlinedefined", lua.LNumber(lastDefined))
		info.RawSetString("what", lua.LString(what))
	}
	if has('l') {
		line := -1
		if frame != nil && !tail && !fn.IsG {
			if _, err := L1.GetInfo("l", frame, lua.LNil); err == nil {
				line = frame.CurrentLine
			}
		}
		info.RawSetString("currentline", lua.LNumber(line))
	}
	if has('u') {
		nups := 0
		if !tail {
			nups = len(fn.Upvalues)
		}
		info.RawSetString("nups", lua.LNumber(nups))
	}
	if has('n') {
		name, namewhat := "", ""
		if frame != nil {
			name, namewhat = calleeName(L1, level)
		}
		if name != "" {
			info.RawSetString("name", lua.LString(name))
		}
		info.RawSetString("namewhat", lua.LString(namewhat))
	}
	if has('L') && !tail && !fn.IsG {
		lines := L.NewTable()
		for _, line := range fn.Proto.DbgSourcePositions {
			lines.RawSetInt(line, lua.LTrue)
		}
		info.RawSetString("activelines", lines)
	}
	if has('f') && !tail {
		info.RawSetString("func", fn)
	}
	L.Push(info)
	return 1
}
