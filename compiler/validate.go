package compiler

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/quire-ci/quire/compiler/diag"
)

// sources are the inputs that are not jobs.
var sources = []string{SourcePush}

func isSource(name string) bool { return slices.Contains(sources, name) }

// validate checks the graph rules of SPEC §2 on a pipeline whose definitions
// were all valid, and returns every violation: unknown inputs in registration
// order, then cycles, then unreachable jobs.
func validate(p *Pipeline) []*diag.Diagnostic {
	var diags []*diag.Diagnostic
	ids := make([]string, 0, len(p.Jobs))
	for _, j := range p.Jobs {
		ids = append(ids, j.ID)
	}
	// broken marks jobs with an unknown input: whether they, or jobs
	// downstream of them, are reachable cannot be told, so the unknown input
	// is reported instead of a second, derived error.
	broken := map[string]bool{}
	for _, j := range p.Jobs {
		for _, in := range j.Inputs {
			if isSource(in) || p.Job(in) != nil {
				continue
			}
			broken[j.ID] = true
			d := &diag.Diagnostic{
				Span: j.Span,
				Msg:  fmt.Sprintf("Job '%s' lists input '%s', which is neither a job nor a source.", j.ID, in),
			}
			if s := closest(in, append(append([]string{}, sources...), ids...)); s != "" && s != j.ID {
				d.Help = fmt.Sprintf("did you mean '%s'?", s)
			}
			diags = append(diags, d)
		}
	}
	for _, cyc := range cycles(p) {
		first := p.Job(cyc[0])
		for _, id := range cyc {
			if p.indexOf(id) < p.indexOf(first.ID) {
				first = p.Job(id)
			}
		}
		sorted := append([]string{}, cyc...)
		sort.Strings(sorted)
		diags = append(diags, &diag.Diagnostic{
			Span: first.Span,
			Msg:  "Cycle detected among jobs: " + strings.Join(sorted, ", "),
		})
	}
	reach := reachable(p)
	for _, j := range p.Jobs {
		if reach[j.ID] || dependsOnBroken(p, j.ID, broken) {
			continue
		}
		diags = append(diags, &diag.Diagnostic{
			Span: j.Span,
			Msg:  fmt.Sprintf("Job '%s' is not reachable from any source (e.g. :quire/push).", j.ID),
		})
	}
	return diags
}

func (p *Pipeline) indexOf(id string) int {
	for i, j := range p.Jobs {
		if j.ID == id {
			return i
		}
	}
	return -1
}

// reachable marks the jobs that some source fires, directly or through
// other jobs.
func reachable(p *Pipeline) map[string]bool {
	reach := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, j := range p.Jobs {
			if reach[j.ID] {
				continue
			}
			for _, in := range j.Inputs {
				if isSource(in) || reach[in] {
					reach[j.ID] = true
					changed = true
					break
				}
			}
		}
	}
	return reach
}

// dependsOnBroken reports whether id or any of its ancestors is broken.
func dependsOnBroken(p *Pipeline, id string, broken map[string]bool) bool {
	seen := map[string]bool{}
	var visit func(string) bool
	visit = func(id string) bool {
		if broken[id] {
			return true
		}
		if seen[id] {
			return false
		}
		seen[id] = true
		if j := p.Job(id); j != nil {
			for _, in := range j.Inputs {
				if visit(in) {
					return true
				}
			}
		}
		return false
	}
	return visit(id)
}

// cycles returns the graph's cycles: each strongly connected component with
// more than one job, and each job that lists itself, in the order their
// first job was registered. It uses Tarjan's algorithm.
func cycles(p *Pipeline) [][]string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var strong func(id string)
	strong = func(id string) {
		index[id], low[id] = next, next
		next++
		stack = append(stack, id)
		onStack[id] = true
		for _, in := range p.Job(id).Inputs {
			if p.Job(in) == nil {
				continue
			}
			if _, seen := index[in]; !seen {
				strong(in)
				low[id] = min(low[id], low[in])
			} else if onStack[in] {
				low[id] = min(low[id], index[in])
			}
		}
		if low[id] != index[id] {
			return
		}
		var comp []string
		for {
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[top] = false
			comp = append(comp, top)
			if top == id {
				break
			}
		}
		if len(comp) > 1 || slices.Contains(p.Job(id).Inputs, id) {
			out = append(out, comp)
		}
	}
	for _, j := range p.Jobs {
		if _, seen := index[j.ID]; !seen {
			strong(j.ID)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return firstIndex(p, out[a]) < firstIndex(p, out[b]) })
	return out
}

func firstIndex(p *Pipeline, ids []string) int {
	best := len(p.Jobs)
	for _, id := range ids {
		best = min(best, p.indexOf(id))
	}
	return best
}

// topoOrder orders a valid pipeline's jobs so each comes after its inputs;
// among jobs that are ready together, registration order decides.
func topoOrder(p *Pipeline) []string {
	done := map[string]bool{}
	order := make([]string, 0, len(p.Jobs))
	for len(order) < len(p.Jobs) {
		progressed := false
		for _, j := range p.Jobs {
			if done[j.ID] {
				continue
			}
			ready := true
			for _, in := range j.Inputs {
				if !isSource(in) && !done[in] {
					ready = false
					break
				}
			}
			if ready {
				done[j.ID] = true
				order = append(order, j.ID)
				progressed = true
				break // restart so the earliest-registered ready job goes next
			}
		}
		if !progressed {
			// Only a pipeline that failed validation has a cycle; keep the
			// rest in registration order rather than loop forever.
			for _, j := range p.Jobs {
				if !done[j.ID] {
					done[j.ID] = true
					order = append(order, j.ID)
				}
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
