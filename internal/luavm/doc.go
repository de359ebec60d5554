// Package luavm provides a gopher-lua state that behaves like PUC Lua 5.1,
// the VM Fennel believes it runs on.
//
// quire hosts the Fennel compiler (fennel.lua) inside
// github.com/yuin/gopher-lua, and it runs the Lua that Fennel makes from a
// ci.fnl both at compile time and, frozen, inside the generated binary.
// gopher-lua is close to Lua 5.1 but not equal to it: its code generator
// miscompiles some assignments and folds constants its own way, its lexer
// accepts what Lua 5.1 rejects, several builtins format, parse, match or
// report differently, and its default stacks are small. Measured on
// Fennel's own sources, plain gopher-lua makes Fennel produce different Lua
// for 74 of 1,077 forms. FIDELITY.md records those measurements and is the
// specification of this package; its section numbers are cited in the
// comments here.
//
// Everything Lua that quire compiles must go through CompileChunk (or Load,
// or the load/loadstring/loadfile/dofile/require functions of a state from
// NewState, which route through it). Never call (*lua.LState).Load,
// DoString, DoFile or LoadString on quire's states: they bypass the
// corrections. CompileChunk corrects, in order:
//
//   - lexcheck.go: the lexical errors of Lua 5.1 gopher-lua's lexer misses
//     (a decimal escape above 255 such as "\300", [[ nested in a long
//     string, an invalid long string delimiter), with Lua 5.1's message and
//     line, and the `--[=x` short comment it rejects;
//   - constfold.go (with pow.go): numeric literals read with Lua 5.1's
//     rules, constants folded as lcode.c folds them (never x/0, x%0 or to a
//     NaN; a % b as a - floor(a/b)*b; a^b with C's pow), and each
//     function's one zero constant taking the sign of the first zero Lua
//     5.1 registers, so `local x = -0 return 1/0` is -inf;
//   - rewrite.go: the assignments gopher-lua's code generator gets wrong,
//     `local f = function` seeing itself, and if/while on a condition that
//     is false without evaluating anything (nil, false, `false and x`),
//     whose bare JMP made gopher-lua's jump-to-jump pass send a loop's
//     back-jump into the then part or past the function's end;
//
// and only then calls lua.Compile on gopher-lua's own AST, after which
// scopes.go gives the locals the scopes Lua 5.1 records (gopher-lua's
// debug information ends them at the wrong instructions, or never), which
// runtime error messages need to say "local 'cfg'".
//
// Each builtin correction is one function, in a file named for the builtin:
// tostring.go (tostring, print, FormatNumber), format.go (string.format),
// tonumber.go, strlib.go (string.len, sub, reverse, lower, upper, rep,
// byte, char, and table.concat), pattern.go (Lua 5.1's pattern matcher,
// with %f, for string.find, match, gmatch and gsub), math.go (math.huge),
// debuginfo.go (debug.getinfo), traceback.go (debug.traceback), pcall.go
// (pcall, xpcall, error), iolib.go, load.go (load, loadstring, loadfile,
// dofile, require and package.loaders). fixBuiltins installs them
// all, and every state NewState makes (the generated binary's run-time
// states included) has them, so that a run-fn computes at run time what it
// computed at compile time.
//
// The tests are the evidence: each correction has a table of Lua snippets
// with the output of lua5.1, which the tests check against both the real
// lua5.1 and this package, and random programs run through both: thousands
// of assignment statements (fuzz_test.go), of constant expressions
// (constfold_test.go) and of patterns (pattern_test.go).
//
// The VM's own runtime errors are worded as Lua 5.1's (vmerror.go):
// gopher-lua raises "attempt to call a non-function object", "attempt to
// index a non-table object(nil) with key 'x'", "cannot perform add
// operation between nil and number", "attempt to compare table with
// table", "__len undefined" and "for statement init must be a number";
// Lua 5.1, and so this package, says "attempt to call global 'setup' (a
// nil value)", "attempt to index local 'cfg' (a nil value)", "attempt to
// perform arithmetic on field 'x' (a nil value)", "attempt to concatenate
// upvalue 'name' (a table value)", "attempt to compare two table values",
// "attempt to get length of a number value", "'for' initial value must be
// a number", naming the value as ldebug.c's getobjname does from the
// failing instruction (frames.go). The rewording happens while the failing
// frame still runs, which gopher-lua allows only inside a protected call
// that goes through pcall.go: PCall (the compiler's top level and the
// generated binary's run-fns), pcall and xpcall. The "chunk:line:" prefix
// is kept as it was. Still as gopher-lua has them:
//
//   - errors raised by gopher-lua's own Go builtins (ipairs, setmetatable,
//     table.insert, ...): "bad argument #1 to (anonymous) (table expected,
//     got nil)" where Lua 5.1 names the function in quotes, and a position
//     taken from the nearest Lua caller where Lua 5.1 has none; and a
//     comparison failing inside table.sort ("attempt to compare table with
//     table");
//   - errors in a coroutine run by coroutine.resume (coroutine.wrap's are
//     reworded); the run-time sandbox has no coroutines;
//   - where gopher-lua's VM does something else than Lua 5.1's, the
//     message follows what it did: a numeric for takes no numeric strings
//     ("'for' limit must be a number" for `for i = 1, "2"`); a metamethod
//     that is not a function is "attempt to perform arithmetic on ..."
//     rather than "attempt to call a number value";
//   - a suspended coroutine's traceback has no "[C]: in function 'yield'"
//     level.
//
// The names come from gopher-lua's bytecode, which for the same source is
// mostly Lua 5.1's; the tests (vmerror_test.go) check every wording, and
// 1,500 random chunks of nested scopes ending in a failing operation,
// against lua5.1. They also found two miscompilations, with nothing to do
// with messages: `if nil then else ... end` in a generic for's body, which
// rewrite.go now folds (see alwaysFalse), and `(1).x = 1`, which stores
// into whatever register 0 holds where Lua 5.1 raises an error; the
// second is left, since only a constant table position triggers it.
//
// What is deliberately left as gopher-lua has it, because it lives in
// gopher-lua's VM, which this package does not fork, is listed in
// FIDELITY.md §5: chunk names, `#` on tables with holes, table.sort with a
// bad comparator, a coroutine yielding across pcall, and the VM's own
// conversions and arithmetic:
//
//   - `..` (and the VM's other number-to-string coercions) formats numbers
//     with Go's rules: 1 .. "" is fine, but 1e15 .. "" is
//     "1000000000000000" and -0 .. "" is "0";
//   - arithmetic on strings converts them with gopher-lua's parser:
//     "010" + 0 is 8;
//   - arithmetic at run time on values that are not constants: % and ^ use
//     Go's math.Mod and math.Pow (5 % math.huge is 5, not nan; x^y may be
//     a unit in the last place off), and a result of -0 becomes 0
//     (gopher-lua's number allocator shares one 0); unary minus keeps -0;
//   - the math library's functions are Go's (math.sin, math.log, ... may
//     differ from glibc in the last place);
//   - string.dump is not supported.
//
// One difference is deliberate: string.rep raises "not enough memory" for a
// result over 1 GiB (maxStringSize), where Lua 5.1 tries to allocate it and
// takes the process down, or the machine with it.
//
// Constant folding computes a^b correctly rounded, which is what glibc's
// pow returns but for exact halfway cases such as 10^23, which glibc 2.36
// rounds up and this package to even.
//
// Words shared by the compiler and the generated binary live here too, so
// that an error reads the same at compile time and at run time: PCall,
// which both call Lua through, ErrorMessage, and view.go's View,
// fennel.view's one-line Fennel notation for a table raised as an error
// (the binary carries no Fennel).
//
// This package must not fork gopher-lua: it works only through gopher-lua's
// AST, its public API (LState.Panic included) and, for call-frame details,
// reflection confined to frames.go.
package luavm
