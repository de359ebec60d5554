package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/compiler/diag"
)

// Exit statuses, the same for every subcommand.
const (
	exitOK      = 0 // success; for check, a valid pipeline
	exitInvalid = 1 // the pipeline has errors
	exitUsage   = 2 // bad invocation or environment (missing file, no Fennel)
)

// DefaultPipeline is the pipeline file subcommands read when given none.
const DefaultPipeline = ".quire/ci.fnl"

const usage = `quire compiles a CI pipeline written in Fennel into a standalone binary.

Usage:
  quire check [FILE]              validate FILE (default .quire/ci.fnl) and print its jobs
  quire compile [FILE] [-o OUT]   build FILE into a standalone binary OUT (default ci-bin), cached;
                                  --emit-go DIR writes the generated Go program instead
  quire graph [FILE] [--format dot|mermaid]
                                  print the job graph of FILE as Graphviz DOT (default) or Mermaid
  quire run [FILE] [--ref REF]    compile FILE (cached) and run it against the repository here,
                                  for REF (default: the current branch); --jobs N, --config FILE,
                                  --keep-workspace, --timeout D are passed to the run
  quire hook install --git-dir D --bin BIN [--force]
                                  install BIN as the post-receive hook of repository D
  quire fennel [--compile] FILE   run FILE with quire's Fennel, or print the Lua it compiles to
  quire version                   print quire's version and the Fennel it finds
  quire help                      print this help

Flags shared by the subcommands that read Fennel:
  --fennel PATH   the fennel.lua to use (else $QUIRE_FENNEL, then the usual install locations)

Exit status: 0 success, 1 invalid pipeline (for run: a job failed), 2 usage or environment error.
`

// An env is what a subcommand may touch: its arguments and standard streams.
// Tests call Main with their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	color          bool // colour diagnostics on stderr
}

// Main runs quire with args (without the program name) and returns its exit
// status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	// A panic is a quire bug; say so in one line instead of a stack trace.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "quire: internal error: %v\n  this is a bug in quire; please report it with the input that caused it\n", r)
			status = exitUsage
		}
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, color: wantColor(stderr)}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "check":
		return e.check(rest)
	case "compile":
		return e.compile(rest)
	case "graph":
		return e.graph(rest)
	case "run":
		return e.run(rest)
	case "hook":
		return e.hook(rest)
	case "fennel":
		return e.fennel(rest)
	case "version", "--version":
		return e.version(rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "quire: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// wantColor reports whether w is a terminal and the user has not asked for
// plain output with NO_COLOR (https://no-color.org).
func wantColor(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// newFlags returns a flag set that reports errors on the env's stderr and
// does not exit the process.
func (e *env) newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: quire %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags anywhere among args (flag stops at the first
// non-flag; users write `quire check ci.fnl --fennel x` too) and returns the
// positional arguments. Help asked for (-h, --help) goes to stdout, and
// the error is then flag.ErrHelp: see usageStatus.
func (e *env) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var out bytes.Buffer
	fs.SetOutput(&out)
	defer fs.SetOutput(e.stderr)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				e.stdout.Write(out.Bytes())
			} else {
				e.stderr.Write(out.Bytes())
			}
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// usageStatus is the exit status for an error from parse: success when
// help was asked for, else a usage error.
func usageStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// errArgs says that the arguments were wrong, as already reported.
var errArgs = errors.New("bad arguments")

// parsePipelineArgs parses a subcommand's flags and its one optional
// pipeline file, which defaults to DefaultPipeline. When the arguments
// are wrong (or ask for help) it reports that and returns an error for
// usageStatus.
func (e *env) parsePipelineArgs(fs *flag.FlagSet, args []string) (file string, err error) {
	pos, err := e.parse(fs, args)
	if err != nil {
		return "", err
	}
	switch len(pos) {
	case 0:
		return DefaultPipeline, nil
	case 1:
		return pos[0], nil
	}
	fmt.Fprintf(e.stderr, "quire %s: expected one pipeline file, got %d\n", fs.Name(), len(pos))
	return "", errArgs
}

// fail reports err and returns the exit status it deserves: invalid
// pipelines are rendered as diagnostics (1), everything else is a usage or
// environment error (2).
func (e *env) fail(err error) int {
	var errs *compiler.Errors
	if errors.As(err, &errs) {
		r := &diag.Renderer{Color: e.color, Sources: errs.Sources}
		fmt.Fprintf(e.stderr, "%s has errors\n\n", errs.File)
		for _, d := range errs.Diags {
			r.Render(e.stderr, d)
		}
		return exitInvalid
	}
	fmt.Fprintf(e.stderr, "quire: error: %v\n", err)
	return exitUsage
}
