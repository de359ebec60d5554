package luavm

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/internal/testenv"
)

// viewCases are Lua expressions whose value View must render as
// fennel.view does with {:one-line? true} under Lua 5.1.
var viewCases = []string{
	`{code = 42, msg = "bad"}`,
	`{}`,
	`{1, 2, 3}`,
	`{1, nil, 3}`,
	`{[2] = "b", [3] = "c"}`,
	`{1, 2, x = 1}`,
	`{[0] = "z", [-1] = "m", [1.5] = "h", [1] = "a"}`,
	`{a = {b = {c = {}, d = {1, {2}}}}}`,
	`{true, false, "x"}`,
	`{[true] = 1, [1] = 2, a = 3, [2.5] = 4}`,
	`{["my key"] = 1, ["a.b"] = 2, [""] = 3, ["\195\169"] = 4, ["<=>?!"] = 5, ["a:b"] = 6}`,
	`{"a\"b\\c\t\0\127\1\7\8\11\12\13", "\n", "a\nb", "x"}`,
	`{"caf\195", "h\195\169llo", "\237\160\128", "\244\144\128\128", "\192\128", "\226\130"}`,
	`{1e15, 2^53, 0.1, -0, 1/0, -1/0, 1e100, 123456789012345678, 1e14, -1e15, 3.25, 1e-5}`,
	`{2^63, 1e308, 5e-324, 100}`,
	`{-0, 1/0}`,
	`{1/0, -0, 0/0, -(0/0)}`,
	`(function() local t = {} t.self = t return t end)()`,
	`(function() local s = {1} return {a = s, b = s} end)()`,
	`(function() local s = {1} local t = {s, s} s[2] = t return t end)()`,
	`(function() local s = {} local t = {k = {x = s}, l = s} return {t, t} end)()`,
	`(function() local t = {} local r = t for i = 1, 130 do t.x = {} t = t.x end return r end)()`,
	`(function() local t = {} local r = t for i = 1, 130 do t[1] = {i} t = t[1] end return r end)()`,
	`{[{1}] = 2}`,
	`"top\"level"`,
	`42`,
}

// View renders as fennel.view does, here compared with fennel.view under
// the reference Lua 5.1.
func TestViewLikeFennelView(t *testing.T) {
	var script strings.Builder
	fmt.Fprintf(&script, "local fennel = dofile(%q)\n", testenv.Fennel(t))
	for i, c := range viewCases {
		// A function of its own per case, as each is a chunk of its own
		// below: Lua 5.1 gives the first zero constant of a function the
		// sign of every other (-0, 1/0).
		fmt.Fprintf(&script, "print(\"### %d\")\nprint(fennel.view((function() return %s end)(), {[\"one-line?\"] = true}))\n", i, c)
	}
	want := splitPrograms(runLua51(t, script.String()))
	L := NewState(Options{})
	defer L.Close()
	for i, c := range viewCases {
		fn, err := Load(L, []byte("return "+c), "=case")
		if err != nil {
			t.Fatal(err)
		}
		L.Push(fn)
		L.Call(0, 1)
		got := View(L.Get(-1), nil) + "\n"
		L.Pop(1)
		if w := want[fmt.Sprint(i)]; got != w {
			t.Errorf("View(%s)\n got %q\nwant %q", c, got, w)
		}
	}
}

// A function, which fennel.view writes with its address, shows as #<…>.
func TestViewFunction(t *testing.T) {
	L := NewState(Options{})
	defer L.Close()
	got := View(L.GetGlobal("print"), nil)
	if !strings.HasPrefix(got, "#<function: ") || !strings.HasSuffix(got, ">") {
		t.Errorf("View(print) = %q", got)
	}
}

// An error raised with a table is worded the same wherever it is raised:
// its __tostring when it has one, else the table in Fennel notation, with
// redact applied to its strings before they are quoted.
func TestErrorMessageTable(t *testing.T) {
	L := NewState(Options{})
	defer L.Close()
	upper := func(s string) string { return strings.ReplaceAll(s, `se"cret`, "{{ token }}") }
	for _, c := range []struct {
		src    string
		redact func(string) string
		want   string
	}{
		{`error({code = 42, msg = "bad"})`, nil, `error raised with a table value: {:code 42 :msg "bad"}`},
		{`error(setmetatable({status = 503}, {__tostring = function(e) return "deploy failed: " .. e.status end}))`, nil, "deploy failed: 503"},
		{`error(setmetatable({1}, {__tostring = function() error("no") end}))`, nil, "error raised with a table value: [1]"},
		{`error(setmetatable({1}, {__tostring = function() return 7 end}))`, nil, "error raised with a table value: [1]"},
		{`error(setmetatable({1}, {__tostring = 7}))`, nil, "error raised with a table value: [1]"},
		{`tostring = nil error(setmetatable({}, {__tostring = function() return "still" end}))`, nil, "still"},
		{`error({token = 'se"cret', [ 'se"cret' ] = 1})`, upper, `error raised with a table value: {"{{ token }}" 1 :token "{{ token }}"}`},
		{`error({token = 'se"cret'})`, nil, `error raised with a table value: {:token "se\"cret"}`},
		{`error("plain", 0)`, nil, "plain"},
		{`error(42, 0)`, nil, "42"},
	} {
		fn, err := Load(L, []byte(c.src), "=test")
		if err != nil {
			t.Fatal(err)
		}
		L.Push(fn)
		err = L.PCall(0, 0, nil)
		var ae *lua.ApiError
		if !errors.As(err, &ae) {
			t.Fatalf("%s: got %v, want a Lua error", c.src, err)
		}
		if got := ErrorMessage(L, err, c.redact); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}
