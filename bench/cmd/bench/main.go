// Command bench measures what quire's generated binaries cost at run time
// against their baselines, side by side, and writes the figures to
// bench/RESULTS.md. Run it with `make bench` (or bench/bench.sh).
//
//	bench [--smoke] [--reps R] [--only SECTIONS] [--out FILE] [--keep] [--no-task-install]
//
// Every comparison runs its variants interleaved (A B C A B C …) after one
// discarded warm-up round, and reports medians, so that a disturbance of
// the machine hits every variant alike. Sections:
//
//   - start-up: `ci-bin run` of a one-job pipeline running `true`, against
//     the interpreting baseline (bench/cmd/interp: evaluate ci.fnl with
//     Fennel in gopher-lua on every run, then run it) and the floor
//     (bench/cmd/floor: exec `true` once);
//   - per-job overhead: chains and fans of N jobs each running `sh -c true`,
//     against GNU make and go-task on an equivalent Makefile and Taskfile,
//     and the floor (N execs of `sh -c true`);
//   - parallel speedup: 8 jobs sleeping 0.2 s at --jobs 1 and --jobs 8;
//   - binary size and peak memory of the generated binary;
//   - compile: bench/compile.sh (cold, warm Go cache, cached).
//
// --smoke runs every section at N=2 with one repetition and no warm-up,
// never installs go-task, and writes a results file only with --out: it
// checks that the benchmarks work, not how fast anything is.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/quire-ci/quire/bench/pipelines"
)

// taskVersion is the go-task the per-job comparison installs.
const taskVersion = "v3.53.1"

// Targets the project set itself (issue 6).
const (
	targetStartup   = 30.0 // ci-bin run at least this many times faster than the interpreter
	targetPerJob    = 1.5  // per-job cost at most this many times the floor's (and no more than make's)
	targetCachedMS  = 50.0 // a cached compile takes less than this
	targetSpeedup   = 6.0  // --jobs 8 at least this many times faster than --jobs 1
	speedupJobs     = 8
	speedupSleepSec = "0.2"
)

type bench struct {
	smoke     bool
	reps      int // 0: each section's default
	root      string
	work      string
	env       []string
	par       int // parallelism of the fan comparisons: nproc
	quire     string
	interp    string
	floor     string
	maxrss    string // the wait4 runner, used when GNU time is missing
	gnuTime   string // /usr/bin/time, if it is GNU time
	make      string // "" when GNU make is missing
	task      string // "" when go-task could not be installed
	taskNote  string // why go-task is missing
	config    string // an empty secrets config
	runsDir   string
	tmpfsRuns string // a runs directory on tmpfs, if the machine has /dev/shm
	devnull   *os.File
	out       strings.Builder // the results, in Markdown
	targets   []target
	startMach machine
	only      map[string]bool  // nil: every section
	pipes     map[string]*pipe // built pipelines, by name
}

type target struct {
	name, want, got string
	met             bool
	// beyond says, when it is so, that what is wanted is faster than
	// the floor itself on this machine: no runner could meet it.
	beyond string
}

func main() {
	b := &bench{}
	var outFile string
	var keep, noInstall bool
	var only string
	flag.BoolVar(&b.smoke, "smoke", false, "check that every benchmark runs: N=2, one repetition, no go-task install")
	flag.IntVar(&b.reps, "reps", 0, "repetitions of every measurement (default: 11 for start-up, 5 for run times, 3 for memory and compiles)")
	flag.StringVar(&outFile, "out", "", "write the results here (default bench/RESULTS.md; with --smoke, nowhere)")
	flag.BoolVar(&keep, "keep", false, "keep the work directory")
	flag.BoolVar(&noInstall, "no-task-install", false, "do not try to install go-task")
	flag.StringVar(&b.root, "root", ".", "quire's checkout")
	flag.StringVar(&only, "only", "", "run only these sections, comma-separated: startup, perjob, speedup, memory, compile")
	flag.Parse()
	if outFile == "" && !b.smoke {
		outFile = filepath.Join(b.root, "bench", "RESULTS.md")
	}
	if b.smoke {
		b.reps = 1
		noInstall = true
	}
	status := 0
	if only != "" {
		b.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			b.only[strings.TrimSpace(s)] = true
		}
	}
	if err := b.main(outFile, noInstall); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		status = 1
	}
	if b.work != "" {
		if keep {
			fmt.Fprintf(os.Stderr, "bench: kept %s\n", b.work)
		} else {
			os.RemoveAll(b.work)
		}
	}
	if b.tmpfsRuns != "" {
		os.RemoveAll(filepath.Dir(b.tmpfsRuns))
	}
	os.Exit(status)
}

func (b *bench) main(outFile string, noInstall bool) error {
	root, err := filepath.Abs(b.root)
	if err != nil {
		return err
	}
	b.root = root
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("%s is not quire's checkout (run from its root, or pass --root)", root)
	}
	if err := b.setup(noInstall); err != nil {
		return err
	}
	b.startMach = readMachine(b)
	b.printf("# quire benchmarks\n\n")
	sections := []struct {
		key, name string
		run       func() error
	}{
		{"startup", "start-up", b.startup},
		{"perjob", "per-job overhead", b.perJob},
		{"speedup", "parallel speedup", b.speedup},
		{"memory", "binary size and peak memory", b.memory},
		{"compile", "compile", b.compile},
	}
	var keys []string
	for _, s := range sections {
		keys = append(keys, s.key)
	}
	for k := range b.only {
		if !slices.Contains(keys, k) {
			return fmt.Errorf("--only: no section %q (the sections are %s)", k, strings.Join(keys, ", "))
		}
	}
	for _, s := range sections {
		if b.only != nil && !b.only[s.key] {
			continue
		}
		progress("== %s", s.name)
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	b.printTargets()

	if outFile == "" {
		return nil
	}
	var doc strings.Builder
	doc.WriteString("# quire benchmark results\n\n")
	doc.WriteString("Written by `make bench` (bench/bench.sh → bench/cmd/bench); see bench/README.md for what\n")
	doc.WriteString("each figure measures. Re-run `make bench` to replace this file.\n\n")
	doc.WriteString(b.machineSection())
	doc.WriteString(b.out.String()[len("# quire benchmarks\n\n"):])
	if err := os.WriteFile(outFile, []byte(doc.String()), 0o644); err != nil {
		return err
	}
	progress("wrote %s", outFile)
	return nil
}

// printf writes to the results and to standard output.
func (b *bench) printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	b.out.WriteString(s)
	os.Stdout.WriteString(s)
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func (b *bench) repsOr(n int) int {
	if b.reps > 0 {
		return b.reps
	}
	return n
}

// setup builds quire and the helper programs, finds make, GNU time and
// go-task (installing go-task unless told not to), and writes the empty
// config.
func (b *bench) setup(noInstall bool) error {
	work, err := os.MkdirTemp("", "quire-bench-")
	if err != nil {
		return err
	}
	b.work = work
	b.runsDir = filepath.Join(work, "runs")
	b.par = nproc()
	fennel := os.Getenv("QUIRE_FENNEL")
	if fennel == "" {
		p, err := os.ReadFile(filepath.Join(b.root, ".toolchain", "fennel.path"))
		if err != nil {
			return errors.New("no Fennel: run `make` first (or set QUIRE_FENNEL)")
		}
		fennel = strings.TrimSpace(string(p))
	}
	b.env = append(os.Environ(), "QUIRE_FENNEL="+fennel, "QUIRE_CACHE="+filepath.Join(work, "qcache"))
	if b.devnull, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
		return err
	}
	progress("building quire and the helpers into %s", work)
	for _, t := range []struct {
		dst *string
		pkg string
	}{{&b.quire, "./cmd/quire"}, {&b.interp, "./bench/cmd/interp"}, {&b.floor, "./bench/cmd/floor"}, {&b.maxrss, "./bench/cmd/maxrss"}} {
		*t.dst = filepath.Join(work, "bin", filepath.Base(t.pkg))
		if out, err := b.cmd(b.root, "go", "build", "-o", *t.dst, t.pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", t.pkg, err, out)
		}
	}
	if shm, err := tmpfsDir(); err == nil {
		b.tmpfsRuns = filepath.Join(shm, "runs")
	} else {
		progress("no tmpfs runs directory (%v): the tmpfs column is left out", err)
	}
	b.config = filepath.Join(work, "config.fnl")
	if err := os.WriteFile(b.config, []byte("{:secrets {}}\n"), 0o644); err != nil {
		return err
	}
	if p, err := exec.LookPath("make"); err == nil {
		if out, _ := exec.Command(p, "--version").Output(); bytes.HasPrefix(out, []byte("GNU Make")) {
			b.make = p
		}
	}
	if out, err := exec.Command("/usr/bin/time", "-v", "true").CombinedOutput(); err == nil && bytes.Contains(out, []byte("Maximum resident set size")) {
		b.gnuTime = "/usr/bin/time"
	}
	b.findTask(noInstall)
	return nil
}

// findTask uses bench/.tools/task if it is taskVersion, else installs it
// there with go install (unless noInstall).
func (b *bench) findTask(noInstall bool) {
	dir := filepath.Join(b.root, "bench", ".tools")
	bin := filepath.Join(dir, "task")
	want := strings.TrimPrefix(taskVersion, "v")
	have := func() bool {
		out, err := exec.Command(bin, "--version").Output()
		return err == nil && strings.Contains(string(out), want)
	}
	if have() {
		b.task = bin
		return
	}
	if noInstall {
		b.taskNote = fmt.Sprintf("go-task %s is not installed in bench/.tools and this run does not install it", taskVersion)
		progress("%s: skipped", b.taskNote)
		return
	}
	progress("installing go-task %s into %s", taskVersion, dir)
	cmd := b.cmd(b.root, "go", "install", "github.com/go-task/task/v3/cmd/task@"+taskVersion)
	cmd.Env = append(cmd.Env, "GOBIN="+dir, "GOFLAGS=", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	if err == nil && have() {
		b.task = bin
		return
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	b.taskNote = fmt.Sprintf("installing go-task %s failed (%v: %s), so there is no go-task column", taskVersion, err, lines[len(lines)-1])
	progress("%s", b.taskNote)
}

func (b *bench) cmd(dir, name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Dir = dir
	c.Env = slices.Clone(b.env)
	return c
}

// tmpfsDir makes a directory on /dev/shm when that is a tmpfs.
func tmpfsDir() (string, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err != nil {
		return "", err
	}
	const tmpfsMagic = 0x01021994
	if st.Type != tmpfsMagic {
		return "", errors.New("/dev/shm is not a tmpfs")
	}
	return os.MkdirTemp("/dev/shm", "quire-bench-")
}

func nproc() int {
	if out, err := exec.Command("nproc").Output(); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && n > 0 {
			return n
		}
	}
	return runtime.NumCPU()
}

// A pipe is a generated pipeline: a git repository whose .quire/ci.fnl is
// committed on main, and the binary quire compiled from it.
type pipe struct {
	dir, file, bin string
}

// startupFennel is the start-up section's pipeline: one job running true.
const startupFennel = `(local ci (require :quire.ci))
(ci.job :only [:quire/push] (fn [{: sh}] (sh ["true"]) {}))
`

// pipeline writes, commits and compiles ci.fnl under work/name, once: a
// later section asking for the same pipeline gets the one built.
func (b *bench) pipeline(name, fnl string) (*pipe, error) {
	if p, ok := b.pipes[name]; ok {
		return p, nil
	}
	p := &pipe{dir: filepath.Join(b.work, name)}
	p.file = filepath.Join(p.dir, ".quire", "ci.fnl")
	p.bin = filepath.Join(p.dir, "ci-bin")
	if err := os.MkdirAll(filepath.Dir(p.file), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p.file, []byte(fnl), 0o644); err != nil {
		return nil, err
	}
	git := func(args ...string) error {
		base := []string{"-c", "user.name=bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}
		out, err := b.cmd(p.dir, "git", append(base, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	for _, args := range [][]string{{"init", "-q"}, {"checkout", "-q", "-b", "main"}, {"add", ".quire"}, {"commit", "-q", "-m", name}} {
		if err := git(args...); err != nil {
			return nil, err
		}
	}
	progress("compiling %s", name)
	if out, err := b.cmd(p.dir, b.quire, "compile", ".quire/ci.fnl", "-o", p.bin).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("quire compile %s: %v\n%s", name, err, out)
	}
	if b.pipes == nil {
		b.pipes = map[string]*pipe{}
	}
	b.pipes[name] = p
	return p, nil
}

// run is the command line of `ci-bin run` for the pipeline, with its runs
// directory (and so its run logs and workspaces) in the work directory.
func (b *bench) run(p *pipe, jobs int) []string { return b.runIn(p, jobs, b.runsDir) }

// runIn is run with the given runs directory.
func (b *bench) runIn(p *pipe, jobs int, runsDir string) []string {
	return []string{p.bin, "run", "--git-dir", filepath.Join(p.dir, ".git"), "--ref", "refs/heads/main",
		"--config", b.config, "--runs-dir", runsDir, "--jobs", strconv.Itoa(jobs)}
}

// A variant is one command of a comparison.
type variant struct {
	name string
	argv []string
	dir  string
}

// time runs argv once with its output discarded and returns its wall time.
func (b *bench) time(v variant) (time.Duration, error) {
	c := b.cmd(v.dir, v.argv[0], v.argv[1:]...)
	c.Stdout, c.Stderr = b.devnull, b.devnull
	start := time.Now()
	err := c.Run()
	d := time.Since(start)
	if err != nil {
		// Once more, to show why.
		c := b.cmd(v.dir, v.argv[0], v.argv[1:]...)
		out, _ := c.CombinedOutput()
		if len(out) > 4000 {
			out = append([]byte("…"), out[len(out)-4000:]...)
		}
		return 0, fmt.Errorf("%s: %s: %v\n%s", v.name, strings.Join(v.argv, " "), err, out)
	}
	return d, nil
}

// measure runs the variants interleaved, reps rounds after one warm-up
// round (none when smoke), and returns each variant's times.
func (b *bench) measure(reps int, vs ...variant) ([][]time.Duration, error) {
	times := make([][]time.Duration, len(vs))
	warm := 1
	if b.smoke {
		warm = 0
	}
	for r := range reps + warm {
		for i, v := range vs {
			d, err := b.time(v)
			if err != nil {
				return nil, err
			}
			if r < warm {
				continue // the warm-up round
			}
			times[i] = append(times[i], d)
		}
	}
	return times, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fmtDur formats a duration for a table.
func fmtDur(d time.Duration) string {
	m := ms(d)
	switch {
	case m >= 1000:
		return fmt.Sprintf("%.2f s", m/1000)
	case m >= 100:
		return fmt.Sprintf("%.0f ms", m)
	case m >= 10:
		return fmt.Sprintf("%.1f ms", m)
	}
	return fmt.Sprintf("%.2f ms", m)
}

func fmtMS(m float64) string { return fmtDur(time.Duration(m * float64(time.Millisecond))) }

func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a/b) {
		return "–"
	}
	r := a / b
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func (b *bench) target(name, want, got string, met bool) {
	b.targets = append(b.targets, target{name: name, want: want, got: got, met: met})
}

// startupBeyondFloor says why the start-up target cannot be met when the
// time it asks for (the interpreter's, in ms, divided by the target) is
// less than the floor's, and is empty otherwise.
func startupBeyondFloor(interp, floor float64) string {
	if wanted := interp / targetStartup; wanted < floor {
		return fmt.Sprintf("%.0f× faster than the interpreter is %s, less than the floor's %s: faster than a program that only execs `true`",
			targetStartup, fmtMS(wanted), fmtMS(floor))
	}
	return ""
}

// makeBeyondFloor says why "no worse than make" cannot be met when make
// takes less per job than the floor (ms), and is empty otherwise.
func makeBeyondFloor(make, floor float64) string {
	if make < floor {
		return fmt.Sprintf("make's %s per job is less than the floor's %s: faster than a Go program that only execs `sh -c true`",
			fmtMS(make), fmtMS(floor))
	}
	return ""
}

// beyondFloor marks the last target as out of reach: why says how.
func (b *bench) beyondFloor(why string) {
	b.targets[len(b.targets)-1].beyond = why
}

// startup compares `ci-bin run` of a one-job pipeline with the interpreter
// and the floor.
func (b *bench) startup() error {
	p, err := b.pipeline("startup", startupFennel)
	if err != nil {
		return err
	}
	interp := append([]string{b.interp, p.file}, b.run(p, 1)[1:]...)
	vs := []variant{
		{"`ci-bin run`", b.run(p, 1), p.dir},
		{"interpreter: `interp ci.fnl run`", interp, p.dir},
		{"floor: exec `true` once", []string{b.floor, "true"}, p.dir},
		{"`ci-bin jobs` (process start only, no run)", []string{p.bin, "jobs"}, p.dir},
	}
	if b.tmpfsRuns != "" {
		vs = append(vs, variant{"`ci-bin run`, runs dir on tmpfs", b.runIn(p, 1, b.tmpfsRuns), p.dir})
	}
	reps := b.repsOr(11)
	times, err := b.measure(reps, vs...)
	if err != nil {
		return err
	}
	bin, in, fl := ms(median(times[0])), ms(median(times[1])), ms(median(times[2]))
	b.printf("## Start-up\n\n")
	b.printf("A pipeline of one job that runs `true` (argv form, no shell): `ci-bin run` against the\n")
	b.printf("interpreting baseline (`bench/cmd/interp`: on every run, load fennel.lua into gopher-lua,\n")
	b.printf("compile and evaluate ci.fnl with `compiler.Load`, then run it with the same `runtime`,\n")
	b.printf("through the same command line) and the floor (`bench/cmd/floor`: exec `true` once).\n")
	b.printf("Both runners read the push from git, check ci.fnl's hash against the commit, check the\n")
	b.printf("tree out with `git archive` and write a run log (the runs directory is in the work\n")
	b.printf("directory under $TMPDIR; the tmpfs row puts it on /dev/shm). Median of %d interleaved rounds.\n\n", reps)
	b.printf("| command | median | min | max | vs `ci-bin run` |\n|---|---:|---:|---:|---:|\n")
	for i, v := range vs {
		b.printf("| %s | %s | %s | %s | %s |\n", v.name, fmtDur(median(times[i])), fmtDur(slices.Min(times[i])), fmtDur(slices.Max(times[i])), ratio(ms(median(times[i])), bin))
	}
	b.printf("\n`ci-bin run` is **%s faster** than the interpreting baseline and takes **%s** the floor's time.\n\n",
		ratio(in, bin), ratio(bin, fl))
	b.target("start-up vs the interpreter", fmt.Sprintf("≥ %.0f× faster", targetStartup), ratio(in, bin)+" faster", in/bin >= targetStartup)
	if why := startupBeyondFloor(in, fl); why != "" {
		b.beyondFloor(why)
	}
	return nil
}

// perJobSizes are the pipeline sizes of the per-job comparison.
func (b *bench) perJobSizes() []int {
	if b.smoke {
		return []int{2}
	}
	return []int{10, 100, 1000}
}

// perJob compares chains and fans of N jobs running `sh -c true` with make,
// go-task and the floor.
func (b *bench) perJob() error {
	sizes := b.perJobSizes()
	reps := b.repsOr(5)
	b.printf("## Per-job overhead\n\n")
	b.printf("Pipelines of N jobs that each run `sh -c true` (quire: `(sh \"true\")`, whose argv is\n")
	b.printf("`sh -c true`), as a **chain** (each job the input of the next) and as a **fan** (every job\n")
	b.printf("fed by the push alone), against the same graph as a Makefile (GNU make `-r -s -j%d`), as a\n", b.par)
	b.printf("Taskfile (go-task %s `--silent --concurrency %d`), and the floor (`bench/cmd/floor`: N\n", taskVersion, b.par)
	b.printf("execs of `sh -c true`, one after another for chains, %d at a time for fans). quire runs\n", b.par)
	b.printf("with `--jobs %d` (`nproc`). Whole-run wall times, median of %d interleaved rounds; quire's\n", b.par, reps)
	b.printf("include its start-up (git, workspace, run log). The *per job* row is the slope\n")
	b.printf("(T(N₂)−T(N₁))/(N₂−N₁) between two sizes, which leaves start-up out; the target is judged\n")
	b.printf("on the one between the smallest and largest N.")
	if b.tmpfsRuns != "" {
		b.printf(" *%s* is quire with `--runs-dir` on /dev/shm, so that\n", tmpfsCol)
		b.printf("its run log and workspace cost no disk: the difference is what the file system costs.")
	}
	b.printf("\n\n")
	if b.task == "" {
		b.printf("go-task: %s.\n\n", b.taskNote)
	}
	if b.make == "" {
		b.printf("GNU make is not installed, so there is no make column.\n\n")
	}
	for _, shape := range []string{"chain", "fan"} {
		type row struct {
			n   int
			med map[string]float64
		}
		var rows []row
		for _, n := range sizes {
			p, err := b.pipeline(fmt.Sprintf("%s%d", shape, n), pipelines.PerJob(shape, n))
			if err != nil {
				return err
			}
			if err := writeMakeAndTask(p.dir, shape, n); err != nil {
				return err
			}
			vs := []variant{{"quire", b.run(p, b.par), p.dir}}
			if b.tmpfsRuns != "" {
				vs = append(vs, variant{tmpfsCol, b.runIn(p, b.par, b.tmpfsRuns), p.dir})
			}
			if b.make != "" {
				vs = append(vs, variant{"make", []string{b.make, "-r", "-s", "-j" + strconv.Itoa(b.par), "-f", "Makefile", "all"}, p.dir})
			}
			if b.task != "" {
				vs = append(vs, variant{"task", []string{b.task, "--silent", "--concurrency", strconv.Itoa(b.par), "-t", "Taskfile.yml", "all"}, p.dir})
			}
			floorP := 1
			if shape == "fan" {
				floorP = b.par
			}
			vs = append(vs, variant{"floor", []string{b.floor, "-n", strconv.Itoa(n), "-p", strconv.Itoa(floorP), "sh", "-c", "true"}, p.dir})
			progress("%s of %d: %d rounds", shape, n, reps)
			times, err := b.measure(reps, vs...)
			if err != nil {
				return err
			}
			r := row{n: n, med: map[string]float64{}}
			for i, v := range vs {
				r.med[v.name] = ms(median(times[i]))
			}
			rows = append(rows, r)
		}
		var cols []string
		for _, c := range []string{"quire", tmpfsCol, "make", "task", "floor"} {
			if _, ok := rows[0].med[c]; ok {
				cols = append(cols, c)
			}
		}
		var ratios [][2]string
		for _, q := range [][2]string{{"quire", "floor"}, {"quire", "make"}, {"quire", "task"}, {tmpfsCol, "floor"}} {
			if slices.Contains(cols, q[0]) && slices.Contains(cols, q[1]) {
				ratios = append(ratios, q)
			}
		}
		b.printf("### %ss\n\n| N | %s |", shape, strings.Join(cols, " | "))
		for _, q := range ratios {
			b.printf(" %s / %s |", short(q[0]), q[1])
		}
		b.printf("\n|---:|%s%s\n", strings.Repeat("---:|", len(cols)), strings.Repeat("---:|", len(ratios)))
		line := func(label string, v map[string]float64) {
			b.printf("| %s |", label)
			for _, c := range cols {
				b.printf(" %s |", fmtMS(v[c]))
			}
			for _, q := range ratios {
				b.printf(" %s |", ratio(v[q[0]], v[q[1]]))
			}
			b.printf("\n")
		}
		for _, r := range rows {
			line(strconv.Itoa(r.n), r.med)
		}
		// The per-job cost: the slope between the smallest and the largest
		// pipeline (and between consecutive ones), or T/N with one size.
		slope := func(a, z row) map[string]float64 {
			m := map[string]float64{}
			for _, c := range cols {
				m[c] = (z.med[c] - a.med[c]) / float64(z.n-a.n)
			}
			return m
		}
		first, last := rows[0], rows[len(rows)-1]
		if len(rows) > 2 {
			for i := 1; i < len(rows); i++ {
				line(fmt.Sprintf("per job (%d→%d)", rows[i-1].n, rows[i].n), slope(rows[i-1], rows[i]))
			}
		}
		per := map[string]float64{}
		label := "per job (T/N)"
		if len(rows) > 1 {
			per = slope(first, last)
			label = fmt.Sprintf("per job (%d→%d)", first.n, last.n)
		} else {
			for _, c := range cols {
				per[c] = last.med[c] / float64(last.n)
			}
		}
		line("**"+label+"**", per)
		b.printf("\n")
		vsFloor := per["quire"] / per["floor"]
		got := fmt.Sprintf("%s per job, %s the floor's", fmtMS(per["quire"]), ratio(per["quire"], per["floor"]))

		met := vsFloor <= targetPerJob
		if b.make != "" {
			got += ", " + ratio(per["quire"], per["make"]) + " make's"
			met = met && per["quire"] <= per["make"]
		}
		if v, ok := per[tmpfsCol]; ok {
			got += fmt.Sprintf(" (runs dir on tmpfs: %s, %s the floor's)", fmtMS(v), ratio(v, per["floor"]))
		}
		b.target("per-job overhead, "+shape+"s", fmt.Sprintf("≤ %.1f× the floor and ≤ make", targetPerJob), got, met)
		if why := makeBeyondFloor(per["make"], per["floor"]); b.make != "" && why != "" {
			b.beyondFloor(why)
		}
	}
	return nil
}

// tmpfsCol names quire's figures with its runs directory on tmpfs.
const tmpfsCol = "quire, runs on tmpfs"

func short(col string) string {
	if col == tmpfsCol {
		return "tmpfs"
	}
	return col
}

// writeMakeAndTask writes the Makefile and Taskfile.yml of the same graph:
// target `all` depends on the last job of a chain, or on every job of a fan.
func writeMakeAndTask(dir, shape string, n int) error {
	var mk, tk strings.Builder
	var all []string
	if shape == "chain" {
		all = []string{fmt.Sprintf("j%d", n-1)}
	} else {
		for i := range n {
			all = append(all, fmt.Sprintf("j%d", i))
		}
	}
	mk.WriteString(".PHONY: all")
	for i := range n {
		fmt.Fprintf(&mk, " j%d", i)
	}
	fmt.Fprintf(&mk, "\nall: %s\n", strings.Join(all, " "))
	tk.WriteString("version: '3'\n\ntasks:\n")
	fmt.Fprintf(&tk, "  all:\n    deps: [%s]\n", strings.Join(all, ", "))
	for i := range n {
		dep := ""
		if shape == "chain" && i > 0 {
			dep = fmt.Sprintf("j%d", i-1)
		}
		fmt.Fprintf(&mk, "j%d: %s\n\t@sh -c true\n", i, dep)
		fmt.Fprintf(&tk, "  j%d:\n", i)
		if dep != "" {
			fmt.Fprintf(&tk, "    deps: [%s]\n", dep)
		}
		tk.WriteString("    cmds: [\"sh -c true\"]\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "Taskfile.yml"), []byte(tk.String()), 0o644)
}

// speedup runs independent sleeping jobs at --jobs 1 and --jobs N.
func (b *bench) speedup() error {
	n := speedupJobs
	if b.smoke {
		n = 2
	}
	var s strings.Builder
	s.WriteString("(local ci (require :quire.ci))\n")
	for i := range n {
		fmt.Fprintf(&s, "(ci.job :sleep%d [:quire/push] (fn [{: sh}] (sh \"sleep %s\") {}))\n", i, speedupSleepSec)
	}
	p, err := b.pipeline("speedup", s.String())
	if err != nil {
		return err
	}
	reps := b.repsOr(5)
	times, err := b.measure(reps, variant{"--jobs 1", b.run(p, 1), p.dir}, variant{"--jobs N", b.run(p, n), p.dir})
	if err != nil {
		return err
	}
	one, all := ms(median(times[0])), ms(median(times[1]))
	b.printf("## Parallel speedup\n\n")
	b.printf("%d independent jobs that each run `sleep %s`, at `--jobs 1` and `--jobs %d`; median of %d\n", n, speedupSleepSec, n, reps)
	b.printf("interleaved rounds. The ideal is %d× (%d × %s s against %s s), less start-up.\n\n", n, n, speedupSleepSec, speedupSleepSec)
	b.printf("| `--jobs 1` | `--jobs %d` | speedup |\n|---:|---:|---:|\n| %s | %s | **%s** |\n\n", n, fmtMS(one), fmtMS(all), ratio(one, all))
	b.target(fmt.Sprintf("parallel speedup, %d sleeping jobs", n), fmt.Sprintf("≥ %.0f× at --jobs %d", targetSpeedup, n), ratio(one, all), one/all >= targetSpeedup)
	return nil
}

// memory reports the generated binaries' sizes and peak memory.
func (b *bench) memory() error {
	reps := b.repsOr(3)
	how := "`/usr/bin/time -v` (GNU time)"
	if b.gnuTime == "" {
		how = "the wait4 rusage of `bench/cmd/maxrss`"
	}
	sizes := b.perJobSizes()
	big := sizes[len(sizes)-1]
	type row struct {
		what string
		bin  string
		argv []string
		dir  string
	}
	st, err := b.pipeline("startup", startupFennel)
	if err != nil {
		return err
	}
	var rows []row
	rows = append(rows, row{"1 job running `true`: `ci-bin run`", st.bin, b.run(st, 1), st.dir})
	rows = append(rows, row{"the same, interpreted (`interp ci.fnl run`)", "", append([]string{b.interp, st.file}, b.run(st, 1)[1:]...), st.dir})
	for _, shape := range []string{"chain", "fan"} {
		for _, n := range sizes {
			p, err := b.pipeline(fmt.Sprintf("%s%d", shape, n), pipelines.PerJob(shape, n))
			if err != nil {
				return err
			}
			r := row{fmt.Sprintf("%d-job %s: `ci-bin run --jobs %d`", n, shape, b.par), p.bin, b.run(p, b.par), p.dir}
			if n != big {
				r.argv = nil // size only
			}
			rows = append(rows, r)
		}
	}
	b.printf("## Binary size and peak memory\n\n")
	b.printf("Size of the generated binary (built `-trimpath -ldflags='-s -w'`), and the peak resident\n")
	b.printf("memory (maxrss) of a run, from %s: the largest of the process and the\n", how)
	b.printf("children it waited for; median of %d runs.\n\n", reps)
	b.printf("| pipeline | binary size | peak memory (maxrss) |\n|---|---:|---:|\n")
	for _, r := range rows {
		size := "–"
		if r.bin != "" {
			fi, err := os.Stat(r.bin)
			if err != nil {
				return err
			}
			size = fmt.Sprintf("%.1f MiB", float64(fi.Size())/(1<<20))
		}
		mem := "–"
		if r.argv != nil {
			var kbs []float64
			for range reps {
				kb, err := b.peak(r.argv, r.dir)
				if err != nil {
					return err
				}
				kbs = append(kbs, kb)
			}
			slices.Sort(kbs)
			mem = fmt.Sprintf("%.1f MiB", kbs[len(kbs)/2]/1024)
		}
		b.printf("| %s | %s | %s |\n", r.what, size, mem)
	}
	b.printf("\n")
	return nil
}

var maxrssRE = regexp.MustCompile(`(?m)^(?:\s*Maximum resident set size \(kbytes\): |maxrss )(\d+)\s*$`)

// peak runs argv once and returns its maxrss in KiB.
func (b *bench) peak(argv []string, dir string) (float64, error) {
	var c *exec.Cmd
	var report bytes.Buffer
	if b.gnuTime != "" {
		rep := filepath.Join(b.work, "time.txt")
		c = b.cmd(dir, b.gnuTime, append([]string{"-v", "-o", rep}, argv...)...)
		c.Stdout, c.Stderr = b.devnull, b.devnull
		if err := c.Run(); err != nil {
			return 0, fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
		}
		out, err := os.ReadFile(rep)
		if err != nil {
			return 0, err
		}
		report.Write(out)
	} else {
		c = b.cmd(dir, b.maxrss, argv...)
		c.Stdout, c.Stderr = b.devnull, &report
		if err := c.Run(); err != nil {
			return 0, fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, report.String())
		}
	}
	m := maxrssRE.FindAllStringSubmatch(report.String(), -1)
	if m == nil {
		return 0, fmt.Errorf("no maxrss in %q", report.String())
	}
	return strconv.ParseFloat(m[len(m)-1][1], 64)
}

var cachedRE = regexp.MustCompile(`\|\s*(\d+)\s*\|[^|]*\|[^|]*\|\s*([0-9.]+) ms`)

// compile runs bench/compile.sh and keeps its table.
func (b *bench) compile() error {
	args := []string{filepath.Join(b.root, "bench", "compile.sh")}
	if b.smoke {
		args = append(args, "--smoke", "2")
	} else {
		args = append(args, "--reps", strconv.Itoa(b.repsOr(3)), "1", "100", "1000")
	}
	progress("%s", strings.Join(args, " "))
	c := b.cmd(b.root, args[0], args[1:]...)
	var stderr bytes.Buffer
	c.Stderr = io.MultiWriter(&stderr, os.Stderr)
	out, err := c.Output()
	if err != nil {
		return fmt.Errorf("compile.sh: %v\n%s", err, stderr.String())
	}
	b.printf("## Compile\n\n")
	b.printf("`bench/compile.sh %s`: `quire compile` of pipelines of N jobs (each its own run-fn, chains\n", strings.Join(args[1:], " "))
	b.printf("of ten) with empty Go and quire caches (**cold**), with the Go build cache warm but the quire\n")
	b.printf("cache empty (**warm Go cache**: evaluate, generate, `go build`), and with nothing changed\n")
	b.printf("(**cached**: quire copies the binary it built). Process start included.\n\n")
	b.printf("%s\n", strings.TrimSpace(string(out)))
	b.printf("\n")
	worst, worstN := 0.0, ""
	for _, m := range cachedRE.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		if v >= worst {
			worst, worstN = v, m[1]
		}
	}
	if worstN == "" {
		return fmt.Errorf("compile.sh printed no cached figures:\n%s", out)
	}
	b.target("cached compile", fmt.Sprintf("< %.0f ms", targetCachedMS), fmt.Sprintf("%.1f ms at worst (%s job(s))", worst, worstN), worst < targetCachedMS)
	return nil
}

func (b *bench) printTargets() {
	b.printf("## Targets\n\n| target | wanted | measured | met? |\n|---|---|---|---|\n")
	for _, t := range b.targets {
		met := "**missed**"
		if t.met {
			met = "met"
		}
		b.printf("| %s | %s | %s | %s |\n", t.name, t.want, t.got, met)
	}
	b.printf("\n")
	for _, t := range b.targets {
		if t.beyond != "" && !t.met {
			b.printf("Out of reach on this machine, %s: %s.\n\n", t.name, t.beyond)
		}
	}
	if b.smoke {
		b.printf("(A smoke run: N=2 and one repetition; these figures mean nothing.)\n")
	}
}

// machine describes where the figures were measured.
type machine struct {
	date, nproc, cpu, mem, kernel, goVersion, quire, git, make, task, sh, load string
}

func readMachine(b *bench) machine {
	first := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).Output()
		if err != nil {
			return "?"
		}
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	m := machine{
		date:      time.Now().Format("2006-01-02 15:04 MST"),
		nproc:     strconv.Itoa(b.par),
		kernel:    first("uname", "-sr"),
		goVersion: first("go", "version"),
		git:       first("git", "--version"),
		cpu:       "?",
		mem:       "?",
	}
	if out, err := exec.Command("git", "-C", b.root, "describe", "--tags", "--always", "--dirty").Output(); err == nil {
		m.quire = strings.TrimSpace(string(out))
	}
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(info), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if info, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		if _, err := fmt.Sscanf(strings.SplitN(string(info), "\n", 2)[0], "MemTotal: %g kB", &kb); err == nil {
			m.mem = fmt.Sprintf("%.1f GiB", kb/(1<<20))
		}
	}
	if b.make != "" {
		m.make = first(b.make, "--version")
	}
	if b.task != "" {
		m.task = "go-task " + first(b.task, "--version")
	}
	if t, err := filepath.EvalSymlinks("/bin/sh"); err == nil {
		m.sh = t
	}
	m.load = loadavg()
	return m
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (b *bench) machineSection() string {
	m := b.startMach
	var s strings.Builder
	fmt.Fprintf(&s, "## Machine\n\n| | |\n|---|---|\n")
	fmt.Fprintf(&s, "| date | %s |\n", m.date)
	fmt.Fprintf(&s, "| nproc | %s |\n", m.nproc)
	fmt.Fprintf(&s, "| CPU | %s |\n", m.cpu)
	fmt.Fprintf(&s, "| memory | %s |\n", m.mem)
	fmt.Fprintf(&s, "| kernel | %s |\n", m.kernel)
	fmt.Fprintf(&s, "| go | %s |\n", m.goVersion)
	fmt.Fprintf(&s, "| quire | %s |\n", m.quire)
	tools := []string{m.git, "/bin/sh → " + m.sh}
	if m.make != "" {
		tools = append(tools, m.make)
	}
	if m.task != "" {
		tools = append(tools, m.task)
	}
	fmt.Fprintf(&s, "| tools | %s |\n", strings.Join(tools, ", "))
	fmt.Fprintf(&s, "| load average | %s at the start, %s at the end |\n\n", m.load, loadavg())
	if b.smoke {
		s.WriteString("A smoke run (`--smoke`): N=2, one repetition. These figures mean nothing.\n\n")
	}
	return s.String()
}
