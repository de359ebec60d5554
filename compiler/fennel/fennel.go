// Package fennel hosts the Fennel compiler (fennel.lua) inside quire's Lua VM.
//
// fennel.lua is a toolchain, like go: quire finds it on the machine (Find)
// and loads it into a state made by internal/luavm, whose loading path
// corrects gopher-lua's compiler bugs so that Fennel compiles here exactly as
// it does under PUC Lua 5.1. This package turns Fennel source into Lua source
// and Fennel's errors into positioned diagnostics; it does not evaluate
// pipelines (package compiler does).
package fennel

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/internal/luavm"
)

// plugin.lua is the Fennel plugin through which Fennel reports errors and
// call forms to quire as data instead of formatted strings.
//
//go:embed plugin.lua
var pluginLua []byte

// A Compiler is one loaded fennel.lua. It is bound to the Lua state it was
// loaded into and, like that state, must not be used concurrently.
type Compiler struct {
	L       *lua.LState
	Version string // fennel.version, e.g. "1.5.3"

	mod       *lua.LTable // the fennel module
	plugin    *lua.LTable // reports errors as tables (see plugin.lua)
	calls     *lua.LTable // call forms seen while compiling, by file and line
	sourcemap *lua.LTable // fennel.compiler.sourcemap
}

// Load reads fennel.lua from path into L and returns the compiler. L should
// come from luavm.NewState so that every chunk Fennel loads (its own macro
// modules included) goes through quire's corrected loading path.
func Load(L *lua.LState, path string) (*Compiler, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read Fennel compiler: %w", err)
	}
	fn, err := luavm.Load(L, src, "@"+path)
	if err != nil {
		return nil, fmt.Errorf("load Fennel compiler %s: %w", path, err)
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return nil, fmt.Errorf("start Fennel compiler %s: %w", path, err)
	}
	mod, ok := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	if !ok {
		return nil, fmt.Errorf("start Fennel compiler %s: it did not return the fennel module", path)
	}
	c := &Compiler{L: L, mod: mod}
	c.Version = lua.LVAsString(mod.RawGetString("version"))
	// Macros and user code may (require :fennel); make that the module we
	// loaded rather than a second copy found on package.path.
	if loaded, ok := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable); ok {
		loaded.RawSetString("fennel", mod)
	}
	pf, err := luavm.Load(L, pluginLua, "=quire-fennel-plugin")
	if err != nil {
		return nil, fmt.Errorf("load quire's Fennel plugin: %w", err)
	}
	L.Push(pf)
	if err := L.PCall(0, 2, nil); err != nil {
		return nil, fmt.Errorf("start quire's Fennel plugin: %w", err)
	}
	c.plugin, _ = L.Get(-2).(*lua.LTable)
	c.calls, _ = L.Get(-1).(*lua.LTable)
	L.Pop(2)
	if c.plugin == nil || c.calls == nil {
		return nil, errors.New("start quire's Fennel plugin: unexpected results")
	}
	if comp, err := c.require("fennel.compiler"); err == nil {
		c.sourcemap, _ = comp.RawGetString("sourcemap").(*lua.LTable)
	}
	return c, nil
}

func (c *Compiler) require(name string) (*lua.LTable, error) {
	if err := c.L.CallByParam(lua.P{Fn: c.L.GetGlobal("require"), NRet: 1, Protect: true}, lua.LString(name)); err != nil {
		return nil, err
	}
	t, ok := c.L.Get(-1).(*lua.LTable)
	c.L.Pop(1)
	if !ok {
		return nil, fmt.Errorf("require %q: not a table", name)
	}
	return t, nil
}

// Options are the compile options quire uses; they map onto Fennel's.
type Options struct {
	// Filename names the source in errors and in the source map.
	Filename string
	// AllowedGlobals, when non-nil, makes a reference to any other global a
	// compile error ("unknown identifier"). Nil allows every global, as
	// `fennel --compile` does.
	AllowedGlobals []string
	// RecordCalls records every call form's position (see CallsAt).
	RecordCalls bool
}

// An Error is a Fennel parse or compile error with the position Fennel gave.
type Error struct {
	Kind string // "parse" or "compile"
	Msg  string
	Span diag.Span
	// Suggestions are Fennel's advice for the error ("try declaring x
	// using var instead of let/local"), as its own report would end with.
	Suggestions []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s error: %s", e.Span, e.Kind, e.Msg)
}

// Diagnostic returns the error as a diagnostic for rendering, with
// Fennel's suggestions as help.
func (e *Error) Diagnostic() *diag.Diagnostic {
	d := &diag.Diagnostic{Span: e.Span, Msg: e.Kind + " error: " + e.Msg}
	for _, s := range e.Suggestions {
		d.Help = append(d.Help, "try "+s)
	}
	return d
}

// CompileString compiles Fennel source to Lua source.
func (c *Compiler) CompileString(src []byte, opts Options) (string, error) {
	L := c.L
	o := L.NewTable()
	if opts.Filename != "" {
		o.RawSetString("filename", lua.LString(opts.Filename))
	}
	if opts.AllowedGlobals != nil {
		g := L.NewTable()
		for _, name := range opts.AllowedGlobals {
			g.Append(lua.LString(name))
		}
		o.RawSetString("allowedGlobals", g)
	}
	plugins := L.NewTable()
	plugins.Append(c.plugin)
	o.RawSetString("plugins", plugins)
	c.plugin.RawSetString("record-calls", lua.LBool(opts.RecordCalls))

	err := L.CallByParam(lua.P{Fn: c.mod.RawGetString("compileString"), NRet: 1, Protect: true}, lua.LString(src), o)
	if err != nil {
		err = c.convertError(err, opts.Filename)
		// At the end of the file Fennel can only say a delimiter is missing;
		// the useful place to point at is the form left open.
		var fe *Error
		if errors.As(err, &fe) && fe.Kind == "parse" && strings.HasPrefix(fe.Msg, "expected closing delimiter") {
			if line, col, isString, ok := unclosedOpener(src); ok {
				fe.Span = diag.Span{File: fe.Span.File, Line: line, Col: col}
				if isString {
					fe.Msg = "this string is never closed"
				} else {
					fe.Msg += ": this form is never closed"
				}
			}
		}
		return "", err
	}
	out := L.Get(-1)
	L.Pop(1)
	s, ok := out.(lua.LString)
	if !ok {
		return "", fmt.Errorf("fennel.compileString returned %s, not a string", out.Type())
	}
	return string(s), nil
}

// convertError turns what Fennel raised into an *Error when it carries a
// position, and otherwise wraps it.
func (c *Compiler) convertError(err error, filename string) error {
	var apiErr *lua.ApiError
	if !errors.As(err, &apiErr) {
		return err
	}
	if t, ok := apiErr.Object.(*lua.LTable); ok {
		if kind := lua.LVAsString(t.RawGetString("quire-fennel-error")); kind != "" {
			e := &Error{Kind: kind, Msg: lua.LVAsString(t.RawGetString("msg"))}
			e.Span = c.SpanOf(t, filename)
			if s, ok := t.RawGetString("suggestions").(*lua.LTable); ok {
				for i := 1; i <= s.Len(); i++ {
					e.Suggestions = append(e.Suggestions, lua.LVAsString(s.RawGetInt(i)))
				}
			}
			return e
		}
	}
	msg := lua.LVAsString(apiErr.Object)
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("fennel: %s", strings.TrimSpace(msg))
}

// SpanOf reads a position table as Fennel's parser makes them (line is
// 1-based, col and endcol 0-based) and returns a 1-based span.
func (c *Compiler) SpanOf(t *lua.LTable, filename string) diag.Span {
	s := diag.Span{File: filename}
	if f := lua.LVAsString(t.RawGetString("filename")); f != "" {
		s.File = f
	}
	num := func(k string) (int, bool) {
		n, ok := t.RawGetString(k).(lua.LNumber)
		return int(n), ok
	}
	if l, ok := num("line"); ok {
		s.Line = l
	}
	if col, ok := num("col"); ok {
		s.Col = col + 1
	}
	if l, ok := num("endline"); ok {
		s.EndLine = l
	}
	if col, ok := num("endcol"); ok {
		s.EndCol = col + 1
	}
	return s
}

// A Call is a call form Fennel compiled: where it is and what it calls.
type Call struct {
	Head string // the called symbol as written, e.g. "ci.job"; "" if not a symbol
	Span diag.Span
}

// CallsAt returns the call forms that start on line of file, in source order,
// as recorded by CompileString with RecordCalls set.
func (c *Compiler) CallsAt(file string, line int) []Call {
	byLine, ok := c.calls.RawGetString(file).(*lua.LTable)
	if !ok {
		return nil
	}
	list, ok := byLine.RawGetInt(line).(*lua.LTable)
	if !ok {
		return nil
	}
	var calls []Call
	list.ForEach(func(_, v lua.LValue) {
		t, ok := v.(*lua.LTable)
		if !ok {
			return
		}
		calls = append(calls, Call{Head: lua.LVAsString(t.RawGetString("head")), Span: c.SpanOf(t, file)})
	})
	sort.SliceStable(calls, func(i, j int) bool { return calls[i].Span.Col < calls[j].Span.Col })
	return calls
}

// FennelLine maps a line of the Lua that Fennel generated for chunk back to
// the Fennel file and line it came from. chunk is the chunk's source as the
// debug library reports it: "@ci.fnl" or, as gopher-lua strips the "@",
// "ci.fnl".
func (c *Compiler) FennelLine(chunk string, luaLine int) (file string, line int, ok bool) {
	if c.sourcemap == nil {
		return "", 0, false
	}
	m, isTable := c.sourcemap.RawGetString(chunk).(*lua.LTable)
	if !isTable && !strings.HasPrefix(chunk, "@") {
		m, isTable = c.sourcemap.RawGetString("@" + chunk).(*lua.LTable)
	}
	if !isTable {
		return "", 0, false
	}
	entry, isTable := m.RawGetInt(luaLine).(*lua.LTable)
	if !isTable {
		return "", 0, false
	}
	file = lua.LVAsString(entry.RawGetInt(1))
	n, isNum := entry.RawGetInt(2).(lua.LNumber)
	if !isNum {
		return "", 0, false
	}
	return file, int(n), true
}

// GlobalNames lists the names bound in L's global table, sorted: what a
// Fennel program may reference as a global.
func GlobalNames(L *lua.LState) []string {
	var names []string
	L.G.Global.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			names = append(names, string(s))
		}
	})
	sort.Strings(names)
	return names
}

// SetPaths makes Fennel's `require` searcher, `include` and `import-macros`
// look for modules in dir (the directory holding ci.fnl) before anywhere else.
func (c *Compiler) SetPaths(dir string) {
	join := func(pats ...string) string {
		out := make([]string, len(pats))
		for i, p := range pats {
			out[i] = dir + "/" + p
		}
		return strings.Join(out, ";")
	}
	c.mod.RawSetString("path", lua.LString(join("?.fnl", "?/init.fnl")))
	c.mod.RawSetString("macro-path", lua.LString(join("?.fnl", "?/init-macros.fnl", "?/init.fnl")))
	if utils, err := c.require("fennel.utils"); err == nil {
		utils.RawSetString("path", c.mod.RawGetString("path"))
		utils.RawSetString("macro-path", c.mod.RawGetString("macro-path"))
	}
}

// unclosedOpener finds what is never closed in src: a string still open at
// the end of the file, else the innermost delimiter still open. It skips
// strings and comments the way Fennel's reader does, and counts columns in
// characters as it does. It returns a 1-based line and column, and whether
// the opener is a string's quote.
func unclosedOpener(src []byte) (line, col int, isString, ok bool) {
	type open struct{ line, col int }
	var stack []open
	var quote open
	line, col = 1, 0
	inString, escaped, inComment := false, false, false
	for _, b := range src {
		if charStarter(b) {
			col++
		}
		switch {
		case b == '\n':
			inComment = false
		case inComment:
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
		case b == '"':
			inString = true
			quote = open{line, col}
		case b == ';':
			inComment = true
		case b == '(' || b == '[' || b == '{':
			stack = append(stack, open{line, col})
		case b == ')' || b == ']' || b == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
		if b == '\n' {
			line, col = line+1, 0
		}
	}
	switch {
	case inString:
		return quote.line, quote.col, true, true
	case len(stack) == 0:
		return 0, 0, false, false
	}
	o := stack[len(stack)-1]
	return o.line, o.col, false, true
}

// charStarter reports whether b begins a character as Fennel's reader counts
// columns: ASCII and UTF-8 lead bytes, not continuation bytes.
func charStarter(b byte) bool { return (1 < b && b < 127) || (192 < b && b < 247) }
