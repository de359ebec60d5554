package luavm

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

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

// Lua 5.1 has the %f frontier pattern; gopher-lua's pm package does not.
func TestFrontierPattern(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(string.gsub("THE (quick) fox", "%f[%a]%a+", "W"))`, "W (W) W\t3\n"},
		{`print(string.find("concat", "%f[%w]cat"), string.find("the cat", "%f[%w]cat"))`, "nil\t5\t7\n"},
		{`print(("hello world"):gsub("%f[%w]%w", string.upper))`, "Hello World\t2\n"},
		{`print(("x1y22"):match("%f[%d]%d+%f[%D]"), ("THE END"):find("%f[%z]"))`, "1\t8\t7\n"},
		{`print(pcall(string.find, "a", "%fa"))`, "false\tmissing '[' after '%f' in pattern\n"},
	})
}

// gopher-lua's patterns accept what Lua 5.1 rejects: a trailing %, an
// unclosed [, a %b without its two characters, a bad capture reference.
func TestMalformedPatternsAreErrors(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(pcall(string.find, "a%", "a%"))`, "false\tmalformed pattern (ends with '%')\n"},
		{`print(pcall(string.match, "[a", "[a"))`, "false\tmalformed pattern (missing ']')\n"},
		{`print(pcall(string.gsub, "a", "%b", ""))`, "false\tunbalanced pattern\n"},
		{`print(pcall(string.match, "aa", "(a)%2"))`, "false\tinvalid capture index\n"},
		{`print(pcall(string.match, "a", "a)"))`, "false\tinvalid pattern capture\n"},
		{`print(pcall(string.gsub, "a", "(a)", "%2"))`, "false\tinvalid capture index\n"},
		{`print(pcall(string.match, "a", string.rep("(", 33) .. "a"))`, "false\ttoo many captures\n"},
		{`print(pcall(string.gsub, "a", "a", true))`, "false\tbad argument #3 to '?' (string/function/table expected)\n"},
		{`print(pcall(string.gsub, "abc", "%w", {a = {}}))`, "false\tinvalid replacement value (a table)\n"},
	})
}

// string.match returns nil when nothing matches (gopher-lua returns
// nothing), and the functions take numbers as Lua 5.1 formats them.
func TestPatternFunctionsLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(select("#", string.match("a", "b")), string.match("a", "b"))`, "1\tnil\n"},
		{`print(string.find(1e15, "e+", 1, true))`, "2\t3\n"},
		{`print(string.match(1e15, "%d+$"), string.gsub(1e15, "1", 2))`, "15\t2e+25\t2\n"},
		{`print((string.gsub("abc", "b", 1e15)), string.gsub("abc", "%w", {a = 1e15, b = false}))`, "a1e+15c\t1e+15bc\t3\n"},
		{`print(string.find("abc", "", 10))`, "4\t3\n"},
		{`print(string.find("abc", "c", -1))`, "3\t3\n"},
		{`print(string.find("a.c", ".", 1, true))`, "2\t2\n"},
		{`print(string.gsub("hello", "", "-"))`, "-h-e-l-l-o-\t6\n"},
		{`print(string.gsub("hello", "l*", "x"))`, "xhxexxox\t5\n"},
		{`print(string.gsub("abc", "%w", "%%%0", 2))`, "%a%bc\t2\n"},
		{`print(string.byte(string.gsub("a", "a", "%"), 1, -1))`, "0\n"},
		{`print(string.find("a\0b", "\0", 1, true))`, "2\t2\n"},
		{`print(string.find("a\0b", "%z"))`, "2\t2\n"},
		{`print(string.match("a\0b", "a\0(.)"), string.match("a\0b", "a%z(.)"))`, "a\tb\n"},
		{`print(string.gsub("hello world", "(o)", "[%1%0]"))`, "hell[oo] w[oo]rld\t2\n"},
		{`print(string.gsub("abc", "()", "%1"))`, "1a2b3c4\t4\n"},
		{`print(string.match("  x = 10  ", "^%s*(%w+)%s*=%s*(%w+)%s*$"))`, "x\t10\n"},
		{`print(string.match("f(a(b)c)d", "%b()"), string.match("a$b", "a$b"))`, "(a(b)c)\ta$b\n"},
		{`print(string.find("aaa", "^a", 2))`, "2\t2\n"},
		{`print(string.gsub("aaa", "^a", "b"))`, "baa\t1\n"},
	})
}

// string.upper and string.lower change only the ASCII letters, byte by
// byte, as Lua 5.1 does in the C locale; gopher-lua maps Unicode.
func TestUpperLowerChangeOnlyASCII(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(string.upper("abcé") == "ABC\195\169", string.upper("\255") == "\255")`, "true\ttrue\n"},
		{`print(string.lower("\226\132\170") == "\226\132\170", string.lower("ÀB") == "\195\128b")`, "true\ttrue\n"},
		{`print(string.byte(string.upper("\255abc\195"), 1, -1))`, "255\t65\t66\t67\t195\n"},
		{`print(string.upper(1e15), string.lower("ABC\0DEF") == "abc\0def")`, "1E+15\ttrue\n"},
	})
}

// The string functions take numbers formatted with %.14g, and string.byte,
// string.sub, string.char and string.rep follow Lua 5.1 at the edges.
func TestStringFunctionsLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(string.len(1e15), string.rep(1e15, 2), string.reverse(1e15), string.sub(1e15, 2))`, "5\t1e+151e+15\t51+e1\te+15\n"},
		{`print(string.rep("ab", 3), string.rep("x", 0), string.rep("x", -1), string.rep("", 1e5))`, "ababab\t\t\t\n"},
		{`print(select("#", string.byte("abc", 0)), string.byte("abc", -1), string.byte("abc", 1, -1))`, "0\t99\t97\t98\t99\n"},
		{`print(select("#", string.byte("abc", 10)), select("#", string.byte("")), string.byte("abc", 2.9))`, "0\t0\t98\n"},
		{`print(pcall(string.char, 65, 256))`, "false\tbad argument #2 to '?' (invalid value)\n"},
		{`print(pcall(string.char, -1))`, "false\tbad argument #1 to '?' (invalid value)\n"},
		{`print(string.char(72, 105.7))`, "Hi\n"},
		{`print(string.sub("hello", 2, -2), string.sub("hello", -3), string.sub("hello", 10), string.sub("hello", 0), string.sub("hello", -100, 2))`, "ell\tllo\t\thello\the\n"},
		{`print(pcall(string.byte, string.rep("x", 9000), 1, -1))`, "false\tstack overflow (string slice too long)\n"},
	})
}

// table.concat formats numbers with %.14g (gopher-lua: "1000000000000000"
// for 1e15) and takes the range as given.
func TestTableConcatLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(table.concat({1e15, 2, 0.1, -0, math.huge}, ","))`, "1e+15,2,0.1,-0,inf\n"},
		{`print(table.concat({"a", "b"}, 1e15), table.concat({}, ",", 3, 2), table.concat({"a", "b", "c"}, "", 2))`, "a1e+15b\t\tbc\n"},
		{`print(pcall(table.concat, {1, {}, 3}))`, "false\tinvalid value (table) at index 2 in table for 'concat'\n"},
		{`print(pcall(table.concat, {1, 2, 3}, ",", 1, 5))`, "false\tinvalid value (nil) at index 4 in table for 'concat'\n"},
		{`print(table.concat(setmetatable({}, {__len = function() return 3 end, __index = function() return "x" end})))`, "\n"},
		{`print(pcall(table.concat, nil, {}))`, "false\tbad argument #2 to '?' (string expected, got table)\n"},
	})
}

// The differential test of patterns: random patterns (well-formed or not)
// against random subjects through find, match, gmatch and gsub, under
// lua5.1 and under this package.
func TestPatternsMatchLua51(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 15))
	items := []string{"a", "b", "1", " ", ".", "%a", "%d", "%s", "%w", "%p", "%A", "%S", "%x", "%u", "%l", "%c", "%z", "%%", "%.",
		"[ab]", "[^a]", "[a-c]", "[%d_]", "[]]", "[^%s]", "%f[%w]", "%f[^%w]", "%f[%z]", "%b()", "%bab", "(", ")", "()", "%1", "%2",
		"*", "+", "-", "?", "^", "$", "%", "[", "]", "\x00", "\xff", "é"}
	subjects := []string{"a", "b", "1", " ", "_", "(", ")", "[", "]", "%", ".", "\x00", "\xff", "\xc3\xa9", "A", "x", "9"}
	const cases = 2500
	var script strings.Builder
	script.WriteString(`local function show(...)
  local t = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    t[i] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  return table.concat(t, ",")
end
local function try(f, ...)
  local r = {pcall(f, ...)}
  if not r[1] then return "error: " .. tostring(r[2]):gsub("^[^:]*:%d+: ", "") end
  return show(unpack(r, 2, table.maxn(r)))
end
local function all(s, p)
  local t = {}
  for a, b in string.gmatch(s, p) do t[#t + 1] = show(a, b) end
  return table.concat(t, ";")
end
local function repl(a, b) return b or ("<" .. a .. ">") end
local cases = {
`)
	for range cases {
		var p, s strings.Builder
		for range 1 + rng.IntN(6) {
			p.WriteString(pick(rng, items))
		}
		for range rng.IntN(10) {
			s.WriteString(pick(rng, subjects))
		}
		fmt.Fprintf(&script, "{%s, %s, %d},\n", luaByteString(s.String()), luaByteString(p.String()), rng.IntN(9)-3)
	}
	script.WriteString(`}
for i, c in ipairs(cases) do
  local s, p, init = c[1], c[2], c[3]
  print("### " .. i)
  print(try(string.find, s, p, init))
  print(try(string.find, s, p, init, true))
  print(try(string.match, s, p, init))
  print(try(all, s, p))
  print(try(string.gsub, s, p, "[%0]"))
  print(try(string.gsub, s, p, repl, 2))
  print(try(string.gsub, s, p, {a = "A", ["1"] = 1}))
end
`)
	sameAsLua51(t, script.String(), cases)
}

// luaByteString is s as a Lua string literal, every byte outside
// printable ASCII escaped.
func luaByteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := range len(s) {
		c := s[i]
		if c < ' ' || c > '~' || c == '"' || c == '\\' {
			fmt.Fprintf(&b, "\\%03d", c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
