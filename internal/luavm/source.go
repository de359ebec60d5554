package luavm

import lua "github.com/yuin/gopher-lua"

// Source returns the full chunk name p was compiled from by CompileChunk
// ("@.quire/ci.fnl"), which p.SourceName abbreviates the way Lua 5.1's
// short_src does. Callers that map positions back to files need the full
// name.
func Source(p *lua.FunctionProto) string { return chunkSource(p) }
