package luavm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// Lua 5.1 keeps one zero constant per function, and the first zero it
// registers gives its sign: the later -0 is the constant 0. gopher-lua
// registers the same way, but it folds the 0 of 1/0 away, so -0 came first.
func TestZeroConstantTakesTheFirstZerosSign(t *testing.T) {
	checkReproduction(t, `local x = 1/0 print(tostring(-0))`, "0\n")
	checkReproduction(t, `local a = 1/0 print(tostring(-1 * 0))`, "0\n")
	checkReproduction(t, `local a = 1/0 local b = -0 print(a, b)`, "inf\t0\n")
	checkCases(t, []luaCase{
		{`local a = 0 local b = -0 print(tostring(b))`, "0\n"},
		{`local a = -0 local b = 0 print(tostring(b))`, "-0\n"},
		// Each function has its own constants.
		{`local a = 0 local function f() return -0 end print(f(), -0)`, "-0\t0\n"},
		// A truth test does not load its constant: the -0 comes first.
		{`if 0 then end local a = -0 print(a)`, "-0\n"},
		{`local a = not 0 local b = -0 print(b)`, "-0\n"},
		// The divisor of an unfolded division is registered first.
		{`local a = -0 / 0 print(-0)`, "0\n"},
		{`local a = 0 / -0 print(0)`, "-0\n"},
	})
}

// Lua 5.1 does not fold x/0: the zero is a constant, with the function's
// zero sign, so 1/0 is -inf when -0 came first. gopher-lua folds 1/0 with
// the literal's own sign.
func TestDivisionByZeroIsNotFolded(t *testing.T) {
	checkReproduction(t, `local x = -0 print(tostring(1/0))`, "-inf\n")
	checkCases(t, []luaCase{
		{`local x = -0 print(1/0, -1/0, 0/0 ~= 0/0)`, "-inf\tinf\ttrue\n"},
		{`print(1/0, -1/0, 1/-0, 1/(-1/0))`, "inf\t-inf\tinf\t-0\n"},
	})
}

// Lua 5.1 folds a % b as a - floor(a/b)*b, and a % 0 and NaN results not
// at all; gopher-lua folds with math.Mod.
func TestModuloFoldsLikeLua51(t *testing.T) {
	checkReproduction(t, `print(-4 % 2, 5.5 % -2, 1 % 0, 5 % (1/0))`, "0\t-0.5\t-nan\t-nan\n")
}

// Lua 5.1 folds a^b with C's pow, which glibc rounds correctly but for
// rare cases; Go's math.Pow is often a unit in the last place off.
func TestPowerFoldsWithCPow(t *testing.T) {
	checkReproduction(t, `print(string.format("%.17g %.17g %.17g", 10^-26, 7^-19, 1.1^-30))`, "1e-26 8.7727800259377946e-17 0.05730855330116795\n")
	checkCases(t, []luaCase{
		{`print((-8)^(1/3), 0^-1, (-0)^-1, (-0)^-2, 2^0.5, (-2)^3, 4^-0.5)`, "-nan\tinf\t-inf\tinf\t1.4142135623731\t-8\t0.5\n"},
		{`print((1/0)^0.5, (-1/0)^3, (-1/0)^-3, 0.5^(1/0), 2^(-1/0), (-1)^(1/0), (0/0)^0, 1^(0/0))`, "inf\t-inf\t-0\t0\t0\t1\t1\t1\n"},
	})
}

// A number that comes out of an and/or is a numeral Lua 5.1 folds further,
// while the code of the and/or still runs.
func TestNumeralThroughAndOrFolds(t *testing.T) {
	checkCases(t, []luaCase{
		{`local b = 0 print(-(true and 0), -(nil or 0))`, "0\t0\n"},
		{`local n = 0 local function f() n = n + 1 end
local a = 0 local v = -((f() and nil) or 0) print(v, n)`, "0\t1\n"},
		{`local n = 0 local function f() n = n + 1 end
print(((f() and nil) or 2) + ((f() and nil) or 3), n)`, "5\t2\n"},
	})
}

// cPow against the reference's pow on many arguments, through lua5.1's
// constant folding (which calls pow) and tostring with %.17g.
func TestCPowMatchesLua51(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	bases := []string{"2", "3", "10", "0.1", "1.1", "7", "0.5", "1.0000001", "123.456", "1e-5", "9.99", "0.999999"}
	var pairs [][2]string
	for range 300 {
		x := pick(rng, bases)
		var y string
		switch rng.IntN(3) {
		case 0:
			y = fmt.Sprint(rng.IntN(80) - 40)
		case 1:
			y = fmt.Sprintf("%.3f", rng.Float64()*20-10)
		default:
			y = fmt.Sprintf("%.1f", rng.Float64()*600-300)
		}
		pairs = append(pairs, [2]string{x, y})
	}
	var src strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&src, "print(string.format('%%.17g', %s^(%s)))\n", p[0], p[1])
	}
	want := strings.Split(runLua51(t, src.String()), "\n")
	for i, p := range pairs {
		x, _ := str2d(p[0])
		y, _ := str2d(p[1])
		if got := formatFloat(cPow(x, y), fmtSpec{verb: 'g', prec: 17}); got != want[i] {
			t.Errorf("%s^%s: cPow gives %s, lua5.1 %s", p[0], p[1], got, want[i])
		}
	}
}

// The differential test of constants: random programs of arithmetic on
// literals, folded or not, with and/or, not, truth tests and nested
// functions, print every value with %.17g under lua5.1 and under this
// package. Values computed at run time from variables are not printed,
// since gopher-lua's VM computes them differently (% and ^ with Go's
// math.Mod and math.Pow, a -0 result as 0), but the constants they use
// still count for each function's zero.
func TestConstantsMatchLua51(t *testing.T) {
	t.Parallel()
	progs, want := constExpectations(t)
	got := splitPrograms(runEach(t, progs, CompileChunk))
	if diff := diffPrograms(progs, want, got); len(diff) > 0 {
		t.Errorf("%d of %d programs print differently from lua5.1; the first:\n%s", len(diff), len(progs), diff[0])
	}
}

func TestPlainGopherLuaFoldsConstantsDifferently(t *testing.T) {
	t.Parallel()
	progs, want := constExpectations(t)
	progs = progs[:300] // enough to show it
	got := splitPrograms(runEach(t, progs, plainCompile))
	diff := diffPrograms(progs, want, got)
	if len(diff) == 0 {
		t.Fatal("plain gopher-lua agrees with lua5.1 on every program: the corpus no longer exercises the constant folding")
	}
	t.Logf("plain gopher-lua: %d of %d programs print differently from lua5.1", len(diff), len(progs))
}

const constPrograms = 1000

var constCache struct {
	sync.Mutex
	progs []string
	want  map[string]string
}

func constExpectations(t *testing.T) ([]string, map[string]string) {
	constCache.Lock()
	defer constCache.Unlock()
	if constCache.want == nil {
		rng := rand.New(rand.NewPCG(fuzzSeed, 1))
		progs := make([]string, constPrograms)
		for i := range progs {
			progs[i] = (&constProgram{rng: rng}).generate(i)
		}
		constCache.want = splitPrograms(runLua51(t, strings.Join(progs, "\n")))
		constCache.progs = progs
	}
	return constCache.progs, constCache.want
}

// A constProgram is one random program of the constants test.
type constProgram struct {
	rng  *rand.Rand
	vars []string // numeric locals in scope
	n    int
	b    strings.Builder
}

var constNumerals = []string{"0", "0", "0", "0.0", "1", "2", "3", "0.5", "10", "21", "1e308", "1e400", "0x10", "1.5", "1e-310", "-0"}

func (p *constProgram) generate(n int) string {
	fmt.Fprintf(&p.b, `do
print("### %d")
local ok = pcall(function()
local r = {}
local function out(...)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    r[#r + 1] = type(v) == "number" and string.format("%%.17g", v) or tostring(v)
  end
end
local tt, ff = true, false
`, n)
	p.statements(3+p.rng.IntN(6), 2)
	p.b.WriteString("print(table.concat(r, \" \"))\nend)\nif not ok then print(\"ERR\") end\nend\n")
	return p.b.String()
}

func (p *constProgram) statements(n, depth int) {
	for range n {
		switch p.rng.IntN(10) {
		case 0, 1:
			p.n++
			name := fmt.Sprintf("v%d", p.n)
			e, _ := p.num(3, true)
			fmt.Fprintf(&p.b, "local %s = %s\n", name, e)
			p.vars = append(p.vars, name)
		case 2, 3:
			a, _ := p.num(3, true)
			b, _ := p.num(2, true)
			fmt.Fprintf(&p.b, "out(%s, %s)\n", a, b)
		case 4:
			c, _ := p.num(2, false)
			e, _ := p.num(2, true)
			fmt.Fprintf(&p.b, "if %s then out(%s) end\n", c, e)
		case 5:
			c, _ := p.num(2, false)
			fmt.Fprintf(&p.b, "if not %s then out(1) else out(2) end\n", c)
		case 6:
			a, _ := p.num(2, true)
			b, _ := p.num(2, true)
			fmt.Fprintf(&p.b, "out(({%s, %s})[2])\n", a, b)
		case 7:
			a, _ := p.num(1, false)
			b, _ := p.num(1, false)
			c, _ := p.num(1, false)
			fmt.Fprintf(&p.b, "for i = %s, %s, %s do out(1) break end\n", a, b, c)
		case 8:
			e, _ := p.num(3, false)
			fmt.Fprintf(&p.b, "local _ = %s\n", e)
		case 9:
			if depth > 0 {
				saved := p.vars
				p.b.WriteString("out((function()\n")
				p.statements(1+p.rng.IntN(3), depth-1)
				e, _ := p.num(2, true)
				fmt.Fprintf(&p.b, "return %s\nend)())\n", e)
				p.vars = saved
			}
		}
	}
}

// num is a numeric expression, and whether its value is known at compile
// time (a literal, arithmetic on such, or an and/or ending in one). When
// its value is printed (shown), it does no arithmetic on values that are
// not known, as gopher-lua's VM turns a -0 result of arithmetic into 0;
// and nowhere does it divide, take % or ^ of values not known.
func (p *constProgram) num(depth int, shown bool) (string, bool) {
	if depth <= 0 || p.rng.IntN(4) == 0 {
		if len(p.vars) > 0 && p.rng.IntN(4) == 0 {
			return pick(p.rng, p.vars), false
		}
		return pick(p.rng, constNumerals), true
	}
	switch p.rng.IntN(9) {
	case 0, 1, 2:
		a, ak := p.num(depth-1, shown)
		b, bk := p.num(depth-1, shown)
		if shown && !(ak && bk) {
			return fmt.Sprintf("(%s and %s)", a, b), false
		}
		ops := "+-*/%^%/"
		if !(ak && bk) {
			ops = "+-*" // as the VM computes them, but for the sign of zero
		}
		return fmt.Sprintf("(%s %c %s)", a, ops[p.rng.IntN(len(ops))], b), ak && bk
	case 3:
		a, ak := p.num(depth-1, shown)
		return "(- " + a + ")", ak
	case 4:
		a, ak := p.num(depth-1, shown)
		return fmt.Sprintf("(%s %s)", pick(p.rng, []string{"true and", "1 and", "'s' and", "nil or", "false or", "0 and"}), a), ak
	case 5:
		a, ak := p.num(depth-1, shown)
		v := pick(p.rng, append([]string{"tt", "ff"}, p.vars...))
		return fmt.Sprintf("((%s and nil) or %s)", v, a), ak
	case 6:
		a, _ := p.num(depth-1, shown)
		b, _ := p.num(depth-1, shown)
		c, _ := p.num(depth-1, shown)
		d, _ := p.num(depth-1, shown)
		return fmt.Sprintf("(%s %s %s and %s or %s)", a, pick(p.rng, []string{"<", "<=", "==", "~=", ">", ">="}), b, c, d), false
	case 7:
		a, _ := p.num(depth-1, shown)
		b, _ := p.num(depth-1, shown)
		return fmt.Sprintf("(%s and %s)", a, b), false
	default:
		a, _ := p.num(depth-1, shown)
		return fmt.Sprintf("(not %s and 1 or 2)", a), false
	}
}

// numberText writes every float64 so that gopher-lua's compiler reads it
// back exactly.
func TestNumberTextRoundTrips(t *testing.T) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e15, 1e21, -1e300, 5e-324, 1 << 63, -(1 << 53) - 2, math.Inf(1), math.Inf(-1), 123456789012345678} {
		chunk := []ast.Stmt{&ast.ReturnStmt{Exprs: []ast.Expr{&ast.NumberExpr{Value: numberText(v)}}}}
		proto, err := lua.Compile(chunk, "=t")
		if err != nil {
			t.Fatal(err)
		}
		L, _ := testState(t)
		L.Push(L.NewFunctionFromProto(proto))
		L.Call(0, 1)
		got, _ := L.Get(-1).(lua.LNumber)
		if math.Float64bits(float64(got)) != math.Float64bits(v) {
			t.Errorf("numberText(%v) = %q reads back as %v", v, numberText(v), got)
		}
	}
}
