package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/compiler/fennel"
	"github.com/quire-ci/quire/internal/luavm"
)

// fennel implements `quire fennel [--compile] FILE`: the Fennel quire hosts,
// so users can see what their pipeline becomes, and compare it with the
// reference `fennel --compile`.
func (e *env) fennel(args []string) int {
	fs := e.newFlags("fennel", "fennel [--compile] [--fennel PATH] FILE")
	compile := fs.Bool("compile", false, "print the Lua that FILE compiles to instead of running it")
	fennelPath := fs.String("fennel", "", "the fennel.lua to use")
	pos, err := e.parse(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	file := pos[0]
	src, err := os.ReadFile(file)
	if err != nil {
		return e.fail(err)
	}
	path, err := fennel.Find(*fennelPath)
	if err != nil {
		return e.fail(err)
	}
	L := luavm.NewState(luavm.Options{})
	defer L.Close()
	fnl, err := fennel.Load(L, path)
	if err != nil {
		return e.fail(err)
	}
	opts := fennel.Options{Filename: file}
	if !*compile {
		// Running, like `fennel FILE`, rejects unknown globals.
		opts.AllowedGlobals = fennel.GlobalNames(L)
	}
	out, err := fnl.CompileString(src, opts)
	if err != nil {
		var fe *fennel.Error
		if errors.As(err, &fe) {
			r := &diag.Renderer{Color: e.color, Sources: map[string][]byte{file: src}}
			r.Render(e.stderr, fe.Diagnostic())
			return exitInvalid
		}
		return e.fail(err)
	}
	if *compile {
		fmt.Fprintln(e.stdout, out)
		return exitOK
	}
	fn, err := luavm.Load(L, []byte(out), "@"+file)
	if err != nil {
		return e.fail(err)
	}
	L.SetGlobal("print", L.NewFunction(luavm.NewPrint(e.stdout)))
	L.Push(fn)
	// luavm.PCall words the VM's errors as Lua 5.1 does, as check and
	// compile do; the message is the error's own, without gopher-lua's
	// stack dump, which names quire's Go frames rather than the file's.
	if err := luavm.PCall(L, 0, 0, nil); err != nil {
		fmt.Fprintf(e.stderr, "quire fennel: %s\n", luavm.ErrorMessage(L, err, nil))
		return exitInvalid
	}
	return exitOK
}

// version implements `quire version`.
func (e *env) version(args []string) int {
	fs := e.newFlags("version", "version [--fennel PATH]")
	fennelPath := fs.String("fennel", "", "the fennel.lua to use")
	if _, err := e.parse(fs, args); err != nil {
		return usageStatus(err)
	}
	fmt.Fprintf(e.stdout, "quire %s\n", Version())
	path, err := fennel.Find(*fennelPath)
	if err != nil {
		fmt.Fprintf(e.stdout, "fennel: not found (%v)\n", errors.Unwrap(err))
		return exitOK
	}
	L := luavm.NewState(luavm.Options{})
	defer L.Close()
	fnl, err := fennel.Load(L, path)
	if err != nil {
		fmt.Fprintf(e.stdout, "fennel: %s (cannot load: %v)\n", path, err)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "fennel: %s %s\n", fnl.Version, path)
	return exitOK
}
