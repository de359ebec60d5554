package luavm

import "testing"

// The io corrections of the compile-time state: gopher-lua rejects
// setvbuf("line"), returns a popen'd process's exit status from close,
// and prints files as "file" or "process".
func TestIOLikeLua51(t *testing.T) {
	checkCases(t, []luaCase{
		{`print(io.stdout:setvbuf("line"), io.stdout:setvbuf("full"), io.stdout:setvbuf("no"))`, "true\ttrue\ttrue\n"},
		{`print(pcall(function() return io.stdout:setvbuf("x") end))`, "false\tcase:1: bad argument #1 to 'setvbuf' (invalid option 'x')\n"},
		{`print(io.popen("exit 3"):close(), io.close(io.popen("true")))`, "true\ttrue\n"},
		{`local f = io.popen("echo hi") print(f:read("*l")) print(f:close()) print(tostring(f), io.type(f))`, "hi\ntrue\nfile (closed)\tclosed file\n"},
		{`print(tostring(io.stdout):match("^file %(0x%x+%)$") ~= nil, io.type(io.stdout))`, "true\tfile\n"},
		{`local f = io.popen("true") print(tostring(f):match("^file %(0x%x+%)$") ~= nil) f:close()`, "true\n"},
	})
}
