package luavm

import (
	"strings"
	"testing"
)

// tbHelper cuts a traceback at the pcall that checkCases runs each case
// in: below it, lua5.1 and this package run different harnesses.
const tbHelper = `local function tb(...) return (debug.traceback(...):gsub("\n\t%[C%]: in function 'pcall'.*", "")) end`

// debug.traceback is Lua 5.1's: "[C]" for Go functions, functions named
// by the calling instruction, "(tail call)" levels, and no trace of the Go
// frame pcall.go puts under pcall and xpcall.
func TestTracebackLikeLua51(t *testing.T) {
	cases := []luaCase{
		{`print(tb("m"))`, "m\nstack traceback:\n\tcase:1: in function 'tb'\n\tcase:2: in main chunk\n"},
		{`local function f() return tb("tail") end local function g() return f() end print(g())`, "tail\nstack traceback:\n\tcase:1: in function <case:1>\n\t(tail call): ?\n\t(tail call): ?\n\tcase:2: in main chunk\n"},
		{`local t = {} function t.m() return (tb("field")) end print(t.m())`, "field\nstack traceback:\n\tcase:1: in function 'tb'\n\tcase:2: in function 'm'\n\tcase:2: in main chunk\n"},
		{`function glob() return (tb("glob")) end print(glob())`, "glob\nstack traceback:\n\tcase:1: in function 'tb'\n\tcase:2: in function 'glob'\n\tcase:2: in main chunk\n"},
		{`local o = {} function o:meth() return (tb("meth")) end print(o:meth())`, "meth\nstack traceback:\n\tcase:1: in function 'tb'\n\tcase:2: in function 'meth'\n\tcase:2: in main chunk\n"},
		{`print(select(2, xpcall(function() local x; return x.y end, tb)))`, "case:2: attempt to index local 'x' (a nil value)\nstack traceback:\n\tcase:1: in function <case:1>\n\tcase:2: in function <case:2>\n\t[C]: in function 'xpcall'\n\tcase:2: in main chunk\n"},
		{`print(select(2, xpcall(function() error("boom") end, tb)))`, "case:2: boom\nstack traceback:\n\tcase:1: in function <case:1>\n\t[C]: in function 'error'\n\tcase:2: in function <case:2>\n\t[C]: in function 'xpcall'\n\tcase:2: in main chunk\n"},
		{`for _, v in ipairs({1}) do print(tb("loop")) end`, "loop\nstack traceback:\n\tcase:1: in function 'tb'\n\tcase:2: in main chunk\n"},
		{`print(tb("lvl", 2))`, "lvl\nstack traceback:\n\tcase:2: in main chunk\n"},
		{`print(select(2, pcall(function() return tb("in pcall") end)))`, "in pcall\nstack traceback:\n\tcase:1: in function <case:1>\n\t(tail call): ?\n"},
		{`print(tb(5))`, "5\nstack traceback:\n\tcase:1: in function 'tb'\n\tcase:2: in main chunk\n"},
		{`print(tb())`, "stack traceback:\n\tcase:1: in function 'tb'\n\tcase:2: in main chunk\n"},
		{`print(debug.traceback(nil))`, "nil\n"},
		{`print(type(debug.traceback({})))`, "table\n"},
		{`print(debug.traceback("lvl", 50))`, "lvl\nstack traceback:\n"},
		{`local function f() local s = ("x"):gsub("x", function() return tb("cb") end) return s end print(f())`, "cb\nstack traceback:\n\tcase:1: in function <case:1>\n\t(tail call): ?\n\t[C]: in function 'gsub'\n\tcase:2: in function 'f'\n\tcase:2: in main chunk\n"},
	}
	for i := range cases {
		if strings.Contains(cases[i].code, "tb") {
			cases[i].code = tbHelper + "\n" + cases[i].code
		}
	}
	checkCases(t, cases)
}

// A deep stack shows its first levels (11: level 0 is traceback itself),
// "...", and its last 10. (Its
// last levels are the test harness's, which differ from lua5.1's, so this
// is not checked against lua5.1.)
func TestTracebackElidesDeepStacks(t *testing.T) {
	out := runHere(t, `local function deep(n) if n == 0 then return debug.traceback("deep") end return (deep(n - 1)) end
print(deep(30))`)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2+levelsHead-1+1+levelsTail || lines[2+levelsHead-1] != "\t..." {
		t.Fatalf("traceback of a deep stack:\n%s", out)
	}
	if lines[2] != "\ttest:1: in function 'deep'" || lines[len(lines)-1] != "\ttest:2: in main chunk" {
		t.Errorf("traceback of a deep stack:\n%s", out)
	}
}
