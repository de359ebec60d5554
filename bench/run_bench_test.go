package bench_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/quire-ci/quire/bench/pipelines"
	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/internal/interp"
	"github.com/quire-ci/quire/internal/luavm"
	"github.com/quire-ci/quire/internal/testenv"
	"github.com/quire-ci/quire/runtime"
)

// BenchmarkRun runs pipelines of N jobs that each run `sh -c true`, as
// chains and fans, in process the way a generated binary runs them (a
// fresh Lua state per job restored from the frozen program, the run log,
// the console), without the binary's start-up (git, the workspace). It is
// where to look for the per-job overhead that `make bench` reports:
//
//	go test ./bench -run '^$' -bench Run -cpuprofile cpu.out
//	go tool pprof -top bench.test cpu.out
//
// ns/job is the time per job; compare it with BenchmarkExec, the floor.
func BenchmarkRun(b *testing.B) {
	for _, shape := range []string{"chain", "fan"} {
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s-%d", shape, n), func(b *testing.B) {
				rp := loadPipeline(b, pipelines.PerJob(shape, n))
				dir := b.TempDir()
				ws := filepath.Join(dir, "ws")
				os.MkdirAll(ws, 0o755)
				ids := make([]string, len(rp.Jobs))
				for i, j := range rp.Jobs {
					ids[i] = j.ID
				}
				i := 0
				for b.Loop() {
					i++
					log, err := runtime.CreateRunLog(filepath.Join(dir, "runs"), runtime.Meta{ID: fmt.Sprint(i)}, ids, nil)
					if err != nil {
						b.Fatal(err)
					}
					res := runtime.Run(context.Background(), rp, runtime.RunOptions{
						Push:      runtime.Push{SHA: "abc123", Ref: "refs/heads/main", PushedAt: time.Unix(0, 0)},
						Workspace: ws, Jobs: 2, Console: runtime.NewConsole(io.Discard), Log: log,
						Secrets: runtime.NoSecrets(), Env: os.Environ(),
					})
					log.Finish("done", "")
					if res.Failed() {
						b.Fatalf("the run failed: %s", res.Summary(rp))
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/job")
			})
		}
	}
}

// loadPipeline compiles ci.fnl source and builds the runtime.Pipeline a
// generated binary would hold.
func loadPipeline(b *testing.B, src string) *runtime.Pipeline {
	b.Helper()
	testenv.Fennel(b)
	file := filepath.Join(b.TempDir(), "ci.fnl")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	p, err := compiler.Load(file, compiler.Options{})
	if err != nil {
		b.Fatalf("load: %v", err)
	}
	b.Cleanup(func() { p.Close() })
	return interp.Pipeline(p)
}

// BenchmarkExec is the floor of BenchmarkRun: exec `sh -c true` and wait.
func BenchmarkExec(b *testing.B) {
	for b.Loop() {
		if err := exec.Command("sh", "-c", "true").Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/job")
}

// The parts of a job's overhead, one by one (see BenchmarkRun).

// BenchmarkNewState: the sandboxed Lua state every job gets.
func BenchmarkNewState(b *testing.B) {
	for b.Loop() {
		luavm.NewState(luavm.Options{Sandbox: true}).Close()
	}
}

// BenchmarkJobState: one state change of one job recorded in state.json
// (a job makes two: started and finished), in a run of N jobs.
func BenchmarkJobState(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ids := make([]string, n)
			for i := range ids {
				ids[i] = fmt.Sprintf("j%d", i)
			}
			log, err := runtime.CreateRunLog(b.TempDir(), runtime.Meta{ID: "run"}, ids, nil)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			for _, id := range ids { // a finished run's state.json
				log.JobState(id, runtime.JobResult{Status: runtime.StatusSucceeded, Outputs: runtime.Outputs{}, Started: now, Finished: now})
			}
			i := 0
			for b.Loop() {
				log.JobState(ids[i%n], runtime.JobResult{Status: runtime.StatusRunning, Started: now})
				i++
			}
		})
	}
}

// BenchmarkFirstEvent: a job's first event creates jobs/<id>/log.jsonl.
func BenchmarkFirstEvent(b *testing.B) {
	log, err := runtime.CreateRunLog(b.TempDir(), runtime.Meta{ID: "run"}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer log.Finish("done", "")
	i := 0
	for b.Loop() {
		log.Event(fmt.Sprintf("j%d", i), "sh-start", map[string]any{"cmd": "true", "argv": []string{"sh", "-c", "true"}, "cwd": "/tmp"})
		i++
	}
}

// BenchmarkEvent: a further event of a job.
func BenchmarkEvent(b *testing.B) {
	log, err := runtime.CreateRunLog(b.TempDir(), runtime.Meta{ID: "run"}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer log.Finish("done", "")
	for b.Loop() {
		log.Event("j", "sh-exit", map[string]any{"exit": 0, "duration-ms": 1})
	}
}
