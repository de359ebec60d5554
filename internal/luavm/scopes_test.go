package luavm

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// Locals get Lua 5.1's scopes (lparser.c): active from the instruction
// after their declaration to the end of their block, the hidden locals of
// a for loop from its FORPREP (or JMP) to the end of the loop instruction,
// and a function's top-level locals to its final RETURN. gopher-lua ends
// them at the wrong places, or never.
func TestLocalScopesLikeLua51(t *testing.T) {
	p, err := CompileChunk([]byte(`do local a = f() end
local b = g()
for i = 1, 2 do local c = i end
for k, v in pairs(b) do end
return b`), "=scopes")
	if err != nil {
		t.Fatal(err)
	}
	code := p.Code
	pcOf := func(op, nth int) int {
		for pc, i := range code {
			if opcode(i) == op {
				if nth--; nth == 0 {
					return pc
				}
			}
		}
		t.Fatalf("no opcode %d", op)
		return 0
	}
	getB, forprep, forloop := pcOf(lua.OP_GETGLOBAL, 2), pcOf(lua.OP_FORPREP, 1), pcOf(lua.OP_FORLOOP, 1)
	tforloop := pcOf(lua.OP_TFORLOOP, 1)
	jmp := tforloop - 1 // to the TFORLOOP, over the empty body
	want := map[string][2]int{
		"a":               {2, getB},
		"b":               {getB + 2, len(code) - 1},
		"(for index)":     {forprep, forloop + 1},
		"i":               {forprep + 1, forloop},
		"c":               {forprep + 2, forloop},
		"(for generator)": {jmp, tforloop + 2},
		"k":               {jmp + 1, jmp + 1}, // the body is empty
	}
	seen := map[string]bool{}
	for _, l := range p.DbgLocals {
		w, ok := want[l.Name]
		if !ok {
			continue
		}
		seen[l.Name] = true
		if l.StartPc != w[0] || l.EndPc != w[1] {
			t.Errorf("local %s is active from %d to %d, want %d to %d", l.Name, l.StartPc, l.EndPc, w[0], w[1])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("locals %v, want those of %v", p.DbgLocals, want)
	}
	for pc, line := range p.DbgSourcePositions {
		if line < 1 || line > 6 { // gopher-lua puts the final RETURN after the last line
			t.Errorf("instruction %d is on line %d", pc, line)
		}
	}
}
