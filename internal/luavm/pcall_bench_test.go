package luavm

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// BenchmarkPCall is one run-fn call as the generated binary makes it: a
// small Lua function called through PCall in a sandboxed state.
func BenchmarkPCall(b *testing.B) {
	L := NewState(Options{Sandbox: true})
	defer L.Close()
	if err := L.DoString(`function f(x) return x end`); err != nil {
		b.Fatal(err)
	}
	f := L.GetGlobal("f")
	b.ReportAllocs()
	for b.Loop() {
		L.Push(f)
		L.Push(lua.LNumber(1))
		if err := PCall(L, 1, 1, nil); err != nil {
			b.Fatal(err)
		}
		L.Pop(1)
	}
}

// BenchmarkLuaPCall is Lua's pcall in a loop.
func BenchmarkLuaPCall(b *testing.B) {
	L := NewState(Options{Sandbox: true})
	defer L.Close()
	if err := L.DoString(`local f = function(x) return x end
function loop(n) for i = 1, n do pcall(f, i) end end`); err != nil {
		b.Fatal(err)
	}
	loop := L.GetGlobal("loop")
	b.ReportAllocs()
	for b.Loop() {
		if err := L.CallByParam(lua.P{Fn: loop, Protect: true}, lua.LNumber(100)); err != nil {
			b.Fatal(err)
		}
	}
}
