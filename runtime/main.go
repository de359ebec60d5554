package runtime

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
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
  %[1]s jobs                                             list the jobs in the order they can run
  %[1]s graph [--format dot|mermaid]                     print the job graph
  %[1]s version                                          print quire's version and the ci.fnl hash

Flags of run:
  --jobs N          run up to N jobs at once (default: the number of CPUs)
  --config FILE     the secrets config (default %[3]s, else none)
  --keep-workspace  keep the checked-out tree after the run
`

// Main is the generated binary's main: it reads os.Args and returns the
// exit status.
func Main(p *Pipeline) int {
	return Invoke(p, os.Args, os.Stdout, os.Stderr)
}

// Invoke runs the binary's command line args (args[0] is the program name)
// with the given output streams.
func Invoke(p *Pipeline, args []string, stdout, stderr io.Writer) int {
	prog := filepath.Base(args[0])
	usage := func(w io.Writer) { fmt.Fprintf(w, binaryUsage, prog, p.File, DefaultConfig) }
	if len(args) < 2 {
		usage(stderr)
		return exitUsage
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "run":
		return cmdRun(p, prog, rest, stdout, stderr)
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

func cmdRun(p *Pipeline, prog string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog+" run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gitDir := fs.String("git-dir", "", "the repository that was pushed to")
	ref := fs.String("ref", "", "the ref that was pushed, e.g. refs/heads/main")
	sha := fs.String("sha", "", "the pushed commit (default: what the ref points at)")
	jobs := fs.Int("jobs", 0, "run up to N jobs at once (default: the number of CPUs)")
	config := fs.String("config", "", "the secrets config")
	keep := fs.Bool("keep-workspace", false, "keep the checked-out tree after the run")
	runsDir := fs.String("runs-dir", "", "where run logs go (default GIT_DIR/quire/runs)")
	timeout := fs.Duration("timeout", 0, "stop the run after this long (e.g. 30m); 0 means no limit")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *gitDir == "" || *ref == "" || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "usage: %s run --git-dir DIR --ref REF [--sha SHA] [--jobs N] [--config FILE]\n", prog)
		return exitUsage
	}
	dir, err := filepath.Abs(*gitDir)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	con := NewConsole(stdout)
	secrets, err := loadConfig(*config, con)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	con.SetRedactor(secrets.Redact)

	push, err := NewPush(dir, *ref, *sha, "")
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}
	if *runsDir == "" {
		*runsDir = filepath.Join(dir, "quire", "runs")
	}
	id := NewRunID(push.PushedAt)
	ids := make([]string, len(p.Jobs))
	for i, j := range p.Jobs {
		ids[i] = j.ID
	}
	runLog, err := CreateRunLog(*runsDir, Meta{
		ID: id, SHA: push.SHA, Ref: push.Ref, Pusher: push.Pusher,
		PushedAt: push.PushedAt.Format(time.RFC3339), CiSHA256: p.SHA256,
		QuireVersion: p.QuireVersion, File: p.File,
	}, ids, secrets.Redact)
	if err != nil {
		fmt.Fprintf(stderr, "%s: run log: %v\n", prog, err)
		return exitUsage
	}
	ws := filepath.Join(runLog.Dir, "workspace")
	if !*keep {
		defer os.RemoveAll(ws)
	}
	if err := MaterializeWorkspace(dir, push.SHA, ws); err != nil {
		runLog.Finish("error", err.Error())
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return exitUsage
	}

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
	if *timeout > 0 {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeoutCause(ctx, *timeout, fmt.Errorf("the run took longer than --timeout %s", *timeout))
		defer cancelTimeout()
	}
	con.Printf("run %s of %s for %s at %s\nlog: %s\n", id, p.File, push.Ref, push.SHA, runLog.Dir)
	res := Run(ctx, p, RunOptions{
		Push:      push,
		Workspace: ws,
		Jobs:      *jobs,
		Secrets:   secrets,
		Console:   con,
		Log:       runLog,
		Env:       hookFreeEnv(os.Environ()),
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
		fmt.Fprintf(stderr, "%s: the run log is incomplete: %v\n", prog, err)
	}
	if *keep {
		con.Printf("workspace kept at %s\n", ws)
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
	fs.SetOutput(stderr)
	format := fs.String("format", "dot", "dot or mermaid")
	if err := fs.Parse(args); err != nil {
		return exitUsage
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
		fmt.Fprintf(&b, "  %q [shape=box, style=dashed];\n", SourcePush)
		for _, id := range p.Order {
			fmt.Fprintf(&b, "  %q;\n", id)
		}
		for _, id := range p.Order {
			for _, in := range jobByID(p, id).Inputs {
				fmt.Fprintf(&b, "  %q -> %q;\n", in, id)
			}
		}
		b.WriteString("}\n")
	case "mermaid":
		b.WriteString("graph LR\n")
		ids := map[string]string{SourcePush: "n0"}
		fmt.Fprintf(&b, "  n0([%q])\n", SourcePush)
		for i, id := range p.Order {
			ids[id] = fmt.Sprintf("n%d", i+1)
			fmt.Fprintf(&b, "  %s[%q]\n", ids[id], id)
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
