package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/compiler/fennel"
	"github.com/quire-ci/quire/gen"
)

// DefaultBinary is where quire compile puts the binary when given no -o.
const DefaultBinary = "ci-bin"

const compileHelp = `Compile evaluates FILE (default .quire/ci.fnl) once, generates a Go program
holding its job graph and run-fns, and builds that into a standalone binary
at OUT (default ci-bin) with the go command.

Builds are cached in $QUIRE_CACHE (default: quire under the user cache
directory), keyed by every file in FILE's directory, fennel.lua, this quire
and the Go toolchain: compiling an unchanged pipeline again copies the cached
binary without evaluating FILE or running go. Inputs outside FILE's
directory that the top level reads are not tracked; use --force then.

With --emit-go DIR, compile writes the program (main.go, go.mod, go.sum)
into DIR instead of building it; add -o to build as well.
`

// compile implements `quire compile [FILE] [-o OUT] [--emit-go DIR]`.
func (e *env) compile(args []string) int {
	fs := e.newFlags("compile", "compile [-o OUT] [--emit-go DIR] [--force] [--fennel PATH] [FILE]\n\n"+compileHelp)
	out := fs.String("o", DefaultBinary, "write the binary to `OUT`")
	emitDir := fs.String("emit-go", "", "write the generated Go program into `DIR` (and build only if -o is given)")
	force := fs.Bool("force", false, "rebuild even if the cache holds the binary")
	fennelPath := fs.String("fennel", "", "the fennel.lua to use")
	file, err := e.parsePipelineArgs(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	outGiven := false
	fs.Visit(func(f *flag.Flag) { outGiven = outGiven || f.Name == "o" })

	fnl, err := fennel.Find(*fennelPath)
	if err != nil {
		return e.fail(err)
	}
	load := func() (*compiler.Pipeline, error) {
		return compiler.Load(file, compiler.Options{FennelPath: fnl})
	}

	if *emitDir != "" && !outGiven {
		return e.emitGo(load, *emitDir)
	}
	res, err := gen.Build(context.Background(), gen.BuildOptions{
		File:         file,
		Out:          *out,
		FennelPath:   fnl,
		QuireVersion: Version(),
		Load:         load,
		Force:        *force,
		Progress:     e.stderr,
		Skip:         []string{*emitDir},
	})
	if err != nil {
		return e.fail(err)
	}
	if *emitDir != "" {
		// The program the binary was built from (or found in the cache):
		// ci.fnl is evaluated once, not again to emit it.
		src, err := os.ReadFile(res.Source)
		if err != nil {
			return e.fail(err)
		}
		return e.writeProgram(*emitDir, src, nil)
	}
	return exitOK
}

// emitGo writes the generated program into dir, without building it.
func (e *env) emitGo(load func() (*compiler.Pipeline, error), dir string) int {
	p, err := load()
	if err != nil {
		return e.fail(err)
	}
	src, emitErr := gen.Emit(p, gen.Options{QuireVersion: Version()})
	p.Close()
	if src == nil {
		return e.fail(emitErr)
	}
	return e.writeProgram(dir, src, emitErr)
}

// writeProgram writes main.go (src), go.mod and go.sum into dir; emitErr
// is why src could not be formatted, if it could not.
func (e *env) writeProgram(dir string, src []byte, emitErr error) int {
	m, err := gen.Self()
	if err != nil {
		return e.fail(err)
	}
	cache, err := gen.CacheDir()
	if err != nil {
		return e.fail(err)
	}
	if err := m.WriteModule(dir, cache, src); err != nil {
		return e.fail(err)
	}
	if emitErr != nil {
		// Written anyway, unformatted, so that go build shows the line.
		return e.fail(fmt.Errorf("%s: %w", filepath.Join(dir, "main.go"), emitErr))
	}
	fmt.Fprintf(e.stderr, "quire: wrote %s (build it with `go build` there)\n", filepath.Join(dir, "main.go"))
	return exitOK
}
