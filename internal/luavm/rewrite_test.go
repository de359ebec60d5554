package luavm

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// Each TestAssignBug test is one reproduction from FIDELITY.md §1. It pins
// what lua5.1 prints (and checks it against the real interpreter), shows
// that plain gopher-lua (lua.Compile without the rewrite) gets it wrong, and
// that CompileChunk gets it right.

// Bug 1: an and/or value assigned to an existing local keeps the local's
// old value when the left operand is falsy and not a plain local. In
// fennel.lua this made (case [1 2] [a b] (+ a b) _ 0) treat _ as "_".
func TestAssignBug1AndValueIntoLocal(t *testing.T) {
	checkReproduction(t,
		`local function f() return false end local a = true a = f() and 1 print(a)`,
		"false\n")
}

// Bug 2: a swap stores the first value before reading the second.
func TestAssignBug2Swap(t *testing.T) {
	checkReproduction(t,
		`local x, y = 8, 2 x, y = y, x print(x, y)`,
		"2\t8\n")
}

// Bug 3: an extra, discarded value after a ... compiles into the next
// local's register. With a plain value there it leaves a Go nil in the
// register, and the next use panics the VM with a nil-pointer dereference;
// with FIDELITY's (c and t.x) it overwrites the local.
func TestAssignBug3ExtraValueAfterVararg(t *testing.T) {
	t.Run("nil pointer", func(t *testing.T) {
		src := `local function f(...)
  local a, b = 1, 2
  a = ..., b
  return tostring(b)
end
print(f())`
		expectLua51(t, src, "2\n")
		if got := runPlain(src); !strings.Contains(got, "nil pointer dereference") {
			t.Errorf("plain gopher-lua no longer panics on this statement; it printed %q", got)
		}
		if got := runHere(t, src); got != "2\n" {
			t.Errorf("CompileChunk: got %q, want %q", got, "2\n")
		}
	})
	t.Run("clobbered local", func(t *testing.T) {
		checkReproduction(t, `local function f(...)
  local t, c = {}, true
  local a, b = 1, 2
  a = ..., (c and t.x)
  return a, b
end
print(f())`, "nil\t2\n")
	})
}

// Bug 4: with a local as value, the key of a later field target is stored
// into an earlier global target.
func TestAssignBug4GlobalAndField(t *testing.T) {
	checkReproduction(t,
		`local v1, v2 = "g", "t" local t = {} G, t.x = v1, v2 print(G, t.x)`,
		"g\tt\n")
}

// Lua 5.1 stores right to left, so the leftmost target wins.
func TestAssignStoresRightToLeft(t *testing.T) {
	checkReproduction(t, `local a; a, a = 1, 2; print(a)`, "1\n")
}

// Lua 5.1's check_conflict: a local used as a target's table or key, and
// assigned by a later target of the same statement, is used with its old
// value.
func TestAssignConflictUsesOldValue(t *testing.T) {
	for _, src := range []string{
		`local t = {} local i = 1; t[i], i = "a", 2; print(t[1], t[2], i)`,
		`local t, u = {}, {} t.x, t = 1, u; print(t == u, u.x)`,
	} {
		want := runLua51(t, src)
		if got := runHere(t, src); got != want {
			t.Errorf("%s\ngot %q, want %q", src, got, want)
		}
	}
}

// gopher-lua compiles `local f = function` like `local function f`, so
// the function sees itself instead of the outer f.
func TestLocalFunctionValueSeesOuterName(t *testing.T) {
	checkReproduction(t, `local f = 1 do local f = function() return f end print(f()) end`, "1\n")
}

// gopher-lua reads "010" as octal, and "1e400" and 0xffffffffffffffff as
// NaN; Lua 5.1 reads them with strtod.
func TestNumericLiteralsReadLikeLua51(t *testing.T) {
	checkReproduction(t,
		`print(0010, 1e400, 0xffffffffffffffff, 0x7fffffffffffffff, 08, 1e15)`,
		"10\tinf\t1.844674407371e+19\t9.2233720368548e+18\t8\t1e+15\n")
}

// A rewritten statement keeps its line numbers: a failing store reports
// the line the statement ends on, as Lua 5.1 does.
func TestRewriteKeepsLines(t *testing.T) {
	src := "local x = 1\nlocal t = nil\nx,\nt.y = 2,\n3\n"
	L, _ := testState(t)
	fn, err := Load(L, []byte(src), "=lines")
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	err = L.PCall(0, 0, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "lines:5:") {
		t.Errorf("got error %v, want one at lines:5: like lua5.1's", err)
	}
}

// checkReproduction checks that lua5.1 prints want for src, that plain
// gopher-lua does not, and that CompileChunk does.
func checkReproduction(t *testing.T, src, want string) {
	t.Helper()
	expectLua51(t, src, want)
	if got := runPlain(src); got == want {
		t.Errorf("plain gopher-lua now prints lua5.1's %q: the bug this test reproduces is gone", want)
	}
	if got := runHere(t, src); got != want {
		t.Errorf("CompileChunk: got %q, want %q", got, want)
	}
}

func expectLua51(t *testing.T, src, want string) {
	t.Helper()
	if got := runLua51(t, src); got != want {
		t.Fatalf("lua5.1 printed %q, not the %q this test expects", got, want)
	}
}

// runPlain runs src as plain gopher-lua compiles it, in a state with the
// corrected builtins (so that only compilation differs), and returns what
// it printed, or the error or panic it ended with.
func runPlain(src string) (out string) {
	var buf bytes.Buffer
	L := fuzzState(&buf)
	defer L.Close()
	defer func() {
		if r := recover(); r != nil {
			out = buf.String() + fmt.Sprint("panic: ", r)
		}
	}()
	proto, err := plainCompile([]byte(src), "=plain")
	if err != nil {
		return "compile error: " + err.Error()
	}
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, 0, nil); err != nil {
		return buf.String() + "error: " + err.Error()
	}
	return buf.String()
}

// A condition that is false without evaluating anything, at the start of a
// loop body: gopher-lua's jump-to-jump pass sent the loop's back-jump into
// the then part (or past the end of the function). Each case must print
// what Lua 5.1 prints.
func TestConstantFalseConditionInLoops(t *testing.T) {
	checkCases(t, []luaCase{
		{"for _, x in ipairs({1, 2}) do if false then print('then') else print('else', x) end end", "else\t1\nelse\t2\n"},
		{"for _, x in ipairs({1, 2}) do if nil then else print(x) end end print('done')", "1\n2\ndone\n"},
		{"local function f() for _, x in ipairs({1}) do if nil then else print(x) end end end f() print('after')", "1\nafter\n"},
		{"for _, x in ipairs({1, 2}) do if false and x then print('then') elseif x == 2 then print('two') else print('other') end end", "other\ntwo\n"},
		{"for _, x in ipairs({1}) do if false then print('a') end print('b', x) end", "b\t1\n"},
		{"for _, x in ipairs({1, 2}) do while false do print('never') end print(x) end", "1\n2\n"},
		{"local i = 0 while i < 2 do if nil then print('then') else print('else') end i = i + 1 end", "else\nelse\n"},
		{"local i = 0 repeat if false then print('then') else print('else') end i = i + 1 until i == 2", "else\nelse\n"},
		{"if false then print('then') else local x = 1 print(x) end print(x)", "1\nnil\n"},
	})
}
