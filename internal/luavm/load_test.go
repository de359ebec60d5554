package luavm

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// bug1 is FIDELITY.md §1's first reproduction as a chunk that returns
// false under Lua 5.1 and true when compiled without the rewrite.
const bug1 = "local function f() return false end local a = true a = f() and 1 return a"

// load, loadstring, loadfile, dofile and require compile through
// CompileChunk, so the chunks Fennel loads at run time get the rewrite.
func TestLoadersCompileThroughCompileChunk(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	script := write("script.lua", "#!/usr/bin/env lua\n"+bug1+", debug.getinfo(1, 'l').currentline")
	write("mod.lua", bug1)
	checkCases(t, []luaCase{
		{`print(loadstring("` + bug1 + `")())`, "false\n"},
		{`local parts, i = {"local function f() return false end ", "local a = true ", "a = f() and 1 ", "return a"}, 0
print(load(function() i = i + 1 return parts[i] end)())`, "false\n"},
		{fmt.Sprintf(`print(loadfile(%q)())`, script), "false\t2\n"},
		{fmt.Sprintf(`print(dofile(%q))`, script), "false\t2\n"},
		{fmt.Sprintf(`package.path = %q print(require("mod"), package.loaded.mod)`, dir+"/?.lua"), "false\tfalse\n"},
	})
}

// Load errors read like Lua 5.1's.
func TestLoadErrorsLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(loadstring("x = = 1"))`, "nil\t[string \"x = = 1\"]:1: unexpected symbol near '='\n"},
		{`print(loadstring("x = = 1", "@some/file.lua"))`, "nil\tsome/file.lua:1: unexpected symbol near '='\n"},
		{`print(loadstring("x = \n\n = 1", "=name"))`, "nil\tname:3: unexpected symbol near '='\n"},
		{`print(load(function() return {} end))`, "nil\tcase:1: reader function must return a string\n"},
		{`print(load(function() error("boom") end))`, "nil\tcase:1: boom\n"},
		{`print(loadfile("/nonexistent/x.lua"))`, "nil\tcannot open /nonexistent/x.lua: No such file or directory\n"},
		{`print(pcall(dofile, "/nonexistent/x.lua"))`, "false\tcannot open /nonexistent/x.lua: No such file or directory\n"},
		{`package.path = "/nonexistent/?.lua" package.cpath = "" print(pcall(require, "nosuchmod"))`,
			"false\tmodule 'nosuchmod' not found:\n\tno field package.preload['nosuchmod']\n\tno file '/nonexistent/nosuchmod.lua'\n"},
		{`package.preload.pre = function(name) return name .. "!" end print(require("pre"), require("pre"))`, "pre!\tpre!\n"},
		{`package.preload.none = function() end print(require("none"))`, "true\n"},
	})
}
