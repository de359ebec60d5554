package compiler

import (
	"fmt"
	"maps"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/internal/luavm"
	"github.com/quire-ci/quire/runtime/frozen"
)

// A freezer turns the closures of a pipeline into a frozen.Program: their
// prototypes, with lines mapped back to Fennel, and every value reachable
// from their upvalues. It reports what cannot go into the binary.
type freezer struct {
	ev   *evaluator
	prog *frozen.Program

	objs    map[any]int                // identity -> object index
	protos  map[*lua.FunctionProto]int // prototype -> index
	names   map[any]string             // builtins by identity: "string.sub"
	sandbox *sandbox                   // what a run-time state has
	sources map[string]string          // chunk source -> name in the binary

	job   *Job     // the job being frozen, for messages
	path  []string // how the current value was reached, for messages
	diags []*diag.Diagnostic
}

// builtinNames maps every standard library value of L (and quire's
// modules) to its name: the global tables and functions, and the functions
// in the library tables. It is taken before ci.fnl runs, so a pipeline
// replacing a library function does not rename it. A value with several
// names (string.gmatch is string.gfind; every global is a field of _G)
// gets the same one every time: the one with the fewest dots, then the
// first in byte order, so generated programs are reproducible.
func builtinNames(L *lua.LState) map[any]string {
	names := map[any]string{}
	eachBuiltin(L, func(v any, name string) {
		if old, ok := names[v]; !ok || nameBefore(name, old) {
			names[v] = name
		}
	})
	return names
}

func nameBefore(a, b string) bool {
	if da, db := strings.Count(a, "."), strings.Count(b, "."); da != db {
		return da < db
	}
	return a < b
}

// eachBuiltin calls f with every global table and Go function of L and
// every Go function in a global table, under each name it has. These are
// the values with an identity to name; a string or number (_VERSION,
// math.pi) freezes as itself. What a run-time state has is newSandbox's.
func eachBuiltin(L *lua.LState, f func(v any, name string)) {
	L.G.Global.ForEach(func(k, v lua.LValue) {
		g, ok := k.(lua.LString)
		if !ok {
			return
		}
		switch v := v.(type) {
		case *lua.LFunction:
			if v.IsG {
				f(v, string(g))
			}
		case *lua.LTable:
			f(v, string(g))
			v.ForEach(func(fk, fv lua.LValue) {
				fn, isFn := fv.(*lua.LFunction)
				field, isName := fk.(lua.LString)
				if isFn && fn.IsG && isName {
					f(fn, string(g)+"."+string(field))
				}
			})
		}
	})
}

// A sandbox is what a run-fn can reach at run time, by name.
type sandbox struct {
	// names are the globals of a run-time state ("string", "_VERSION"),
	// every key of its global tables, whatever the value ("string.format",
	// "math.pi"), and quire's modules with their fields ("quire.ci.job").
	names map[string]bool
	// libs are the global tables, whose fields names lists.
	libs map[string]bool
}

// newSandbox is what a run-time state has (runtimeSandbox) plus what the
// runtime binds in every job's state: require, and quire's modules with
// their fields, named as in quire (the evaluator's quireNames).
func newSandbox(quire map[string]bool) *sandbox {
	base := runtimeSandbox()
	s := &sandbox{names: maps.Clone(base.names), libs: base.libs}
	s.names["require"] = true
	for name := range quire {
		s.names[name] = true
	}
	return s
}

// runtimeSandbox reads what a run-time state has from luavm's sandboxed
// state itself, so the check cannot drift from it. It is the same for
// every pipeline, so it is read once, not by a new Lua state per compile.
var runtimeSandbox = sync.OnceValue(func() *sandbox {
	L := luavm.NewState(luavm.Options{Sandbox: true})
	defer L.Close()
	s := &sandbox{names: map[string]bool{}, libs: map[string]bool{}}
	L.G.Global.ForEach(func(k, v lua.LValue) {
		g, ok := k.(lua.LString)
		if !ok {
			return
		}
		s.names[string(g)] = true
		if t, ok := v.(*lua.LTable); ok {
			s.libs[string(g)] = true
			t.ForEach(func(fk, _ lua.LValue) {
				if field, ok := fk.(lua.LString); ok {
					s.names[string(g)+"."+string(field)] = true
				}
			})
		}
	})
	return s
})

// hasField reports whether a run-time state has field of the global lib.
// A global that is not one of the sandbox's tables (a string, a pipeline
// global) has nothing to check.
func (s *sandbox) hasField(lib, field string) bool {
	switch {
	case lib == "_G":
		return s.names[field]
	case !s.libs[lib]:
		return true
	}
	return s.names[lib+"."+field]
}

// freeze freezes the pipeline's run-fns and tag closures into p.Program.
func (ev *evaluator) freeze() []*diag.Diagnostic {
	fz := &freezer{
		ev:      ev,
		prog:    &frozen.Program{},
		objs:    map[any]int{},
		protos:  map[*lua.FunctionProto]int{},
		names:   ev.builtins,
		sandbox: newSandbox(ev.quireNames),
		sources: map[string]string{},
	}
	fz.sources[ev.file] = ev.p.SourceName(ev.file)
	for _, m := range ev.p.Modules {
		fz.sources[m.Path] = ev.p.SourceName(m.Path)
	}
	for _, j := range ev.p.Jobs {
		fz.job = j
		if j.Run != nil {
			j.RunRef = fz.root(j.Run, "its run-fn")
		}
		if j.Mirror != nil {
			j.Mirror.TagRef = fz.root(j.Mirror.Tag, "its :tag function")
		}
	}
	fz.job = nil
	ev.p.Program = fz.prog
	return fz.diags
}

func (fz *freezer) root(fn *lua.LFunction, what string) int {
	fz.path = []string{what}
	v := fz.value(fn)
	return v.Ref
}

// sandboxHelp explains the sandbox once per report.
const sandboxHelp = "run-fns run in a sandbox with string, table, math, os.date/time/clock/difftime and the base library; top-level forms run at compile time"

// fail reports something a job captured that cannot go into the binary, at
// the job's registration.
func (fz *freezer) fail(format string, args ...any) {
	fz.report(&diag.Diagnostic{Span: fz.job.Span, Msg: fmt.Sprintf("Job '%s' %s", fz.job.ID, fmt.Sprintf(format, args...))})
}

// failAt reports a use of something the sandbox lacks at the form on line
// of source that uses name.
func (fz *freezer) failAt(source string, line int, name, format string, args ...any) {
	span := fz.job.Span
	if line > 0 {
		span = fz.ev.formSpan(source, line, name)
	}
	d := &diag.Diagnostic{Span: span, Msg: fmt.Sprintf("Job '%s' %s", fz.job.ID, fmt.Sprintf(format, args...))}
	if span != fz.job.Span { // else the note would quote the same form again
		d.Notes = []diag.Note{{Span: fz.job.Span, Msg: "the job is registered here"}}
	}
	fz.report(d)
}

func (fz *freezer) report(d *diag.Diagnostic) {
	if len(fz.diags) == 0 {
		d.Help = []string{sandboxHelp}
	}
	fz.diags = append(fz.diags, d)
}

func (fz *freezer) where() string {
	if len(fz.path) <= 1 {
		return ""
	}
	return " (through " + strings.Join(fz.path[1:], ", ") + ")"
}

// value freezes one Lua value.
func (fz *freezer) value(v lua.LValue) frozen.Value {
	switch v := v.(type) {
	case *lua.LNilType:
		return frozen.Nil
	case lua.LBool:
		if v {
			return frozen.True
		}
		return frozen.False
	case lua.LNumber:
		return frozen.N(float64(v))
	case lua.LString:
		return frozen.S(string(v))
	case *lua.LTable, *lua.LFunction:
		return frozen.R(fz.object(v))
	case *lua.LState:
		fz.fail("captures a coroutine%s, which cannot go into the binary", fz.where())
	case *lua.LUserData:
		fz.fail("captures a userdata%s, which cannot go into the binary", fz.where())
	default:
		fz.fail("captures a %s%s, which cannot go into the binary", v.Type(), fz.where())
	}
	return frozen.Nil
}

// object freezes a table or function, once per identity.
func (fz *freezer) object(v lua.LValue) int {
	if i, ok := fz.objs[v]; ok {
		return i
	}
	if name, ok := fz.names[v]; ok {
		if !fz.sandbox.names[name] {
			fz.fail("captures %s%s, which run-fns do not have at run time", name, fz.where())
		}
		return fz.add(v, frozen.B(name))
	}
	switch v := v.(type) {
	case *lua.LTable:
		if name, ok := fz.ev.moduleName(v); ok && !fz.sandbox.names[name] && !fz.ev.isPipelineModule(name) {
			fz.fail("captures the module %s%s, which is not available at run time", name, fz.where())
			return fz.add(v, frozen.B(name))
		}
		i := fz.add(v, frozen.Object{})
		o := frozen.Object{Kind: frozen.ObjTable, Meta: frozen.Nil}
		// Next walks the array part, then the hash part in insertion
		// order, unlike ForEach (Go map order): object numbering, and so
		// the generated program, must not change from one compile to the
		// next.
		for k, val := v.Next(lua.LNil); k != lua.LNil; k, val = v.Next(k) {
			fz.path = append(fz.path, "field "+keyString(k))
			o.Keys = append(o.Keys, fz.value(k))
			o.Vals = append(o.Vals, fz.value(val))
			fz.path = fz.path[:len(fz.path)-1]
		}
		if v.Metatable != lua.LNil && v.Metatable != nil {
			fz.path = append(fz.path, "its metatable")
			o.Meta = fz.value(v.Metatable)
			fz.path = fz.path[:len(fz.path)-1]
		}
		fz.prog.Objects[i] = o
		return i
	case *lua.LFunction:
		if v.IsG {
			fz.fail("captures a Go function quire does not know%s, which cannot go into the binary", fz.where())
			return fz.add(v, frozen.B("?"))
		}
		source := chunkSource(luavm.Source(v.Proto))
		if _, ok := fz.sources[source]; !ok {
			fz.fail("captures a function defined in %s%s; only functions from the pipeline and its modules can go into the binary", source, fz.where())
			return fz.add(v, frozen.B("?"))
		}
		i := fz.add(v, frozen.Object{})
		o := frozen.C(fz.proto(v.Proto))
		for k, uv := range v.Upvalues {
			name := fmt.Sprintf("upvalue %d", k+1)
			if k < len(v.Proto.DbgUpvalues) {
				name = "upvalue '" + v.Proto.DbgUpvalues[k] + "'"
			}
			fz.path = append(fz.path, name)
			o.Cells = append(o.Cells, fz.cell(uv))
			fz.path = fz.path[:len(fz.path)-1]
		}
		fz.prog.Objects[i] = o
		return i
	}
	panic(fmt.Sprintf("freeze: object of type %T", v))
}

// cell freezes an upvalue cell, once per cell, so closures that share a
// variable still share it after restoring.
func (fz *freezer) cell(uv *lua.Upvalue) int {
	if i, ok := fz.objs[uv]; ok {
		return i
	}
	i := fz.add(uv, frozen.Object{})
	val := fz.value(uv.Value())
	fz.prog.Objects[i] = frozen.Cell(val)
	return i
}

func (fz *freezer) add(key any, o frozen.Object) int {
	i := len(fz.prog.Objects)
	fz.prog.Objects = append(fz.prog.Objects, o)
	fz.objs[key] = i
	return i
}

// proto freezes a prototype and its nested prototypes, mapping each
// instruction's line to the Fennel source, and checks the globals it uses
// against the run-time sandbox.
func (fz *freezer) proto(p *lua.FunctionProto) int {
	if i, ok := fz.protos[p]; ok {
		return i
	}
	i := len(fz.prog.Protos)
	fz.prog.Protos = append(fz.prog.Protos, frozen.Proto{})
	fz.protos[p] = i
	source := chunkSource(luavm.Source(p))
	mapLine := func(l int) int {
		if _, fl, ok := fz.ev.fnl.FennelLine(source, l); ok {
			return fl
		}
		return l
	}
	fp := frozen.Proto{
		Source:           fz.sources[source],
		LineDefined:      mapLine(p.LineDefined),
		LastLineDefined:  mapLine(p.LastLineDefined),
		NumUpvalues:      p.NumUpvalues,
		NumParameters:    p.NumParameters,
		IsVarArg:         p.IsVarArg,
		NumUsedRegisters: p.NumUsedRegisters,
		Code:             append([]uint32(nil), p.Code...),
		Upvalues:         append([]string(nil), p.DbgUpvalues...),
	}
	for _, c := range p.Constants {
		fp.Constants = append(fp.Constants, fz.value(c))
	}
	for _, l := range p.DbgSourcePositions {
		fp.Lines = append(fp.Lines, mapLine(l))
	}
	for _, l := range p.DbgLocals {
		fp.Locals = append(fp.Locals, frozen.Local{Name: l.Name, StartPC: l.StartPc, EndPC: l.EndPc})
	}
	for _, c := range p.DbgCalls {
		fp.Calls = append(fp.Calls, frozen.Call{Name: c.Name, PC: c.Pc})
	}
	fz.checkGlobals(p, source, fp.Lines)
	for _, child := range p.FunctionPrototypes {
		fp.Protos = append(fp.Protos, fz.proto(child))
	}
	fz.prog.Protos[i] = fp
	return i
}

// checkGlobals reports globals, and fields of library tables (os.execute),
// that code uses but the run-time sandbox lacks. Globals the pipeline
// defined itself are frozen with it instead.
func (fz *freezer) checkGlobals(p *lua.FunctionProto, source string, lines []int) {
	libReg := map[int]string{} // register -> library table loaded into it
	strReg := map[int]string{} // register -> string constant loaded into it (os[k])
	requireReg := -1           // register holding require, for require("name")
	for pc, inst := range p.Code {
		op := int(inst >> 26)
		a := int(inst>>18) & 0xff
		line := 0
		if pc < len(lines) {
			line = lines[pc]
		}
		// require("name"): require in R(x), the name in R(x+1), then a
		// call of R(x) with that one argument. Anything else (a computed
		// name, pcall(require, …)) is not a module reference we can see.
		if op == lua.OP_LOADK && a == requireReg+1 && requireReg >= 0 && pc+1 < len(p.Code) {
			next := p.Code[pc+1]
			if int(next>>26) == lua.OP_CALL && int(next>>18)&0xff == requireReg && int(next&0x1ff) == 2 {
				fz.requireModule(lua.LVAsString(p.Constants[inst&0x3ffff]), source, line)
			}
		}
		if op != lua.OP_GETGLOBAL || a != requireReg {
			if op != lua.OP_LOADK {
				requireReg = -1
			}
		}
		switch op {
		case lua.OP_LOADK:
			delete(libReg, a)
			delete(strReg, a)
			if k, ok := p.Constants[inst&0x3ffff].(lua.LString); ok {
				strReg[a] = string(k)
			}
		case lua.OP_GETGLOBAL, lua.OP_SETGLOBAL:
			name := lua.LVAsString(p.Constants[inst&0x3ffff])
			delete(libReg, a)
			if op == lua.OP_GETGLOBAL && name == "require" {
				requireReg = a
			}
			if fz.sandbox.names[name] {
				if op == lua.OP_GETGLOBAL {
					libReg[a] = name
				}
				continue
			}
			if op == lua.OP_GETGLOBAL && fz.ev.userGlobal(name) {
				fz.freezeGlobal(name)
				continue
			}
			if op == lua.OP_SETGLOBAL {
				continue // assigning a new global is harmless
			}
			fz.failAt(source, line, name, "uses the global '%s', which run-fns do not have at run time", name)
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			b, c := int(inst&0x1ff), int(inst>>9)&0x1ff
			lib, ok := libReg[b]
			if op == lua.OP_SELF {
				delete(libReg, a+1)
			}
			delete(libReg, a)
			if !ok {
				continue
			}
			var field string
			if c >= 256 {
				field = lua.LVAsString(p.Constants[c-256])
			} else if field, ok = strReg[c]; !ok {
				continue // a field computed at run time
			}
			full := lib + "." + field
			switch {
			case fz.sandbox.hasField(lib, field):
			case lib == "_G" && fz.ev.userGlobal(field):
				// _G.greeting is the global greeting: frozen alike.
				fz.freezeGlobal(field)
			default:
				fz.failAt(source, line, full, "uses %s, which run-fns do not have at run time", full)
				if fz.ev.addedToLibrary(lib, field) {
					d := fz.diags[len(fz.diags)-1]
					d.Help = append(d.Help, fmt.Sprintf("%s was added to Lua's %s table at the top level; a run-fn gets the sandbox's own %s, so give the value a name of its own instead (a local, a global, or a module field)", full, lib, lib))
				}
			}
		default:
			delete(libReg, a)
		}
		switch op {
		case lua.OP_LOADK: // sets strReg itself
		case lua.OP_CALL, lua.OP_VARARG, lua.OP_LOADNIL, lua.OP_TFORLOOP:
			clear(strReg) // these write several registers
		default:
			delete(strReg, a)
		}
	}
}

// requireModule freezes a pipeline module that run-fn code requires by a
// constant name, so require finds it at run time.
func (fz *freezer) requireModule(name, source string, line int) {
	if fz.ev.isQuireModule(name) {
		return
	}
	if !fz.ev.isPipelineModule(name) {
		fz.failAt(source, line, "require", "requires '%s', which is not available at run time (only quire's modules and the pipeline's own modules that ci.fnl loaded are)", name)
		return
	}
	for _, m := range fz.prog.Modules {
		if m.Name == name {
			return
		}
	}
	loaded := fz.ev.L.GetField(fz.ev.L.Get(lua.RegistryIndex), "_LOADED")
	fz.prog.Modules = append(fz.prog.Modules, frozen.Global{Name: name})
	i := len(fz.prog.Modules) - 1
	fz.path = append(fz.path, "module '"+name+"'")
	v := fz.value(fz.ev.L.GetField(loaded, name))
	fz.path = fz.path[:len(fz.path)-1]
	fz.prog.Modules[i].Val = v
}

// addedToLibrary reports whether the pipeline's top level set field of
// the library table lib (string.shout): a value there that is none of the
// builtins the compile-time state started with (os.execute is one).
func (ev *evaluator) addedToLibrary(lib, field string) bool {
	t, ok := ev.L.GetGlobal(lib).(*lua.LTable)
	if !ok {
		return false
	}
	v := t.RawGetString(field)
	_, builtin := ev.builtins[v]
	return v != lua.LNil && !builtin
}

// freezeGlobal freezes a global the pipeline defined, so run-fns that read
// it find it at run time.
func (fz *freezer) freezeGlobal(name string) {
	for _, g := range fz.prog.Globals {
		if g.Name == name {
			return
		}
	}
	fz.prog.Globals = append(fz.prog.Globals, frozen.Global{Name: name})
	i := len(fz.prog.Globals) - 1
	fz.path = append(fz.path, "global '"+name+"'")
	v := fz.value(fz.ev.L.GetGlobal(name))
	fz.path = fz.path[:len(fz.path)-1]
	fz.prog.Globals[i].Val = v
}

func keyString(k lua.LValue) string {
	if s, ok := k.(lua.LString); ok {
		return "'" + string(s) + "'"
	}
	return k.String()
}

// chunkSource strips the "@" Lua puts before file chunk names.
func chunkSource(name string) string { return strings.TrimPrefix(name, "@") }
