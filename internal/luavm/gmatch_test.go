package luavm

import "testing"

// string.gmatch returns a closure, so its iterator works when called
// directly, without the state argument gopher-lua's iterator demands.
func TestGmatchIteratorNeedsNoState(t *testing.T) {
	checkCases(t, []luaCase{
		{`local f = string.gmatch("ab", ".") print(f(), f(), f())`, "a\tb\n"},
		{`local it = ("a1b2"):gmatch("%a(%d)") print(it(), it(), it())`, "1\t2\n"},
		{`local t = {} for w in ("hello world from lua"):gmatch("%a+") do t[#t+1] = w end print(table.concat(t, ","))`, "hello,world,from,lua\n"},
		{`local t = {} for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do t[#t+1] = k .. v end print(table.concat(t, " "))`, "a1 b2\n"},
		// position captures are 1-based
		{`local t = {} for p in ("hello"):gmatch("()l") do t[#t+1] = p end print(table.concat(t, " "))`, "3 4\n"},
		// an empty match advances one byte, including at the end
		{`local t = {} for m in ("abc"):gmatch("x*") do t[#t+1] = "[" .. m .. "]" end print(table.concat(t))`, "[][][][]\n"},
		// '^' is no anchor in gmatch
		{`local n = 0 for m in ("^b^b"):gmatch("^b") do n = n + 1 end print(n)`, "2\n"},
		// a bad pattern fails at the first iteration, not at the call
		{`print((pcall(string.gmatch, "x", "(")))`, "true\n"},
		{`print((pcall(string.gmatch("x", "("))))`, "false\n"},
		{`print(string.gfind == string.gmatch)`, "true\n"},
	})
}
