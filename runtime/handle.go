package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// handle fills quire.ci's runtime table with the job's primitives and
// returns it: the run-fn's only argument. Any other key raises.
func (c *Context) handle(s *jobState) *lua.LTable {
	L := s.L
	h := s.ci.RawGetString("runtime").(*lua.LTable)
	h.RawSetString("sh", L.NewFunction(c.sh))
	h.RawSetString("secret", L.NewFunction(c.secret))
	h.RawSetString("jobs", L.NewFunction(c.jobs))
	h.RawSetString("log", L.NewFunction(c.log))
	h.RawSetString("env", L.NewFunction(c.env))
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("unknown runtime primitive '%s' — expected sh, secret, jobs, log or env", L.ToStringMeta(L.Get(2)).String())
		return 0
	}))
	L.SetMetatable(h, mt)
	return h
}

// sh implements (sh cmd opts?).
func (c *Context) sh(L *lua.LState) int {
	const usage = "sh: cmd must be a non-empty sequence of strings or a shell string"
	var argv []string
	var display string
	switch cmd := L.Get(1).(type) {
	case lua.LString:
		argv = []string{"sh", "-c", string(cmd)}
		display = string(cmd)
	case *lua.LTable:
		n := cmd.Len()
		if n == 0 || !isSequence(cmd, n) {
			L.RaiseError(usage)
		}
		for i := 1; i <= n; i++ {
			s, ok := cmd.RawGetInt(i).(lua.LString)
			if !ok {
				L.RaiseError(usage)
			}
			argv = append(argv, string(s))
		}
		display = shellJoin(argv)
	default:
		L.RaiseError(usage)
	}
	env := c.baseEnv()
	dir := c.run.opts.Workspace
	switch opts := L.Get(2).(type) {
	case *lua.LTable:
		var bad string
		opts.ForEach(func(k, v lua.LValue) {
			if bad != "" {
				return
			}
			switch k {
			case lua.LString("env"):
				e, ok := v.(*lua.LTable)
				if !ok {
					bad = "sh: :env must map strings to strings"
					return
				}
				e.ForEach(func(k, v lua.LValue) {
					ks, kok := k.(lua.LString)
					vs, vok := v.(lua.LString)
					if !kok || !vok {
						bad = "sh: :env must map strings to strings"
						return
					}
					env = setEnv(env, string(ks), string(vs))
				})
			case lua.LString("cwd"):
				cwd, ok := v.(lua.LString)
				if !ok {
					bad = "sh: :cwd must be a string, a directory in the workspace"
					return
				}
				d, err := confine(c.run.opts.Workspace, string(cwd))
				if err != nil {
					bad = "sh: " + err.Error()
					return
				}
				dir = d
			default:
				bad = fmt.Sprintf("sh: unknown option %s (the options are :env and :cwd)", L.ToStringMeta(k).String())
			}
		})
		if bad != "" {
			L.RaiseError("%s", bad)
		}
	case *lua.LNilType:
	default:
		L.RaiseError("sh: opts must be a table like {:env {…} :cwd \"dir\"}")
	}
	// The command starts in dir, and PWD must say so: Go sets it only
	// when it makes the environment itself, and the run's own PWD is
	// wherever the hook or quire run was started.
	if abs, err := filepath.Abs(dir); err == nil {
		env = setEnv(env, "PWD", abs)
	}

	res := c.exec(argv, display, env, dir)
	t := L.NewTable()
	t.RawSetString("exit", lua.LNumber(res.exit))
	t.RawSetString("stdout", lua.LString(res.stdout))
	t.RawSetString("stderr", lua.LString(res.stderr))
	t.RawSetString("cmd", lua.LString(display))
	L.Push(t)
	return 1
}

type execResult struct {
	exit           int
	stdout, stderr string
}

// exec runs one command with empty standard input. Its output is captured
// for the run-fn and, redacted, streamed to the run log and the console as
// it arrives. When the run is cancelled, the command's whole process group
// gets SIGTERM, then SIGKILL after the grace period.
func (c *Context) exec(argv []string, display string, env []string, dir string) execResult {
	r := c.run
	id := c.job.ID
	r.opts.Console.Line(id, "$ "+display)
	r.opts.Log.Event(id, "sh-start", map[string]any{"cmd": display, "argv": argv, "cwd": dir})
	start := time.Now()

	var stdout, stderr bytes.Buffer
	outLines := r.opts.Console.Stream(id)
	errLines := r.opts.Console.Stream(id)
	outRed := newStreamRedactor(r.opts.Secrets, func(b []byte) {
		r.opts.Log.Output(id, "stdout", b)
		outLines.Write(b)
	})
	errRed := newStreamRedactor(r.opts.Secrets, func(b []byte) {
		r.opts.Log.Output(id, "stderr", b)
		errLines.Write(b)
	})

	cmd := r.command(argv)
	cmd.Env = env
	cmd.Dir = dir
	if r.devNull != nil {
		cmd.Stdin = r.devNull
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout = &tee{&stdout, outRed}
	cmd.Stderr = &tee{&stderr, errRed}
	// Output pipes still held once the command has exited (a background
	// child, one that left the process group) are closed after the grace
	// period, so that neither a finished command nor a cancelled run waits
	// on them for ever.
	cmd.WaitDelay = r.opts.grace()
	exit := 0
	if err := cmd.Start(); err != nil {
		// The command could not start (not found, bad directory): report
		// it as a shell would, exit 127 with a message on stderr.
		exit = 127
		cmd.Stderr.Write([]byte(err.Error() + "\n")) // to the run-fn, the log and the console
	} else {
		pid := cmd.Process.Pid
		killed := make(chan struct{})
		stop := context.AfterFunc(c.run.ctx, func() { c.killGroup(pid); close(killed) })
		err := cmd.Wait()
		if !stop() {
			<-killed // cancelled: the group's stragglers are dealt with first
			c.stopped = true
		}
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			exit = ee.ExitCode() // -1 when a signal killed it
		case errors.Is(err, exec.ErrWaitDelay):
			exit = cmd.ProcessState.ExitCode()
			r.opts.Console.Line(id, fmt.Sprintf("the command exited, but its output stayed open (a background process?); stopped reading after %s", r.opts.grace()))
		case err != nil:
			exit = -1
		}
	}
	outRed.Flush()
	errRed.Flush()
	outLines.Flush()
	errLines.Flush()
	d := time.Since(start)
	r.opts.Log.Event(id, "sh-exit", map[string]any{"exit": exit, "duration-ms": d.Milliseconds()})
	if exit != 0 {
		r.opts.Console.Line(id, fmt.Sprintf("exit %d after %s", exit, d.Round(time.Millisecond)))
	}
	return execResult{exit: exit, stdout: stdout.String(), stderr: stderr.String()}
}

// command makes the exec.Cmd for argv. Every (sh "…") runs sh: where PATH
// has it is looked up once per run rather than on every call, a
// measurable part of a short job's cost.
func (r *run) command(argv []string) *exec.Cmd {
	if path, err := r.shPath(); argv[0] == "sh" && err == nil {
		return &exec.Cmd{Path: path, Args: argv}
	}
	return exec.Command(argv[0], argv[1:]...)
}

// killGroup stops a cancelled command's process group: SIGTERM first,
// then SIGKILL to whatever of the group outlives the grace period, even
// after the command itself exited (a child that ignores SIGTERM would
// otherwise outlive the run).
func (c *Context) killGroup(pid int) {
	syscall.Kill(-pid, syscall.SIGTERM)
	deadline := time.Now().Add(c.run.opts.grace())
	for time.Now().Before(deadline) {
		if syscall.Kill(-pid, 0) != nil {
			return // the whole group is gone
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
}

// secret implements (secret name).
func (c *Context) secret(L *lua.LState) int {
	name := L.CheckString(1)
	v, err := c.run.opts.Secrets.Get(name)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Push(lua.LString(v))
	return 1
}

// jobs implements (jobs name): the push table, or an ancestor's outputs.
func (c *Context) jobs(L *lua.LState) int {
	name := L.CheckString(1)
	if name == SourcePush {
		L.Push(toLua(L, c.run.opts.Push.Table()))
		return 1
	}
	if name == c.job.ID {
		L.RaiseError("Job '%s' cannot read its own outputs", c.job.ID)
	}
	if !c.run.isAncestor(c.job.ID, name) {
		L.RaiseError("Job '%s' cannot read outputs from '%s' — not in transitive inputs", c.job.ID, name)
	}
	res := c.run.result(name)
	if res == nil || res.Outputs == nil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(toLua(L, map[string]any(res.Outputs)))
	return 1
}

// log implements (log msg).
func (c *Context) log(L *lua.LState) int {
	var parts []string
	for i := 1; i <= L.GetTop(); i++ {
		parts = append(parts, L.ToStringMeta(L.Get(i)).String())
	}
	c.message(strings.Join(parts, " "))
	return 0
}

// message records a message of the run-fn's in the console and the run
// log (a "log" event), both redacted.
func (c *Context) message(msg string) {
	c.run.opts.Console.Line(c.job.ID, msg)
	c.run.opts.Log.Event(c.job.ID, "log", map[string]any{"msg": msg})
}

// A jobPrinter is where print writes in a run-fn: the job's messages, as
// (log …) writes them. Lua's print to the binary's standard output would
// bypass the run log and the redactor.
type jobPrinter struct{ c *Context }

func (p jobPrinter) Write(b []byte) (int, error) {
	p.c.message(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// env implements (env name): the run's environment.
func (c *Context) env(L *lua.LState) int {
	name := L.CheckString(1)
	for _, kv := range c.run.env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			L.Push(lua.LString(v))
			return 1
		}
	}
	L.Push(lua.LNil)
	return 1
}

// baseEnv is the environment commands start from: a copy of the run's,
// which callers may extend.
func (c *Context) baseEnv() []string {
	return append([]string(nil), c.run.env...)
}

// commandEnv is the environment every command of a run starts from: env
// (or the process's) without git's hook variables, which would point a
// job's own git at the pushed-to repository, and without the variables
// that hold secrets: a secret is had through (secret name), which redacts
// it, not by reading the environment.
func commandEnv(env []string, secrets *Secrets) []string {
	if env == nil {
		env = os.Environ()
	}
	secret := map[string]bool{}
	for _, name := range secrets.EnvNames() {
		secret[name] = true
	}
	out := make([]string, 0, len(env))
	for _, kv := range HookFreeEnv(env) {
		if k, _, _ := strings.Cut(kv, "="); !secret[k] {
			out = append(out, kv)
		}
	}
	return out
}

func setEnv(env []string, k, v string) []string {
	prefix := k + "="
	for i, kv := range env {
		if strings.HasPrefix(kv, prefix) {
			env[i] = prefix + v
			return env
		}
	}
	return append(env, prefix+v)
}

// confine resolves dir against the workspace and refuses to leave it.
func confine(workspace, dir string) (string, error) {
	p := dir
	if !filepath.IsAbs(p) {
		p = filepath.Join(workspace, p)
	}
	p = filepath.Clean(p)
	rel, err := filepath.Rel(workspace, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf(":cwd %q is outside the workspace", dir)
	}
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
		return "", fmt.Errorf(":cwd %q is not a directory in the workspace", dir)
	}
	return p, nil
}

// shellJoin renders argv for display, quoting what a shell would split.
func shellJoin(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = ShellQuote(a)
	}
	return strings.Join(out, " ")
}

// ShellQuote returns s as one word of a POSIX shell command line: as it is
// when that is safe, else in single quotes.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tee keeps a command's raw output for the run-fn while passing it on.
type tee struct {
	buf *bytes.Buffer
	out *streamRedactor
}

func (t *tee) Write(p []byte) (int, error) {
	t.buf.Write(p)
	return t.out.Write(p)
}
