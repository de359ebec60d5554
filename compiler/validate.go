package compiler

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/internal/minheap"
)

// sources are the inputs that are not jobs.
var sources = []string{SourcePush}

func isSource(name string) bool { return slices.Contains(sources, name) }

// validate checks the graph rules of SPEC §2 on a pipeline whose definitions
// were all valid, and returns every violation: unknown inputs in registration
// order, then cycles, then unreachable jobs.
func validate(p *Pipeline) []*diag.Diagnostic {
	var diags []*diag.Diagnostic
	g := newGraph(p)
	ids := make([]string, 0, len(p.Jobs))
	for _, j := range p.Jobs {
		ids = append(ids, j.ID)
	}
	// broken marks jobs with an unknown input: whether they, or jobs
	// downstream of them, are reachable cannot be told, so the unknown input
	// is reported instead of a second, derived error.
	var broken []int
	for i, j := range p.Jobs {
		for _, in := range j.Inputs {
			if _, known := g.index[in]; known || isSource(in) {
				continue
			}
			if len(broken) == 0 || broken[len(broken)-1] != i {
				broken = append(broken, i)
			}
			d := &diag.Diagnostic{
				Span: j.Span,
				Msg:  fmt.Sprintf("Job '%s' lists input '%s', which is neither a job nor a source.", j.ID, in),
			}
			if s := closest(in, append(append([]string{}, sources...), ids...)); s != "" && s != j.ID {
				d.Help = []string{fmt.Sprintf("did you mean '%s'?", s)}
			}
			diags = append(diags, d)
		}
	}
	for _, cyc := range g.cycles() {
		sorted := make([]string, len(cyc))
		for k, i := range cyc {
			sorted[k] = p.Jobs[i].ID
		}
		sort.Strings(sorted)
		diags = append(diags, &diag.Diagnostic{
			Span: p.Jobs[slices.Min(cyc)].Span,
			Msg:  "Cycle detected among jobs: " + strings.Join(sorted, ", "),
		})
	}
	// A job downstream of a broken one is not reported unreachable: its
	// reachability cannot be told.
	reach := g.reachable(broken)
	for i, j := range p.Jobs {
		if !reach[i] {
			diags = append(diags, &diag.Diagnostic{
				Span: j.Span,
				Msg:  fmt.Sprintf("Job '%s' is not reachable from any source (e.g. :quire/push).", j.ID),
			})
		}
	}
	return diags
}

// A jobGraph is a pipeline's jobs by registration index, with each job's
// inputs and dependents among the jobs (sources and unknown names left
// out), so the rules are checked in time linear in jobs and edges.
type jobGraph struct {
	index      map[string]int
	inputs     [][]int
	dependents [][]int
	fired      []bool // listed a source among its inputs
}

func newGraph(p *Pipeline) *jobGraph {
	g := &jobGraph{index: make(map[string]int, len(p.Jobs)), inputs: make([][]int, len(p.Jobs)),
		dependents: make([][]int, len(p.Jobs)), fired: make([]bool, len(p.Jobs))}
	for i, j := range p.Jobs {
		g.index[j.ID] = i
	}
	for i, j := range p.Jobs {
		for _, in := range j.Inputs {
			if k, ok := g.index[in]; ok {
				g.inputs[i] = append(g.inputs[i], k)
				g.dependents[k] = append(g.dependents[k], i)
			} else if isSource(in) {
				g.fired[i] = true
			}
		}
	}
	return g
}

// reachable marks the jobs that a source fires, directly or through other
// jobs, and those downstream of the jobs in also.
func (g *jobGraph) reachable(also []int) []bool {
	reach := make([]bool, len(g.inputs))
	var queue []int
	mark := func(i int) {
		if !reach[i] {
			reach[i] = true
			queue = append(queue, i)
		}
	}
	for i, fired := range g.fired {
		if fired {
			mark(i)
		}
	}
	for _, i := range also {
		mark(i)
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, d := range g.dependents[i] {
			mark(d)
		}
	}
	return reach
}

// cycles returns the graph's cycles, as job indexes: each strongly
// connected component with more than one job, and each job that lists
// itself, in the order their first job was registered. It uses Tarjan's
// algorithm.
func (g *jobGraph) cycles() [][]int {
	n := len(g.inputs)
	index, low := make([]int, n), make([]int, n)
	for i := range index {
		index[i] = -1
	}
	onStack := make([]bool, n)
	var stack []int
	var out [][]int
	next := 0
	var strong func(i int)
	strong = func(i int) {
		index[i], low[i] = next, next
		next++
		stack = append(stack, i)
		onStack[i] = true
		for _, in := range g.inputs[i] {
			if index[in] < 0 {
				strong(in)
				low[i] = min(low[i], low[in])
			} else if onStack[in] {
				low[i] = min(low[i], index[in])
			}
		}
		if low[i] != index[i] {
			return
		}
		var comp []int
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top] = false
			comp = append(comp, top)
			if top == i {
				break
			}
		}
		if len(comp) > 1 || slices.Contains(g.inputs[i], i) {
			out = append(out, comp)
		}
	}
	for i := range n {
		if index[i] < 0 {
			strong(i)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return slices.Min(out[a]) < slices.Min(out[b]) })
	return out
}

// topoOrder orders a valid pipeline's jobs so each comes after its inputs;
// among jobs that are ready together, registration order decides (the
// order the runtime starts them in). Only a pipeline without cycles or
// unknown inputs gets here.
func topoOrder(p *Pipeline) []string {
	g := newGraph(p)
	waiting := make([]int, len(p.Jobs))
	var ready minheap.Ints
	for i := range p.Jobs {
		if waiting[i] = len(g.inputs[i]); waiting[i] == 0 {
			ready.Push(i)
		}
	}
	order := make([]string, 0, len(p.Jobs))
	for ready.Len() > 0 {
		i := ready.Pop()
		order = append(order, p.Jobs[i].ID)
		for _, d := range g.dependents[i] {
			if waiting[d]--; waiting[d] == 0 {
				ready.Push(d)
			}
		}
	}
	return order
}

// closest returns the candidate nearest to name by edit distance, if it is
// near enough to be a plausible typo.
func closest(name string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(name, c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(1, len(name)/3)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b,
// in bytes: insertions, deletions, substitutions and transpositions of
// adjacent bytes each cost one, so the typo "tset" is one edit from "test".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
