package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// pipelineOf builds a pipeline of Go job functions.
func pipelineOf(jobs ...*Job) *Pipeline {
	p := &Pipeline{File: "ci.fnl", Jobs: jobs}
	for _, j := range jobs {
		p.Order = append(p.Order, j.ID)
	}
	return p
}

func job(id string, run JobFunc, inputs ...string) *Job {
	if len(inputs) == 0 {
		inputs = []string{SourcePush}
	}
	return &Job{ID: id, Inputs: inputs, Run: run}
}

func returns(out Outputs, err error) JobFunc {
	return func(*Context) (Outputs, error) { return out, err }
}

func quietRun(p *Pipeline, jobs int) *Result {
	return Run(context.Background(), p, RunOptions{Jobs: jobs, Console: NewConsole(io.Discard), Workspace: "."})
}

func TestOutcomes(t *testing.T) {
	p := pipelineOf(
		job("ok", returns(Outputs{"x": 1.0}, nil)),
		job("skip", returns(nil, nil)),
		job("fail", returns(nil, errors.New("boom"))),
		job("after-skip", returns(Outputs{}, nil), "skip"),
		job("after-fail", returns(Outputs{}, nil), "fail"),
		job("after-blocked", returns(Outputs{}, nil), "after-fail"),
		job("independent", returns(Outputs{}, nil), "ok"),
	)
	res := quietRun(p, 1)
	want := map[string]Status{
		"ok": StatusSucceeded, "skip": StatusSkipped, "fail": StatusFailed,
		"after-skip": StatusSucceeded, "after-fail": StatusBlocked, "after-blocked": StatusBlocked,
		"independent": StatusSucceeded,
	}
	for id, st := range want {
		if got := res.Jobs[id].Status; got != st {
			t.Errorf("%s: %s, want %s", id, got, st)
		}
	}
	if !res.Failed() {
		t.Error("a run with a failed job did not fail")
	}
}

// A failure blocks everything downstream at once, reported in registration
// order, even jobs that still wait for another input; the rest of the
// graph runs on.
func TestFailureBlocksDownstreamInRegistrationOrder(t *testing.T) {
	release := make(chan struct{})
	p := pipelineOf(
		job("slow", func(*Context) (Outputs, error) { <-release; return Outputs{}, nil }),
		job("fail", returns(nil, errors.New("boom"))),
		job("z-diamond", returns(Outputs{}, nil), "left", "right"),
		job("left", returns(Outputs{}, nil), "fail"),
		job("right", returns(Outputs{}, nil), "fail", "slow"),
		job("after-slow", returns(Outputs{}, nil), "slow"),
	)
	var console syncBuffer
	done := make(chan *Result)
	go func() {
		done <- Run(context.Background(), p, RunOptions{Jobs: 2, Console: NewConsole(&console), Workspace: "."})
	}()
	// right is blocked while slow, its other input, still runs.
	for !strings.Contains(console.String(), "[right] == blocked") {
		time.Sleep(time.Millisecond)
	}
	close(release)
	res := <-done
	for id, want := range map[string]Status{"left": StatusBlocked, "right": StatusBlocked, "z-diamond": StatusBlocked,
		"after-slow": StatusSucceeded, "slow": StatusSucceeded} {
		if got := res.Jobs[id].Status; got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	var blocked []string
	for _, line := range strings.Split(console.String(), "\n") {
		if strings.Contains(line, "blocked") {
			blocked = append(blocked, strings.Fields(line)[0])
		}
	}
	if got := strings.Join(blocked, " "); !strings.Contains(got, "z-diamond") || strings.Index(got, "z-diamond") > strings.Index(got, "left") || strings.Index(got, "left") > strings.Index(got, "right") {
		t.Errorf("blocked jobs reported as %q, want z-diamond, left, right (registration order)\n%s", got, console.String())
	}
}

// A syncBuffer is a bytes.Buffer a test may read while a run writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A chain far longer than any real pipeline finishes, every job in order.
func TestLongChain(t *testing.T) {
	var jobs []*Job
	var mu sync.Mutex
	var order []string
	for i := range 20000 {
		id := fmt.Sprintf("j%d", i)
		in := []string{}
		if i > 0 {
			in = append(in, fmt.Sprintf("j%d", i-1))
		}
		jobs = append(jobs, job(id, func(*Context) (Outputs, error) {
			mu.Lock()
			order = append(order, id)
			mu.Unlock()
			return Outputs{}, nil
		}, in...))
	}
	res := quietRun(pipelineOf(jobs...), 4)
	if res.Failed() || len(order) != 20000 || order[19999] != "j19999" || order[5000] != "j5000" {
		t.Errorf("%d jobs ran, last %q", len(order), order[len(order)-1])
	}
}

func TestPanickingJobFailsAlone(t *testing.T) {
	p := pipelineOf(
		job("panics", func(*Context) (Outputs, error) { panic("oops") }),
		job("fine", returns(Outputs{}, nil)),
	)
	res := quietRun(p, 2)
	if res.Jobs["panics"].Status != StatusFailed || res.Jobs["fine"].Status != StatusSucceeded {
		t.Errorf("panics: %s, fine: %s", res.Jobs["panics"].Status, res.Jobs["fine"].Status)
	}
}

func TestJobsOneRunsInRegistrationOrder(t *testing.T) {
	var mu sync.Mutex
	var order []string
	rec := func(id string) JobFunc {
		return func(*Context) (Outputs, error) {
			mu.Lock()
			order = append(order, id)
			mu.Unlock()
			return Outputs{}, nil
		}
	}
	p := pipelineOf(job("c", rec("c")), job("a", rec("a")), job("d", rec("d"), "a"), job("b", rec("b")))
	quietRun(p, 1)
	if fmt.Sprint(order) != "[c a d b]" {
		t.Errorf("order %v, want [c a d b]: of the ready jobs, the earliest registered starts", order)
	}
}

// TestJobsRunInParallel proves parallelism by order, not by timing: each
// of eight jobs waits until all eight have started, which can only happen
// if they run at once.
func TestJobsRunInParallel(t *testing.T) {
	const n = 8
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	var jobs []*Job
	for i := 0; i < n; i++ {
		jobs = append(jobs, job(fmt.Sprint("j", i), func(*Context) (Outputs, error) {
			started.Done()
			select {
			case <-all:
				return Outputs{}, nil
			case <-time.After(10 * time.Second):
				return nil, errors.New("the other jobs never started: jobs did not run in parallel")
			}
		}))
	}
	res := quietRun(pipelineOf(jobs...), n)
	for id, r := range res.Jobs {
		if r.Status != StatusSucceeded {
			t.Errorf("%s: %s %v", id, r.Status, r.Err)
		}
	}
}

func TestDependentStartsAfterItsInputsFinish(t *testing.T) {
	var mu sync.Mutex
	finished := map[string]bool{}
	mark := func(id string) JobFunc {
		return func(*Context) (Outputs, error) {
			mu.Lock()
			defer mu.Unlock()
			finished[id] = true
			return Outputs{}, nil
		}
	}
	check := func(*Context) (Outputs, error) {
		mu.Lock()
		defer mu.Unlock()
		if !finished["a"] || !finished["b"] {
			return nil, errors.New("started before its inputs finished")
		}
		return Outputs{}, nil
	}
	res := quietRun(pipelineOf(job("a", mark("a")), job("b", mark("b")), job("c", check, "a", "b")), 4)
	if r := res.Jobs["c"]; r.Status != StatusSucceeded {
		t.Errorf("c: %s %v", r.Status, r.Err)
	}
}

// A job that fails because the run was cancelled under it (its command
// killed, say) ends cancelled, with the run's reason as its error rather
// than what the run-fn made of the killed command.
func TestCancelledJobErrorIsTheRunsReason(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	started := make(chan struct{})
	p := pipelineOf(job("build", func(c *Context) (Outputs, error) {
		close(started)
		<-c.run.ctx.Done()
		return nil, errors.New("build failed: exit -1")
	}))
	go func() { <-started; cancel(errors.New("stopped by interrupt")) }()
	res := Run(ctx, p, RunOptions{Jobs: 1, Console: NewConsole(io.Discard)})
	r := res.Jobs["build"]
	if r.Status != StatusCancelled || r.Err == nil || r.Err.Error() != "stopped by interrupt" {
		t.Errorf("build: %s %v, want cancelled with the run's reason", r.Status, r.Err)
	}
}

func TestCancelledRunCancelsRunningAndPendingJobs(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	started := make(chan struct{})
	p := pipelineOf(
		job("long", func(c *Context) (Outputs, error) {
			close(started)
			<-c.run.ctx.Done()
			return nil, context.Cause(c.run.ctx)
		}),
		job("next", returns(Outputs{}, nil), "long"),
	)
	go func() { <-started; cancel(errors.New("stopped by interrupt")) }()
	res := Run(ctx, p, RunOptions{Jobs: 2, Console: NewConsole(io.Discard)})
	if res.Jobs["long"].Status != StatusCancelled {
		t.Errorf("long: %s", res.Jobs["long"].Status)
	}
	if res.Jobs["next"].Status == StatusSucceeded {
		t.Errorf("next ran after the run was cancelled")
	}
	if !res.Failed() {
		t.Error("a cancelled run did not fail")
	}
}
