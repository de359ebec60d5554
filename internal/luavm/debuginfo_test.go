package luavm

import "testing"

// debug.getinfo returns Lua 5.1's fields: short_src, namewhat and
// activelines, which gopher-lua lacks, only the fields the options ask
// for, "C" for Go functions, and "(tail call)" pseudo-frames.
func TestDebugGetinfoLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`local i = debug.getinfo(1) print(i.what, i.source, i.short_src, i.currentline, i.linedefined, i.lastlinedefined, i.nups, i.name, i.namewhat, i.func ~= nil, i.activelines)`,
			"main\t=case\tcase\t1\t0\t0\t0\tnil\t\ttrue\tnil\n"},
		{`local i = debug.getinfo(print) print(i.what, i.source, i.short_src, i.currentline, i.linedefined, i.lastlinedefined, i.nups, i.func == print)`,
			"C\t=[C]\t[C]\t-1\t-1\t-1\t0\ttrue\n"},
		{`local keys = {} for k in pairs(debug.getinfo(print)) do keys[#keys+1] = k end table.sort(keys) print(table.concat(keys, " "))`,
			"currentline func lastlinedefined linedefined namewhat nups short_src source what\n"},
		{`local i = debug.getinfo(1, "l") print(i.source, i.currentline, i.func)`, "nil\t1\tnil\n"},
		{`local function f()
 local x = 1
 return x
end
local i = debug.getinfo(f, "SL")
local lines = {} for l in pairs(i.activelines) do lines[#lines+1] = l end table.sort(lines)
print(i.what, i.linedefined, i.lastlinedefined, table.concat(lines, " "))`, "Lua\t1\t4\t2 3 4\n"},
		// short_src is luaO_chunkid of the chunkname
		{`print(loadstring("return debug.getinfo(1, 'S').short_src")())`, "[string \"return debug.getinfo(1, 'S').short_src\"]\n"},
		{`print(loadstring("return debug.getinfo(1, 'S').source")())`, "return debug.getinfo(1, 'S').source\n"},
		{`print(loadstring("return debug.getinfo(1, 'S').short_src --\n-- second line")())`, "[string \"return debug.getinfo(1, 'S').short_src --...\"]\n"},
		{`print(loadstring("return debug.getinfo(1, 'S').short_src -- a comment long enough to be cut")())`, "[string \"return debug.getinfo(1, 'S').short_src -- a...\"]\n"},
		{`print(loadstring("return debug.getinfo(1, 'S').short_src", "@" .. string.rep("d/", 40) .. "f.lua")())`, ".../d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/f.lua\n"},
		{`print(loadstring("return debug.getinfo(1, 'S').short_src", "=" .. string.rep("n", 70))())`, string(repeatByte('n', 59)) + "\n"},
		// name and namewhat from the calling instruction
		{`local function f() local i = debug.getinfo(1, "n") return i.name, i.namewhat end print(f())`, "f\tlocal\n"},
		{`function gf() local i = debug.getinfo(1, "n") return i.name, i.namewhat end print(gf())`, "gf\tglobal\n"},
		{`local t = {} function t.m() local i = debug.getinfo(1, "n") return i.name, i.namewhat end print(t.m())`, "m\tfield\n"},
		{`local t = {} function t:m() local i = debug.getinfo(1, "n") return i.name, i.namewhat end print(t:m())`, "m\tmethod\n"},
		{`local function up() local i = debug.getinfo(1, "n") return i.name, i.namewhat end
local function caller() local n, w = up() return n, w end print(caller())`, "up\tupvalue\n"},
		{`local i = debug.getinfo(1, "n") print(i.name, i.namewhat)`, "nil\t\n"},
		{`local function g() local i = debug.getinfo(1, "n") return i.name, i.namewhat end local function f() return g() end print(f())`, "nil\t\n"},
		// a level inside a lost tail call
		{`local function g() return debug.getinfo(2, "Sl") end local function f() return g() end local i = f() print(i.what, i.short_src, i.source, i.linedefined, i.currentline)`,
			"tail\t(tail call)\t=(tail call)\t-1\t-1\n"},
		{`print(select('#', debug.getinfo(100)), debug.getinfo(100))`, "1\tnil\n"},
		{`print(debug.getinfo(coroutine.create(function() end), print).what)`, "C\n"},
		{`print(pcall(debug.getinfo, 1, "x"))`, "false\tbad argument #2 to '?' (invalid option)\n"},
		{`print(pcall(debug.getinfo, {}))`, "false\tbad argument #1 to '?' (function or level expected)\n"},
	})
}

func repeatByte(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}
