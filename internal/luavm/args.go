package luavm

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// The corrected builtins report errors with Lua 5.1's lauxlib wording, so
// that Lua code matching on messages sees what it would under Lua 5.1.

// raiseError is Lua 5.1's luaL_error: the message, prefixed with the
// position of the Lua code that called the running Go function.
func raiseError(L *lua.LState, format string, args ...any) {
	L.Error(lua.LString(where(L, 1)+fmt.Sprintf(format, args...)), 0)
}

// where is Lua 5.1's luaL_where: "short_src:line: " of the function at
// level when it is Lua code with line information, else "".
func where(L *lua.LState, level int) string {
	d, _, tail, ok := stackLevel(L, level)
	if !ok || tail {
		return ""
	}
	if _, err := L.GetInfo("Sl", d, lua.LNil); err != nil || d.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", d.Source, d.CurrentLine)
}

// argError is Lua 5.1's luaL_argerror for argument narg of the running Go
// function: "bad argument #2 to 'format' (no value)". The function's name
// comes from the calling instruction; a method call does not count self.
func argError(L *lua.LState, narg int, extramsg string) {
	name, namewhat := calleeName(L, 0)
	if namewhat == "method" {
		narg--
		if narg == 0 {
			raiseError(L, "calling '%s' on bad self (%s)", name, extramsg)
		}
	}
	if name == "" {
		name = "?"
	}
	raiseError(L, "bad argument #%d to '%s' (%s)", narg, name, extramsg)
}

// typeError is Lua 5.1's luaL_typerror.
func typeError(L *lua.LState, narg int, tname string) {
	argError(L, narg, fmt.Sprintf("%s expected, got %s", tname, typeName(L, narg)))
}

// typeName is Lua 5.1's luaL_typename: "no value" past the last argument.
func typeName(L *lua.LState, narg int) string {
	if narg > L.GetTop() {
		return "no value"
	}
	return L.Get(narg).Type().String()
}

// checkNumber is Lua 5.1's luaL_checknumber: numbers, and strings that
// convert (luaO_str2d).
func checkNumber(L *lua.LState, narg int) float64 {
	n, ok := toNumber(L.Get(narg))
	if !ok {
		typeError(L, narg, "number")
	}
	return n
}

// checkInteger is Lua 5.1's luaL_checkinteger: checkNumber truncated.
func checkInteger(L *lua.LState, narg int) int64 {
	return cLong(checkNumber(L, narg))
}

// checkString is Lua 5.1's luaL_checklstring: strings, and numbers
// formatted with "%.14g".
func checkString(L *lua.LState, narg int) string {
	s, ok := toLString(L.Get(narg))
	if !ok {
		typeError(L, narg, "string")
	}
	return s
}

// optInteger is Lua 5.1's luaL_optinteger: def when the argument is
// absent or nil.
func optInteger(L *lua.LState, narg int, def int64) int64 {
	if L.Get(narg) == lua.LNil {
		return def
	}
	return checkInteger(L, narg)
}

// checkInt is Lua 5.1's luaL_checkint: checkInteger cast to a C int.
func checkInt(L *lua.LState, narg int) int32 {
	return int32(checkInteger(L, narg))
}

// optInt is Lua 5.1's luaL_optint.
func optInt(L *lua.LState, narg int, def int32) int32 {
	if L.Get(narg) == lua.LNil {
		return def
	}
	return checkInt(L, narg)
}

// optString is Lua 5.1's luaL_optlstring.
func optString(L *lua.LState, narg int, def string) string {
	if L.Get(narg) == lua.LNil {
		return def
	}
	return checkString(L, narg)
}

// toLString is Lua 5.1's lua_tolstring: strings, and numbers formatted
// with "%.14g"; ok is false for anything else.
func toLString(v lua.LValue) (s string, ok bool) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), true
	case lua.LNumber:
		return FormatNumber(float64(v)), true
	}
	return "", false
}
