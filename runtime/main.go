package runtime

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Exit statuses of the generated binary.
const (
	exitOK     = 0
	exitFailed = 1 // a job failed
	exitUsage  = 2 // bad invocation or environment
)

const binaryUsage = `%[1]s runs the CI pipeline compiled from %[2]s.

Usage:
  %[1]s run --git-dir DIR --ref REF [--sha SHA] [flags]   run the pipeline for one ref
  %[1]s post-receive [--wait] [flags]                     act as git's post-receive hook (stdin: "<old> <new> <ref>" lines)
  %[1]s jobs                                             list the jobs in the order they can run
  %[1]s graph [--format dot|mermaid]                     print the job graph
  %[1]s version                                          print quire's version and the ci.fnl hash

Flags of run and post-receive:
  --git-dir DIR     the repository (post-receive: default $GIT_DIR, else the current one)
  --jobs N          run up to N jobs at once (default: the number of CPUs)
  --config FILE     the secrets config (default %[3]s, else none)
  --keep-workspace  keep the checked-out tree after the run
  --runs-dir DIR    where run logs go (default GIT_DIR/quire/runs)
  --timeout D       stop the run after D (e.g. 30m)
  --grace D         how long a stopped command gets between SIGTERM and SIGKILL (default %[4]s)

Flags of run only:
  --ref REF         the ref that was pushed, e.g. refs/heads/main
  --sha SHA         the pushed commit (default: what the ref points at)
  --previous-sha SHA  what the ref pointed at before the push
  --run-id ID       the run's id (default: made from the time)
  --no-stale-check  do not compare the pushed .quire/ci.fnl with the compiled one

Flags of post-receive only:
  --wait            run in the foreground, one run after another, and exit with their status
  --max-runs N      start at most N runs for one push (default %[5]d; 0: no limit)
`

// Main is the generated binary's main: it reads os.Args and returns the
// exit status.
func Main(p *Pipeline) int {
	// A run makes a Lua state per job and keeps little of it: the live
	// heap is a few megabytes, so Go's default (collect when the heap has
	// doubled) collected every few jobs and took a tenth of a run's CPU.
	// Collecting at five times the live heap costs a few megabytes more.
	// GOGC, when set, still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	return Invoke(p, os.Args, os.Stdin, os.Stdout, os.Stderr)
}

// Invoke runs the binary's command line args (args[0] is the program name)
// with the given output streams.
func Invoke(p *Pipeline, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	prog := filepath.Base(args[0])
	usage := func(w io.Writer) {
		fmt.Fprintf(w, binaryUsage, prog, p.File, DefaultConfig, DefaultGrace, DefaultMaxRuns)
	}
	// Installed as a repository's hook, the binary is invoked by that name,
	// with no arguments (git passes none) or post-receive's own flags
	// (--wait, …). A subcommand still selects that command: the runs the
	// hook starts in the background are `<this binary> run …`, and this
	// binary is the hook, so without this they would act as the hook
	// again, read an empty stdin and never run (cmd/quire's push_hook
	// script covers it).
	if prog == "post-receive" && (len(args) < 2 || strings.HasPrefix(args[1], "-")) {
		return cmdPostReceive(p, prog, args[1:], stdin, stdout, stderr)
	}
	if len(args) < 2 {
		usage(stderr)
		return exitUsage
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "run":
		return cmdRun(p, prog, rest, stdout, stderr)
	case "post-receive":
		return cmdPostReceive(p, prog, rest, stdin, stdout, stderr)
	case "run-queue": // started by post-receive; not for people
		return cmdRunQueue(p, prog, rest, stderr)
	case "jobs":
		for _, id := range p.Order {
			j := jobByID(p, id)
			fmt.Fprintf(stdout, "%s\t<- %s\n", id, strings.Join(j.Inputs, ", "))
		}
		return exitOK
	case "graph":
		return cmdGraph(p, rest, stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "quire %s\n%s sha256 %s\nfennel %s\n", p.QuireVersion, p.File, p.SHA256, p.FennelVersion)
		return exitOK
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n\n", prog, cmd)
	usage(stderr)
	return exitUsage
}

func jobByID(p *Pipeline, id string) *Job {
	for _, j := range p.Jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// runSpec is everything one run needs to know.
type runSpec struct {
	GitDir, Ref, SHA, PreviousSHA string
	Jobs                          int
	Config, RunsDir, RunID        string
	KeepWorkspace, NoStaleCheck   bool
	Timeout                       time.Duration
	Grace                         time.Duration // SIGTERM to SIGKILL; see RunOptions.Grace
	// PushedAt is when the hook read the push; a run the hook queued may
	// start later. Zero means now.
	PushedAt time.Time
}

// sharedFlags defines the flags that `run` and `post-receive` both take:
// how a run is carried out, whichever ref it is for. post-receive passes
// them on to the runs it starts.
func sharedFlags(fs *flag.FlagSet, spec *runSpec) {
	fs.StringVar(&spec.GitDir, "git-dir", "", "the repository that was pushed to")
	fs.IntVar(&spec.Jobs, "jobs", 0, "run up to N jobs at once (default: the number of CPUs)")
	fs.StringVar(&spec.Config, "config", "", "the secrets config (default "+DefaultConfig+", else none)")
	fs.BoolVar(&spec.KeepWorkspace, "keep-workspace", false, "keep the checked-out tree after the run")
	fs.StringVar(&spec.RunsDir, "runs-dir", "", "where run logs go (default GIT_DIR/quire/runs)")
	fs.DurationVar(&spec.Timeout, "timeout", 0, "stop the run after this long (e.g. 30m); 0 means no limit")
	fs.DurationVar(&spec.Grace, "grace", DefaultGrace, "how long a stopped command gets between SIGTERM and SIGKILL")
}

// parseFlags parses args into fs. ok is false when the command should
// stop with status: a usage error, reported on stderr, or help asked for
// (-h, --help), printed on stdout, which is not an error.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (status int, ok bool) {
	var out bytes.Buffer
	fs.SetOutput(&out)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		stdout.Write(out.Bytes())
		return exitOK, false
	case err != nil:
		stderr.Write(out.Bytes())
		return exitUsage, false
	}
	return exitOK, true
}

// checkShared rejects values of the shared flags that mean nothing.
func checkShared(spec *runSpec) error {
	if spec.Grace <= 0 {
		return fmt.Errorf("--grace %s: a stopped command needs some time to exit; give a positive duration such as 5s", spec.Grace)
	}
	return nil
}

// resolveDirs makes spec's repository absolute and fills in its runs
// directory, by default GIT_DIR/quire/runs, also absolute: the hook's runs
// start in "/", and a relative path must not change meaning on the way.
func (spec *runSpec) resolveDirs() error {
	dir, err := filepath.Abs(spec.GitDir)
	if err != nil {
		return err
	}
	spec.GitDir = dir
	if spec.RunsDir == "" {
		spec.RunsDir = filepath.Join(dir, "quire", "runs")
	}
	spec.RunsDir, err = filepath.Abs(spec.RunsDir)
	return err
}

// RunFlags defines the flags of the binary's run command on fs, for a
// tool that passes them on (quire run); what fs parses is not used here.
func RunFlags(fs *flag.FlagSet) { runFlags(fs, new(runSpec)) }

// runFlags defines the flags of `run`: the shared ones and those naming
// the one ref it runs for, which post-receive reads from its input
// instead (and so rejects as flags rather than ignore them).
func runFlags(fs *flag.FlagSet, spec *runSpec) {
	sharedFlags(fs, spec)
	fs.StringVar(&spec.Ref, "ref", "", "the ref that was pushed, e.g. refs/heads/main")
	fs.StringVar(&spec.SHA, "sha", "", "the pushed commit (default: what the ref points at)")
	fs.StringVar(&spec.PreviousSHA, "previous-sha", "", "what the ref pointed at before the push, if anything")
	fs.StringVar(&spec.RunID, "run-id", "", "the run's id (default: made from the time)")
	fs.BoolVar(&spec.NoStaleCheck, "no-stale-check", false, "do not compare the pushed .quire/ci.fnl with the compiled one (quire run just compiled it)")
}

func cmdRun(p *Pipeline, prog string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog+" run", flag.ContinueOnError)
	var spec runSpec
	runFlags(fs, &spec)
	if status, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return status
	}
	var missing []string
	if spec.GitDir == "" {
		missing = append(missing, "--git-dir")
	}
	if spec.Ref == "" {
		missing = append(missing, "--ref")
	}
	if len(missing) > 0 || fs.NArg() > 0 {
		if len(missing) > 0 {
			verb := "is"
			if len(missing) > 1 {
				verb = "are"
			}
			fmt.Fprintf(stderr, "%s run: %s %s required\n", prog, strings.Join(missing, " and "), verb)
		} else {
			fmt.Fprintf(stderr, "%s run: unexpected argument %q (everything is given by flags)\n", prog, fs.Arg(0))
		}
		fmt.Fprintf(stderr, "usage: %s run --git-dir DIR --ref REF [flags]; %s run --help lists the flags\n", prog, prog)
		return exitUsage
	}
	if err := checkShared(&spec); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	if spec.RunID != "" {
		// A run id from the command line must not name a run that
		// exists: the two runs' logs would mix. (The hook's runs get
		// theirs made, and their directories already hold console.log.)
		if err := validRunID(spec.RunID); err != nil {
			fmt.Fprintf(stderr, "%s: --run-id: %v\n", prog, err)
			return exitUsage
		}
		if err := spec.resolveDirs(); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return exitUsage
		}
		if _, err := os.Lstat(filepath.Join(spec.RunsDir, spec.RunID)); err == nil {
			fmt.Fprintf(stderr, "%s: --run-id %s: %s already holds a run with that id; each run needs its own\n", prog, spec.RunID, spec.RunsDir)
			return exitUsage
		}
	}
	return runOnce(p, prog, spec, stdout, stderr)
}

// validRunID checks that id names a directory of its own right under the
// runs directory: not a path, not hidden (the runs directory's temporary
// files are) and not the latest link.
func validRunID(id string) error {
	switch {
	case id == "." || id == ".." || strings.ContainsAny(id, `/\`) || strings.ContainsRune(id, 0):
		return fmt.Errorf("%q is not a plain name; a run id names a directory in the runs directory", id)
	case strings.HasPrefix(id, "."):
		return fmt.Errorf("%q begins with a dot, which the runs directory keeps for its temporary files", id)
	case id == "latest":
		return fmt.Errorf(`"latest" is the link to the newest run`)
	}
	return nil
}

// runOnce runs the pipeline for one ref and returns the exit status: 0 when
// every job succeeded or skipped, 1 when one failed or the run was stopped,
// 2 when it could not start.
func runOnce(p *Pipeline, prog string, spec runSpec, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	if err := spec.resolveDirs(); err != nil {
		return fail(err)
	}
	dir := spec.GitDir
	con := NewConsole(stdout)
	secrets, err := loadConfig(spec.Config, con)
	if err != nil {
		return fail(err)
	}
	con.SetRedactor(secrets.Redact)
	if spec.RunID == "" {
		spec.RunID = NewRunID(time.Now())
	}
	// Signals and --timeout count from here: a run stopped while its tree
	// is checked out still ends as cancelled, with its log finished.
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if s, ok := <-sigs; ok {
			cancel(fmt.Errorf("stopped by %v", s))
		}
	}()
	if spec.Timeout > 0 {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeoutCause(ctx, spec.Timeout, fmt.Errorf("the run took longer than --timeout %s", spec.Timeout))
		defer cancelTimeout()
	}
	// The tree is checked out while git log reads the commit: each git
	// process is ~1.5 ms of a run's start. The archive says which commit
	// it holds; should the ref have moved in between, the commit the push
	// names is checked out again.
	runDir := filepath.Join(spec.RunsDir, spec.RunID)
	ws := filepath.Join(runDir, "workspace")
	rev := cmp.Or(spec.SHA, spec.Ref)
	type checkout struct {
		commit string
		err    error
	}
	// The run locks its directory before it makes its workspace, and
	// holds the lock to the end, so that a later run can tell a workspace
	// whose run died (and remove it) from one still in use.
	var lock *os.File
	lockDir := sync.OnceValue(func() (err error) {
		lock, err = lockRunDir(runDir)
		return err
	})
	defer func() {
		if lock != nil {
			lock.Close()
		}
	}()
	makeWorkspace := func() error {
		if err := lockDir(); err != nil {
			return fmt.Errorf("lock the run directory: %w", err)
		}
		return os.MkdirAll(ws, 0o755)
	}
	archived := make(chan checkout, 1)
	go func() {
		commit, err := materialize(dir, rev, ws, makeWorkspace)
		archived <- checkout{commit, err}
	}()
	push, err := NewPush(dir, spec.Ref, spec.SHA, spec.PreviousSHA)
	if !spec.PushedAt.IsZero() {
		push.PushedAt = spec.PushedAt.UTC()
	}
	if err != nil {
		<-archived
		os.RemoveAll(ws)
		os.Remove(runDir) // only if empty: in hook mode it holds console.log
		return fail(err)
	}
	ids := make([]string, len(p.Jobs))
	for i, j := range p.Jobs {
		ids[i] = j.ID
	}
	runLog, err := CreateRunLog(spec.RunsDir, Meta{
		ID: spec.RunID, SHA: push.SHA, Ref: push.Ref, Pusher: push.Pusher,
		PushedAt: push.PushedAt.Format(time.RFC3339), CiSHA256: p.SHA256,
		QuireVersion: p.QuireVersion, File: p.File,
	}, ids, secrets.Redact)
	if err != nil {
		<-archived
		os.RemoveAll(ws)
		return fail(fmt.Errorf("run log: %w", err))
	}
	if !spec.KeepWorkspace {
		defer os.RemoveAll(ws)
	}
	// Workspaces of killed runs are looked for while this run runs, off
	// its start-up path.
	swept := make(chan []sweptRun, 1)
	go func() { swept <- sweepWorkspaces(spec.RunsDir, spec.RunID) }()
	co := <-archived
	if co.err == nil && co.commit != push.SHA {
		os.RemoveAll(ws)
		co.commit, co.err = materialize(dir, push.SHA, ws, makeWorkspace)
	}
	if co.err != nil {
		runLog.Finish("error", co.err.Error())
		return fail(co.err)
	}
	if !spec.NoStaleCheck {
		src, err := os.ReadFile(filepath.Join(ws, filepath.FromSlash(PipelinePath)))
		if warning := stalenessOf(p, push.SHA, src, err == nil); warning != "" {
			con.Printf("warning: %s\n", warning)
			runLog.Warn(warning)
		}
	}

	con.Printf("run %s of %s for %s at %s\nlog: %s\n", spec.RunID, p.File, push.Ref, push.SHA, runLog.Dir)
	res := Run(ctx, p, RunOptions{
		Push:      push,
		Workspace: ws,
		Jobs:      spec.Jobs,
		Secrets:   secrets,
		Console:   con,
		Log:       runLog,
		Grace:     spec.Grace,
	})
	status, message := "succeeded", ""
	switch {
	case ctx.Err() != nil:
		status, message = "cancelled", context.Cause(ctx).Error()
	case res.Failed():
		status = "failed"
	}
	runLog.Finish(status, message)
	con.Printf("\n%s", res.Summary(p))
	if message != "" {
		con.Printf("run %s: %s\n", status, message)
	}
	if err := runLog.Err(); err != nil {
		// The jobs' results stand, but the record of them does not: a run
		// whose log could not be written is not a success.
		fmt.Fprintf(stderr, "%s: the run log is incomplete: %v\n", prog, err)
		status = "failed"
	}
	if spec.KeepWorkspace {
		con.Printf("workspace kept at %s\n", ws)
	}
	for _, r := range <-swept {
		if r.Whole {
			con.Printf("removed run %s, which ended before its run log began (killed during its checkout?)\n", r.ID)
		} else {
			con.Printf("removed the workspace of run %s, which ended without finishing (killed?)\n", r.ID)
		}
	}
	if status != "succeeded" {
		return exitFailed
	}
	return exitOK
}

// loadConfig reads the secrets config: the --config file, which must
// exist, or the default one, which may be missing.
func loadConfig(path string, con *Console) (*Secrets, error) {
	explicit := path != ""
	if !explicit {
		path = DefaultConfig
	}
	s, missing, err := LoadSecrets(path)
	if err != nil {
		return nil, err
	}
	if missing {
		if explicit {
			return nil, fmt.Errorf("config %s: %w", path, os.ErrNotExist)
		}
		con.Printf("warning: no config at %s, so no secrets are configured\n", path)
	}
	s.OnWarning(func(msg string) { con.Printf("warning: %s\n", msg) })
	return s, nil
}

func cmdGraph(p *Pipeline, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	format := fs.String("format", "dot", "dot or mermaid")
	if status, ok := parseFlags(fs, args, stdout, stderr); !ok {
		return status
	}
	out, err := Graph(p, *format)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	io.WriteString(stdout, out)
	return exitOK
}

// Graph renders the job graph as DOT or Mermaid.
func Graph(p *Pipeline, format string) (string, error) {
	var b strings.Builder
	switch format {
	case "dot":
		b.WriteString("digraph pipeline {\n  rankdir=LR;\n")
		fmt.Fprintf(&b, "  %s [shape=box, style=dashed];\n", dotID(SourcePush))
		for _, id := range p.Order {
			fmt.Fprintf(&b, "  %s;\n", dotID(id))
		}
		for _, id := range p.Order {
			for _, in := range jobByID(p, id).Inputs {
				fmt.Fprintf(&b, "  %s -> %s;\n", dotID(in), dotID(id))
			}
		}
		b.WriteString("}\n")
	case "mermaid":
		b.WriteString("graph LR\n")
		ids := map[string]string{SourcePush: "n0"}
		fmt.Fprintf(&b, "  n0([%s])\n", mermaidLabel(SourcePush))
		for i, id := range p.Order {
			ids[id] = fmt.Sprintf("n%d", i+1)
			fmt.Fprintf(&b, "  %s[%s]\n", ids[id], mermaidLabel(id))
		}
		for _, id := range p.Order {
			for _, in := range jobByID(p, id).Inputs {
				fmt.Fprintf(&b, "  %s --> %s\n", ids[in], ids[id])
			}
		}
	default:
		return "", errors.New("graph: --format must be dot or mermaid")
	}
	return b.String(), nil
}

// dotID quotes an id for DOT, whose quoted strings escape '"' and '\'.
func dotID(id string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(id) + `"`
}

// mermaidLabel quotes a label for Mermaid, which has no backslash escapes:
// a '"' is written as the entity #quot;.
func mermaidLabel(id string) string {
	return `"` + strings.ReplaceAll(id, `"`, "#quot;") + `"`
}
