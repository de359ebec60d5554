package luavm

import (
	"fmt"
	"testing"
)

// tonumber converts like Lua 5.1 on glibc (strtod, strtoul). gopher-lua
// parses an integer unless the text has a '.', so "1e2", "1e15", "-0x10",
// "inf" and integers beyond int64 give nil, and it accepts Go-only syntax.
func TestToNumberLikeLua51(t *testing.T) {
	conversions := []struct{ in, want string }{
		{`"10"`, "10"}, {`"0x10"`, "16"}, {`"-0x10"`, "-16"}, {`"0X1P-1"`, "0.5"}, {`"0x1p4"`, "16"}, {`"0x1.8"`, "1.5"},
		{`"1e15"`, "1e+15"}, {`"1e2"`, "100"}, {`"1E+2 "`, "100"}, {`".5"`, "0.5"}, {`"5."`, "5"}, {`"010"`, "10"}, {`"+5"`, "5"},
		{`" 10 "`, "10"}, {`"\t10\n"`, "10"}, {`"\v10\f"`, "10"}, {`"  0x10  "`, "16"}, {`"10\0zz"`, "10"},
		{`"inf"`, "inf"}, {`"-INF"`, "-inf"}, {`"Infinity"`, "inf"}, {`"nan"`, "nan"}, {`"-nan"`, "-nan"}, {`"NaN(123)"`, "nan"},
		{`"1e400"`, "inf"}, {`"-1e400"`, "-inf"}, {`"1e-400"`, "0"},
		{`"18446744073709551616"`, "1.844674407371e+19"}, {`"123456789012345678901234567890"`, "1.2345678901235e+29"},
		{`"0xffffffffffffffffff"`, "4.7223664828696e+21"}, {`"0x1e"`, "30"}, {`"0x.8"`, "0.5"},
		// not numbers
		{`"infinit"`, "nil"}, {`"nan("`, "nil"}, {`"1e"`, "nil"}, {`"1e+"`, "nil"}, {`"."`, "nil"}, {`""`, "nil"}, {`" "`, "nil"},
		{`"0x"`, "nil"}, {`"0xg"`, "nil"}, {`"0x."`, "nil"}, {`"0x1P"`, "nil"}, {`"1 2"`, "nil"}, {`"++5"`, "nil"}, {`"- 5"`, "nil"},
		{`"0x-1"`, "nil"}, {`"1.5e+3x"`, "nil"}, {`"3x"`, "nil"},
		{`"1_000"`, "nil"}, {`"0b101"`, "nil"}, {`"0o17"`, "nil"}, // Go-only syntax
		{`nil`, "nil"}, {`{}`, "nil"}, {`true`, "nil"}, {`42`, "42"},
		// with a base: strtoul
		{`"10", 2`, "2"}, {`"ff", 16`, "255"}, {`"FF", 16`, "255"}, {`"0x10", 16`, "16"}, {`"  11  ", 2`, "3"}, {`"z", 36`, "35"},
		{`"-1", 16`, "1.844674407371e+19"}, {`"-ff", 16`, "1.844674407371e+19"}, {`"ffffffffffffffffff", 16`, "1.844674407371e+19"},
		{`"+7", 8`, "7"}, {`"7\0x", 8`, "7"}, {`"1e2", 10`, "100"}, {`10, 16`, "16"}, {`"10", 16.9`, "16"}, {`"10", "16"`, "16"},
		{`"12", 2`, "nil"}, {`"", 10`, "nil"}, {`"0x", 16`, "nil"}, {`"1.5", 16`, "nil"}, {`" ", 16`, "nil"}, {`"10", nil`, "10"},
	}
	var cases []luaCase
	for _, c := range conversions {
		cases = append(cases, luaCase{fmt.Sprintf("print(tonumber(%s))", c.in), c.want + "\n"})
	}
	cases = append(cases,
		luaCase{`print(pcall(tonumber, "10", 1))`, "false\tbad argument #2 to '?' (base out of range)\n"},
		luaCase{`print(pcall(tonumber, "10", 37))`, "false\tbad argument #2 to '?' (base out of range)\n"},
		luaCase{`print(pcall(tonumber, "10", 2^32+2))`, "true\t2\n"}, // the base is a C int
		luaCase{`print(pcall(tonumber))`, "false\tbad argument #1 to '?' (value expected)\n"},
		luaCase{`print(pcall(tonumber, "10", "x"))`, "false\tbad argument #2 to '?' (number expected, got string)\n"},
		luaCase{`print(pcall(tonumber, nil, 16))`, "false\tbad argument #1 to '?' (string expected, got nil)\n"},
		luaCase{`print(pcall(function() return tonumber("10", 99) end))`, "false\tcase:1: bad argument #2 to 'tonumber' (base out of range)\n"},
	)
	checkCases(t, cases)
}
