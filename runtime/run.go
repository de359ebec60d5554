package runtime

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/quire-ci/quire/internal/minheap"
)

// A Status is where a job stands in a run.
type Status string

const (
	StatusPending   Status = "pending"
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded" // returned a table: its outputs
	StatusSkipped   Status = "skipped"   // returned nil; dependents still run
	StatusFailed    Status = "failed"    // raised, or returned something else
	StatusBlocked   Status = "blocked"   // an input failed, so it never ran
	StatusCancelled Status = "cancelled" // the run was stopped while it ran
)

// RunOptions configure one run of a pipeline.
type RunOptions struct {
	Push      Push
	Workspace string   // where sh runs
	Jobs      int      // parallelism; 0 means the number of CPUs
	Secrets   *Secrets // nil means none configured
	Console   *Console // where job state changes and output lines go
	Log       *RunLog  // the run log; nil writes none
	Env       []string // the environment sh starts from; nil means os.Environ()
	// Grace is how long a cancelled command may take to exit after SIGTERM
	// before its process group gets SIGKILL; zero means DefaultGrace.
	Grace time.Duration
}

// DefaultGrace is the time a cancelled command gets between SIGTERM and
// SIGKILL.
const DefaultGrace = 5 * time.Second

func (o *RunOptions) grace() time.Duration {
	if o.Grace > 0 {
		return o.Grace
	}
	return DefaultGrace
}

// A JobResult is how one job ended.
type JobResult struct {
	Status   Status
	Outputs  Outputs
	Err      error
	Started  time.Time
	Finished time.Time
}

// A Result is how a run ended.
type Result struct {
	Jobs map[string]*JobResult
}

// Failed reports whether any job failed or was cancelled.
func (r *Result) Failed() bool {
	for _, j := range r.Jobs {
		if j.Status == StatusFailed || j.Status == StatusCancelled {
			return true
		}
	}
	return false
}

// a run is one execution of a pipeline.
type run struct {
	p       *Pipeline
	opts    RunOptions
	ctx     context.Context
	jobs    map[string]*Job
	mu      sync.Mutex
	results map[string]*JobResult
	env     []string // what commands start from (commandEnv), computed once
	states  *statePool
	shPath  func() (string, error) // exec.LookPath("sh"), once
	devNull *os.File               // every command's standard input; nil if it did not open
}

// Run executes the pipeline's jobs for one push: each job starts once all
// its inputs finished, independent jobs run in parallel up to opts.Jobs,
// and ready jobs start in registration order.
func Run(ctx context.Context, p *Pipeline, opts RunOptions) *Result {
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.NumCPU()
	}
	if opts.Console == nil {
		opts.Console = NewConsole(nil)
	}
	r := &run{p: p, opts: opts, ctx: ctx, jobs: map[string]*Job{}, results: map[string]*JobResult{},
		env: commandEnv(opts.Env, opts.Secrets), states: newStatePool(opts.Jobs, len(p.Jobs)),
		shPath: sync.OnceValues(func() (string, error) { return exec.LookPath("sh") })}
	// One /dev/null serves every command as standard input: os/exec would
	// otherwise open, poll-register and close it again for each command.
	// Should it not open, os/exec opens its own.
	if null, err := os.Open(os.DevNull); err == nil {
		r.devNull = null
		defer null.Close()
	}
	defer r.states.close()
	for _, j := range p.Jobs {
		r.jobs[j.ID] = j
		r.results[j.ID] = &JobResult{Status: StatusPending}
	}
	g := newSchedule(p, &r.mu)
	var wg sync.WaitGroup
	for range min(opts.Jobs, len(p.Jobs)) {
		wg.Go(func() { r.work(g) })
	}
	wg.Wait()
	return &Result{Jobs: r.results}
}

// work is one of the run's workers: it starts the earliest registered
// ready job, runs it, settles it and goes on, until no job is ready or
// running. The worker that settles a job runs the job it made ready
// itself, so a chain passes from job to job within one goroutine instead
// of waking another twice a job.
//
// Changes of state are made under r.mu, but written to the console and
// the run log only once it is released: a slow terminal or disk must not
// hold up the other workers' scheduling. Each job's lines still come in
// order, since one worker writes all of a job's changes.
func (r *run) work(g *schedule) {
	var notes []func() // console and log writes of changes made under r.mu
	say := func() {
		for _, f := range notes {
			f()
		}
		notes = notes[:0]
	}
	r.mu.Lock()
	for {
		if g.ready.Len() == 0 {
			if len(notes) > 0 {
				r.mu.Unlock()
				say()
				r.mu.Lock()
				continue // the schedule may have moved meanwhile
			}
			if g.running == 0 {
				g.idle.Broadcast() // every job has ended: release the others
				r.mu.Unlock()
				return
			}
			g.idle.Wait()
			continue
		}
		i := g.ready.Pop()
		j := r.p.Jobs[i]
		res := r.results[j.ID]
		if r.ctx.Err() != nil {
			res.Status = StatusCancelled
			snap := *res
			notes = append(notes, func() {
				r.opts.Console.State(j.ID, "cancelled before it started", 0)
				r.opts.Log.JobState(j.ID, snap)
			})
			r.settle(g, i, &notes)
			continue
		}
		res.Status = StatusRunning
		res.Started = time.Now()
		g.running++
		snap := *res
		r.mu.Unlock()
		say()
		r.opts.Console.State(j.ID, "started", 0)
		r.opts.Log.JobState(j.ID, snap)
		r.opts.Log.Event(j.ID, "job-start", nil) // so every job that ran has a log
		r.execute(j)
		r.mu.Lock()
		g.running--
		r.settle(g, i, &notes)
		if g.ready.Len() > 1 {
			g.idle.Broadcast() // more ready than this worker takes next
		}
	}
}

// A schedule is the graph as the executor walks it: jobs by registration
// index, how many inputs each still waits for, and which jobs are ready.
// Finishing a job touches only its dependents, so a run is linear in its
// jobs and edges (rescanning every job after each one ended made a long
// chain quadratic).
type schedule struct {
	waiting    []int        // unfinished inputs, per job
	dependents [][]int      // the jobs that take each job as an input
	ready      minheap.Ints // in registration order
	running    int
	idle       *sync.Cond // workers wait here for a ready job
}

func newSchedule(p *Pipeline, mu *sync.Mutex) *schedule {
	index := make(map[string]int, len(p.Jobs))
	for i, j := range p.Jobs {
		index[j.ID] = i
	}
	g := &schedule{waiting: make([]int, len(p.Jobs)), dependents: make([][]int, len(p.Jobs)), idle: sync.NewCond(mu)}
	for i, j := range p.Jobs {
		for _, in := range j.Inputs {
			if k, ok := index[in]; ok { // not SourcePush
				g.waiting[i]++
				g.dependents[k] = append(g.dependents[k], i)
			}
		}
		if g.waiting[i] == 0 {
			g.ready.Push(i)
		}
	}
	return g
}

// settle updates the schedule for job i, which has ended: its dependents
// are one input closer to ready, or, if it did not succeed or skip, blocked
// along with everything downstream of them, reported in registration
// order. r.mu is held; what is to be said of the blocked jobs is added to
// notes.
func (r *run) settle(g *schedule, i int, notes *[]func()) {
	var blocked []int
	cause := map[int]int{} // a blocked job -> the input that blocked it
	ok := func(i int) bool {
		st := r.results[r.p.Jobs[i].ID].Status
		return st == StatusSucceeded || st == StatusSkipped
	}
	ended := []int{i}
	for len(ended) > 0 {
		e := ended[len(ended)-1]
		ended = ended[:len(ended)-1]
		passed := ok(e)
		for _, d := range g.dependents[e] {
			res := r.results[r.p.Jobs[d].ID]
			if res.Status != StatusPending {
				continue // already blocked through another input
			}
			if !passed {
				res.Status = StatusBlocked
				blocked = append(blocked, d)
				cause[d] = e
				ended = append(ended, d)
				continue
			}
			if g.waiting[d]--; g.waiting[d] == 0 {
				g.ready.Push(d)
			}
		}
	}
	sort.Ints(blocked)
	for _, b := range blocked {
		id := r.p.Jobs[b].ID
		snap := *r.results[id]
		in := r.p.Jobs[cause[b]].ID
		var reason string
		switch r.results[in].Status {
		case StatusCancelled:
			reason = fmt.Sprintf("input '%s' was cancelled", in)
		case StatusBlocked:
			reason = fmt.Sprintf("input '%s' is blocked", in)
		default:
			reason = fmt.Sprintf("input '%s' failed", in)
		}
		*notes = append(*notes, func() {
			r.opts.Console.State(id, "blocked", 0, reason)
			r.opts.Log.JobState(id, snap)
			r.opts.Log.Event(id, "blocked", map[string]any{"reason": reason})
			r.opts.Log.CloseJob(id)
		})
	}
}

// execute runs one job's function and records its result.
func (r *run) execute(j *Job) {
	c := &Context{run: r, job: j}
	out, err := safeRun(j.Run, c)
	r.mu.Lock()
	res := r.results[j.ID]
	res.Finished = time.Now()
	switch {
	case r.ctx.Err() != nil && (err != nil || c.stopped):
		// Cancelling the run stopped the job: the Lua VM raised the
		// context's words ("ci.fnl:5: context deadline exceeded"), or the
		// run-fn went on with a killed command's result, to raise over it
		// or return it. Either way the job did not do its work, and its
		// error is why the run was stopped, as its log and the console say.
		res.Status, res.Err = StatusCancelled, context.Cause(r.ctx)
	case err != nil:
		res.Status, res.Err = StatusFailed, err
	case out == nil:
		res.Status = StatusSkipped
	default:
		res.Status, res.Outputs = StatusSucceeded, out
	}
	snapshot := *res
	r.mu.Unlock()
	r.opts.Log.JobState(j.ID, snapshot)
	d := snapshot.Finished.Sub(snapshot.Started)
	switch snapshot.Status {
	case StatusFailed:
		r.opts.Log.Event(j.ID, "failed", map[string]any{"error": err.Error()})
		r.opts.Console.State(j.ID, "failed", d, err.Error())
	case StatusCancelled:
		r.opts.Log.Event(j.ID, "cancelled", map[string]any{"reason": context.Cause(r.ctx).Error()})
		r.opts.Console.State(j.ID, "cancelled", d)
	default:
		r.opts.Console.State(j.ID, string(snapshot.Status), d)
	}
	r.opts.Log.Event(j.ID, "job-end", map[string]any{"status": string(snapshot.Status), "duration-ms": d.Milliseconds()})
	r.opts.Log.CloseJob(j.ID)
}

// safeRun calls a job function, turning a panic into the job's failure so
// one broken job cannot take the run (and the other jobs' logs) down.
func safeRun(f JobFunc, c *Context) (out Outputs, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("internal error: %v", p)
		}
	}()
	return f(c)
}

// result returns the outputs of a finished job.
func (r *run) result(id string) *JobResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results[id]
}

// isAncestor reports whether name is among job's transitive inputs. It
// searches only when a job asks (jobs name), rather than computing every
// job's ancestry up front, which for a long chain is quadratic in memory.
func (r *run) isAncestor(job, name string) bool {
	seen := map[string]bool{}
	stack := append([]string(nil), r.jobs[job].Inputs...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == name {
			return true
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if j := r.jobs[id]; j != nil {
			stack = append(stack, j.Inputs...)
		}
	}
	return false
}

// Summary formats a table of the run's jobs: id, status and duration, in
// the pipeline's order.
func (res *Result) Summary(p *Pipeline) string {
	var b strings.Builder
	width := 3
	for _, id := range p.Order {
		width = max(width, len(id))
	}
	fmt.Fprintf(&b, "%-*s  %-9s  %s\n", width, "job", "status", "duration")
	for _, id := range p.Order {
		j := res.Jobs[id]
		dur := "-"
		if !j.Finished.IsZero() && !j.Started.IsZero() {
			dur = j.Finished.Sub(j.Started).Round(time.Millisecond).String()
		}
		fmt.Fprintf(&b, "%-*s  %-9s  %s\n", width, id, j.Status, dur)
	}
	return b.String()
}
