package luavm

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's traceback shows the first levelsHead levels and the last
// levelsTail of a deep stack (ldblib.c LEVELS1, LEVELS2).
const (
	levelsHead = 12
	levelsTail = 10
)

// debugTraceback is Lua 5.1's debug.traceback([thread,] [message [,
// level]]) (ldblib.c db_errorfb). gopher-lua's names Go functions "[G]",
// words tail calls and function names its own way, and would show the Go
// frame pcall.go puts under every pcall; this one counts levels with
// stackLevel, which skips it. Fennel's macro errors carry this traceback.
func debugTraceback(L *lua.LState) int {
	L1, arg := L, 0
	if th, ok := L.Get(1).(*lua.LState); ok {
		L1, arg = th, 1
	}
	level := 0
	if L1 == L {
		level = 1 // level 0 is traceback itself
	}
	if _, ok := toNumber(L.Get(arg + 2)); ok {
		level = int(optInteger(L, arg+2, 0))
		L.SetTop(arg + 1)
	}
	var b strings.Builder
	if L.GetTop() > arg {
		msg := L.Get(arg + 1)
		s, ok := toLString(msg)
		if !ok {
			L.Push(msg) // not a message: returned as it is
			return 1
		}
		b.WriteString(s)
		b.WriteString("\n")
	}
	b.WriteString("stack traceback:")
	head := true
	for {
		if _, _, _, ok := stackLevel(L1, level); !ok {
			break
		}
		level++
		if level > levelsHead && head {
			head = false
			if _, _, _, ok := stackLevel(L1, level+levelsTail); ok {
				b.WriteString("\n\t...")
				for {
					if _, _, _, ok := stackLevel(L1, level+levelsTail); !ok {
						break
					}
					level++
				}
			} else {
				level--
			}
			continue
		}
		b.WriteString("\n\t")
		b.WriteString(tracebackLine(L1, level-1))
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// tracebackLine is one level of a traceback, after the tab.
func tracebackLine(L *lua.LState, level int) string {
	d, _, tail, _ := stackLevel(L, level)
	if tail {
		return "(tail call): ?"
	}
	fv, _ := L.GetInfo("f", d, lua.LNil)
	fn, _ := fv.(*lua.LFunction)
	if fn == nil || fn.IsG || fn.Proto == nil {
		if name, namewhat := calleeName(L, level); namewhat != "" {
			return fmt.Sprintf("[C]: in function '%s'", name)
		}
		return "[C]: ?"
	}
	p := fn.Proto
	where := p.SourceName + ":"
	if _, err := L.GetInfo("l", d, lua.LNil); err == nil && d.CurrentLine > 0 {
		where += fmt.Sprintf("%d:", d.CurrentLine)
	}
	if name, namewhat := calleeName(L, level); namewhat != "" {
		return fmt.Sprintf("%s in function '%s'", where, name)
	}
	if p.LineDefined == 0 {
		return where + " in main chunk"
	}
	return fmt.Sprintf("%s in function <%s:%d>", where, p.SourceName, p.LineDefined)
}
