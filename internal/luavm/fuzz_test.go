package luavm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// The differential test of FIDELITY.md §1: thousands of random programs
// made of assignment statements run under this package and under lua5.1,
// and every line they print must agree. A second test runs the same
// programs through plain gopher-lua (lua.Compile without the rewrite) to
// show that the programs do catch the miscompilations.

const (
	fuzzSeed     = 5_1_5 // fixed: the same programs on every run
	fuzzPrograms = 3000
)

func TestAssignmentsMatchLua51(t *testing.T) {
	t.Parallel()
	progs, want := fuzzExpectations(t)
	got := splitPrograms(runEach(t, progs, CompileChunk))
	statements := 0
	for _, p := range progs {
		statements += strings.Count(p, "\ndump(")
	}
	if diff := diffPrograms(progs, want, got); len(diff) > 0 {
		t.Errorf("%d of %d programs print differently from lua5.1; the first:\n%s", len(diff), len(progs), diff[0])
	}
	t.Logf("%d programs, %d statements: identical to lua5.1", len(progs), statements)
}

func TestPlainGopherLuaMiscompilesAssignments(t *testing.T) {
	t.Parallel()
	progs, want := fuzzExpectations(t)
	got := splitPrograms(runEach(t, progs, plainCompile))
	diff := diffPrograms(progs, want, got)
	if len(diff) == 0 {
		t.Fatal("plain gopher-lua agrees with lua5.1 on every program: the corpus no longer exercises the bugs the rewrite fixes")
	}
	t.Logf("plain gopher-lua: %d of %d programs print differently from lua5.1 (%.1f%%)",
		len(diff), len(progs), 100*float64(len(diff))/float64(len(progs)))
}

var fuzzCache struct {
	sync.Mutex
	progs []string
	want  map[string]string
}

// fuzzExpectations returns the corpus and what lua5.1 prints for each
// program, running lua5.1 once for both tests.
func fuzzExpectations(t *testing.T) ([]string, map[string]string) {
	fuzzCache.Lock()
	defer fuzzCache.Unlock()
	if fuzzCache.want == nil {
		progs := fuzzCorpus()
		fuzzCache.want = splitPrograms(runLua51(t, strings.Join(progs, "\n")))
		fuzzCache.progs = progs
	}
	return fuzzCache.progs, fuzzCache.want
}

// plainCompile is what gopher-lua does by itself: parse and compile.
func plainCompile(src []byte, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	return lua.Compile(chunk, name)
}

// runEach compiles and runs every program in one state, in order, and
// returns all they printed. A program that fails to compile, or panics the
// compiler or the VM, prints "COMPILE ERROR" or "PANIC" under its header
// instead; the state is then replaced.
func runEach(t *testing.T, progs []string, compile func([]byte, string) (*lua.FunctionProto, error)) string {
	t.Helper()
	var out bytes.Buffer
	L := fuzzState(&out)
	defer func() { L.Close() }()
	for i, src := range progs {
		proto, err := func() (p *lua.FunctionProto, err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return compile([]byte(src), "=fuzz")
		}()
		if err != nil {
			fmt.Fprintf(&out, "### %d\nCOMPILE ERROR %v\n", i, err)
			continue
		}
		L.Push(L.NewFunctionFromProto(proto))
		if err := L.PCall(0, 0, nil); err != nil {
			fmt.Fprintf(&out, "PANIC %v\n", err)
			L.Close()
			L = fuzzState(&out)
		}
	}
	return out.String()
}

func fuzzState(out *bytes.Buffer) *lua.LState {
	L := NewState(Options{})
	L.SetGlobal("print", L.NewFunction(newPrint(out)))
	return L
}

// diffPrograms describes each program whose output differs.
func diffPrograms(progs []string, want, got map[string]string) []string {
	var diffs []string
	for i, src := range progs {
		name := fmt.Sprint(i)
		if want[name] != got[name] {
			diffs = append(diffs, fmt.Sprintf("program %s:\n%s\nlua5.1 printed:\n%sbut got:\n%s", name, src, want[name], got[name]))
		}
	}
	return diffs
}

func fuzzCorpus() []string {
	rng := rand.New(rand.NewPCG(fuzzSeed, 0))
	progs := make([]string, fuzzPrograms)
	for i := range progs {
		progs[i] = (&program{rng: rng}).generate(i)
	}
	return progs
}

// A program is one random test program. Its inner function assigns to
// locals (x, y, z, lt and the ones it declares), upvalues (a, b, c),
// globals (G1, G2) and table fields (T, P whose __newindex logs each store,
// GT, lt, getT()), and prints every variable after each statement, with a
// log of the calls made (f0, fm, tr, setA, getT, P's stores) in order, so
// that both the values and the order of evaluation and of stores show.
type program struct {
	rng    *rand.Rand
	locals []string // declared by the program so far, in scope to the end
	b      strings.Builder
}

const programPrelude = `local log = {}
local function show(v)
  local tv = type(v)
  if tv == "table" then return "tbl:" .. tostring(rawget(v, "id")) end
  if tv == "function" then return "fn" end
  return tostring(v)
end
local function flush() local s = table.concat(log, " ") for i = #log, 1, -1 do log[i] = nil end return s end
local function tr(v) log[#log + 1] = show(v) return v end
local function f0() log[#log + 1] = "f0" return false end
local function f1() return 1 end
local function fm() log[#log + 1] = "fm" return 7, 8, 9 end
local function fn() return nil end
local T = {id = "T"}
T.x = 1
T.y = false
local store = {}
local P = setmetatable({id = "P"}, {__index = store, __newindex = function(t, k, v) log[#log + 1] = "P." .. show(k) .. "=" .. show(v) store[k] = v end})
local function getT() log[#log + 1] = "getT" return T end
G1 = nil
G2 = 2
GT = {id = "GT"}
local a = 1
local b = false
local c
local function setA(v) log[#log + 1] = "setA" a = v return v end
local function dump(...)
  local s = {}
  for i = 1, select("#", ...) do s[i] = show((select(i, ...))) end
  print(table.concat(s, " "), show(a), show(b), show(c), show(G1), show(G2), show(T.x), show(T.y), show(T[1]), show(T.z),
    show(T.k1), show(T.k2), show(store.x), show(store.y), show(store.k1), show(store.k2), show(GT.x), show(GT.k1), flush())
end
local function inner(...)
local x, y, z = ...
local lt = T
local k = "k1"
`

func (p *program) generate(n int) string {
	fmt.Fprintf(&p.b, "do\nprint(\"### %d\")\nlocal ok = pcall(function(...)\n%s", n, programPrelude)
	for range 3 + p.rng.IntN(5) {
		p.b.WriteString(p.statement(true))
		p.b.WriteString(";\n") // no ambiguous call on the next line
		p.dump()
	}
	p.b.WriteString("end\n")
	args := []string{"1", "'s'", "nil", "false", "fm()", "T"}
	var call []string
	for range p.rng.IntN(5) {
		call = append(call, pick(p.rng, args))
	}
	fmt.Fprintf(&p.b, "inner(%s)\nend, 1, 2)\nif not ok then print(\"ERR\") end\nend", strings.Join(call, ", "))
	return p.b.String()
}

func (p *program) dump() {
	fmt.Fprintf(&p.b, "dump(%s)\n", strings.Join(append([]string{"x", "y", "z", "lt", "k"}, p.locals...), ", "))
}

var (
	// lt and k are assigned only by conflictAssignment, so that lt stays a
	// table and k a string.
	plainTargets = []string{"x", "y", "z", "a", "b", "c", "G1", "G2"}
	fieldTargets = []string{"T.x", "T.y", "T[1]", "T.z", "P.x", "P.y", "GT.x", "lt.x", "lt.y",
		"getT().z", "tr(T).y", "T[tr('x')]", "T[show(y)]", "lt[show(x)]", "P[show(z)]", "T[k]", "P[k]", "lt[k]"}
)

// conflictAssignment assigns lt or k in the same statement as targets that
// use them as table or key: Lua 5.1's check_conflict case.
func (p *program) conflictAssignment(top bool) string {
	var local, value string
	var uses []string
	if p.rng.IntN(2) == 0 {
		local, value = "lt", pick(p.rng, []string{"T", "GT", "P", "{id = 'N'}", "getT()", "tr(GT)"})
		uses = []string{"lt.x", "lt.y", "lt[k]", "lt[1]"}
	} else {
		local, value = "k", pick(p.rng, []string{"'k1'", "'k2'", "show(y)", "tr('k2')"})
		uses = []string{"T[k]", "P[k]", "lt[k]", "GT[k]"}
	}
	n := 1 + p.rng.IntN(3)
	targets := make([]string, 0, n+1)
	values := make([]string, 0, n+1)
	pos := p.rng.IntN(n + 1)
	for i := 0; i <= n; i++ {
		if i == pos {
			targets, values = append(targets, local), append(values, value)
			continue
		}
		t := p.target()
		if p.rng.IntN(2) == 0 {
			t = pick(p.rng, uses)
		}
		targets, values = append(targets, t), append(values, p.expr(2, top))
	}
	return strings.Join(targets, ", ") + " = " + strings.Join(values, ", ")
}

func (p *program) target() string {
	if p.rng.IntN(2) == 0 {
		if len(p.locals) > 0 && p.rng.IntN(3) == 0 {
			return pick(p.rng, p.locals)
		}
		return pick(p.rng, plainTargets)
	}
	return pick(p.rng, fieldTargets)
}

// statement is one random statement; top is false inside a nested
// function, where ... is not available.
func (p *program) statement(top bool) string {
	switch r := p.rng.IntN(22); {
	case r < 11:
		return p.assignment(top)
	case r < 13:
		return p.conflictAssignment(top)
	case r < 15:
		// a swap or rotation of targets
		n := 2 + p.rng.IntN(2)
		ts := make([]string, n)
		for i := range ts {
			ts[i] = p.target()
		}
		rot := append(append([]string{}, ts[1:]...), ts[0])
		return strings.Join(ts, ", ") + " = " + strings.Join(rot, ", ")
	case r < 18 && top:
		// a local statement, new names or shadowing ones
		n := 1 + p.rng.IntN(3)
		names := make([]string, n)
		for i := range names {
			if len(p.locals) > 0 && p.rng.IntN(4) == 0 {
				names[i] = pick(p.rng, p.locals)
			} else {
				names[i] = fmt.Sprintf("n%d", len(p.locals)+i)
			}
		}
		s := "local " + strings.Join(names, ", ")
		if p.rng.IntN(6) > 0 {
			s += " = " + p.exprList(1+p.rng.IntN(n+1), top)
		}
		for _, name := range names {
			if !contains(p.locals, name) {
				p.locals = append(p.locals, name)
			}
		}
		return s
	case r < 19:
		// in a nested function, where inner's locals are upvalues
		return ";(function() " + p.assignment(false) + " end)()"
	case r < 20:
		return "if " + p.expr(2, top) + " then " + p.assignment(top) + " else " + p.assignment(top) + " end"
	case r < 21:
		return "do local x = " + p.expr(1, top) + " " + p.assignment(top) + " end"
	default:
		return "repeat " + p.assignment(top) + " until true"
	}
}

func (p *program) assignment(top bool) string {
	n := 1 + p.rng.IntN(3)
	if p.rng.IntN(8) == 0 {
		n = 4
	}
	targets := make([]string, n)
	for i := range targets {
		targets[i] = p.target()
	}
	m := max(1, n-1+p.rng.IntN(4))
	return strings.Join(targets, ", ") + " = " + p.exprList(m, top)
}

func (p *program) exprList(m int, top bool) string {
	es := make([]string, m)
	for i := range es {
		es[i] = p.expr(3, top)
	}
	if p.rng.IntN(4) == 0 {
		// a multiple-value expression last, expanded
		multi := []string{"fm()", "f1()", "fn()"}
		if top {
			multi = append(multi, "...")
		}
		es[m-1] = pick(p.rng, multi)
	}
	return strings.Join(es, ", ")
}

var atoms = []string{"1", "2", "'s'", "true", "false", "nil", "x", "y", "z", "a", "b", "c", "G1", "G2",
	"T.x", "T.y", "T.z", "P.x", "GT.x", "lt.x", "f0()", "f1()", "fn()", "fm()", "getT().x", "#log", "{id = 'N'}"}

func (p *program) expr(depth int, top bool) string {
	if depth == 0 || p.rng.IntN(3) == 0 {
		return p.atom(top)
	}
	switch p.rng.IntN(9) {
	case 0, 1:
		return "(" + p.expr(depth-1, top) + " and " + p.expr(depth-1, top) + ")"
	case 2, 3:
		return "(" + p.expr(depth-1, top) + " or " + p.expr(depth-1, top) + ")"
	case 4:
		return p.expr(depth-1, top) + " and " + p.expr(depth-1, top) + " or " + p.expr(depth-1, top)
	case 5:
		return "not " + p.expr(depth-1, top)
	case 6:
		return "(" + p.expr(depth-1, top) + pick(p.rng, []string{" == ", " ~= "}) + p.expr(depth-1, top) + ")"
	case 7:
		return pick(p.rng, []string{"tr", "setA"}) + "(" + p.expr(depth-1, top) + ")"
	default:
		return "(function() return " + p.expr(depth-1, false) + " end)" + pick(p.rng, []string{"()", ""})
	}
}

func (p *program) atom(top bool) string {
	choices := atoms
	if len(p.locals) > 0 {
		choices = append(append([]string{}, atoms...), p.locals...)
	}
	if top {
		choices = append(choices, "...", "select('#', ...)")
	}
	return pick(p.rng, choices)
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
