package gen

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkEmit measures generating the program of a pipeline of n jobs,
// each with its own run-fn (evaluating ci.fnl is not timed).
func BenchmarkEmit(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			var src strings.Builder
			src.WriteString("(local ci (require :quire.ci))\n(local common {:flags [\"-v\" \"-race\"]})\n")
			for i := range n {
				input := ":quire/push"
				if i%10 != 0 {
					input = fmt.Sprintf(":job-%d", i-1)
				}
				// Each in a `do`, so the chunk stays under Lua's 200 locals.
				fmt.Fprintf(&src, "(do (ci.job :job-%d [%s] (fn [{: sh}] {:exit (. (sh [\"go\" \"test\" (. common.flags 1) \"./pkg%d/...\"]) :exit) :n %d})))\n", i, input, i, i)
			}
			file := filepath.Join(b.TempDir(), "ci.fnl")
			writeFile(b, file, src.String())
			p := load(b, file)
			b.ResetTimer()
			var size int
			for range b.N {
				out, err := Emit(p, Options{QuireVersion: testVersion})
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "source-bytes")
		})
	}
}
