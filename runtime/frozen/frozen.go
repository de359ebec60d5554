// Package frozen is the data model of a pipeline's closures once they leave
// the compiler: function prototypes (gopher-lua bytecode with its debug
// information) and the graph of values the closures captured, as plain Go
// data that generated code spells out as composite literals.
//
// The compiler writes a Program (compiler.Freeze); the generated binary
// carries it and the runtime rebuilds live closures from it with Restore,
// without gopher-lua's parser or compiler. Tables keep their identity,
// cycles and metatables; upvalue cells shared between closures stay shared.
package frozen

import (
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// A Program is everything a pipeline's closures need at run time.
type Program struct {
	Protos  []Proto  // function prototypes; Proto.Protos index this slice
	Objects []Object // tables, closures, upvalue cells and named builtins
	Globals []Global // globals the pipeline defined that its closures read
	Modules []Global // the pipeline's own modules that run-fns require, by name

	once  sync.Once
	built []*lua.FunctionProto
	err   error
}

// A Proto is one gopher-lua function prototype. Lines are already mapped
// back to the Fennel source, so run-time errors name ci.fnl's lines.
type Proto struct {
	Source           string // the Fennel file, e.g. "ci.fnl"
	LineDefined      int
	LastLineDefined  int
	NumUpvalues      uint8
	NumParameters    uint8
	IsVarArg         uint8
	NumUsedRegisters uint8
	Code             []uint32
	Constants        []Value // nil, booleans, numbers and strings only
	Protos           []int   // nested prototypes, as indexes into Program.Protos
	Lines            []int   // the source line of each instruction
	Locals           []Local
	Calls            []Call
	Upvalues         []string // upvalue names, for debug information
}

// A Global is a named value: a global variable, or a module by its
// require name.
type Global struct {
	Name string
	Val  Value
}

// A Local is the debug record of one local variable.
type Local struct {
	Name           string
	StartPC, EndPC int
}

// A Call is the debug record of one call instruction.
type Call struct {
	Name string
	PC   int
}

// A Kind says what a Value holds.
type Kind uint8

const (
	KindNil Kind = iota
	KindFalse
	KindTrue
	KindNumber
	KindString
	KindRef // an Object, by index
)

// A Value is a Lua value: an immediate, or a reference to an Object.
type Value struct {
	Kind Kind
	Num  float64
	Str  string
	Ref  int
}

// Constructors keep generated code and the compiler short: frozen.S("go"),
// frozen.N(1).
var (
	Nil   = Value{Kind: KindNil}
	False = Value{Kind: KindFalse}
	True  = Value{Kind: KindTrue}
)

// N is a number.
func N(f float64) Value { return Value{Kind: KindNumber, Num: f} }

// S is a string.
func S(s string) Value { return Value{Kind: KindString, Str: s} }

// R refers to Object i.
func R(i int) Value { return Value{Kind: KindRef, Ref: i} }

// An ObjectKind says what an Object is.
type ObjectKind uint8

const (
	// ObjTable is a table: Keys[i] maps to Vals[i]; Meta is its metatable
	// (a Ref) or Nil.
	ObjTable ObjectKind = iota
	// ObjClosure is a Lua function: prototype Proto with upvalue cells
	// Cells (indexes of ObjCell objects).
	ObjClosure
	// ObjCell is an upvalue cell holding Val; closures sharing a cell share
	// the variable.
	ObjCell
	// ObjBuiltin is a value that exists in every run-time state and is
	// referenced by Name: a standard library function or table
	// ("string.sub", "os"), or one of quire's modules ("quire.ci").
	ObjBuiltin
)

// An Object is a value with identity.
type Object struct {
	Kind  ObjectKind
	Keys  []Value // ObjTable
	Vals  []Value // ObjTable
	Meta  Value   // ObjTable
	Proto int     // ObjClosure
	Cells []int   // ObjClosure
	Val   Value   // ObjCell
	Name  string  // ObjBuiltin
}

// C is a closure of prototype proto over the given cells.
func C(proto int, cells ...int) Object { return Object{Kind: ObjClosure, Proto: proto, Cells: cells} }

// Cell is an upvalue cell holding v.
func Cell(v Value) Object { return Object{Kind: ObjCell, Val: v} }

// B is the builtin named name.
func B(name string) Object { return Object{Kind: ObjBuiltin, Name: name} }
