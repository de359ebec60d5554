package luavm

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// fileClass is the name of gopher-lua's type metatable for io files.
const fileClass = "FILE*"

// fixIO corrects the io library of L, if it has one (FIDELITY.md §2):
// file:setvbuf accepts "line", a popen file's close returns true, and
// tostring(file) reads "file (0x...)".
func fixIO(L *lua.LState, iolib *lua.LTable) {
	fileMeta, ok := L.GetTypeMetatable(fileClass).(*lua.LTable)
	if !ok {
		return
	}
	fileMeta.RawSetString("setvbuf", L.NewFunction(fileSetvbuf(fileMeta.RawGetString("setvbuf"))))
	fileMeta.RawSetString("__tostring", L.NewFunction(fileToString(fileMeta.RawGetString("__tostring"))))

	procMeta := L.NewTable()
	fileMeta.ForEach(func(k, v lua.LValue) { procMeta.RawSet(k, v) })
	procMeta.RawSetString("__index", procMeta)
	procMeta.RawSetString("close", L.NewFunction(processClose(fileMeta.RawGetString("close"))))
	iolib.RawSetString("popen", L.NewFunction(ioPopen(iolib.RawGetString("popen"), procMeta)))
	iolib.RawSetString("close", L.NewFunction(ioClose(iolib.RawGetString("close"), procMeta)))
}

// callWith calls fn with the current arguments of L, the i-th replaced by
// v when i > 0, and returns its results.
func callWith(L *lua.LState, fn lua.LValue, i int, v lua.LValue) int {
	top := L.GetTop()
	L.Push(fn)
	for j := 1; j <= top; j++ {
		if j == i {
			L.Push(v)
		} else {
			L.Push(L.Get(j))
		}
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// fileSetvbuf is Lua 5.1's file:setvbuf(mode [, size]): modes "no",
// "full" and "line", result true. gopher-lua rejects "line"; a write there
// goes out at once, which shows at least what line buffering shows.
func fileSetvbuf(orig lua.LValue) lua.LGFunction {
	return func(L *lua.LState) int {
		mode := checkString(L, 2)
		switch mode {
		case "no", "full":
			return callWith(L, orig, 0, nil)
		case "line":
			return callWith(L, orig, 2, lua.LString("no"))
		}
		argError(L, 2, fmt.Sprintf("invalid option '%s'", mode))
		return 0
	}
}

// fileToString is Lua 5.1's tostring of a file: "file (0x...)" or
// "file (closed)", for popen files too. gopher-lua says "file" or
// "process".
func fileToString(orig lua.LValue) lua.LGFunction {
	return func(L *lua.LState) int {
		ud := L.CheckUserData(1)
		L.Push(orig)
		L.Push(ud)
		L.Call(1, 1)
		state := L.Get(-1).String()
		L.Pop(1)
		if strings.HasSuffix(state, "(closed)") {
			L.Push(lua.LString("file (closed)"))
		} else {
			L.Push(lua.LString(fmt.Sprintf("file (%p)", ud)))
		}
		return 1
	}
}

// ioPopen gives the files io.popen opens their own metatable, whose close
// is processClose.
func ioPopen(orig lua.LValue, procMeta *lua.LTable) lua.LGFunction {
	return func(L *lua.LState) int {
		n := callWith(L, orig, 0, nil)
		if ud, ok := L.Get(-n).(*lua.LUserData); ok && n > 0 {
			ud.Metatable = procMeta
		}
		return n
	}
}

// processClose is Lua 5.1's close of a popen file: true once the process
// is waited for, whatever its exit status. gopher-lua returns the exit
// status, a number, which is truthy even for a failure.
func processClose(orig lua.LValue) lua.LGFunction {
	return func(L *lua.LState) int {
		n := callWith(L, orig, 0, nil)
		if n > 0 {
			if _, status := L.Get(-n).(lua.LNumber); status {
				L.Pop(n)
				L.Push(lua.LTrue)
				return 1
			}
		}
		return n
	}
}

// ioClose routes io.close(f) of a popen file to processClose.
func ioClose(orig lua.LValue, procMeta *lua.LTable) lua.LGFunction {
	return func(L *lua.LState) int {
		if ud, ok := L.Get(1).(*lua.LUserData); ok && ud.Metatable == procMeta {
			return callWith(L, procMeta.RawGetString("close"), 0, nil)
		}
		return callWith(L, orig, 0, nil)
	}
}
