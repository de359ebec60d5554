package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/compiler/fennel"
	"github.com/quire-ci/quire/gen"
	"github.com/quire-ci/quire/runtime"
)

const runHelp = `Run compiles FILE (default .quire/ci.fnl at the top of the repository) like
quire compile, cached, and runs the pipeline against the git repository in
the current directory, as a push of REF would (default: the current branch,
e.g. refs/heads/main, at the commit it points to). Jobs see the committed
tree, not uncommitted changes; FILE itself is taken as it is on disk.

The binary is kept at GIT_DIR/quire/ci-bin and the run's log under
GIT_DIR/quire/runs, as for runs started by the hook. The exit status is the
run's: 0 when every job succeeded or skipped, 1 when one failed, 2 when the
run could not start.
`

// runOwnFlags are the binary's run flags that quire run sets itself.
var runOwnFlags = []string{"git-dir", "ref", "no-stale-check"}

// run implements `quire run [FILE] [--ref R] [flags of the binary's run]`.
func (e *env) run(args []string) int {
	fs := e.newFlags("run", "run [--ref REF] [--sha SHA] [--jobs N] [--config FILE] [--timeout D] [flags] [FILE]\n\n"+runHelp)
	ref := fs.String("ref", "", "the ref to run for (default: the current branch)")
	// Every other flag of the binary's run is taken and passed on as it
	// is, so the two commands cannot drift apart.
	binFlags := flag.NewFlagSet("run", flag.ContinueOnError)
	runtime.RunFlags(binFlags)
	passed := map[string]bool{}
	binFlags.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(runOwnFlags, f.Name) {
			fs.Var(f.Value, f.Name, f.Usage)
			passed[f.Name] = true
		}
	})
	force := fs.Bool("force", false, "rebuild even if the cache holds the binary")
	fennelPath := fs.String("fennel", "", "the fennel.lua to use")
	pos, err := e.parse(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) > 1 {
		fmt.Fprintf(e.stderr, "quire run: expected one pipeline file, got %d\n", len(pos))
		return exitUsage
	}

	gitDir, err := gitOut(".", "rev-parse", "--absolute-git-dir")
	if err != nil {
		return e.fail(errors.New("quire run runs the pipeline against the git repository in the current directory, and this is not one (git rev-parse --git-dir failed)"))
	}
	refGiven := *ref != ""
	if !refGiven {
		r, err := gitOut(".", "symbolic-ref", "-q", "HEAD")
		if err != nil || r == "" {
			return e.fail(errors.New("HEAD is not on a branch (detached); name the ref to run for with --ref, e.g. --ref refs/heads/main"))
		}
		*ref = r
	} else if !strings.HasPrefix(*ref, "refs/") {
		// Accept a short name the way git does: main, v1.0.
		full, err := gitOut(".", "rev-parse", "--symbolic-full-name", *ref)
		if err != nil || !strings.HasPrefix(full, "refs/") {
			return e.fail(fmt.Errorf("--ref %s: not a branch or tag of this repository (give the full ref, e.g. refs/heads/%s)", *ref, *ref))
		}
		*ref = full
	}
	// Checked before the build, so that the first `quire run` of a new
	// repository says what is missing rather than fail in git log.
	if _, err := gitOut(".", "rev-parse", "--verify", "-q", *ref+"^{commit}"); err != nil {
		if !refGiven {
			return e.fail(fmt.Errorf("the current branch (%s) has no commits yet; quire run runs the pipeline against the committed tree, so commit first", *ref))
		}
		return e.fail(fmt.Errorf("--ref %s: no such branch or tag in this repository", *ref))
	}

	var file string
	if len(pos) == 1 {
		file = pos[0]
	} else {
		file = defaultPipelineIn(".") // may ask git for the top
	}
	fnl, err := fennel.Find(*fennelPath)
	if err != nil {
		return e.fail(err)
	}
	bin := filepath.Join(gitDir, "quire", "ci-bin")
	_, err = gen.Build(context.Background(), gen.BuildOptions{
		File:         file,
		Out:          bin,
		FennelPath:   fnl,
		QuireVersion: Version(),
		Load: func() (*compiler.Pipeline, error) {
			return compiler.Load(file, compiler.Options{FennelPath: fnl})
		},
		Force:    *force,
		Progress: e.stderr,
		Skip:     []string{gitDir},
	})
	if err != nil {
		return e.fail(err)
	}

	binArgs := []string{"run", "--git-dir", gitDir, "--ref", *ref, "--no-stale-check"}
	fs.Visit(func(f *flag.Flag) {
		if passed[f.Name] {
			binArgs = append(binArgs, "--"+f.Name+"="+f.Value.String())
		}
	})
	return e.runBinary(bin, binArgs)
}

// defaultPipelineIn returns the pipeline quire run reads when given none:
// .quire/ci.fnl here, else at the top of the working tree dir is in.
func defaultPipelineIn(dir string) string {
	if _, err := os.Stat(filepath.Join(dir, DefaultPipeline)); err == nil {
		return DefaultPipeline
	}
	top, err := gitOut(dir, "rev-parse", "--show-toplevel")
	if err != nil || top == "" {
		return DefaultPipeline
	}
	p := filepath.Join(top, DefaultPipeline)
	if _, err := os.Stat(p); err != nil {
		return DefaultPipeline
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil {
			return rel
		}
	}
	return p
}

// runBinary runs the pipeline binary with args, its output going to
// quire's, and returns its exit status. Interrupts and terminations are
// passed on, and quire waits for the run to wind down.
func (e *env) runBinary(bin string, args []string) int {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = e.stdout, e.stderr
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return e.fail(fmt.Errorf("run %s: %w", bin, err))
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	if err == nil {
		return exitOK
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if code := exit.ExitCode(); code >= 0 {
			return code
		}
		fmt.Fprintf(e.stderr, "quire: the run was killed: %v\n", exit)
		return exitInvalid
	}
	return e.fail(fmt.Errorf("run %s: %w", bin, err))
}
