package luavm

import (
	"os"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// Stack sizes matching PUC Lua 5.1's limits (FIDELITY.md §3). gopher-lua's
// defaults (256 call frames, a fixed 5,120-slot registry) overflow on
// Fennel's own sources and cap `(+ 1 (+ 1 ...))` at 120 deep.
const (
	CallStackSize    = 4096            // Lua call frames
	RegistrySize     = 16 * 1024       // value-stack slots at start
	RegistryMaxSize  = 4 * 1024 * 1024 // value-stack slots it may grow to
	RegistryGrowStep = 256 * 1024      // slots per growth: few, large copies
)

// Options configures NewState.
type Options struct {
	// Sandbox selects the run-time library set of a run-fn (SPEC.md,
	// Sandbox): the base library without load, loadstring, loadfile,
	// dofile, require and module; string; table; math; and os with only
	// date, time, clock and difftime. No io, debug, package or coroutine.
	// False gives the full compile-time set: base, package, table, io, os,
	// string, math, debug and coroutine, with every chunk loader compiling
	// through CompileChunk.
	Sandbox bool
}

// NewState returns a gopher-lua state that behaves like Lua 5.1: Lua 5.1
// sized stacks, the libraries Options selects, and the builtins corrected
// by fixBuiltins.
func NewState(opts Options) *lua.LState {
	if opts.Sandbox {
		return newSandbox()
	}
	return openState(opts)
}

// openState opens the libraries opts selects into a new state, one by one.
func openState(opts Options) *lua.LState {
	lo := lua.Options{
		CallStackSize:    CallStackSize,
		RegistrySize:     RegistrySize,
		RegistryMaxSize:  RegistryMaxSize,
		RegistryGrowStep: RegistryGrowStep,
		SkipOpenLibs:     true,
	}
	if opts.Sandbox {
		lo = sandboxOptions
	}
	L := lua.NewState(lo)
	libs := []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.IoLibName, lua.OpenIo},
		{lua.OsLibName, lua.OpenOs},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.DebugLibName, lua.OpenDebug},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	}
	for _, lib := range libs {
		if opts.Sandbox && !sandboxLibs[lib.name] {
			continue
		}
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	if opts.Sandbox {
		sandbox(L)
	}
	fixBuiltins(L)
	return L
}

// sandboxOptions are a run-time state's stack sizes: a state exists per
// job and most run-fns are small, so the value stack starts small and the
// call stack grows on demand, up to the same limits. Preallocating
// Fennel-sized stacks cost ~600 KB and a measurable share of each job's
// start.
var sandboxOptions = lua.Options{
	CallStackSize:       CallStackSize,
	RegistrySize:        1024,
	RegistryMaxSize:     RegistryMaxSize,
	RegistryGrowStep:    1024,
	MinimizeStackMemory: true,
	SkipOpenLibs:        true,
}

// sandboxTemplate is the sandboxed library set opened once (openState).
// Every sandboxed state is a copy of it (newSandbox).
var sandboxTemplate = sync.OnceValue(func() *lua.LState {
	return openState(Options{Sandbox: true})
})

// newSandbox returns a sandboxed state whose globals, libraries, string
// metatable and loaded-modules table are copies of sandboxTemplate's, so
// that nothing a run-fn changes is seen by another state. The Go functions
// in them are shared rather than created again, which is most of what
// opening the libraries costs: they hold no state of their own, and Lua
// cannot change them (setfenv refuses Go functions; the sandbox has no
// debug library). Opening the libraries per state was a quarter of a
// short job's own CPU time.
func newSandbox() *lua.LState {
	tmpl := sandboxTemplate()
	L := lua.NewState(sandboxOptions)
	tmplRegistry := tmpl.Get(lua.RegistryIndex).(*lua.LTable)
	registry := L.Get(lua.RegistryIndex).(*lua.LTable)
	c := tableCopier{L: L, copies: map[*lua.LTable]*lua.LTable{tmpl.G.Global: L.G.Global, tmplRegistry: registry}}
	c.into(L.G.Global, tmpl.G.Global)
	c.into(registry, tmplRegistry) // _LOADED and whatever else
	if mt, ok := tmpl.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		L.SetMetatable(lua.LString(""), c.value(mt))
	}
	return L
}

// A tableCopier copies a template's tables into L, each table once (copies
// maps originals to their copies), so shared and cyclic references (_G._G,
// string.__index) stay shared and cyclic.
type tableCopier struct {
	L      *lua.LState
	copies map[*lua.LTable]*lua.LTable
}

// value returns a copy of a table, and any other value itself: strings,
// numbers and booleans are immutable, and the template's functions are
// the Go functions newSandbox shares.
func (c *tableCopier) value(v lua.LValue) lua.LValue {
	t, ok := v.(*lua.LTable)
	if !ok {
		return v
	}
	if dup, done := c.copies[t]; done {
		return dup
	}
	dup := c.L.CreateTable(t.Len(), 0)
	c.copies[t] = dup
	c.into(dup, t)
	return dup
}

// into sets every entry and the metatable of src into dst.
func (c *tableCopier) into(dst, src *lua.LTable) {
	src.ForEach(func(k, v lua.LValue) {
		dst.RawSet(c.value(k), c.value(v))
	})
	if mt, ok := src.Metatable.(*lua.LTable); ok {
		dst.Metatable = c.value(mt)
	}
}

// sandboxLibs are the libraries of a sandboxed state. Sandboxed states
// share the template's Go functions (newSandbox), which is only sound for
// functions that hold no table of their own: io's (its default files) and
// package's (require's loaders) do, so besides being host access they must
// stay out. TestSandboxSharesNoMutableState checks it.
var sandboxLibs = map[string]bool{
	lua.BaseLibName:   true,
	lua.TabLibName:    true,
	lua.OsLibName:     true,
	lua.StringLibName: true,
	lua.MathLibName:   true,
}

// sandbox strips what a run-fn must not reach: the host (files, processes,
// environment) and any way to compile new code.
func sandbox(L *lua.LState) {
	for _, name := range []string{"load", "loadstring", "loadfile", "dofile", "require", "module", "_printregs"} {
		L.SetGlobal(name, lua.LNil)
	}
	if full, ok := L.GetGlobal(lua.OsLibName).(*lua.LTable); ok {
		osLib := L.NewTable()
		for _, name := range []string{"date", "time", "clock", "difftime"} {
			osLib.RawSetString(name, full.RawGetString(name))
		}
		L.SetGlobal(lua.OsLibName, osLib)
		L.SetField(L.GetField(L.Get(lua.RegistryIndex), "_LOADED"), lua.OsLibName, osLib)
	}
}

// fixBuiltins installs Lua 5.1's behaviour into the libraries L already
// has (FIDELITY.md §2); a library or function L lacks stays absent.
// openState calls it on every state it opens (for sandboxed states, once,
// on the template they copy), so a run-fn computes at run time what it
// computed at compile time.
func fixBuiltins(L *lua.LState) {
	setIf := func(t *lua.LTable, name string, fn lua.LGFunction) {
		if t.RawGetString(name) != lua.LNil {
			t.RawSetString(name, L.NewFunction(fn))
		}
	}
	globals := L.G.Global
	setIf(globals, "tostring", baseToString)
	setIf(globals, "tonumber", baseToNumber)
	setIf(globals, "print", newPrint(os.Stdout))
	setIf(globals, "load", baseLoad)
	setIf(globals, "loadstring", baseLoadString)
	setIf(globals, "loadfile", baseLoadFile)
	setIf(globals, "dofile", baseDoFile)
	setIf(globals, "pcall", basePCall)
	setIf(globals, "error", baseError)
	setIf(globals, "xpcall", baseXPCall)
	for _, name := range []string{"getfenv", "setfenv"} {
		if fn, ok := globals.RawGetString(name).(*lua.LFunction); ok && fn.IsG {
			globals.RawSetString(name, L.NewFunction(fenvLevels(fn.GFunction)))
		}
	}
	if stringLib, ok := globals.RawGetString(lua.StringLibName).(*lua.LTable); ok {
		setIf(stringLib, "format", strFormat)
		setIf(stringLib, "len", strLen)
		setIf(stringLib, "sub", strSub)
		setIf(stringLib, "reverse", strReverse)
		setIf(stringLib, "lower", strLower)
		setIf(stringLib, "upper", strUpper)
		setIf(stringLib, "rep", strRep)
		setIf(stringLib, "byte", strByte)
		setIf(stringLib, "char", strChar)
		setIf(stringLib, "find", strFind)
		setIf(stringLib, "match", strMatch)
		setIf(stringLib, "gsub", strGsub)
		if stringLib.RawGetString("gmatch") != lua.LNil {
			gmatch := L.NewFunction(strGmatch)
			stringLib.RawSetString("gmatch", gmatch)
			stringLib.RawSetString("gfind", gmatch) // Lua 5.1's LUA_COMPAT_GFIND alias
		}
	}
	if tableLib, ok := globals.RawGetString(lua.TabLibName).(*lua.LTable); ok {
		setIf(tableLib, "concat", tableConcat)
	}
	if mathLib, ok := globals.RawGetString(lua.MathLibName).(*lua.LTable); ok {
		fixMathHuge(mathLib)
	}
	if debugLib, ok := globals.RawGetString(lua.DebugLibName).(*lua.LTable); ok {
		setIf(debugLib, "getinfo", debugGetinfo)
		setIf(debugLib, "traceback", debugTraceback)
	}
	if ioLib, ok := globals.RawGetString(lua.IoLibName).(*lua.LTable); ok {
		fixIO(L, ioLib)
	}
	if packageLib, ok := globals.RawGetString(lua.LoadLibName).(*lua.LTable); ok {
		fixPackage(L, packageLib)
	}
}
