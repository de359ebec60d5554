package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/quire-ci/quire/compiler"
)

// check implements `quire check [FILE]`.
func (e *env) check(args []string) int {
	fs := e.newFlags("check", "check [--fennel PATH] [FILE]")
	fennelPath := fs.String("fennel", "", "the fennel.lua to use")
	file, err := e.parsePipelineArgs(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	p, err := compiler.Load(file, compiler.Options{FennelPath: *fennelPath})
	if err != nil {
		return e.fail(err)
	}
	defer p.Close()

	noun := "jobs"
	if len(p.Jobs) == 1 {
		noun = "job"
	}
	fmt.Fprintf(e.stdout, "%s is valid: %d %s\n", p.File, len(p.Jobs), noun)
	image := p.Image
	if image == "" {
		image = "(none)"
	}
	fmt.Fprintf(e.stdout, "image: %s\n", image)
	if len(p.Order) == 0 {
		return exitOK
	}
	fmt.Fprintln(e.stdout, "jobs, in the order they can run:")
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, id := range p.Order {
		j := p.Job(id)
		kind := ""
		if j.Mirror != nil {
			kind = "  (mirror to " + j.Mirror.URL + ")"
		}
		fmt.Fprintf(tw, "  %s\t<- %s%s\n", id, strings.Join(j.Inputs, ", "), kind)
	}
	tw.Flush()
	return exitOK
}
