package luavm

import (
	"reflect"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua keeps a call frame's program counter, tail-call count and
// parent private (lua.Debug.frame is a *callFrame). Lua 5.1's debug.getinfo
// and argument errors need them: the calling instruction names the called
// function ("global 'f'", "method 'format'"), and a level inside a lost tail
// call is a "(tail call)" pseudo-frame. They are read here, and only here,
// through reflection; every accessor degrades to "unknown" if gopher-lua's
// layout changes, and frames_test.go pins the layout.

// A frame is a gopher-lua *callFrame seen through reflection; the zero
// frame is no frame.
type frame struct{ v reflect.Value }

func frameOf(d *lua.Debug) frame {
	if d == nil {
		return frame{}
	}
	v := reflect.ValueOf(d).Elem().FieldByName("frame")
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return frame{}
	}
	return frame{v}
}

func (f frame) ok() bool { return f.v.IsValid() }

func (f frame) field(name string) reflect.Value {
	if !f.ok() {
		return reflect.Value{}
	}
	return f.v.Elem().FieldByName(name)
}

func (f frame) int(name string) int {
	if v := f.field(name); v.IsValid() && v.CanInt() {
		return int(v.Int())
	}
	return 0
}

// pc is the index of the instruction the frame executes (gopher-lua's Pc
// is the next one).
func (f frame) pc() int { return f.int("Pc") - 1 }

// tailCalls is how many tail calls were made into this frame.
func (f frame) tailCalls() int { return f.int("TailCall") }

func (f frame) parent() frame {
	v := f.field("Parent")
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return frame{}
	}
	return frame{v}
}

// isGo reports whether the frame runs a Go function.
func (f frame) isGo() bool {
	fn := f.field("Fn")
	if !fn.IsValid() || fn.Kind() != reflect.Pointer || fn.IsNil() {
		return true
	}
	g := fn.Elem().FieldByName("IsG")
	return !g.IsValid() || g.Bool()
}

func (f frame) same(g frame) bool {
	return f.ok() && g.ok() && f.v.Pointer() == g.v.Pointer()
}

// stackLevel is Lua 5.1's lua_getstack: the frame at level (0 is the
// running function). tail is true when level falls inside a lost tail call,
// where gopher-lua's GetStack answers with the bottom frame instead.
func stackLevel(L *lua.LState, level int) (d *lua.Debug, tail, ok bool) {
	d, ok = L.GetStack(level)
	if !ok {
		return nil, false, false
	}
	cur, _ := L.GetStack(0)
	f := frameOf(cur)
	for level > 0 && f.ok() {
		level--
		if !f.isGo() {
			level -= f.tailCalls()
		}
		f = f.parent()
	}
	return d, level < 0, true
}

// calleeName is Lua 5.1's getfuncname: the name and namewhat ("global",
// "local", "method", "field", "upvalue" or "") of the function running at
// level, read from the instruction that called it. It is ("", "") when the
// caller is not a Lua function, the function was entered by a tail call, or
// the call does not name it.
func calleeName(L *lua.LState, level int) (name, namewhat string) {
	d, tail, ok := stackLevel(L, level)
	if !ok || tail {
		return "", ""
	}
	f := frameOf(d)
	if !f.ok() || (!f.isGo() && f.tailCalls() > 0) {
		return "", ""
	}
	caller := f.parent()
	if !caller.ok() || caller.isGo() {
		return "", ""
	}
	cd, ok := L.GetStack(level + 1)
	if !ok || !frameOf(cd).same(caller) {
		return "", ""
	}
	fn, _ := L.GetInfo("f", cd, lua.LNil)
	callerFn, ok := fn.(*lua.LFunction)
	if !ok || callerFn.IsG {
		return "", ""
	}
	return funcNameAt(callerFn, caller.pc())
}

// Instruction fields, as gopher-lua encodes them (Lua 5.1.4's layout with
// the opcode in the top six bits).
func opcode(i uint32) int  { return int(i >> 26) }
func argA(i uint32) int    { return int(i>>18) & 0xff }
func argB(i uint32) int    { return int(i & 0x1ff) }
func argC(i uint32) int    { return int(i>>9) & 0x1ff }
func argBx(i uint32) int   { return int(i & 0x3ffff) }
func isConstK(rk int) bool { return rk&0x100 != 0 }

// funcNameAt names the function called by fn's instruction at pc.
func funcNameAt(fn *lua.LFunction, pc int) (string, string) {
	code := fn.Proto.Code
	if pc < 0 || pc >= len(code) {
		return "", ""
	}
	switch i := code[pc]; opcode(i) {
	case lua.OP_CALL, lua.OP_TAILCALL:
		return objName(fn.Proto, pc, argA(i))
	case lua.OP_TFORLOOP:
		// The iterator of a generic for, held in a hidden local.
		return "(for generator)", "local"
	}
	return "", ""
}

// objName is Lua 5.1's getobjname for the function register reg of the
// call at pc: the last instruction before pc that wrote reg says where the
// function came from.
//
// Lua 5.1 names locals from the debug information of local variables;
// gopher-lua's is wrong once a block's locals have gone out of scope (its
// EndScope indexes DbgLocals by register), so a local's name is taken from
// the call's DbgCalls entry instead, which is the called identifier.
func objName(p *lua.FunctionProto, pc, reg int) (string, string) {
	constant := func(k int) (string, bool) {
		if k < 0 || k >= len(p.Constants) {
			return "", false
		}
		s, ok := p.Constants[k].(lua.LString)
		return string(s), ok
	}
	for at := pc - 1; at >= 0; at-- {
		i := p.Code[at]
		op, a := opcode(i), argA(i)
		switch op {
		case lua.OP_JMP, lua.OP_EQ, lua.OP_LT, lua.OP_LE, lua.OP_TEST,
			lua.OP_SETGLOBAL, lua.OP_SETUPVAL, lua.OP_SETTABLE, lua.OP_SETTABLEKS,
			lua.OP_SETLIST, lua.OP_CLOSE, lua.OP_RETURN, lua.OP_NOP:
			continue // writes no register
		case lua.OP_LOADNIL:
			if a <= reg && reg <= argB(i) {
				return "", ""
			}
			continue
		case lua.OP_CALL, lua.OP_TAILCALL, lua.OP_VARARG, lua.OP_TFORLOOP:
			if reg >= a {
				return "", ""
			}
			continue
		case lua.OP_SELF:
			if reg == a+1 {
				return "", ""
			}
		}
		if a != reg {
			continue
		}
		switch op {
		case lua.OP_GETGLOBAL:
			if s, ok := constant(argBx(i)); ok {
				return s, "global"
			}
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
			if k := argC(i); isConstK(k) {
				if s, ok := constant(k &^ 0x100); ok {
					return s, "field"
				}
			}
		case lua.OP_GETUPVAL:
			if b := argB(i); b < len(p.DbgUpvalues) {
				return p.DbgUpvalues[b], "upvalue"
			}
		case lua.OP_SELF:
			if k := argC(i); isConstK(k) {
				if s, ok := constant(k &^ 0x100); ok {
					return s, "method"
				}
			}
		case lua.OP_MOVE:
			if argB(i) < a {
				if name := calledName(p, pc); name != "" {
					return name, "local"
				}
			}
		}
		return "", ""
	}
	return "", ""
}

// calledName is the name gopher-lua's compiler recorded for the call at
// pc: the identifier or field called, or "" when it is an expression.
func calledName(p *lua.FunctionProto, pc int) string {
	for _, c := range p.DbgCalls {
		if c.Pc == pc && c.Name != "?" {
			return c.Name
		}
	}
	return ""
}

// KeepCallerFrames turns the tail calls in p's own code, not in the
// functions it defines, into plain calls that return all results. A chunk's
// last form compiled as `return f(x)` otherwise replaces the chunk's frame
// with f's, and an error raised below it can no longer be traced back to
// the line of the chunk that led there. Only a top level should be given:
// it runs once, so no tail recursion depends on it.
func KeepCallerFrames(p *lua.FunctionProto) {
	for i, inst := range p.Code {
		if opcode(inst) == lua.OP_TAILCALL {
			// gopher-lua compiles `return f(x)` as a call wanting all
			// results (C = 0) made a TAILCALL, then RETURN A 0.
			p.Code[i] = inst&0x3ffffff | uint32(lua.OP_CALL)<<26
		}
	}
}
