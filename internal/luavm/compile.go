package luavm

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"weak"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// A SyntaxError is a chunk that does not parse or compile. It prints like
// Lua 5.1's syntax errors: `[string "x = = 1"]:1: unexpected symbol near '='`.
type SyntaxError struct {
	Chunk   string // the chunk's short name, as Lua 5.1's luaO_chunkid makes it
	Line    int    // 1-based line of the error; 0 when unknown
	Message string // the message without position
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.Chunk, e.Line, e.Message)
}

// CompileChunk parses src with gopher-lua's parser (after checking it for
// the lexical differences of gopher-lua's lexer, see lexcheck.go), folds its
// constants the way Lua 5.1 does (see constfold.go), rewrites the statements
// gopher-lua's code generator miscompiles (see rewrite.go), compiles the
// result with lua.Compile, and gives its locals Lua 5.1's scopes (see
// scopes.go).
//
// chunkname is the Lua chunk name as Lua 5.1 takes it: "@ci.fnl" for a
// file, "=stdin" for a literal name, or the source text itself for a string.
// The returned proto's SourceName is the chunk's short name ("ci.fnl",
// `[string "..."]`), so that gopher-lua's run-time error positions read like
// Lua 5.1's; debug.getinfo still reports the full chunkname as `source`.
//
// Every failure, including an internal panic of gopher-lua's parser or code
// generator, is returned as a *SyntaxError; CompileChunk never panics.
func CompileChunk(src []byte, chunkname string) (proto *lua.FunctionProto, err error) {
	short := chunkID(chunkname)
	defer func() {
		if r := recover(); r != nil {
			proto, err = nil, &SyntaxError{Chunk: short, Message: fmt.Sprintf("internal compiler error: %v", r)}
		}
	}()
	src, serr := lexPrepare(src, short)
	if serr != nil {
		return nil, serr
	}
	chunk, err := parse.Parse(bytes.NewReader(src), short)
	if err != nil {
		return nil, parseError(err, src, short)
	}
	if err := foldConstants(chunk); err != nil {
		err.Chunk = short
		return nil, err
	}
	rewriteChunk(chunk)
	marks := markScopes(chunk, bytes.Count(src, []byte("\n"))+1)
	proto, err = lua.Compile(chunk, short)
	if err != nil && marks != nil {
		// The error's line, and any line in its text, is marked: compile
		// the chunk again, unmarked, for the error as it is.
		chunk, _ := parse.Parse(bytes.NewReader(src), short)
		foldConstants(chunk)
		rewriteChunk(chunk)
		proto, err = lua.Compile(chunk, short)
		marks = nil
	}
	if err != nil {
		if ce, ok := err.(*lua.CompileError); ok {
			return nil, &SyntaxError{Chunk: short, Line: ce.Line, Message: ce.Message}
		}
		return nil, &SyntaxError{Chunk: short, Message: err.Error()}
	}
	if marks != nil {
		marks.apply(proto)
	}
	rememberSource(proto, chunkname)
	return proto, nil
}

// Load compiles src via CompileChunk and returns it as a function of L, like
// luaL_loadbuffer. As in Lua 5.1, the function's environment is the global
// table.
func Load(L *lua.LState, src []byte, chunkname string) (*lua.LFunction, error) {
	proto, err := CompileChunk(src, chunkname)
	if err != nil {
		return nil, err
	}
	fn := L.NewFunctionFromProto(proto)
	fn.Env = L.G.Global
	return fn, nil
}

// parseError turns an error of gopher-lua's parser into a SyntaxError in
// Lua 5.1's shape: "chunk:line: message near 'token'".
func parseError(err error, src []byte, short string) *SyntaxError {
	pe, ok := err.(*parse.Error)
	if !ok {
		return &SyntaxError{Chunk: short, Message: err.Error()}
	}
	msg := pe.Message
	// gopher-lua's lexer words these differently from Lua 5.1's llex.c.
	switch msg {
	case "syntax error":
		msg = "unexpected symbol" // Lua 5.1's commonest; it has more specific ones
	case "unterminated string":
		msg = "unfinished string"
	case "unterminated multiline string":
		msg = "unfinished long string"
	case "invalid multiline comment":
		msg = "unfinished long comment"
	case "illegal hexadecimal number":
		msg = "malformed number"
	}
	line, token := pe.Pos.Line, pe.Token
	if line == parse.EOF {
		// Lua 5.1 reports errors at the end of input on the last line.
		line, token = bytes.Count(src, []byte("\n"))+1, "<eof>"
	}
	return &SyntaxError{Chunk: short, Line: line, Message: fmt.Sprintf("%s near '%s'", msg, token)}
}

// luaIDSize is Lua 5.1's LUA_IDSIZE, the size of a chunk's short name
// including the terminating NUL.
const luaIDSize = 60

// chunkID is Lua 5.1's luaO_chunkid: the short name ("short_src") of a chunk
// for messages. "=name" gives name, "@file" gives file (its tail when long),
// and anything else is source text, shown as [string "first line..."].
func chunkID(source string) string {
	if i := strings.IndexByte(source, 0); i >= 0 {
		source = source[:i] // C string
	}
	switch {
	case strings.HasPrefix(source, "="):
		s := source[1:]
		if len(s) > luaIDSize-1 {
			s = s[:luaIDSize-1]
		}
		return s
	case strings.HasPrefix(source, "@"):
		s := source[1:]
		max := luaIDSize - len(" '...' ") - 1
		if len(s) > max {
			s = "..." + s[len(s)-max:]
		}
		return s
	default:
		max := luaIDSize - len(` [string "..."] `) - 1
		n := strings.IndexAny(source, "\n\r")
		if n < 0 {
			n = len(source)
		}
		if n > max {
			n = max
		}
		if n < len(source) {
			return `[string "` + source[:n] + `..."]`
		}
		return `[string "` + source + `"]`
	}
}

// chunkSources maps each proto CompileChunk made to its full chunkname,
// which Lua 5.1 reports as debug.getinfo's `source`, while the proto's
// SourceName holds the short name. Keys are weak, so protos are still
// collected.
var chunkSources sync.Map // weak.Pointer[lua.FunctionProto] -> string

func rememberSource(p *lua.FunctionProto, source string) {
	if p.SourceName != source {
		key := weak.Make(p)
		chunkSources.Store(key, source)
		runtime.AddCleanup(p, func(k weak.Pointer[lua.FunctionProto]) { chunkSources.Delete(k) }, key)
	}
	for _, child := range p.FunctionPrototypes {
		rememberSource(child, source)
	}
}

// chunkSource is the full chunkname of p, as Lua 5.1's debug.getinfo
// reports it in `source`.
func chunkSource(p *lua.FunctionProto) string {
	if s, ok := chunkSources.Load(weak.Make(p)); ok {
		return s.(string)
	}
	return p.SourceName
}
