package luavm

import (
	"fmt"
	"strings"
	"testing"
)

// A luaCase is a chunk of Lua and what it prints under Lua 5.1.5 on
// x86-64 Linux (glibc). The builtin tests are tables of these.
type luaCase struct {
	code, want string
}

// checkCases runs each case as the chunk "=case" under lua5.1 and under a
// state of this package. lua5.1 must print the case's want (so the table
// stays true to Lua 5.1), and so must this package. An error that escapes
// a case prints as "error: message".
func checkCases(t *testing.T, cases []luaCase) {
	t.Helper()
	var script strings.Builder
	script.WriteString("local cases = {\n")
	for _, c := range cases {
		if strings.Contains(c.code, "]==]") {
			t.Fatalf("case %q contains ]==]", c.code)
		}
		fmt.Fprintf(&script, "[==[%s]==],\n", c.code)
	}
	script.WriteString(`}
for i, c in ipairs(cases) do
  print("### " .. i)
  local f = assert(loadstring(c, "=case"))
  local ok, err = pcall(f)
  if not ok then print("error: " .. tostring(err)) end
end
`)
	want := splitPrograms(runLua51(t, script.String()))
	got := splitPrograms(runHere(t, script.String()))
	for i, c := range cases {
		name := fmt.Sprint(i + 1)
		if want[name] != c.want {
			t.Errorf("lua5.1 prints %q for\n%s\nbut the case expects %q", want[name], c.code, c.want)
			continue
		}
		if got[name] != c.want {
			t.Errorf("got %q for\n%s\nwant %q (as lua5.1)", got[name], c.code, c.want)
		}
	}
}
