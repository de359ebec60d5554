package luavm

import "testing"

// string.format follows C's printf as Lua 5.1.5's lstrlib.c drives it.
// gopher-lua uses Go's fmt: %q with Go escapes, %g and %e without C's
// default precision, "+Inf", and "%!y(...)" for a bad option.
func TestStringFormatLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		// integers: flags, width, precision, truncation of floats
		{`print(string.format("%d|%i|%5d|%-5d|%05d|%+d|% d|%+ d", 42, 42, 42, 42, -3, 5, 5, 5))`, "42|42|   42|42   |-0003|+5| 5|+5\n"},
		{`print(string.format("%5.2d|%.0d|%+.0d|%05.1d|%-05d|", 3, 0, 0, 3, -3))`, "   03||+|    3|-3   |\n"},
		{`print(string.format("%d %d %d", 3.9, -3.9, "10"))`, "3 -3 10\n"},
		{`print(string.format("%d %d %d", 2^63, -1e30, 0/0))`, "-9223372036854775808 -9223372036854775808 -9223372036854775808\n"},
		{`print(string.format("%d %d %d", "0x10", " 12 ", "1e2"))`, "16 12 100\n"},
		// unsigned: a double cast to unsigned long the x86-64 way
		{`print(string.format("%u %o %#o %#o %x %#x %#X %#x %X", -1, 8, 8, 0, 255, 255, 255, 0, 3054))`, "18446744073709551615 10 010 0 ff 0xff 0XFF 0 BEE\n"},
		{`print(string.format("%x %x %x %x %x", 2^64, 2^63, 1e30, -1e30, 2^63 + 2^11))`, "0 8000000000000000 0 8000000000000000 8000000000000800\n"},
		{`print(string.format("%#08x|%08X|%.4x", 255, 255, 10))`, "0x0000ff|000000FF|000a\n"},
		// characters: (int) cast, and the item cut at a NUL
		{`print(string.format("[%c][%5c][%-5c][%c][%c][%05c]", 65, 0, 0, 256 + 66, 1e10, 67))`, "[A][    ][][B][][    C]\n"},
		// floats
		{`print(string.format("%e|%E|%f|%g|%G", 1, 12345.6789, 2.5, 100000, 1e-10))`, "1.000000e+00|1.234568E+04|2.500000|100000|1E-10\n"},
		{`print(string.format("%g %g %g %g %g %g", 1e6, 1e-4, 1e-5, 0, 2^53, 0.1))`, "1e+06 0.0001 1e-05 0 9.0072e+15 0.1\n"},
		{`print(string.format("%#g|%#.0f|%.0e|%#.0e|%.3g|%.14g", 1, 1, 12345, 12345, 0.0001234, 0.1 + 0.2))`, "1.00000|1.|1e+04|1.e+04|0.000123|0.3\n"},
		{`print(string.format("%5.1f|%.1f|%.1f|%010.3f|%+.3e|%-8.2f|", 2.25, 0.25, 0.35, -3.14159, 0, 1.005))`, "  2.2|0.2|0.3|-00003.142|+0.000e+00|1.00    |\n"},
		{`print(string.format("%.20f", 0.1))`, "0.10000000000000000555\n"},
		{`print(string.format("%.99f", 1/3))`, "0.333333333333333314829616256247390992939472198486328125000000000000000000000000000000000000000000000\n"},
		{`local z = 0 print(string.format("%g %.14g %f", -z, -z, -z))`, "-0 -0 -0.000000\n"},
		// infinities and NaN as glibc spells them, never zero-padded
		{`print(string.format("%f|%e|%g|%G|%+g|%010f|%-10g|% f", 1/0, -1/0, 1/0, 1/0, 1/0, -1/0, 1/0, 1/0))`, "inf|-inf|inf|INF|+inf|      -inf|inf       | inf\n"},
		{`print(string.format("%f %f", tonumber("nan"), tonumber("-nan")))`, "nan -nan\n"},
		// strings
		{`print(string.format("%s|%5s|%-5s|%.1s|%5.1s|%.s|", "ab", "ab", "ab", "abc", "abc", "abc"))`, "ab|   ab|ab   |a|    a||\n"},
		{`print(string.format("%s %s %s", 1e15, 10, -0.5))`, "1e+15 10 -0.5\n"},
		{`print(#string.format("%s", "a\0b"), #string.format("%5s", "a\0b"), #string.format("%.3s", "a\0bc"))`, "1\t5\t1\n"},
		{`print(#string.format("%s", string.rep("x", 100) .. "\0y"), #string.format("%5s", string.rep("x", 100)), #string.format("%99s", string.rep("x", 150)))`, "102\t100\t150\n"},
		{`print(string.format("%% %s%%", "x"))`, "% x%\n"},
		// %q writes what Lua 5.1 reads back as the same string
		{`print(string.format("%q", "a\"b\\c\nd\re\0f\1g\255h\t"))`, "\"a\\\"b\\\\c\\\nd\\re\\000f\x01g\xffh\t\"\n"},
		{`print(string.format("%q|%10q", 1e15, "a"))`, "\"1e+15\"|\"a\"\n"},
		{`local s = "\0\1\r\n\t\"\\\127\128\255" print(loadstring("return " .. string.format("%q", s))() == s)`, "true\n"},
		// errors, worded like Lua 5.1
		{`print(pcall(string.format, "%y", 1))`, "false\tinvalid option '%y' to 'format'\n"},
		{`print(pcall(string.format, "%", 1))`, "false\tinvalid option '%' to 'format'\n"},
		{`print(pcall(string.format, "%a", 1))`, "false\tinvalid option '%a' to 'format'\n"},
		{`print(pcall(string.format, "%d", "x"))`, "false\tbad argument #2 to '?' (number expected, got string)\n"},
		{`print(pcall(string.format, "%d %d", 1))`, "false\tbad argument #3 to '?' (no value)\n"},
		{`print(pcall(string.format, "%s", {}))`, "false\tbad argument #2 to '?' (string expected, got table)\n"},
		{`print(pcall(string.format, "%s", nil))`, "false\tbad argument #2 to '?' (string expected, got nil)\n"},
		{`print(pcall(string.format, "%s", true))`, "false\tbad argument #2 to '?' (string expected, got boolean)\n"},
		{`print(pcall(string.format))`, "false\tbad argument #1 to '?' (string expected, got no value)\n"},
		{`print(pcall(string.format, "%------d", 1))`, "false\tinvalid format (repeated flags)\n"},
		{`print(pcall(string.format, "%-----d|%99d", 1, 1))`, "true\t1|" + spaces(98) + "1\n"},
		{`print(pcall(string.format, "%123d", 1))`, "false\tinvalid format (width or precision too long)\n"},
		{`print(pcall(string.format, "%.123d", 1))`, "false\tinvalid format (width or precision too long)\n"},
		// in Lua code, errors carry the caller's position and name the function
		{`print(pcall(function() return string.format("%d", "x") end))`, "false\tcase:1: bad argument #2 to 'format' (number expected, got string)\n"},
		{`print(pcall(function() return ("%d"):format("x") end))`, "false\tcase:1: bad argument #1 to 'format' (number expected, got string)\n"},
		{`local fmt = string.format print(pcall(function() return fmt("%y", 1) end))`, "false\tcase:1: invalid option '%y' to 'format'\n"},
	})
}

func spaces(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}
