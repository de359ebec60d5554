package compiler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/compiler/fennel"
	"github.com/quire-ci/quire/internal/luavm"
)

// MaxSourceSize bounds ci.fnl and each of its modules. A pipeline is a page
// of code; anything this large is almost certainly the wrong file, and
// refusing it keeps the compiler's time and memory bounded.
const MaxSourceSize = 1 << 20

// DefaultEvalTimeout bounds the one evaluation of ci.fnl's top level.
const DefaultEvalTimeout = 60 * time.Second

// Options configure Load.
type Options struct {
	// FennelPath is the --fennel flag; empty searches (see fennel.Find).
	FennelPath string
	// EvalTimeout bounds evaluation of the top level; zero means
	// DefaultEvalTimeout.
	EvalTimeout time.Duration
	// Output receives what the top level prints; nil means os.Stderr, so
	// that a pipeline's debugging output never mixes with quire's own.
	Output io.Writer
}

// A UsageError is a problem with how quire was invoked or with the machine
// (a missing file, no Fennel compiler), as opposed to a problem in the
// pipeline. The CLI exits 2 for it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Errors reports an invalid pipeline: every diagnostic found, in the order
// found. The CLI renders them and exits 1.
type Errors struct {
	File    string
	Diags   []*diag.Diagnostic
	Sources map[string][]byte // file contents, for quoting source lines
}

func (e *Errors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has errors", e.File)
	for _, d := range e.Diags {
		b.WriteString("\n  ")
		b.WriteString(d.Error())
	}
	return b.String()
}

// Load evaluates the pipeline in file once and returns it validated. The
// caller must Close the pipeline.
func Load(file string, opts Options) (*Pipeline, error) {
	src, err := readSource(file)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{File: file, Source: src}
	src = withoutBOM(src)
	sources := map[string][]byte{file: src}
	if d := checkText(file, src); d != nil {
		return nil, &Errors{File: file, Diags: []*diag.Diagnostic{d}, Sources: sources}
	}
	fennelPath, err := fennel.Find(opts.FennelPath)
	if err != nil {
		return nil, &UsageError{err}
	}
	L := luavm.NewState(luavm.Options{})
	fnl, err := fennel.Load(L, fennelPath)
	if err != nil {
		L.Close()
		return nil, &UsageError{err}
	}
	dir := filepath.Dir(file)
	fnl.SetPaths(dir)
	p.FennelVersion, p.state = fnl.Version, L

	ev := &evaluator{
		jobs: map[string]*Job{}, callers: map[*Job]diag.Span{}, searched: map[string][]string{},
		L: L, fnl: fnl, file: file, dir: dir, sources: sources,
		p: p,
	}
	ev.builtins = builtinNames(L)
	ev.install()
	out := opts.Output
	if out == nil {
		out = os.Stderr
	}
	L.SetGlobal("print", L.NewFunction(luavm.NewPrint(out)))

	if err := ev.run(src, opts.EvalTimeout); err != nil {
		L.Close()
		return nil, err
	}
	if len(ev.diags) == 0 {
		ev.diags = validate(ev.p)
	}
	if len(ev.diags) == 0 {
		ev.diags = ev.freeze()
	}
	if len(ev.diags) > 0 {
		L.Close()
		return nil, &Errors{File: file, Diags: ev.diags, Sources: sources}
	}
	ev.p.Order = topoOrder(ev.p)
	return ev.p, nil
}

func readSource(file string) ([]byte, error) {
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &UsageError{fmt.Errorf("%s: no such file (pass the pipeline's path, e.g. quire check .quire/ci.fnl)", file)}
	case err != nil:
		return nil, &UsageError{err}
	case fi.IsDir():
		return nil, &UsageError{fmt.Errorf("%s is a directory, not a pipeline file (did you mean %s?)", file, filepath.Join(file, "ci.fnl"))}
	case fi.Size() > MaxSourceSize:
		return nil, &UsageError{fmt.Errorf("%s is %s; quire reads pipeline files of at most %s", file, humanSize(fi.Size()), humanSize(MaxSourceSize))}
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, &UsageError{err}
	}
	return src, nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// utf8BOM is the byte order mark some Windows editors put at the start of
// a UTF-8 file.
var utf8BOM = []byte("\xef\xbb\xbf")

// withoutBOM drops a leading byte order mark, which Fennel would read as
// part of the first symbol ("unknown identifier: \ufeff") and which editors
// do not show or count in columns.
func withoutBOM(src []byte) []byte { return bytes.TrimPrefix(src, utf8BOM) }

// checkText rejects files that are not text before Fennel sees them, so that
// binary garbage gets one clear message instead of whatever the parser trips
// on first.
func checkText(file string, src []byte) *diag.Diagnostic {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line, col := lineCol(src, i)
		return &diag.Diagnostic{
			Span: diag.Span{File: file, Line: line, Col: col},
			Msg:  "this file contains a NUL byte; it looks like binary data, not Fennel source",
		}
	}
	return nil
}

// lineCol converts a byte offset into a 1-based line and column, the
// column counting characters as diag.Span's do.
func lineCol(src []byte, off int) (int, int) {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return line, utf8.RuneCount(src[start:off]) + 1
}

// An evaluator runs one ci.fnl's top level and records what it registers.
type evaluator struct {
	L       *lua.LState
	fnl     *fennel.Compiler
	file    string
	dir     string
	sources map[string][]byte
	p       *Pipeline
	diags   []*diag.Diagnostic
	// seen counts registrations per call site so that two registrations on
	// one line are matched to their own forms in order.
	seen map[string]int
	// builtins names the standard library and quire's modules by identity,
	// taken before ci.fnl runs (see builtinNames).
	builtins map[any]string
	// quire holds quire's modules by require name, as install made them.
	quire map[string]*lua.LTable
	// quireNames are quire's modules and their fields by full name
	// ("quire.ci", "quire.ci.job"), recorded by install before ci.fnl runs.
	quireNames map[string]bool
	// imageSet records that ci.image was called, even with an empty name.
	imageSet bool
	// imageSpan is the first ci.image call's, for the error on a second.
	imageSpan diag.Span
	// jobs are p.Jobs by id, for the duplicate check of each registration.
	jobs map[string]*Job
	// callers locate, for jobs registered by a helper function, the call
	// of the helper: what tells such registrations apart.
	callers map[*Job]diag.Span
	// searched lists, by module name, the files searchModule looked for
	// and did not find, relative to dir: what a "module not found" error
	// tells the user.
	searched map[string][]string
}

// addJob registers j; caller is where the helper that registered it was
// called from, if a helper did.
func (ev *evaluator) addJob(j *Job, caller []diag.Note) {
	ev.p.Jobs = append(ev.p.Jobs, j)
	ev.jobs[j.ID] = j
	if len(caller) > 0 {
		ev.callers[j] = caller[0].Span
	}
}

// run compiles src and evaluates it with a bound on time.
func (ev *evaluator) run(src []byte, timeout time.Duration) error {
	luaSrc, err := ev.fennelToLua(src, ev.file)
	if err != nil {
		return ev.fail(fennelDiag(err, ev.file))
	}
	fn, err := luavm.Load(ev.L, []byte(luaSrc), "@"+ev.file)
	if err != nil {
		if strings.Contains(err.Error(), "local variables") {
			// Lua allows 200 locals per function, and each top-level
			// (local …) or anonymous run-fn in ci.fnl takes one; lua5.1
			// refuses the same file.
			return ev.fail(&diag.Diagnostic{
				Span: diag.Span{File: ev.file},
				Msg:  "the top level of " + ev.file + " needs more than 200 local variables, Lua's limit for one function",
				Help: []string{"wrap groups of top-level forms in (do …), or register jobs from a helper function or a loop"},
			})
		}
		return fmt.Errorf("load the Lua compiled from %s (a quire bug): %w", ev.file, err)
	}
	// A last form that calls a helper must leave its line on the stack,
	// for the "called from here" notes.
	luavm.KeepCallerFrames(fn.Proto)
	if timeout == 0 {
		timeout = DefaultEvalTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ev.L.SetContext(ctx)
	defer ev.L.RemoveContext()
	ev.L.Push(fn)
	var at errorSite
	if err := luavm.PCall(ev.L, 0, 0, ev.L.NewFunction(at.record(ev))); err != nil {
		if ctx.Err() != nil {
			d := &diag.Diagnostic{
				Span: diag.Span{File: ev.file},
				Msg:  fmt.Sprintf("evaluating %s took longer than %s; does its top level loop forever?", ev.file, timeout),
			}
			if at.file != "" {
				// Where it was when time ran out: most likely in the loop.
				d.Span = ev.formSpan(at.file, at.line)
				d.Notes = []diag.Note{{Msg: "it was running this form when stopped"}}
			}
			return ev.fail(d)
		}
		return ev.fail(ev.luaErrorDiag(err, at))
	}
	return nil
}

// An errorSite is the source line an error was raised on: a Fennel line,
// or a line of one of the pipeline's Lua modules.
type errorSite struct {
	file string
	line int
	// topLine is the line of ci.fnl's top level that was running, when
	// the error was raised in another file (a module's code).
	topLine int
}

// record returns the error handler of the top level's PCall (luavm.PCall,
// which has worded the VM's errors as Lua 5.1 does): it runs while the
// failing frames are still on the stack, and keeps the innermost
// Lua frame that maps to a line of the pipeline's sources, and the
// outermost one in ci.fnl. (The message's own "chunk:line:" prefix is no
// substitute: Lua shortens long chunk names there.)
func (at *errorSite) record(ev *evaluator) lua.LGFunction {
	return func(L *lua.LState) int {
		for level := 1; ; level++ {
			if _, ok := L.GetStack(level); !ok {
				break
			}
			source, line, _, ok := ev.frame(level)
			if !ok {
				continue // a Go function, such as error itself
			}
			file, fline, ok := ev.fnl.FennelLine(source, line)
			if !ok && strings.HasSuffix(source, ".lua") && ev.sources[source] != nil {
				file, fline, ok = source, line, true // a Lua module's own line
			}
			if !ok {
				continue
			}
			if at.file == "" {
				at.file, at.line = file, fline
			}
			if file == ev.file {
				at.topLine = fline
			}
		}
		return 1 // the error value, as it was
	}
}

func (ev *evaluator) fail(d *diag.Diagnostic) error {
	return &Errors{File: ev.file, Diags: []*diag.Diagnostic{d}, Sources: ev.sources}
}

// fennelToLua compiles one Fennel file of the pipeline to Lua. Its error
// is Fennel's (*fennel.Error when it has a position).
func (ev *evaluator) fennelToLua(src []byte, file string) (string, error) {
	return ev.fnl.CompileString(src, fennel.Options{
		Filename:       file,
		AllowedGlobals: fennel.GlobalNames(ev.L),
		RecordCalls:    true,
	})
}

// fennelDiag turns a Fennel compile error into a diagnostic.
func fennelDiag(err error, file string) *diag.Diagnostic {
	var fe *fennel.Error
	if errors.As(err, &fe) {
		return fe.Diagnostic()
	}
	var d *diag.Diagnostic
	if errors.As(err, &d) {
		return d
	}
	return &diag.Diagnostic{Span: diag.Span{File: file}, Msg: err.Error()}
}

// luaPos matches the "chunk:line:" prefix gopher-lua puts on runtime errors.
var luaPos = regexp.MustCompile(`^(.*?):(\d+): `)

// luaErrorDiag turns an error raised while evaluating the top level into a
// diagnostic at the Fennel line it came from, at.
func (ev *evaluator) luaErrorDiag(err error, at errorSite) *diag.Diagnostic {
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) {
		if ud, ok := apiErr.Object.(*lua.LUserData); ok {
			// A module's Fennel or Lua syntax error, raised by loadModule.
			if err, ok := ud.Value.(error); ok {
				return ev.calledFrom(fennelDiag(err, ev.file), at)
			}
		}
	}
	msg := luavm.ErrorMessage(ev.L, err, nil)
	if at.file == "" {
		// The error handler found no frame: a stack overflow leaves it no
		// room to run. The message's "chunk:line:" prefix still says where.
		if m := luaPos.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[2])
			if file, line, ok := ev.fnl.FennelLine(m[1], n); ok {
				at = errorSite{file: file, line: line}
			}
		}
	}
	d := &diag.Diagnostic{Span: diag.Span{File: ev.file}, Msg: msg}
	if strings.HasSuffix(msg, "stack overflow") {
		d.Help = []string{"does a function call itself without end? Lua allows about 4,000 nested calls"}
	}
	if at.file != "" {
		// The span says where; the Lua position in the text would only
		// mislead (its line is the generated Lua's).
		if m := luaPos.FindString(msg); m != "" {
			d.Msg = msg[len(m):]
		}
		d.Span = ev.formSpan(at.file, at.line, "error", "assert")
	}
	ev.moduleNotFound(d)
	return ev.calledFrom(d, at)
}

// notFound matches require's error for a module no loader found: its first
// line, above one line per place looked in.
var notFound = regexp.MustCompile(`^module '([^\n]*)' not found:\n`)

// moduleNotFound shortens require's error for a module that is not there
// to its first line, and says in a note which files were looked for (Lua
// lists package.preload and full paths, on lines of their own above the
// span), and, for a name under quire., which modules quire has.
func (ev *evaluator) moduleNotFound(d *diag.Diagnostic) {
	m := notFound.FindStringSubmatch(d.Msg)
	if m == nil {
		return
	}
	name := m[1]
	d.Msg = fmt.Sprintf("module '%s' not found", name)
	if tried := ev.searched[name]; len(tried) > 0 {
		list := strings.Join(tried[:len(tried)-1], ", ") + " and " + tried[len(tried)-1]
		if len(tried) == 1 {
			list = tried[0]
		}
		d.Notes = append(d.Notes, diag.Note{Msg: fmt.Sprintf("looked for %s next to %s", list, ev.file)})
	}
	if strings.HasPrefix(name, "quire.") {
		names := make([]string, 0, len(ev.quire))
		for n := range ev.quire {
			names = append(names, n)
		}
		sort.Strings(names)
		d.Help = append(d.Help, "quire's own modules are "+strings.Join(names, " and "))
	}
}

// calledFrom adds a note pointing at the line of ci.fnl that led to d
// when d is in a module.
func (ev *evaluator) calledFrom(d *diag.Diagnostic, at errorSite) *diag.Diagnostic {
	if d.Span.File != ev.file && at.topLine > 0 {
		d.Notes = append(d.Notes, diag.Note{Span: ev.formSpan(ev.file, at.topLine, "require"), Msg: "called from here"})
	}
	return d
}

// formSpan finds the span of a call form on line of file: the first whose
// head is one of heads (or a field of one: "io" matches io.open), else the outermost call starting on that line, else
// the line itself.
func (ev *evaluator) formSpan(file string, line int, heads ...string) diag.Span {
	calls := ev.fnl.CallsAt(file, line)
	for _, c := range calls {
		for _, h := range heads {
			if c.Head == h || strings.HasPrefix(c.Head, h+".") || strings.HasPrefix(c.Head, h+":") {
				return c.Span
			}
		}
	}
	if len(calls) > 0 {
		return calls[0].Span
	}
	return diag.Span{File: file, Line: line, Col: firstNonSpace(ev.sources[file], line)}
}

func firstNonSpace(src []byte, line int) int {
	lines := bytes.Split(src, []byte("\n"))
	if line < 1 || line > len(lines) {
		return 1
	}
	l := lines[line-1]
	return len(l) - len(bytes.TrimLeft(l, " \t")) + 1
}
