package luavm

import (
	"bytes"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func runIn(t *testing.T, L *lua.LState, src string) string {
	t.Helper()
	var out bytes.Buffer
	L.SetGlobal("print", L.NewFunction(newPrint(&out)))
	fn, err := Load(L, []byte(src), "=test")
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// The sandbox is what SPEC.md grants a run-fn: no host access, no way to
// compile code, and the same corrected builtins as compile time.
func TestSandboxLibraries(t *testing.T) {
	L := NewState(Options{Sandbox: true})
	defer L.Close()
	got := runIn(t, L, `
print(load, loadstring, dofile, loadfile, require, module, io, debug, package, coroutine)
local os_names = {} for k in pairs(os) do os_names[#os_names + 1] = k end table.sort(os_names)
print(table.concat(os_names, " "))
print(type(string.format), type(table.concat), type(math.floor), type(pcall), type(setmetatable))
print(tostring(1e15), string.format("%q", "\0"), tonumber("0x10"), math.huge)`)
	want := "nil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\tnil\n" +
		"clock date difftime time\n" +
		"function\tfunction\tfunction\tfunction\tfunction\n" +
		"1e+15\t\"\\000\"\t16\tinf\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFullStateLibraries(t *testing.T) {
	L := NewState(Options{})
	defer L.Close()
	got := runIn(t, L, `
local missing = {}
for _, name in ipairs({"load", "loadstring", "dofile", "loadfile", "require", "module", "io", "debug", "package", "coroutine", "string", "table", "math", "os"}) do
  if _G[name] == nil then missing[#missing + 1] = name end
end
print(table.concat(missing, " "), type(os.execute), type(debug.traceback), #package.loaders)`)
	if got != "\tfunction\tfunction\t2\n" {
		t.Errorf("got %q; want no missing library", got)
	}
}

// Lua 5.1 sized stacks: gopher-lua's 256 frames overflow at 250 nested
// calls, and its fixed registry on deep recursion with many locals.
func TestStackSizes(t *testing.T) {
	// The compile-time state preallocates Lua 5.1's sizes; a run-time
	// (sandboxed) state starts small and grows to the same limits.
	for _, opts := range []Options{{}, {Sandbox: true}} {
		L := NewState(opts)
		defer L.Close()
		if L.Options.CallStackSize != CallStackSize || L.Options.RegistryMaxSize != RegistryMaxSize {
			t.Errorf("%+v: options %+v", opts, L.Options)
		}
		if !opts.Sandbox && L.Options.RegistrySize != RegistrySize {
			t.Errorf("%+v: registry of %d, want %d", opts, L.Options.RegistrySize, RegistrySize)
		}
		got := runIn(t, L, `
local function d(n) local a, b, c, e, f, g, h = 1, 2, 3, 4, 5, 6, 7 if n == 0 then return 0 end return 1 + d(n - 1) end
print(d(3500))
print(pcall(function() local function inf(n) return 1 + inf(n) end return inf(1) end))`)
		if !strings.HasPrefix(got, "3500\nfalse\t") {
			t.Errorf("%+v: got %q", opts, got)
		}
	}
}

// string.rep refuses a result over 1 GiB rather than try to allocate it:
// the one deliberate difference from Lua 5.1 (doc.go).
func TestStringRepBound(t *testing.T) {
	L := NewState(Options{Sandbox: true})
	defer L.Close()
	got := runIn(t, L, `local ok, r = pcall(string.rep, "xx", 2^29 + 1) print(ok, ok and #r or r) print(#string.rep("x", 1000))`)
	if got != "false\tnot enough memory\n1000\n" {
		t.Errorf("got %q", got)
	}
}

// fixBuiltins corrects the libraries of any gopher-lua state.
func TestFixBuiltinsOnAnyState(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	fixBuiltins(L)
	if got := runIn(t, L, `print(tostring(1e15), string.format("%g", 0.5), math.huge)`); got != "1e+15\t0.5\tinf\n" {
		t.Errorf("got %q", got)
	}
}

// A sandboxed state is a copy of one template (newSandbox): it must hold
// exactly what opening the libraries gives, and nothing one state changes
// may show in another.
func TestSandboxCopiesAreTheOpenedLibraries(t *testing.T) {
	opened := openState(Options{Sandbox: true})
	defer opened.Close()
	copied := NewState(Options{Sandbox: true})
	defer copied.Close()
	const dump = `
		local names = {}
		for k, v in pairs(_G) do
			if type(v) == "table" and k ~= "_G" then
				for f, w in pairs(v) do names[#names + 1] = k .. "." .. tostring(f) .. ":" .. type(w) end
			else
				names[#names + 1] = k .. ":" .. type(v)
			end
		end
		table.sort(names)
		print(table.concat(names, " "))
		print(_G._G == _G, getmetatable("").__index == string, ("abc"):upper(), #string.format("%5.1f", 1))
		print(math.huge, math.pi, os.time{year=2020, month=1, day=1, hour=0} ~= nil)`
	want, got := runIn(t, opened, dump), runIn(t, copied, dump)
	if got != want {
		t.Errorf("a copied sandbox differs from an opened one:\ncopied: %s\nopened: %s", got, want)
	}
	if !strings.Contains(got, "true\ttrue\tABC\t5") {
		t.Errorf("string methods or _G in the copy: %s", got)
	}

	// One state's changes stay in that state.
	runIn(t, copied, `string.upper = nil; math.pi = 3; x = 1; table.insert = print; getmetatable("").__index = {}`)
	other := NewState(Options{Sandbox: true})
	defer other.Close()
	if out := runIn(t, other, `print(string.upper ~= nil, math.pi > 3.14, x, table.insert ~= print, ("a"):upper())`); out != "true\ttrue\tnil\ttrue\tA\n" {
		t.Errorf("a change to one sandboxed state shows in another: %q", out)
	}
}

// Sandboxed states share the template's Go functions: using them from many
// goroutines at once must be safe (go test -race).
func TestSandboxStatesInParallel(t *testing.T) {
	done := make(chan string)
	for range 8 {
		go func() {
			L := NewState(Options{Sandbox: true})
			defer L.Close()
			var out bytes.Buffer
			L.SetGlobal("print", L.NewFunction(newPrint(&out)))
			fn, err := Load(L, []byte(`local s = 0 for i = 1, 200 do s = s + #string.format("%d", i) + #tostring(i) end print(s, ("x"):rep(3))`), "=t")
			if err == nil {
				L.Push(fn)
				err = L.PCall(0, 0, nil)
			}
			if err != nil {
				done <- err.Error()
				return
			}
			done <- out.String()
		}()
	}
	for range 8 {
		if out := <-done; out != "984\txxx\n" {
			t.Errorf("got %q", out)
		}
	}
}

// Sandboxed states share the template's Go functions, which is sound only
// while none of them holds a table or userdata of its own (sandboxLibs)
// and none hands out the template's globals.
func TestSandboxSharesNoMutableState(t *testing.T) {
	tmpl := sandboxTemplate()
	tmpl.G.Global.ForEach(func(k, v lua.LValue) {
		check := func(name string, v lua.LValue) {
			fn, ok := v.(*lua.LFunction)
			if !ok {
				return
			}
			for i, uv := range fn.Upvalues {
				switch uv.Value().(type) {
				case *lua.LTable, *lua.LUserData:
					t.Errorf("%s: upvalue %d is a %s, which every sandboxed state would share", name, i+1, uv.Value().Type())
				}
			}
		}
		check(lua.LVAsString(k), v)
		if lib, ok := v.(*lua.LTable); ok && lib != tmpl.G.Global {
			lib.ForEach(func(f, fv lua.LValue) { check(lua.LVAsString(k)+"."+lua.LVAsString(f), fv) })
		}
	})
	L := NewState(Options{Sandbox: true})
	defer L.Close()
	if out := runIn(t, L, `print(getfenv(string.format) == _G, getfenv(pairs) == _G)`); out != "true\ttrue\n" {
		t.Errorf("a shared function's environment is not the state's own globals: %q", out)
	}
}
