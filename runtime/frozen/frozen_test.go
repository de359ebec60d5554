package frozen

import (
	"reflect"
	"testing"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/internal/luavm"
)

// TestStringConstantsLayout pins the one unexported FunctionProto field the
// runtime fills. It fails loudly if a gopher-lua upgrade renames, retypes
// or stops deriving stringConstants the way setStringConstants does.
func TestStringConstantsLayout(t *testing.T) {
	fp, err := luavm.CompileChunk([]byte(`local t = {} t.name = "x" print(t.name, 1, true, "y")`), "=test")
	if err != nil {
		t.Fatal(err)
	}
	want := stringConstants(fp)
	if want == nil {
		t.Fatal("gopher-lua's FunctionProto has no stringConstants field: runtime/frozen must be adapted to this gopher-lua version")
	}
	rebuilt := &lua.FunctionProto{Constants: fp.Constants}
	if err := setStringConstants(rebuilt); err != nil {
		t.Fatal(err)
	}
	if got := stringConstants(rebuilt); !reflect.DeepEqual(got, want) {
		t.Fatalf("stringConstants derived as %q, gopher-lua derives %q", got, want)
	}
}

// protoOf freezes a compiled prototype tree by hand, the way the compiler
// does, so the restore path can be tested without Fennel.
func protoOf(p *lua.FunctionProto, prog *Program) int {
	i := len(prog.Protos)
	prog.Protos = append(prog.Protos, Proto{})
	fp := Proto{
		Source: p.SourceName, LineDefined: p.LineDefined, LastLineDefined: p.LastLineDefined,
		NumUpvalues: p.NumUpvalues, NumParameters: p.NumParameters, IsVarArg: p.IsVarArg,
		NumUsedRegisters: p.NumUsedRegisters, Code: p.Code, Lines: p.DbgSourcePositions, Upvalues: p.DbgUpvalues,
	}
	for _, c := range p.Constants {
		switch c := c.(type) {
		case lua.LString:
			fp.Constants = append(fp.Constants, S(string(c)))
		case lua.LNumber:
			fp.Constants = append(fp.Constants, N(float64(c)))
		case lua.LBool:
			if c {
				fp.Constants = append(fp.Constants, True)
			} else {
				fp.Constants = append(fp.Constants, False)
			}
		default:
			fp.Constants = append(fp.Constants, Nil)
		}
	}
	for _, c := range p.FunctionPrototypes {
		fp.Protos = append(fp.Protos, protoOf(c, prog))
	}
	prog.Protos[i] = fp
	return i
}

func TestRestoreSharesCellsAndKeepsCycles(t *testing.T) {
	// Two closures over one cell, and a table that contains itself.
	fp, err := luavm.CompileChunk([]byte(`
		local n
		local function inc() n = n + 1 return n end
		local function get() return n end
		return inc, get`), "=test")
	if err != nil {
		t.Fatal(err)
	}
	prog := &Program{}
	main := protoOf(fp, prog)
	incProto, getProto := prog.Protos[main].Protos[0], prog.Protos[main].Protos[1]
	prog.Objects = []Object{
		Cell(N(41)),    // 0: n
		C(incProto, 0), // 1: inc
		C(getProto, 0), // 2: get
		{Kind: ObjTable, Keys: []Value{S("self"), S("inc")}, Vals: []Value{R(3), R(1)}}, // 3: a cyclic table
	}
	L := luavm.NewState(luavm.Options{Sandbox: true})
	defer L.Close()
	r, err := NewRestorer(prog, L.G.Global, func(string) (lua.LValue, bool) { return nil, false })
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := r.Object(3)
	if err != nil {
		t.Fatal(err)
	}
	get, _ := r.Object(2)
	inc := tbl.(*lua.LTable).RawGetString("inc")
	if self := tbl.(*lua.LTable).RawGetString("self"); self != tbl {
		t.Errorf("the table's self field is %v, not the table itself", self)
	}
	if err := L.CallByParam(lua.P{Fn: inc, NRet: 1, Protect: true}); err != nil {
		t.Fatal(err)
	}
	L.Pop(1)
	if err := L.CallByParam(lua.P{Fn: get, NRet: 1, Protect: true}); err != nil {
		t.Fatal(err)
	}
	if got := L.Get(-1); got != lua.LNumber(42) {
		t.Errorf("get() = %v after inc(), want 42: the closures no longer share n", got)
	}
}

func TestRestoreRejectsBadReferences(t *testing.T) {
	prog := &Program{Objects: []Object{C(5), B("nope"), Cell(Nil)}}
	L := luavm.NewState(luavm.Options{Sandbox: true})
	defer L.Close()
	r, err := NewRestorer(prog, L.G.Global, func(string) (lua.LValue, bool) { return nil, false })
	if err != nil {
		t.Fatal(err)
	}
	for i := range prog.Objects {
		if _, err := r.Object(i); err == nil {
			t.Errorf("object %d restored without error", i)
		}
	}
	if _, err := r.Object(99); err == nil {
		t.Error("object out of range restored without error")
	}
}

// stringConstants reads setStringConstants' field back.
func stringConstants(fp *lua.FunctionProto) []string {
	f := reflect.ValueOf(fp).Elem().FieldByName("stringConstants")
	if !f.IsValid() {
		return nil
	}
	return *(*[]string)(unsafe.Pointer(f.UnsafeAddr()))
}
