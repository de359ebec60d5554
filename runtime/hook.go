package runtime

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// PipelinePath is where a repository keeps its pipeline.
const PipelinePath = ".quire/ci.fnl"

// zeroSHA is what git sends for a ref that did not exist, or was deleted.
var zeroSHA = regexp.MustCompile(`^0+$`)

// An update is one line of post-receive's standard input.
type update struct {
	Old, New, Ref string
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// parseUpdates reads post-receive's standard input: "<old> <new> <ref>"
// lines. Malformed lines are reported through warn and skipped; deletions
// start no run.
func parseUpdates(r io.Reader, warn func(string)) []update {
	var out []update
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || !shaPattern.MatchString(f[0]) || !shaPattern.MatchString(f[1]) || !strings.HasPrefix(f[2], "refs/") {
			warn(fmt.Sprintf("skipping malformed line %d of the hook's input: %q (want \"<old-sha> <new-sha> <ref>\")", n, truncate(line, 120)))
			continue
		}
		if zeroSHA.MatchString(f[1]) {
			continue // a deletion: nothing to build
		}
		u := update{Old: f[0], New: f[1], Ref: f[2]}
		if zeroSHA.MatchString(u.Old) {
			u.Old = ""
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		warn(fmt.Sprintf("reading the hook's input: %v", err))
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// cmdPostReceive runs the pipeline as git's post-receive hook: one run per
// updated ref, in order. Unless --wait is given, each run is started in
// the background, in a session of its own so it outlives the push, and
// the pusher sees one line per run with its id and log directory.
func cmdPostReceive(p *Pipeline, prog string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog+" post-receive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var spec runSpec
	runFlags(fs, &spec)
	wait := fs.Bool("wait", false, "run in the foreground and exit with the runs' status")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if spec.GitDir == "" {
		spec.GitDir = os.Getenv("GIT_DIR") // git sets it for hooks
	}
	if spec.GitDir == "" {
		// Started by hand: the repository around the current directory.
		out, err := exec.Command("git", "rev-parse", "--absolute-git-dir").Output()
		if err != nil {
			fmt.Fprintln(stderr, "quire: not in a git repository and GIT_DIR is not set; pass --git-dir")
			return exitUsage
		}
		spec.GitDir = strings.TrimSpace(string(out))
	}
	dir, err := filepath.Abs(spec.GitDir)
	if err != nil {
		fmt.Fprintf(stderr, "quire: %v\n", err)
		return exitUsage
	}
	spec.GitDir = dir
	if spec.RunsDir == "" {
		spec.RunsDir = filepath.Join(dir, "quire", "runs")
	}
	updates := parseUpdates(stdin, func(msg string) { fmt.Fprintf(stderr, "quire: %s\n", msg) })
	status := exitOK
	for _, u := range updates {
		s := spec
		s.Ref, s.SHA, s.PreviousSHA = u.Ref, u.New, u.Old
		s.RunID = NewRunID(time.Now())
		logDir := filepath.Join(s.RunsDir, s.RunID)
		if *wait {
			// runOnce warns about staleness itself, on this same output.
			fmt.Fprintf(stdout, "quire: run %s for %s: %s\n", s.RunID, u.Ref, logDir)
			if st := runOnce(p, prog, s, stdout, stderr); st > status {
				status = st
			}
			continue
		}
		if warning := staleness(p, dir, u.New); warning != "" {
			fmt.Fprintf(stdout, "quire: warning: %s\n", warning)
		}
		if err := startDetached(s); err != nil {
			fmt.Fprintf(stderr, "quire: could not start the run for %s: %v\n", u.Ref, err)
			status = exitUsage
			continue
		}
		fmt.Fprintf(stdout, "quire: run %s for %s started: %s\n", s.RunID, u.Ref, logDir)
	}
	return status
}

// startDetached starts `<this binary> run …` for spec in a new session,
// with no terminal and its console output in the run directory, and does
// not wait for it.
func startDetached(spec runSpec) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	logDir := filepath.Join(spec.RunsDir, spec.RunID)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(filepath.Join(logDir, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	args := []string{"run", "--git-dir", spec.GitDir, "--ref", spec.Ref, "--sha", spec.SHA,
		"--runs-dir", spec.RunsDir, "--run-id", spec.RunID}
	if spec.PreviousSHA != "" {
		args = append(args, "--previous-sha", spec.PreviousSHA)
	}
	if spec.Jobs > 0 {
		args = append(args, "--jobs", fmt.Sprint(spec.Jobs))
	}
	if spec.Config != "" {
		args = append(args, "--config", spec.Config)
	}
	if spec.KeepWorkspace {
		args = append(args, "--keep-workspace")
	}
	if spec.Timeout > 0 {
		args = append(args, "--timeout", spec.Timeout.String())
	}
	cmd := exec.Command(self, args...)
	cmd.Env = hookFreeEnv(os.Environ())
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	// Not waited for: the run belongs to its own session now.
	return cmd.Process.Release()
}

// staleness compares the pipeline the binary was compiled from with the
// one in the pushed commit and returns a warning when they differ.
func staleness(p *Pipeline, gitDir, sha string) string {
	if p.SHA256 == "" {
		return ""
	}
	cmd := exec.Command("git", "--git-dir", gitDir, "cat-file", "blob", sha+":"+PipelinePath)
	cmd.Env = hookFreeEnv(os.Environ())
	src, err := cmd.Output()
	if err != nil {
		return fmt.Sprintf("commit %.12s has no %s; this binary runs the pipeline it was compiled from", sha, PipelinePath)
	}
	sum := sha256.Sum256(src)
	if hex.EncodeToString(sum[:]) == p.SHA256 {
		return ""
	}
	return fmt.Sprintf("%s in commit %.12s differs from the one this binary was compiled from; recompile it: quire compile %s -o %s", PipelinePath, sha, PipelinePath, selfPath())
}

func selfPath() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "ci-bin"
}
