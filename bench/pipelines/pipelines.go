// Package pipelines writes the ci.fnl files quire's benchmarks measure, so
// that the harness (bench/cmd/bench) and the in-process benchmarks
// (bench/run_bench_test.go) measure the same pipelines.
package pipelines

import (
	"fmt"
	"strings"
)

// PerJob is a ci.fnl of n jobs running `sh -c true`, each with its own
// run-fn, as a "chain" (each job the input of the next) or a "fan" (every
// job fed by the push alone). Each job sits in a `do` so that the chunk's
// locals stay under Lua's limit of 200.
func PerJob(shape string, n int) string {
	var s strings.Builder
	s.WriteString("(local ci (require :quire.ci))\n")
	for i := range n {
		in := ":quire/push"
		if shape == "chain" && i > 0 {
			in = fmt.Sprintf(":j%d", i-1)
		}
		fmt.Fprintf(&s, "(do (ci.job :j%d [%s] (fn [{: sh}] (sh \"true\") {})))\n", i, in)
	}
	return s.String()
}
