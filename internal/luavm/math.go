package luavm

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// fixMathHuge sets math.huge to +Inf, as Lua 5.1's HUGE_VAL. gopher-lua
// sets it to math.MaxFloat64, so `x == math.huge` fails for infinities and
// 1/0 > math.huge is true.
func fixMathHuge(mathlib *lua.LTable) {
	mathlib.RawSetString("huge", lua.LNumber(math.Inf(1)))
}
