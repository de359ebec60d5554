package luavm

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// frames.go reads gopher-lua's private call frames through reflection.
// This pins the layout it relies on: if gopher-lua renames the fields, the
// names of called functions disappear and this test says why.
func TestFrameLayout(t *testing.T) {
	L := NewState(Options{})
	defer L.Close()
	var name, namewhat string
	var pc int
	L.SetGlobal("probe", L.NewFunction(func(L *lua.LState) int {
		d, _ := L.GetStack(1)
		f := frameOf(d)
		if !f.ok() || f.isGo() {
			t.Error("no Lua frame at level 1: lua.Debug.frame or callFrame.Fn changed")
		}
		pc = f.pc()
		name, namewhat = calleeName(L, 0)
		return 0
	}))
	if err := L.DoString("local x = 1\nprobe()"); err != nil {
		t.Fatal(err)
	}
	if pc <= 0 {
		t.Errorf("caller pc = %d: callFrame.Pc changed", pc)
	}
	if name != "probe" || namewhat != "global" {
		t.Errorf("calleeName = %q, %q; want probe, global", name, namewhat)
	}
}

// Levels skip the Go frame PCall, pcall and xpcall call through
// (pcall.go): if isTrampoline stops recognising it, debug.getinfo's levels
// and tracebacks grow a frame Lua 5.1 does not have.
func TestTrampolineFrameIsRecognised(t *testing.T) {
	L := NewState(Options{})
	defer L.Close()
	found := 0
	L.SetGlobal("probe", L.NewFunction(func(L *lua.LState) int {
		d, _ := L.GetStack(0)
		for f := frameOf(d); f.ok(); f = f.parent() {
			if f.isTrampoline() {
				found++
			}
		}
		return 0
	}))
	if err := L.DoString("pcall(function() pcall(probe) end)"); err != nil {
		t.Fatal(err)
	}
	if found != 2 {
		t.Errorf("found %d trampoline frames under two pcalls, want 2", found)
	}
}
