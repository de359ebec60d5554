package main

import (
	"fmt"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/internal/interp"
	"github.com/quire-ci/quire/runtime"
)

// graph implements `quire graph [FILE] [--format dot|mermaid]`: the job
// graph of a pipeline, without building it.
//
// The drawing is runtime.Graph's, the same function the generated binary's
// `graph` command calls, so quire and the binary print the same graph.
func (e *env) graph(args []string) int {
	fs := e.newFlags("graph", "graph [--format dot|mermaid] [--fennel PATH] [FILE]")
	format := fs.String("format", "dot", "the output format: `dot` (Graphviz) or mermaid")
	fennelPath := fs.String("fennel", "", "the fennel.lua to use")
	file, err := e.parsePipelineArgs(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if *format != "dot" && *format != "mermaid" {
		fmt.Fprintf(e.stderr, "quire graph: --format must be dot or mermaid, not %q\n", *format)
		return exitUsage
	}
	p, err := compiler.Load(file, compiler.Options{FennelPath: *fennelPath})
	if err != nil {
		return e.fail(err)
	}
	defer p.Close()

	out, err := runtime.Graph(interp.Pipeline(p), *format)
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprint(e.stdout, out)
	return exitOK
}
