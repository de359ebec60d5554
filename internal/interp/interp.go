// Package interp runs a compiled pipeline in process, without generating
// or building Go: the runtime.Pipeline that gen's generated program would
// declare, made directly from a compiler.Pipeline. Tests use it to run real
// pipelines quickly, bench uses it as the interpreting baseline (what quire
// did before it compiled pipelines ahead of time), and quire graph uses it
// to draw a pipeline with the binary's own renderer without building it.
//
// It must stay behaviourally identical to gen's output: a job calls
// RunLua on its frozen run-fn, a mirror calls Mirror with its spec.
package interp

import (
	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/runtime"
)

// Pipeline returns p as the runtime runs it.
func Pipeline(p *compiler.Pipeline) *runtime.Pipeline {
	rp := &runtime.Pipeline{
		File:          p.SourceName(p.File),
		SHA256:        p.SHA256(), // as gen records it, so staleness is checked too
		QuireVersion:  "interp",
		FennelVersion: p.FennelVersion,
		Order:         p.Order,
		Program:       p.Program,
	}
	for _, j := range p.Jobs {
		rj := &runtime.Job{ID: j.ID, Inputs: j.Inputs}
		if m := j.Mirror; m != nil {
			spec := runtime.MirrorSpec{URL: m.URL, Secret: m.Secret, Refs: m.Refs, Tag: m.TagRef}
			rj.Run = func(c *runtime.Context) (runtime.Outputs, error) { return c.Mirror(spec) }
		} else {
			ref := j.RunRef
			rj.Run = func(c *runtime.Context) (runtime.Outputs, error) { return c.RunLua(ref) }
		}
		rp.Jobs = append(rp.Jobs, rj)
	}
	return rp
}
