package luavm

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	lua "github.com/yuin/gopher-lua"
)

// The functions here are Lua 5.1's chunk loaders (lbaselib.c, loadlib.c,
// lauxlib.c luaL_loadfile) compiling through CompileChunk. gopher-lua's own
// load, loadstring, loadfile, dofile and package loader call lua.Compile
// directly, so the chunks they load (Fennel's macro chunks, eval, required
// modules) would skip the assignment rewrite.

// baseLoadString is loadstring(s [, chunkname]); the chunkname defaults to
// s itself, as in Lua 5.1.
func baseLoadString(L *lua.LState) int {
	s := checkString(L, 1)
	chunkname := s
	if L.Get(2) != lua.LNil {
		chunkname = checkString(L, 2)
	}
	return loadResult(L, []byte(s), chunkname)
}

// baseLoad is load(reader [, chunkname]): the chunk is the concatenation of
// the strings the reader returns until nil or "". An error in the reader is
// returned, not raised, as from lua_load's protected parser.
func baseLoad(L *lua.LState) int {
	chunkname := "=(load)"
	if L.Get(2) != lua.LNil {
		chunkname = checkString(L, 2)
	}
	reader, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		typeError(L, 1, "function")
	}
	var src bytes.Buffer
	for {
		L.Push(reader)
		if err := PCall(L, 0, 1, nil); err != nil {
			L.Push(lua.LNil)
			L.Push(errorValue(err))
			return 2
		}
		piece := L.Get(-1)
		L.Pop(1)
		if piece == lua.LNil || piece == lua.LString("") {
			return loadResult(L, src.Bytes(), chunkname)
		}
		s, ok := toLString(piece)
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString(where(L, 1) + "reader function must return a string"))
			return 2
		}
		src.WriteString(s)
	}
}

// baseLoadFile is loadfile([filename]); without a filename it reads stdin.
func baseLoadFile(L *lua.LState) int {
	src, chunkname, err := readChunkFile(optFileName(L, 1))
	if err != "" {
		L.Push(lua.LNil)
		L.Push(lua.LString(err))
		return 2
	}
	return loadResult(L, src, chunkname)
}

// baseDoFile is dofile([filename]): load errors are raised, and the
// chunk's results returned.
func baseDoFile(L *lua.LState) int {
	src, chunkname, errmsg := readChunkFile(optFileName(L, 1))
	if errmsg != "" {
		L.Error(lua.LString(errmsg), 0)
	}
	fn, err := Load(L, src, chunkname)
	if err != nil {
		L.Error(lua.LString(err.Error()), 0)
	}
	top := L.GetTop()
	L.Push(fn)
	L.Call(0, lua.MultRet)
	return L.GetTop() - top
}

// loadResult pushes the loaded function, or nil and the message.
func loadResult(L *lua.LState, src []byte, chunkname string) int {
	fn, err := Load(L, src, chunkname)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

// optFileName is the optional file name at argument narg; none means
// stdin.
func optFileName(L *lua.LState, narg int) (name string, stdin bool) {
	if L.Get(narg) == lua.LNil {
		return "", true
	}
	return checkString(L, narg), false
}

// readChunkFile is the reading half of luaL_loadfile: the source of the
// file (or stdin), with a first line starting with '#'
// blanked but its newline kept, so line numbers hold; the chunkname "@name"
// or "=stdin"; or Lua 5.1's "cannot open name: reason".
func readChunkFile(name string, stdin bool) (src []byte, chunkname, errmsg string) {
	var err error
	if stdin {
		chunkname = "=stdin"
		src, err = io.ReadAll(os.Stdin)
	} else {
		chunkname = "@" + name
		src, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, "", fileError(chunkname[1:], err)
	}
	if len(src) > 0 && src[0] == '#' {
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			src = src[i:]
		} else {
			src = nil
		}
	}
	return src, chunkname, ""
}

// fileError is lauxlib.c's errfile: "cannot open name: No such file or
// directory", with C's strerror wording.
func fileError(name string, err error) string {
	what := "read"
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "open" {
		what = "open"
	}
	reason := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		reason = errno.Error()
		if reason != "" {
			reason = strings.ToUpper(reason[:1]) + reason[1:]
		}
	}
	return "cannot " + what + " " + name + ": " + reason
}

// ErrorMessage is the message of an error raised in Lua, as Lua would
// print it: the error value as a string, without the Go-side stack trace
// gopher-lua appends. A table raised as the error shows what its
// __tostring returns, called in L, else the table in Fennel notation
// (View, with redact), rather than Lua's "table: 0x…". The compiler and
// the generated binary both word errors with it.
func ErrorMessage(L *lua.LState, err error, redact func(string) string) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) && ae.Object != nil {
		if t, ok := ae.Object.(*lua.LTable); ok {
			return tableErrorMessage(L, t, redact)
		}
		if msg := lua.LVAsString(ae.Object); msg != "" {
			return msg
		}
		return ae.Object.String()
	}
	msg, _, _ := strings.Cut(err.Error(), "\nstack traceback:")
	return msg
}

// tableErrorMessage words an error raised with a table value: its
// __tostring when it has one that returns a string, else the table.
func tableErrorMessage(L *lua.LState, t *lua.LTable, redact func(string) string) string {
	// The metamethod itself, as lua.c's message handler calls it: the
	// global tostring is the pipeline's to redefine.
	if meta := L.GetMetaField(t, "__tostring"); meta != lua.LNil {
		if err := L.CallByParam(lua.P{Fn: meta, NRet: 1, Protect: true}, t); err == nil {
			s := L.Get(-1)
			L.Pop(1)
			if s, ok := s.(lua.LString); ok {
				return string(s)
			}
		}
	}
	return "error raised with a table value: " + View(t, redact)
}

// errorValue is the Lua value of an error from PCall.
func errorValue(err error) lua.LValue {
	var ae *lua.ApiError
	if errors.As(err, &ae) && ae.Object != nil {
		return ae.Object
	}
	return lua.LString(err.Error())
}

// fixPackage replaces package.loaders with Lua 5.1's preload and Lua-file
// loaders, the latter compiling through CompileChunk, and require with
// Lua 5.1's, which reads package.loaders at each call and words its errors
// like 5.1 ("module 'x' not found:\n\tno field package.preload['x']...").
func fixPackage(L *lua.LState, pkg *lua.LTable) {
	loaders := L.NewTable()
	loaders.Append(L.NewFunction(preloadLoader(pkg)))
	loaders.Append(L.NewFunction(luaFileLoader(pkg)))
	pkg.RawSetString("loaders", loaders)
	L.SetField(L.Get(lua.RegistryIndex), "_LOADERS", loaders)
	L.SetGlobal("require", L.NewFunction(require(pkg)))
}

// preloadLoader is loadlib.c's loader_preload.
func preloadLoader(pkg *lua.LTable) lua.LGFunction {
	return func(L *lua.LState) int {
		name := checkString(L, 1)
		preload, ok := L.GetField(pkg, "preload").(*lua.LTable)
		if !ok {
			raiseError(L, "'package.preload' must be a table")
		}
		if f := L.GetField(preload, name); f != lua.LNil {
			L.Push(f)
			return 1
		}
		L.Push(lua.LString("\n\tno field package.preload['" + name + "']"))
		return 1
	}
}

// luaFileLoader is loadlib.c's loader_Lua: the first readable file along
// package.path, loaded through CompileChunk.
func luaFileLoader(pkg *lua.LTable) lua.LGFunction {
	return func(L *lua.LState) int {
		name := checkString(L, 1)
		path, ok := L.GetField(pkg, "path").(lua.LString)
		if !ok {
			raiseError(L, "'package.path' must be a string")
		}
		file := strings.ReplaceAll(name, ".", string(os.PathSeparator))
		var tried strings.Builder
		for _, template := range strings.Split(string(path), ";") {
			if template == "" {
				continue
			}
			filename := strings.ReplaceAll(template, "?", file)
			f, err := os.Open(filename)
			if err != nil {
				tried.WriteString("\n\tno file '" + filename + "'")
				continue
			}
			f.Close()
			src, chunkname, errmsg := readChunkFile(filename, false)
			if errmsg == "" {
				fn, err := Load(L, src, chunkname)
				if err == nil {
					L.Push(fn)
					return 1
				}
				errmsg = err.Error()
			}
			raiseError(L, "error loading module '%s' from file '%s':\n\t%s", name, filename, errmsg)
		}
		L.Push(lua.LString(tried.String()))
		return 1
	}
}

// require is loadlib.c's ll_require.
func require(pkg *lua.LTable) lua.LGFunction {
	sentinel := &lua.LUserData{}
	return func(L *lua.LState) int {
		name := checkString(L, 1)
		loaded, ok := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable)
		if !ok {
			raiseError(L, "'package.loaded' must be a table")
		}
		if v := L.GetField(loaded, name); lua.LVAsBool(v) {
			if v == sentinel {
				raiseError(L, "loop or previous error loading module '%s'", name)
			}
			L.Push(v)
			return 1
		}
		loaders, ok := L.GetField(pkg, "loaders").(*lua.LTable)
		if !ok {
			raiseError(L, "'package.loaders' must be a table")
		}
		var notFound strings.Builder
		var loader lua.LValue
		for i := 1; ; i++ {
			f := loaders.RawGetInt(i)
			if f == lua.LNil {
				raiseError(L, "module '%s' not found:%s", name, notFound.String())
			}
			L.Push(f)
			L.Push(lua.LString(name))
			L.Call(1, 1)
			result := L.Get(-1)
			L.Pop(1)
			if _, ok := result.(*lua.LFunction); ok {
				loader = result
				break
			}
			if msg, ok := toLString(result); ok {
				notFound.WriteString(msg)
			}
		}
		L.SetField(loaded, name, sentinel)
		L.Push(loader)
		L.Push(lua.LString(name))
		L.Call(1, 1)
		result := L.Get(-1)
		L.Pop(1)
		if result != lua.LNil {
			L.SetField(loaded, name, result)
		}
		if L.GetField(loaded, name) == sentinel {
			L.SetField(loaded, name, lua.LTrue)
		}
		L.Push(L.GetField(loaded, name))
		return 1
	}
}
