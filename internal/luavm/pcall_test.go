package luavm

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// pcall, xpcall and error behave as Lua 5.1's: the VM's errors they catch
// are worded by vmerror.go, the Go frame PCall adds is invisible to
// levels, and an error's level counts frames as Lua 5.1 does.
func TestPCallLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(pcall(xpcall, nil, print))`, "attempt to call a nil value\ntrue\tfalse\tnil\n"},
		{`print(pcall(xpcall, print))`, "false\tbad argument #2 to '?' (value expected)\n"},
		{`print(xpcall(error, function(m) return "h:" .. tostring(m) end))`, "false\th:nil\n"},
		{`print(pcall(pcall))`, "false\tbad argument #1 to '?' (value expected)\n"},
		{`print(pcall(5))`, "false\tattempt to call a number value\n"},
		{`print(pcall({}))`, "false\tattempt to call a table value\n"},
		{`print(pcall(setmetatable({}, {__call = function(self, x) return x end}), 7))`, "true\t7\n"},
		{`print(xpcall(function() local x; return x.y end, function(m) return "h:" .. m end))`, "false\th:case:1: attempt to index local 'x' (a nil value)\n"},
		{`print(select('#', pcall(function() return 1, 2, 3 end)))`, "4\n"},
		{`print(pcall(function() error(setmetatable({}, {__tostring = function() return "obj" end})) end))`, "false\tobj\n"},
		{`print(pcall(function() error("x", 2) end))`, "false\tx\n"},
		{`local function f() error("x", 2) end print(pcall(function() f() end))`, "false\tcase:1: x\n"},
		{`print(pcall(function() error("x", 0) end))`, "false\tx\n"},
		{`print(pcall(function() error(42) end))`, "false\tcase:1: 42\n"},
		{`print(pcall(function() error(42, 0) end))`, "false\t42\n"},
		{`print(pcall(function() error() end))`, "false\tnil\n"},
		{`print(pcall(function() error("attempt to call a non-function object") end))`, "false\tcase:1: attempt to call a non-function object\n"},
		{`print(pcall(string.rep))`, "false\tbad argument #1 to '?' (string expected, got no value)\n"},
		{`print(pcall(function() return ("x"):rep() end))`, "false\tcase:1: bad argument #1 to 'rep' (number expected, got no value)\n"},
		{`print(pcall(function() local t = setmetatable({}, {__index = function(t, k) error("no " .. k) end}) return t.x end))`, "false\tcase:1: no x\n"},
		{`print(pcall(function() return debug.getinfo(2, "S").what, debug.getinfo(3, "S").what end))`, "true\tC\tmain\n"},
		{`print(pcall(pcall, function() return debug.getinfo(2, "n").name, debug.getinfo(3, "S").what, debug.getinfo(4, "S").what end))`, "true\ttrue\tnil\tC\tmain\n"},
		{`print(pcall(function() local ok, e = pcall(function() local t; t.x = 1 end) error(e, 0) end))`, "false\tcase:1: attempt to index local 't' (a nil value)\n"},
		{`local f local ok = pcall(function() local x = 1 f = function() return x end error("e") end) local a, b, c = 10, 20, 30 print(ok, f())`, "false\t1\n"},
		{`local f local ok = xpcall(function() local x = 1 f = function() return x end error("e") end, function(m) return m end) print(ok)`, "false\n"},
		{`print(xpcall(function() return 1, 2 end, print))`, "true\t1\t2\n"},
		// A handler that is not a function (luaG_errormsg raises
		// LUA_ERRERR), even a callable table; unused when nothing fails.
		{`print(xpcall(function() error("x") end, 42))`, "false\terror in error handling\n"},
		{`print(xpcall(function() local t; return t.x end, nil))`, "false\terror in error handling\n"},
		{`print(xpcall(function() error("x") end, setmetatable({}, {__call = function(s, m) return m end})))`, "false\terror in error handling\n"},
		{`print(xpcall(function() return 1 end, 42))`, "true\t1\n"},
		{`print(pcall(function() local t = {} t.x.y = 1 end))`, "false\tcase:1: attempt to index field 'x' (a nil value)\n"},
		{`print(pcall(error, "direct"))`, "false\tdirect\n"},
		{`print(pcall(error, "direct", 1))`, "false\tdirect\n"},
		{`print(pcall(error, "direct", 2))`, "false\tcase:1: direct\n"},
		// getfenv and setfenv count levels without PCall's Go frame.
		{`local env = setmetatable({}, {__index = _G}) local function g() print(pcall(function() return getfenv(3) == env, getfenv(2) == _G end)) end setfenv(g, env) g()`, "true\ttrue\ttrue\n"},
		{`local env = setmetatable({}, {__index = _G}) local function g() pcall(function() setfenv(3, env) end) return getfenv(1) == env end print(g())`, "true\n"},
	})
}

// PCall, which the compiler and the generated binary call, words the VM's
// errors as Lua 5.1 does before its handler runs, with the failing frame
// still on the stack; other errors reach the handler as they were raised.
func TestPCallWordsVMErrorsForItsHandler(t *testing.T) {
	for _, c := range []struct {
		src, want string
		byVM      bool // raised by the VM, in the Lua frame
	}{
		{"local cfg = nil\nreturn cfg.name", "ci.lua:2: attempt to index local 'cfg' (a nil value)", true},
		{"setup()", "ci.lua:1: attempt to call global 'setup' (a nil value)", true},
		{"error('attempt to call a non-function object')", "ci.lua:1: attempt to call a non-function object", false},
		{"string.rep()", "ci.lua:1: bad argument #1 to 'rep' (string expected, got no value)", false},
		{"error({})", "table", false},
	} {
		L := NewState(Options{Sandbox: true})
		fn, err := Load(L, []byte(c.src), "@ci.lua")
		if err != nil {
			t.Fatal(err)
		}
		var seen, where string
		handler := L.NewFunction(func(L *lua.LState) int {
			seen = L.Get(1).String()
			if _, ok := L.Get(1).(*lua.LTable); ok {
				seen = "table"
			}
			where = L.Where(1)
			return 1
		})
		L.Push(fn)
		err = PCall(L, 0, 0, handler)
		if err == nil {
			t.Fatalf("%q: no error", c.src)
		}
		if seen != c.want {
			t.Errorf("%q: the handler saw %q, want %q", c.src, seen, c.want)
		}
		if c.byVM && !strings.HasPrefix(where, "ci.lua:") {
			t.Errorf("%q: the handler ran at %q, not in the failing frame", c.src, where)
		}
		if c.want != "table" && ErrorMessage(L, err, nil) != c.want {
			t.Errorf("%q: ErrorMessage = %q, want %q", c.src, ErrorMessage(L, err, nil), c.want)
		}
		L.Close()
	}
}
