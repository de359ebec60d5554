// Command interp is the interpreting baseline of quire's start-up benchmark:
// a pipeline runner that works the way quire did before it compiled
// pipelines. Every invocation hosts Fennel in gopher-lua (compiler.Load),
// compiles and evaluates ci.fnl, and then runs the result with the same
// runtime a generated binary uses, through the same command line:
//
//	interp FILE run --git-dir DIR --ref REF [flags of ci-bin run]
//
// So the difference between `interp FILE run …` and `ci-bin run …` is the
// cost of evaluating the pipeline on every run instead of once at build
// time. Fennel is found as quire finds it (--fennel is not accepted here:
// set QUIRE_FENNEL).
package main

import (
	"fmt"
	"os"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/internal/interp"
	"github.com/quire-ci/quire/runtime"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: interp FILE run --git-dir DIR --ref REF [flags]")
		os.Exit(2)
	}
	file := os.Args[1]
	p, err := compiler.Load(file, compiler.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "interp: %v\n", err)
		os.Exit(1)
	}
	rp := interp.Pipeline(p)
	args := append([]string{"interp"}, os.Args[2:]...)
	status := runtime.Invoke(rp, args, os.Stdin, os.Stdout, os.Stderr)
	p.Close()
	os.Exit(status)
}
