package luavm

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// gopher-lua's VM words its runtime errors its own way ("attempt to call a
// non-function object"); vmerror.go words them as Lua 5.1 does, naming the
// variable the failing instruction read. Each case is checked against
// lua5.1 itself.
func TestVMErrorsLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		// calling: the called register named by the instruction that loaded it
		{`setup()`, "error: case:1: attempt to call global 'setup' (a nil value)\n"},
		{`local t = {} t:nomethod()`, "error: case:1: attempt to call method 'nomethod' (a nil value)\n"},
		{`local s = "x" s:nomethod()`, "error: case:1: attempt to call method 'nomethod' (a nil value)\n"},
		{`string.nofn()`, "error: case:1: attempt to call field 'nofn' (a nil value)\n"},
		{`local up; (function() up() end)()`, "error: case:1: attempt to call upvalue 'up' (a nil value)\n"},
		{`(nil)()`, "error: case:1: attempt to call a nil value\n"},
		{`for k in nil do end`, "error: case:1: attempt to call a nil value\n"},
		{`local f = 5; f()`, "error: case:1: attempt to call local 'f' (a number value)\n"},
		{`do local a = 1 end; local b = g().x`, "error: case:1: attempt to call global 'g' (a nil value)\n"},
		{`return math.foo(1)`, "error: case:1: attempt to call field 'foo' (a nil value)\n"},
		{`return ("x"):rep(2):foo()`, "error: case:1: attempt to call method 'foo' (a nil value)\n"},
		{`return ("a"):bad()`, "error: case:1: attempt to call method 'bad' (a nil value)\n"},
		{`local obj = {} obj:method()`, "error: case:1: attempt to call method 'method' (a nil value)\n"},
		{`return os.foo()`, "error: case:1: attempt to call field 'foo' (a nil value)\n"},
		{`a = {b = {c = {}}} a.b.c.d()`, "error: case:1: attempt to call field 'd' (a nil value)\n"},
		{`local function f() return g() end return f()`, "error: case:1: attempt to call global 'g' (a nil value)\n"},
		{`local up local function f() return function() return up() end end return f()()`, "error: case:1: attempt to call upvalue 'up' (a nil value)\n"},
		{`local s = "abc" return s:nomethod()`, "error: case:1: attempt to call method 'nomethod' (a nil value)\n"},
		{`return ("abc"):upper():nomethod()`, "error: case:1: attempt to call method 'nomethod' (a nil value)\n"},
		{`local x = true return x()`, "error: case:1: attempt to call local 'x' (a boolean value)\n"},
		{`return math.pi()`, "error: case:1: attempt to call field 'pi' (a number value)\n"},
		{`return coroutine.nothing()`, "error: case:1: attempt to call field 'nothing' (a nil value)\n"},
		{`local f = 5 return f(1, 2)`, "error: case:1: attempt to call local 'f' (a number value)\n"},
		{`return (5)()`, "error: case:1: attempt to call a number value\n"},
		{`local t = {} return t:x()`, "error: case:1: attempt to call method 'x' (a nil value)\n"},
		{`local t = {x = 1} return t:x()`, "error: case:1: attempt to call method 'x' (a number value)\n"},
		// indexing: locals by their scopes, across blocks that ended; fields,
		// methods, upvalues, globals; rewrite.go's temporaries name nothing
		{`local cfg; cfg.x = 1`, "error: case:1: attempt to index local 'cfg' (a nil value)\n"},
		{`local cfg = nil; return cfg.x`, "error: case:1: attempt to index local 'cfg' (a nil value)\n"},
		{`local t = {}; return t.a.b`, "error: case:1: attempt to index field 'a' (a nil value)\n"},
		{`local t = {}; t.a.b = 1`, "error: case:1: attempt to index field 'a' (a nil value)\n"},
		{`local t = {}; return t[1].b`, "error: case:1: attempt to index field '?' (a nil value)\n"},
		{`local t = {}; local k = "z"; return t[k].b`, "error: case:1: attempt to index field '?' (a nil value)\n"},
		{`local up; (function() return up.x end)()`, "error: case:1: attempt to index upvalue 'up' (a nil value)\n"},
		{`local a = {} ; a.b.c.d = 1`, "error: case:1: attempt to index field 'b' (a nil value)\n"},
		{`local x = 1; do local y; y.z = 1 end`, "error: case:1: attempt to index local 'y' (a nil value)\n"},
		{`local t = setmetatable({}, {__index = 5}); return t.x`, "error: case:1: attempt to index a number value\n"},
		{`local x = true; return x.y`, "error: case:1: attempt to index local 'x' (a boolean value)\n"},
		{`return (1).x`, "error: case:1: attempt to index a number value\n"},
		{`return (function(...) local a = ... ; return a.b end)()`, "error: case:1: attempt to index local 'a' (a nil value)\n"},
		{`local function f(a) return a.b end return f()`, "error: case:1: attempt to index local 'a' (a nil value)\n"},
		{`local function g() return nil end do local a = 1 end local b = g().x`, "error: case:1: attempt to index a nil value\n"},
		{`local a do local b = 1 end a.x = 1`, "error: case:1: attempt to index local 'a' (a nil value)\n"},
		{`for i = 1, 2 do local t t.x = 1 end`, "error: case:1: attempt to index local 't' (a nil value)\n"},
		{`for k, v in pairs({1}) do v.x = 1 end`, "error: case:1: attempt to index local 'v' (a number value)\n"},
		{`local t = {next = {}} for i = 1, 3 do t = t.next end`, "error: case:1: attempt to index local 't' (a nil value)\n"},
		{`local n = 0 while n < 3 do local x = n; n = n + 1; if n == 2 then x.y = 1 end end`, "error: case:1: attempt to index local 'x' (a number value)\n"},
		{`repeat local x until x.y`, "error: case:1: attempt to index local 'x' (a nil value)\n"},
		{`local c = false if c then local a = 1 else local b; b.z = 1 end`, "error: case:1: attempt to index local 'b' (a nil value)\n"},
		{`local obj = {} obj.sub:method()`, "error: case:1: attempt to index field 'sub' (a nil value)\n"},
		{`local a = ... ; return a.x`, "error: case:1: attempt to index local 'a' (a nil value)\n"},
		{`local function f() end local _1_ = f() return _1_.x`, "error: case:1: attempt to index local '_1_' (a nil value)\n"},
		{`function f(cfg) return cfg.x end return f()`, "error: case:1: attempt to index local 'cfg' (a nil value)\n"},
		{`local function f() return 1 end local a, b = f() return b.x`, "error: case:1: attempt to index local 'b' (a nil value)\n"},
		{`t.x, y = 1, 2`, "error: case:1: attempt to index global 't' (a nil value)\n"},
		{`local t t.x, t.y = 1, 2`, "error: case:1: attempt to index local 't' (a nil value)\n"},
		{`local x = 1 x = nil x.y = 1`, "error: case:1: attempt to index local 'x' (a nil value)\n"},
		{`local t local function f() return t.x end return f()`, "error: case:1: attempt to index upvalue 't' (a nil value)\n"},
		{`local function f() end return f().x`, "error: case:1: attempt to index a nil value\n"},
		{`return (nil).x`, "error: case:1: attempt to index a nil value\n"},
		{`local a = {} do local tmp = 1 end local b = nil return b.x`, "error: case:1: attempt to index local 'b' (a nil value)\n"},
		{`local a = 1 local b = {} do local c = 2 end do local d = 3 end local e return e.x`, "error: case:1: attempt to index local 'e' (a nil value)\n"},
		{`local function outer() local x = {} local function inner(y) return y.z.w end return inner(x) end return outer()`, "error: case:1: attempt to index field 'z' (a nil value)\n"},
		{`local t = {} for i = 1, 2 do local u = t[i] u.x = 1 end`, "error: case:1: attempt to index local 'u' (a nil value)\n"},
		{`local t = setmetatable({}, {__index = function(t, k) return nil end}) return t.x.y`, "error: case:1: attempt to index field 'x' (a nil value)\n"},
		{`local f = function(...) local a, b = ... return b.x end return f(1)`, "error: case:1: attempt to index local 'b' (a nil value)\n"},
		{`local function f(self) return self.x end local o = {f = f} return o.f()`, "error: case:1: attempt to index local 'self' (a nil value)\n"},
		{`local x = 1 local y = x.z`, "error: case:1: attempt to index local 'x' (a number value)\n"},
		{`local t = {} return t.a.b.c`, "error: case:1: attempt to index field 'a' (a nil value)\n"},
		{`local t = {a = {}} return t.a.b.c`, "error: case:1: attempt to index field 'b' (a nil value)\n"},
		{`g = nil return g.x`, "error: case:1: attempt to index global 'g' (a nil value)\n"},
		{`local up = nil local f = function() up.x = 1 end f()`, "error: case:1: attempt to index upvalue 'up' (a nil value)\n"},
		{`local i = 0 for j = 1, 2 do i = i + j end return i.x`, "error: case:1: attempt to index local 'i' (a number value)\n"},
		{`for i = 1, 1 do end local z return z.x`, "error: case:1: attempt to index local 'z' (a nil value)\n"},
		{`for k, v in ipairs({}) do end local z return z.x`, "error: case:1: attempt to index local 'z' (a nil value)\n"},
		{`local t = {} for k, v in pairs(t) do end return t.x.y`, "error: case:1: attempt to index field 'x' (a nil value)\n"},
		{`local t = {} return t[1][2] `, "error: case:1: attempt to index field '?' (a nil value)\n"},
		{`local t = {} local k = "a" return t[k][k] `, "error: case:1: attempt to index field '?' (a nil value)\n"},
		{`local t = {} t.x.y.z = 1`, "error: case:1: attempt to index field 'x' (a nil value)\n"},
		{`local t = {} t[1].y = 1`, "error: case:1: attempt to index field '?' (a nil value)\n"},
		{`string.upper.x = 1`, "error: case:1: attempt to index field 'upper' (a function value)\n"},
		{`local a = {} a.b.c = a.d.e`, "error: case:1: attempt to index field 'd' (a nil value)\n"},
		{`local function f(...) return ... end local a = f() return a.b`, "error: case:1: attempt to index local 'a' (a nil value)\n"},
		{`local x = 10 local function f() x = nil return x.y end return f()`, "error: case:1: attempt to index upvalue 'x' (a nil value)\n"},
		{`return select(1, nil).x`, "error: case:1: attempt to index a nil value\n"},
		{`local a = {} a.b = 1 return a.b.c`, "error: case:1: attempt to index field 'b' (a number value)\n"},
		{`local a = {b = 1} return a.b.c`, "error: case:1: attempt to index field 'b' (a number value)\n"},
		{`return _G.nothing.x`, "error: case:1: attempt to index field 'nothing' (a nil value)\n"},
		{`local _ENV = nil return print.x`, "error: case:1: attempt to index global 'print' (a function value)\n"},
		// arithmetic: the first operand if it is not a number (numeric strings
		// are), else the second; constants are named by nothing
		{`local s = "a"; return s + 1`, "error: case:1: attempt to perform arithmetic on local 's' (a string value)\n"},
		{`local s = "10"; return s + {}`, "error: case:1: attempt to perform arithmetic on a table value\n"},
		{`local t = {} return -t`, "error: case:1: attempt to perform arithmetic on local 't' (a table value)\n"},
		{`local t = {}; return t.x + 1`, "error: case:1: attempt to perform arithmetic on field 'x' (a nil value)\n"},
		{`local t = {}; return 1 + t.x`, "error: case:1: attempt to perform arithmetic on field 'x' (a nil value)\n"},
		{`return 2 ^ {}`, "error: case:1: attempt to perform arithmetic on a table value\n"},
		{`local a, b = 1; return a + b`, "error: case:1: attempt to perform arithmetic on local 'b' (a nil value)\n"},
		{`return 1 + nil`, "error: case:1: attempt to perform arithmetic on a nil value\n"},
		{`return nil + 1`, "error: case:1: attempt to perform arithmetic on a nil value\n"},
		{`return "abc" + 1`, "error: case:1: attempt to perform arithmetic on a string value\n"},
		{`return 1 + "abc"`, "error: case:1: attempt to perform arithmetic on a string value\n"},
		{`local x = "abc"; return -x`, "error: case:1: attempt to perform arithmetic on local 'x' (a string value)\n"},
		{`return -{}`, "error: case:1: attempt to perform arithmetic on a table value\n"},
		{`local x return x + 1`, "error: case:1: attempt to perform arithmetic on local 'x' (a nil value)\n"},
		{`return 1 + x`, "error: case:1: attempt to perform arithmetic on global 'x' (a nil value)\n"},
		{`return -x`, "error: case:1: attempt to perform arithmetic on global 'x' (a nil value)\n"},
		{`local x = "1" return x + {}`, "error: case:1: attempt to perform arithmetic on a table value\n"},
		{`local x = {} return "1" + x`, "error: case:1: attempt to perform arithmetic on local 'x' (a table value)\n"},
		{`local x = {} return x + "1"`, "error: case:1: attempt to perform arithmetic on local 'x' (a table value)\n"},
		{`local a, b = {}, {} return a * b`, "error: case:1: attempt to perform arithmetic on local 'a' (a table value)\n"},
		{`local a = {} return a % 2`, "error: case:1: attempt to perform arithmetic on local 'a' (a table value)\n"},
		{`local a = {} return 2 ^ a`, "error: case:1: attempt to perform arithmetic on local 'a' (a table value)\n"},
		{`local a return a / 2`, "error: case:1: attempt to perform arithmetic on local 'a' (a nil value)\n"},
		{`local a = "x" return a - 1`, "error: case:1: attempt to perform arithmetic on local 'a' (a string value)\n"},
		// concatenation: the rightmost pair that is not two strings
		{`return x .. "a"`, "error: case:1: attempt to concatenate global 'x' (a nil value)\n"},
		{`local x; return "a" .. x .. "b"`, "error: case:1: attempt to concatenate local 'x' (a nil value)\n"},
		{`local x, y; return x .. y`, "error: case:1: attempt to concatenate local 'x' (a nil value)\n"},
		{`return "a" .. {} .. "b"`, "error: case:1: attempt to concatenate a table value\n"},
		{`local a = {}; return a.b .. "x"`, "error: case:1: attempt to concatenate field 'b' (a nil value)\n"},
		{`return 1 .. {}`, "error: case:1: attempt to concatenate a table value\n"},
		{`return {} .. 1 .. 2`, "error: case:1: attempt to concatenate a table value\n"},
		{`local a = {} return a .. "x" .. "y"`, "error: case:1: attempt to concatenate local 'a' (a table value)\n"},
		{`return "x" .. "y" .. {}`, "error: case:1: attempt to concatenate a table value\n"},
		{`local a = {}; local b = {}; return a .. b`, "error: case:1: attempt to concatenate local 'a' (a table value)\n"},
		{`return 1 .. nil`, "error: case:1: attempt to concatenate a nil value\n"},
		{`local t = {} t.a = t.b .. "x"`, "error: case:1: attempt to concatenate field 'b' (a nil value)\n"},
		{`local a, b, c = "a", nil, "c" return a .. b .. c`, "error: case:1: attempt to concatenate local 'b' (a nil value)\n"},
		{`local a, b, c = "a", "b", {} return a .. b .. c`, "error: case:1: attempt to concatenate local 'c' (a table value)\n"},
		{`local a, b, c = {}, "b", "c" return a .. b .. c`, "error: case:1: attempt to concatenate local 'a' (a table value)\n"},
		{`local a, b, c = nil, {}, "c" return a .. b .. c`, "error: case:1: attempt to concatenate local 'b' (a table value)\n"},
		{`local t = {} return t.x .. t.y`, "error: case:1: attempt to concatenate field 'x' (a nil value)\n"},
		{`local t = {} return "a" .. t.x .. "b" .. t.y`, "error: case:1: attempt to concatenate field 'y' (a nil value)\n"},
		{`local mt = {__concat = function(a, b) return "m" end} local o = setmetatable({}, mt) local n return o .. n .. "x"`, "error: case:1: attempt to concatenate local 'n' (a nil value)\n"},
		// comparison: no names, "two" for the same type
		{`return 1 < nil`, "error: case:1: attempt to compare number with nil\n"},
		{`return {} < {}`, "error: case:1: attempt to compare two table values\n"},
		{`return "a" < 1`, "error: case:1: attempt to compare string with number\n"},
		{`return nil > 1`, "error: case:1: attempt to compare number with nil\n"},
		{`return {} <= {}`, "error: case:1: attempt to compare two table values\n"},
		{`local t = {} return t.a < 1`, "error: case:1: attempt to compare nil with number\n"},
		{`local t = {} return t.a <= t.b`, "error: case:1: attempt to compare two nil values\n"},
		{`return {} < 1`, "error: case:1: attempt to compare table with number\n"},
		{`return "x" < "y" and {} < {}`, "error: case:1: attempt to compare two table values\n"},
		// length
		{`local n = 5 return #n`, "error: case:1: attempt to get length of local 'n' (a number value)\n"},
		{`return #nil`, "error: case:1: attempt to get length of a nil value\n"},
		{`return #x`, "error: case:1: attempt to get length of global 'x' (a nil value)\n"},
		{`local t = {} return #t.x`, "error: case:1: attempt to get length of field 'x' (a nil value)\n"},
		// numeric for
		{`for i = "a", 2 do end`, "error: case:1: 'for' initial value must be a number\n"},
		{`for i = 1, {} do end`, "error: case:1: 'for' limit must be a number\n"},
		{`for i = 1, 2, nil do end`, "error: case:1: 'for' step must be a number\n"},
		// errors raised by Go functions, or none
		{`local t = {}; t[nil] = 1`, "error: case:1: table index is nil\n"},
		{`return string.rep()`, "error: case:1: bad argument #1 to 'rep' (string expected, got no value)\n"},
		{`return -"2"`, ""},
		{`local mt = {__concat = function(a, b) return "m" end} local o = setmetatable({}, mt) local n return n .. o`, ""},
		{`local t = {} t[nil] = 1`, "error: case:1: table index is nil\n"},
	})
}

// Random chunks that declare locals in nested blocks, loops and functions,
// then run an operation that may fail on a local, an upvalue, a global, a
// field or a temporary: naming the culprit depends on which locals are in
// scope at that instruction (scopes.go) and on which instruction last
// wrote its register. Every error must read as lua5.1's.
func TestVMErrorsOfRandomChunksLikeLua51(t *testing.T) {
	t.Parallel()
	const programs = 1500
	r := rand.New(rand.NewPCG(5, 1))
	var script strings.Builder
	script.WriteString("local cases = {\n")
	for range programs {
		fmt.Fprintf(&script, "%q,\n", errorChunk(r))
	}
	script.WriteString(`}
for i, c in ipairs(cases) do
  print("### " .. i)
  local ok, err = pcall(assert(loadstring(c, "=case")))
  if not ok then print(err) end
end
`)
	sameAsLua51(t, script.String(), programs)
}

// errorChunk is one chunk for TestVMErrorsOfRandomChunksLikeLua51.
func errorChunk(r *rand.Rand) string {
	g := &chunkGen{r: r}
	g.block(0)
	if r.IntN(3) == 0 {
		// The failing operation in a function: the chunk's locals are its
		// upvalues.
		outer := g.visible
		g.visible = append([]string{"p"}, outer...)
		g.line("local function f(p)")
		g.block(1)
		g.line(g.failing())
		g.line("end")
		g.visible = outer
		g.line("return f(" + g.value() + ")")
	} else {
		g.line(g.failing())
	}
	return g.b.String()
}

type chunkGen struct {
	r       *rand.Rand
	b       strings.Builder
	visible []string // locals in scope, innermost last
	n       int
}

func (g *chunkGen) line(s string) { g.b.WriteString(s + "\n") }

func (g *chunkGen) fresh() string {
	g.n++
	return fmt.Sprintf("v%d", g.n)
}

func (g *chunkGen) value() string {
	values := []string{"nil", "1", `"s"`, `"5"`, "{}", "{f = {g = {}}}", "true", "function() end", "{1}"}
	return values[g.r.IntN(len(values))]
}

// block writes a few statements that declare locals, some in blocks that
// end before the failing operation.
func (g *chunkGen) block(depth int) {
	for range 1 + g.r.IntN(4) {
		switch k := g.r.IntN(8); {
		case k < 3:
			name := g.fresh()
			g.line("local " + name + " = " + g.value())
			g.visible = append(g.visible, name)
		case k == 3:
			g.line(fmt.Sprintf("g%d = %s", g.r.IntN(3), g.value()))
		case depth >= 3:
		case k == 4:
			g.line("do")
			g.inner(depth)
			g.line("end")
		case k == 5:
			i := g.fresh()
			g.line("for " + i + " = 1, 1 do")
			g.inner(depth, i)
			g.line("end")
		case k == 6:
			v := g.fresh()
			g.line("for _, " + v + " in ipairs({" + g.value() + "}) do")
			g.inner(depth, v)
			g.line("end")
		default:
			// Not a constant condition: gopher-lua miscompiles
			// `if nil then else ... end` at the end of a generic for's body.
			g.line(fmt.Sprintf("if g%d then", g.r.IntN(3)))
			g.inner(depth)
			g.line("else")
			g.inner(depth)
			g.line("end")
		}
	}
}

// inner writes the block of a statement, in which names are the loop's
// variables; its locals go out of scope at its end.
func (g *chunkGen) inner(depth int, names ...string) {
	outer := len(g.visible)
	g.visible = append(g.visible, names...)
	g.block(depth + 1)
	g.visible = g.visible[:outer]
}

// operand is a local in scope, a global, a field of one, or a temporary.
func (g *chunkGen) operand() string {
	switch k := g.r.IntN(10); {
	case k < 5 && len(g.visible) > 0:
		return g.visible[g.r.IntN(len(g.visible))]
	case k < 6:
		return fmt.Sprintf("g%d", g.r.IntN(4))
	case k < 8:
		return g.operand() + ".f"
	case k < 9:
		return g.operand() + "[1]"
	default:
		return "(" + g.value() + ")"
	}
}

func (g *chunkGen) failing() string {
	forms := []string{
		"return A.x", "A.x = 1", "return A()", "return A:m()", "return A.f.g",
		"return A + 1", "return 1 - A", "return A * B", "return -A", "return A % 2",
		"return #A", "return A .. 'x'", "return 'x' .. A .. 'y'", "return A .. B",
		"return A < 1", "return A <= B", "local z = A.f return z.g",
	}
	form := forms[g.r.IntN(len(forms))]
	a := g.operand()
	if form == "A.x = 1" && strings.HasPrefix(a, "(") && !strings.ContainsAny(a, ".[") {
		// gopher-lua compiles `(1).x = 1` without loading the 1: it
		// stores into whatever register 0 holds.
		a = "g0"
	}
	return strings.NewReplacer("A", a, "B", g.operand()).Replace(form)
}
