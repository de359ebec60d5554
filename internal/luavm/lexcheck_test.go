package luavm

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// gopher-lua's lexer stores byte(300) for "\300"; Lua 5.1 rejects a
// decimal escape above 255. Fennel reads string literals through
// loadstring, so under lua5.1 (print "\300") fails to compile.
func TestDecimalEscapeAbove255IsAnError(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(loadstring('return "\\300"'))`, "nil\t[string \"return \"\\300\"\"]:1: escape sequence too large near '\"'\n"},
		{`print(loadstring('return "\\256 and \\999"'))`, "nil\t[string \"return \"\\256 and \\999\"\"]:1: escape sequence too large near '\"'\n"},
		{`print(loadstring("x = 1\nreturn 'ab\\\nc\\256'", "=s"))`, "nil\ts:3: escape sequence too large near ''ab\nc'\n"},
		{`print(loadstring('return "a\\tb\\0c\\300"', "=s"))`, "nil\ts:1: escape sequence too large near '\"a\tb'\n"},
		{`print(loadstring('return "\\255", "\\2555", \'\\0001\'', "=s")())`, "\xff\t\xff5\t\n"},
		// Escapes in comments and long strings are not escapes.
		{`print(loadstring('--[[ "\\300" ]] return [===[ "\\300" ]===], "\\65" -- "\\300"', "=s")())`, " \"\\300\" \tA\n"},
		// A syntax error before the string is reported first.
		{`print(loadstring("x = = '\\300'", "=s"))`, "nil\ts:1: unexpected symbol near '='\n"},
		{`print(loadstring("x = 1 '\\300'", "=s"))`, "nil\ts:1: escape sequence too large near '''\n"},
	})
}

// Lua 5.1 (LUA_COMPAT_LSTR 1) rejects [[ inside a [[ long string or
// comment, and a [= that does not open a long string; but --[=x is a
// short comment, which gopher-lua reads as an unfinished long one.
func TestLongBracketErrorsLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(loadstring("x = [[ a [[ b ]]", "=s"))`, "nil\ts:1: nesting of [[...]] is deprecated near '['\n"},
		{`print(loadstring("--[[ a\n[[ b ]]", "=s"))`, "nil\ts:2: nesting of [[...]] is deprecated near '['\n"},
		{`print(loadstring("x = [===[ a [[ b ]] ]===] return x", "=s")())`, " a [[ b ]] \n"},
		{`print(loadstring("x = [=x", "=s"))`, "nil\ts:1: invalid long string delimiter near '[='\n"},
		{`print(loadstring("x = 1 --[=x\nreturn x", "=s")())`, "1\n"},
		{`print(loadstring("--[=x\nx = [[ [[", "=s"))`, "nil\ts:2: nesting of [[...]] is deprecated near '['\n"},
	})
}

// The differential test of the lexer: random sources of quotes, escapes,
// long brackets, comments and newlines compile under lua5.1 exactly when
// they compile here, and the errors of lexcheck.go read the same.
func TestLexicalErrorsMatchLua51(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 3))
	tokens := []string{"\"", "'", "\\300", "\\25", "\\2555", "\\", "[[", "]]", "[=[", "]=]", "[=", "--", "--[[", "--[=",
		"\n", "\r\n", "\r", "x", "=", "a", " ", "\\n", "\\\n", "[", "]", "return", "1", "\\0"}
	const cases = 2000
	var script strings.Builder
	script.WriteString("local cases = {\n")
	for range cases {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteString(pick(rng, tokens))
		}
		script.WriteString(luaByteString(b.String()) + ",\n")
	}
	script.WriteString(`}
for i, c in ipairs(cases) do
  print("### " .. i)
  local f, err = loadstring(c, "=s")
  if f then
    print("ok")
  elseif err:find("escape sequence") or err:find("nesting of") or err:find("delimiter") then
    print(string.format("%q", err))
  else
    print("syntax error")
  end
end
`)
	sameAsLua51(t, script.String(), cases)
}
