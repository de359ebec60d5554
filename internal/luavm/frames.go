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

// isTrampoline reports whether the frame runs trampoline, the Go function
// PCall, pcall and xpcall put between themselves and the function they
// call (pcall.go). Lua 5.1 has no such frame, so levels skip it.
func (f frame) isTrampoline() bool {
	fn := f.field("Fn")
	return fn.IsValid() && fn.Kind() == reflect.Pointer && fn.Pointer() == trampolinePtr
}

var trampolinePtr = reflect.ValueOf(trampoline).Pointer()

// gopherStep is how many of gopher-lua's GetStack levels the frame takes:
// itself and the tail calls lost below it.
func (f frame) gopherStep() int {
	if f.isGo() {
		return 1
	}
	return 1 + f.tailCalls()
}

// stackLevel is Lua 5.1's lua_getstack: the frame at level (0 is the
// running function). tail is true when level falls inside a lost tail call,
// where gopher-lua's GetStack answers with the bottom frame instead. g is
// the frame's level as gopher-lua's GetStack counts, which also counts the
// trampoline frames Lua 5.1 does not have.
func stackLevel(L *lua.LState, level int) (d *lua.Debug, g int, tail, ok bool) {
	cur, ok := L.GetStack(0)
	if !ok || level < 0 {
		return nil, 0, false, false
	}
	at := 0 // Lua 5.1's level of f
	for f := frameOf(cur); f.ok(); f = f.parent() {
		if !f.isTrampoline() {
			if level == at {
				d, ok := L.GetStack(g)
				return d, g, false, ok
			}
			if level < at+f.gopherStep() {
				return cur, g, true, true
			}
			at += f.gopherStep()
		}
		g += f.gopherStep()
	}
	return nil, 0, false, false
}

// frameDepth is how many Parent steps from the running frame reach the
// frame at Lua 5.1's level (stackLevel), as gopher-lua's getfenv and
// setfenv count levels; a level inside lost tail calls gives the frame
// they were lost into.
func frameDepth(L *lua.LState, level int) (int, bool) {
	cur, ok := L.GetStack(0)
	if !ok || level < 0 {
		return 0, false
	}
	at, n := 0, 0
	for f := frameOf(cur); f.ok(); f, n = f.parent(), n+1 {
		if f.isTrampoline() {
			continue
		}
		if level < at+f.gopherStep() {
			return n, true
		}
		at += f.gopherStep()
	}
	return 0, false
}

// fenvLevels wraps gopher-lua's getfenv or setfenv so that a level counts
// frames as Lua 5.1 does: without the trampoline under every pcall.
func fenvLevels(fenv lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		if level, ok := L.Get(1).(lua.LNumber); ok && level > 0 {
			if n, ok := frameDepth(L, int(level)); ok {
				L.Replace(1, lua.LNumber(n))
			}
		}
		return fenv(L)
	}
}

// calleeName is Lua 5.1's getfuncname: the name and namewhat ("global",
// "local", "method", "field", "upvalue" or "") of the function running at
// level, read from the instruction that called it. It is ("", "") when the
// caller is not a Lua function, the function was entered by a tail call, or
// the call does not name it.
func calleeName(L *lua.LState, level int) (name, namewhat string) {
	d, g, tail, ok := stackLevel(L, level)
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
	cd, ok := L.GetStack(g + 1)
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
func argSbx(i uint32) int  { return argBx(i) - 0x1ffff }
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

// objName is Lua 5.1's getobjname: how the value in register reg at pc
// came to be there, as the kind of name ("local", "global", "field",
// "upvalue" or "method") and the name, or ("", "") when nothing names it.
// A local is named by the scopes of p's locals (scopes.go); anything else
// by the last instruction before pc that wrote the register (symbexec).
func objName(p *lua.FunctionProto, pc, reg int) (name, kind string) {
	if name := localName(p, reg, pc); name != "" {
		return name, "local"
	}
	i, ok := symbexec(p, pc, reg)
	if !ok {
		return "", ""
	}
	switch opcode(i) {
	case lua.OP_GETGLOBAL:
		if s, ok := constString(p, argBx(i)); ok {
			return s, "global"
		}
	case lua.OP_MOVE, lua.OP_MOVEN:
		if a, b := argA(i), argB(i); b < a {
			return objName(p, pc, b)
		}
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
		return kname(p, argC(i)), "field"
	case lua.OP_GETUPVAL:
		if b := argB(i); b < len(p.DbgUpvalues) {
			return p.DbgUpvalues[b], "upvalue"
		}
		return "?", "upvalue"
	case lua.OP_SELF:
		return kname(p, argC(i)), "method"
	}
	return "", ""
}

// localName is Lua 5.1's luaF_getlocalname: the name of the local that
// register reg holds at pc, or "" when it holds a temporary. The
// temporaries rewrite.go introduces are locals to gopher-lua but were
// temporaries to Lua 5.1, so they name nothing.
func localName(p *lua.FunctionProto, reg, pc int) string {
	n := reg + 1
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc < l.EndPc {
			if n--; n == 0 {
				if isRewriteTemp(l.Name) {
					return ""
				}
				return l.Name
			}
		}
	}
	return ""
}

func constString(p *lua.FunctionProto, k int) (string, bool) {
	if k < 0 || k >= len(p.Constants) {
		return "", false
	}
	s, ok := p.Constants[k].(lua.LString)
	return string(s), ok
}

// kname is Lua 5.1's kname: a constant string key, else "?".
func kname(p *lua.FunctionProto, rk int) string {
	if isConstK(rk) {
		if s, ok := constString(p, rk&^0x100); ok {
			return s
		}
	}
	return "?"
}

// symbexec is Lua 5.1's symbexec (ldebug.c) tracing register reg: the last
// instruction before lastpc that changed it, following forward jumps that
// land no later than lastpc, or the function's final RETURN when none did.
func symbexec(p *lua.FunctionProto, lastpc, reg int) (uint32, bool) {
	code := p.Code
	if len(code) == 0 || lastpc > len(code) {
		return 0, false
	}
	last := len(code) - 1
	for pc := 0; pc < lastpc; pc++ {
		i := code[pc]
		op, a := opcode(i), argA(i)
		if setsA(op) && a == reg {
			last = pc
		}
		switch op {
		case lua.OP_LOADNIL:
			if a <= reg && reg <= argB(i) {
				last = pc
			}
		case lua.OP_SELF:
			if reg == a+1 {
				last = pc
			}
		case lua.OP_TFORLOOP:
			if reg >= a+2 {
				last = pc
			}
		case lua.OP_FORLOOP, lua.OP_FORPREP, lua.OP_JMP:
			if dest := pc + 1 + argSbx(i); pc < dest && dest <= lastpc {
				pc += argSbx(i)
			}
		case lua.OP_CALL, lua.OP_TAILCALL:
			if reg >= a {
				last = pc
			}
		case lua.OP_SETLIST:
			if argC(i) == 0 {
				pc++ // the next word is the block number
			}
		case lua.OP_CLOSURE:
			if bx := argBx(i); bx < len(p.FunctionPrototypes) {
				pc += int(p.FunctionPrototypes[bx].NumUpvalues) // its upvalue pseudo-instructions
			}
		}
	}
	return code[last], true
}

// setsA reports whether op writes register A, as Lua 5.1's testAMode
// (lopcodes.c, TEST included) and gopher-lua's own opcodes.
func setsA(op int) bool {
	switch op {
	case lua.OP_SETGLOBAL, lua.OP_SETUPVAL, lua.OP_SETTABLE, lua.OP_SETTABLEKS,
		lua.OP_JMP, lua.OP_EQ, lua.OP_LT, lua.OP_LE, lua.OP_RETURN,
		lua.OP_TFORLOOP, lua.OP_SETLIST, lua.OP_CLOSE, lua.OP_NOP:
		return false
	}
	return true
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
