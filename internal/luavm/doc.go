// Package luavm provides a gopher-lua state that behaves like PUC Lua 5.1,
// the VM Fennel believes it runs on.
//
// quire hosts the Fennel compiler (fennel.lua) inside
// github.com/yuin/gopher-lua, and it runs the Lua that Fennel makes from a
// ci.fnl both at compile time and, frozen, inside the generated binary.
// gopher-lua is close to Lua 5.1 but not equal to it: its code generator
// miscompiles some assignments, several builtins format, parse or report
// differently, and its default stacks are small. Measured on Fennel's own
// sources, plain gopher-lua makes Fennel produce different Lua for 74 of
// 1,077 forms. FIDELITY.md records those measurements and is the
// specification of this package; its section numbers are cited in the
// comments here.
//
// Everything Lua that quire compiles must go through CompileChunk (or Load,
// or the load/loadstring/loadfile/dofile/require functions of a state from
// NewState, which route through it). CompileChunk parses with gopher-lua's
// own parser, rewrites the statements gopher-lua's code generator gets wrong
// (see rewrite.go), and only then calls lua.Compile. Never call
// (*lua.LState).Load, DoString, DoFile or LoadString on quire's states: they
// bypass the rewrite.
//
// Each builtin correction is one function, in a file named for the builtin:
// tostring.go (tostring, print, FormatNumber), format.go (string.format),
// tonumber.go, gmatch.go, math.go (math.huge), debuginfo.go
// (debug.getinfo), iolib.go, load.go (load, loadstring, loadfile, dofile,
// require and package.loaders). FixBuiltins installs them all; the
// generated binary calls it on its run-time state so that a run-fn computes
// at run time what it computed at compile time.
//
// The tests are the evidence: each correction has a table of Lua snippets
// with the output of lua5.1, which the tests check against both the real
// lua5.1 and this package, and fuzz_test.go runs thousands of random
// assignment programs through both.
//
// What is deliberately left as gopher-lua has it (error wording of the VM,
// number-to-string coercion in `..`, `#` on tables with holes, ...) is listed
// in FIDELITY.md §5. This package must not fork gopher-lua: it works only
// through gopher-lua's AST, its public API and, for call-frame details,
// reflection confined to frames.go.
package luavm
