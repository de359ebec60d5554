package luavm

import (
	lua "github.com/yuin/gopher-lua"
)

// gopher-lua raises the VM's runtime errors ("attempt to call a
// non-function object") from inside its instruction loop, and only then
// calls the state's Panic function, with the failing frame still on the
// stack: the one moment the instruction and its registers can say which
// variable was at fault, as Lua 5.1's do (vmerror.go). L.PCall sets Panic
// itself on entry, so the function it protects is called through
// namedErrors, which sets Panic to panicNamed, then calls it. PCall and
// Lua's pcall and xpcall all go through it, so an error reads the same
// whoever catches it: the compiler, the generated binary, or the
// pipeline's own pcall.
//
// namedErrors is a Go frame Lua 5.1 does not have; stackLevel skips it,
// so debug.getinfo, debug.traceback and error's levels count as Lua 5.1's.

// PCall is L.PCall for quire's states: it calls the function below the
// nargs arguments on top of L's stack in protected mode, and a runtime
// error of the VM is worded as Lua 5.1 words it ("attempt to index local
// 'cfg' (a nil value)"). handler, when not nil, is called with the error
// value while the failing frames are still on the stack, and its result
// becomes the error's value. Errors raised by Go functions and error
// values that are not strings are left as they are.
func PCall(L *lua.LState, nargs, nret int, handler *lua.LFunction) error {
	L.Insert(trampoline, -(nargs + 1))
	return L.PCall(nargs+1, nret, handler)
}

// trampoline is namedErrors as a Lua function, one for every state rather
// than one per call: it has no upvalues, and no environment, which for a
// Go function only L.Get(lua.EnvironIndex) inside it would read. Lua code
// never gets hold of it: levels skip its frame (frames.go isTrampoline).
var trampoline = &lua.LFunction{IsG: true, GFunction: namedErrors}

// namedErrors calls its first argument with the others and returns all it
// returns, with the state's Panic naming the VM's errors.
func namedErrors(L *lua.LState) int {
	L.Panic = panicNamed
	fn := L.Get(1)
	if _, ok := fn.(*lua.LFunction); !ok {
		if _, ok := L.GetMetaField(fn, "__call").(*lua.LFunction); !ok {
			// As Lua 5.1's pcall says it: the caller is not Lua code,
			// so no position and no name.
			L.Error(lua.LString("attempt to call a "+fn.Type().String()+" value"), 0)
		}
	}
	L.Call(L.GetTop()-1, lua.MultRet)
	return L.GetTop()
}

// panicNamed is the Panic of a state inside namedErrors: Lua 5.1's wording
// for the VM's own errors (nameVMError), then what L.PCall's Panic does.
func panicNamed(L *lua.LState) {
	if msg, ok := L.Get(-1).(lua.LString); ok {
		if named, ok := nameVMError(L, string(msg)); ok {
			L.Pop(1)
			L.Push(lua.LString(named))
		}
	}
	panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: L.Get(-1)})
}

// basePCall is Lua 5.1's pcall(f, ...).
func basePCall(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "value expected")
	}
	if err := PCall(L, L.GetTop()-1, lua.MultRet, nil); err != nil {
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(errorValue(err))
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// baseXPCall is Lua 5.1's xpcall(f, handler): f is called without
// arguments, and an error's value is what handler returns for it.
func baseXPCall(L *lua.LState) int {
	if L.GetTop() < 2 {
		argError(L, 2, "value expected")
	}
	L.SetTop(2)
	handler, _ := L.Get(2).(*lua.LFunction)
	L.Pop(1)
	if err := PCall(L, 0, lua.MultRet, handler); err != nil {
		L.SetTop(0)
		L.Push(lua.LFalse)
		if handler == nil {
			// lua_pcall with an error function that is not one.
			L.Push(lua.LString("error in error handling"))
		} else {
			L.Push(errorValue(err))
		}
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// baseError is Lua 5.1's error(message [, level]): a string (or number)
// message gets the position of the function at level, counted as Lua 5.1
// counts (stackLevel), where gopher-lua's skips Go functions to the next
// Lua one: error("x", 2) in a function pcall called has no position.
func baseError(L *lua.LState) int {
	level := optInt(L, 2, 1)
	L.SetTop(1)
	msg := L.Get(1)
	if s, ok := toLString(msg); ok && level > 0 {
		msg = lua.LString(where(L, int(level)) + s)
	}
	L.Error(msg, 0)
	return 0
}
