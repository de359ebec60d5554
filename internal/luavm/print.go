package luavm

import (
	"io"

	lua "github.com/yuin/gopher-lua"
)

// NewPrint returns Lua 5.1's print writing to w: each argument through the
// global tostring, tab-separated, one line per call. quire points a
// pipeline's top-level print at standard error, away from its own output.
func NewPrint(w io.Writer) lua.LGFunction { return newPrint(w) }
