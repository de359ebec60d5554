package runtime

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// PipelinePath is where a repository keeps its pipeline.
const PipelinePath = ".quire/ci.fnl"

// isZeroSHA reports whether s is what git sends for a ref that did not
// exist, or was deleted.
func isZeroSHA(s string) bool { return strings.Trim(s, "0") == "" }

// An update is one line of post-receive's standard input.
type update struct {
	Old, New, Ref string
}

// isSHA reports whether s is a full object id, SHA-1 or SHA-256, as git
// writes it. (Plain code rather than a regexp: a package-level regexp is
// compiled at the start of every run of the binary, hook or not.)
func isSHA(s string) bool {
	return (len(s) == 40 || len(s) == 64) && strings.Trim(s, "0123456789abcdef") == ""
}

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
		if len(f) != 3 || !isSHA(f[0]) || !isSHA(f[1]) || !strings.HasPrefix(f[2], "refs/") {
			warn(fmt.Sprintf("skipping malformed line %d of the hook's input: %q (want \"<old-sha> <new-sha> <ref>\")", n, truncate(line, 120)))
			continue
		}
		if isZeroSHA(f[1]) {
			continue // a deletion: nothing to build
		}
		u := update{Old: f[0], New: f[1], Ref: f[2]}
		if isZeroSHA(u.Old) {
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
	var spec runSpec
	sharedFlags(fs, &spec)
	wait := fs.Bool("wait", false, "run in the foreground and exit with the runs' status")
	maxRuns := fs.Int("max-runs", DefaultMaxRuns, "start at most N runs for one push (0: no limit)")
	if status, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return status
	}
	if err := checkShared(&spec); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	if *maxRuns < 0 {
		// Not "no limit": that is 0, and a typo must not lift the bound.
		fmt.Fprintf(stderr, "%s: --max-runs %d: give the most runs one push may start, or 0 for no limit\n", prog, *maxRuns)
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
	// The runs start in another process, in "/": paths given relative to
	// here must not change meaning on the way.
	err := spec.resolveDirs()
	if err == nil && spec.Config != "" {
		spec.Config, err = filepath.Abs(spec.Config)
	}
	if err != nil {
		fmt.Fprintf(stderr, "quire: %v\n", err)
		return exitUsage
	}
	dir := spec.GitDir
	spec.PushedAt = time.Now()
	updates := parseUpdates(stdin, func(msg string) { fmt.Fprintf(stderr, "quire: %s\n", msg) })
	if *maxRuns > 0 && len(updates) > *maxRuns {
		fmt.Fprintf(stdout, "quire: this push updates %d refs; running the first %d (--max-runs), not the other %d\n",
			len(updates), *maxRuns, len(updates)-*maxRuns)
		updates = updates[:*maxRuns]
	}
	// A config the runs cannot read stops every one of them at once: say
	// so to the pusher now, rather than announce runs that will not run.
	if len(updates) > 0 {
		if _, err := loadConfig(spec.Config, NewConsole(io.Discard)); err != nil {
			fmt.Fprintf(stderr, "quire: %v; no runs started\n", err)
			return exitUsage
		}
	}
	status := exitOK
	var queue []runSpec
	var started []string         // what the pusher is told once the runs are started
	checked := map[string]bool{} // commits checked for staleness
	for _, u := range updates {
		s := spec
		s.Ref, s.SHA, s.PreviousSHA = u.Ref, u.New, u.Old
		s.RunID = NewRunID(spec.PushedAt)
		logDir := filepath.Join(s.RunsDir, s.RunID)
		if *wait {
			// runOnce warns about staleness itself, on this same output.
			fmt.Fprintf(stdout, "quire: run %s for %s: %s\n", s.RunID, u.Ref, logDir)
			if st := runOnce(p, prog, s, stdout, stderr); st > status {
				status = st
			}
			continue
		}
		// Each check runs git; a push of thousands of refs must still
		// return at once, and every run's log records staleness anyway.
		// Refs pushed at one commit (a branch and its tag) share one.
		if len(checked) < maxStaleChecks && !checked[u.New] {
			checked[u.New] = true
			if warning := staleness(p, dir, u.New); warning != "" {
				fmt.Fprintf(stdout, "quire: warning: %s\n", warning)
			}
		}
		queue = append(queue, s)
		started = append(started, fmt.Sprintf("quire: run %s for %s started: %s\n", s.RunID, u.Ref, logDir))
	}
	if len(queue) > 0 {
		if err := startDetached(queue); err != nil {
			fmt.Fprintf(stderr, "quire: could not start the runs: %v\n", err)
			return exitUsage
		}
	}
	// Only now are the runs on their way.
	for _, line := range started {
		io.WriteString(stdout, line)
	}
	return status
}

// DefaultMaxRuns bounds the runs one push starts: a push of thousands of
// refs (an import, a mirror) should not queue thousands of CI runs.
const DefaultMaxRuns = 100

// maxStaleChecks bounds the staleness checks the hook makes before the
// push returns.
const maxStaleChecks = 8

// startDetached starts one background process, in a new session with no
// terminal, that runs the queued runs one after another, in push order,
// and does not wait for it. One process rather than one per ref: a push
// of thousands of refs must not start thousands of runs at once.
func startDetached(queue []runSpec) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	first := queue[0]
	if err := os.MkdirAll(first.RunsDir, 0o755); err != nil {
		return err
	}
	qf, err := os.CreateTemp(first.RunsDir, ".queue-*.json")
	if err != nil {
		return err
	}
	if err := json.NewEncoder(qf).Encode(queue); err != nil {
		qf.Close()
		os.Remove(qf.Name())
		return err
	}
	if err := qf.Close(); err != nil {
		return err
	}
	cmd := exec.Command(self, "run-queue", qf.Name())
	cmd.Env = HookFreeEnv(os.Environ())
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		os.Remove(qf.Name())
		return err
	}
	// Not waited for: the runs belong to their own session now.
	return cmd.Process.Release()
}

// cmdRunQueue runs the runs a post-receive hook queued, in order, each
// with its console output in its own run directory.
func cmdRunQueue(p *Pipeline, prog string, args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "usage: %s run-queue FILE\n", prog)
		return exitUsage
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	os.Remove(args[0])
	var queue []runSpec
	if err := json.Unmarshal(b, &queue); err != nil {
		fmt.Fprintf(stderr, "%s: read the run queue: %v\n", prog, err)
		return exitUsage
	}
	status := exitOK
	for _, spec := range queue {
		logDir := filepath.Join(spec.RunsDir, spec.RunID)
		if err := os.MkdirAll(logDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			status = exitUsage
			continue
		}
		out, err := os.OpenFile(filepath.Join(logDir, "console.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			status = exitUsage
			continue
		}
		if st := runOnce(p, prog, spec, out, out); st > status {
			status = st
		}
		out.Close()
	}
	return status
}

// staleness compares the pipeline the binary was compiled from with the
// one in the pushed commit and returns a warning when they differ.
func staleness(p *Pipeline, gitDir, sha string) string {
	if p.SHA256 == "" {
		return ""
	}
	src, err := gitCommand(gitDir, "cat-file", "blob", sha+":"+PipelinePath).Output()
	if err != nil {
		// Not a commit with no pipeline, but no commit at all: the run
		// will say so; "has no ci.fnl" would mislead.
		if gitCommand(gitDir, "cat-file", "-e", sha+"^{commit}").Run() != nil {
			return ""
		}
	}
	return stalenessOf(p, sha, src, err == nil)
}

// stalenessOf compares src, the pushed commit's pipeline (found says
// whether it has one), with the pipeline the binary was compiled from.
func stalenessOf(p *Pipeline, sha string, src []byte, found bool) string {
	if p.SHA256 == "" {
		return ""
	}
	if !found {
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
