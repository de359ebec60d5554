package luavm

import (
	"math"
	"testing"
)

func TestFormatNumberIsPercent14g(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{3, "3"},
		{-7, "-7"},
		{0.1, "0.1"},
		{1.0 / 3, "0.33333333333333"},
		{100, "100"},
		{1e14, "1e+14"},
		{1e15, "1e+15"},
		{123456789012345, "1.2345678901234e+14"}, // a tie, rounded to even like glibc
		{1 << 53, "9.007199254741e+15"},
		{1 << 63, "9.2233720368548e+18"},
		{1e100, "1e+100"},
		{5e-324, "4.9406564584125e-324"},
		{-1e-300, "-1e-300"},
		{math.Copysign(0, -1), "-0"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.Float64frombits(0x7ff8000000000000), "nan"},
		{math.Float64frombits(0xfff8000000000000), "-nan"}, // 0/0 on x86-64
	} {
		if got := FormatNumber(c.f); got != c.want {
			t.Errorf("FormatNumber(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// gopher-lua formats numbers with Go's rules: 1e15 is
// "1000000000000000", infinity "+Inf", -0 "0".
func TestToStringFormatsNumbersLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(tostring(1e15), tostring(3), tostring(2^63), tostring(0.1))`, "1e+15\t3\t9.2233720368548e+18\t0.1\n"},
		{`print(tostring(1/0), tostring(-1/0), tostring(1e400))`, "inf\t-inf\tinf\n"},
		{`local z = 0 print(tostring(-z), -z)`, "-0\t-0\n"},
		{`local nan = tostring(0/0) print(nan == "nan" or nan == "-nan")`, "true\n"},
		{`print(1e15, 123456789012345, 1/3)`, "1e+15\t1.2345678901234e+14\t0.33333333333333\n"},
		{`print(tostring(setmetatable({}, {__tostring = function() return "obj" end})))`, "obj\n"},
	})
}

// Lua 5.1's print converts through the global tostring; gopher-lua's
// ignores it.
func TestPrintCallsGlobalToString(t *testing.T) {
	checkCases(t, []luaCase{
		{`local old = tostring
tostring = function(v) return "<" .. old(v) .. ">" end
print(1, "a", nil)
tostring = old`, "<1>\t<a>\t<nil>\n"},
		{`local old = tostring
tostring = function() return {} end
local ok, err = pcall(print, 1)
tostring = old
print(ok, err)`, "false\t'tostring' must return a string to 'print'\n"},
	})
}

// math.huge is HUGE_VAL in Lua 5.1; gopher-lua sets it to the largest
// finite float.
func TestMathHugeIsInfinity(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(math.huge, -math.huge, math.huge == 1/0, 1/0 > math.huge)`, "inf\t-inf\ttrue\tfalse\n"},
	})
}

// Lua 5.1's print writes each string with fputs, which stops at a NUL.
func TestPrintStopsAtNUL(t *testing.T) {
	checkCases(t, []luaCase{
		{`print("a\0b", "c\0", 1)`, "a\tc\t1\n"},
	})
}
