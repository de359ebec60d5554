package fennel

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/internal/luavm"
	"github.com/quire-ci/quire/internal/testenv"
)

// The differential tests compile every snippet of testdata/fennel/corpus with
// the Fennel quire hosts (fennel.lua in a luavm state) and with the same
// fennel.lua under PUC Lua 5.1, and require byte-identical Lua. Each file of
// the corpus is one snippet. A file whose name starts with "error-" must fail
// to compile under lua5.1 and every other file must compile there, so that the
// corpus keeps testing what its names say.

// differentialCorpus is the corpus directory, relative to this package.
const differentialCorpus = "../../testdata/fennel/corpus"

// differentialMinSnippets is how many snippets a run must compare at least.
const differentialMinSnippets = 200

// differentialHeadline is the snippet FIDELITY.md §1 is about: gopher-lua's
// code generator makes fennel.lua treat the `_` of this `case` as the string
// "_".
const differentialHeadline = "case-headline-01.fnl"

// differentialExceptions lists the corpus files whose Lua may differ between
// quire and lua5.1, each with the reason. An exception that no longer differs
// fails the test, so the list stays true.
//
// Not listed, because they count as agreement: snippets that fail to compile
// in both VMs (the error- files). Their error text is not compared, and does
// differ: quire's plugin raises errors as tables (kind, message, position)
// rather than Fennel's formatted string, and error messages raised by Lua
// code inside fennel.lua name the chunk differently (gopher-lua's `<string>`
// against PUC Lua's `[string "src/fennel/macros.fnl"]`, FIDELITY.md §5).
//
// The entries are behaviours FIDELITY.md §5 leaves as gopher-lua has them.
// fennel.lua itself never depends on them, but a user macro that does
// computes something else at compile time, and Fennel serializes that into
// the Lua.
var differentialExceptions = map[string]string{
	"compile-time-concat-01.fnl": "FIDELITY.md §5: `..` turns numbers into strings with gopher-lua's " +
		"formatting (1e15 gives \"1000000000000000\", -0 gives \"0\"), not Lua 5.1's %.14g; " +
		"a macro that concatenates numbers emits different strings",
}

// A compileResult is what compiling one snippet gave: the Lua, or the error.
type compileResult struct {
	ok  bool
	out string // the Lua when ok, else the error message
}

func (r compileResult) String() string {
	if r.ok {
		return "compiled to:\n" + r.out
	}
	return "failed: " + r.out
}

// differentialSnippets lists the corpus files, sorted, and the corpus
// directory as an absolute path.
func differentialSnippets(t *testing.T) (dir string, names []string) {
	t.Helper()
	dir, err := filepath.Abs(differentialCorpus)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read the corpus: %v", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".fnl") {
			t.Errorf("corpus: %s is not a .fnl file; the corpus holds only snippets", name)
			continue
		}
		// The reference driver takes names as arguments and prints them on
		// a header line.
		if strings.ContainsAny(name, " \t\r\n") {
			t.Errorf("corpus: %q: snippet names must not contain white space", name)
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return dir, names
}

// referenceDriver compiles each snippet named on its command line with
// fennel.lua under the Lua running it, as `fennel --compile` does, and writes
// every result to the output file as a header line
// ("ok"|"err" LENGTH NAME) followed by LENGTH bytes and a newline. Results go
// to a file rather than stdout so that nothing a snippet prints at compile
// time can corrupt them.
const referenceDriver = `local fennel_path, dir, out_path = arg[1], arg[2], arg[3]
local fennel = dofile(fennel_path)
local out = assert(io.open(out_path, "wb"))
for i = 4, #arg do
  local name = arg[i]
  local f = assert(io.open(dir .. "/" .. name, "rb"))
  local src = f:read("*a")
  f:close()
  local ok, res = pcall(fennel.compileString, src, {filename = name})
  res = tostring(res)
  out:write(ok and "ok " or "err ", #res, " ", name, "\n", res, "\n")
end
out:close()
`

// compileReference compiles the named snippets of dir with fennelPath under
// lua5.1, in one process.
func compileReference(t *testing.T, lua51, fennelPath, dir string, names []string) map[string]compileResult {
	t.Helper()
	tmp := t.TempDir()
	driver := filepath.Join(tmp, "driver.lua")
	outPath := filepath.Join(tmp, "results")
	if err := os.WriteFile(driver, []byte(referenceDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lua51, append([]string{driver, fennelPath, dir, outPath}, names...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", lua51, driver, err, stderr.Bytes())
	}
	data, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	results, err := parseReferenceResults(data)
	if err != nil {
		t.Fatalf("reading lua5.1's results: %v", err)
	}
	for _, name := range names {
		if _, ok := results[name]; !ok {
			t.Fatalf("lua5.1 gave no result for %s", name)
		}
	}
	return results
}

func parseReferenceResults(data []byte) (map[string]compileResult, error) {
	results := map[string]compileResult{}
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return nil, fmt.Errorf("truncated header %q", data)
		}
		fields := strings.SplitN(string(data[:nl]), " ", 3)
		if len(fields) != 3 || (fields[0] != "ok" && fields[0] != "err") {
			return nil, fmt.Errorf("bad header %q", data[:nl])
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad length in header %q", data[:nl])
		}
		data = data[nl+1:]
		if len(data) < n+1 || data[n] != '\n' {
			return nil, fmt.Errorf("%s: truncated result", fields[2])
		}
		results[fields[2]] = compileResult{ok: fields[0] == "ok", out: string(data[:n])}
		data = data[n+1:]
	}
	return results, nil
}

// hostedCompiler is quire's Fennel: fennel.lua in a luavm state.
type hostedCompiler struct {
	t          *testing.T
	fennelPath string
	L          *lua.LState
	c          *Compiler
}

func newHostedCompiler(t *testing.T, fennelPath string) *hostedCompiler {
	h := &hostedCompiler{t: t, fennelPath: fennelPath}
	h.reload()
	t.Cleanup(func() { h.L.Close() })
	return h
}

func (h *hostedCompiler) reload() {
	h.t.Helper()
	if h.L != nil {
		h.L.Close()
	}
	h.L = luavm.NewState(luavm.Options{})
	c, err := Load(h.L, h.fennelPath)
	if err != nil {
		h.t.Fatalf("quire cannot load %s: %v", h.fennelPath, err)
	}
	h.c = c
}

// compile compiles one snippet. A Go panic is reported as a failure of quire
// (it never agrees with lua5.1's result) and the state is rebuilt, since a
// state that panicked mid-call cannot be trusted with the next snippet.
func (h *hostedCompiler) compile(src []byte, name string) (res compileResult, panicked bool) {
	func() {
		defer func() {
			if r := recover(); r != nil {
				res = compileResult{out: fmt.Sprintf("Go panic: %v", r)}
				panicked = true
			}
		}()
		out, err := h.c.CompileString(src, Options{Filename: name})
		if err != nil {
			res = compileResult{out: err.Error()}
			return
		}
		res = compileResult{ok: true, out: out}
	}()
	if panicked {
		h.reload()
	}
	return res, panicked
}

// TestDifferentialCorpus compiles the corpus with quire's hosted Fennel and
// with fennel.lua under lua5.1 and requires the same Lua, byte for byte.
func TestDifferentialCorpus(t *testing.T) {
	fennelPath := testenv.Fennel(t)
	lua51 := testenv.Lua51(t)
	dir, names := differentialSnippets(t)

	start := time.Now()
	want := compileReference(t, lua51, fennelPath, dir, names)
	refTime := time.Since(start)

	start = time.Now()
	hosted := newHostedCompiler(t, fennelPath)
	if hosted.c.Version != Version {
		t.Errorf("%s is Fennel %q; the corpus is checked against Fennel %s", fennelPath, hosted.c.Version, Version)
	}
	got := map[string]compileResult{}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		res, panicked := hosted.compile(src, name)
		if panicked {
			t.Errorf("%s: quire's Fennel panicked: %s", name, res.out)
		}
		got[name] = res
	}
	hostedTime := time.Since(start)

	var agreed, bothFailed, excepted int
	for _, name := range names {
		w, g := want[name], got[name]
		if wantErr := strings.HasPrefix(name, "error-"); wantErr == w.ok {
			if wantErr {
				t.Errorf("%s: named error- but lua5.1 compiled it; rename it or make it fail", name)
			} else {
				t.Errorf("%s: lua5.1 failed to compile it (%s); fix the snippet, or name it error- if it is meant to fail", name, differentialFirstLine(w.out))
			}
		}
		same := (w.ok && g.ok && w.out == g.out) || (!w.ok && !g.ok)
		reason, isException := differentialExceptions[name]
		switch {
		case same && isException:
			t.Errorf("%s: listed as an exception (%s) but quire and lua5.1 now agree; remove it from differentialExceptions", name, reason)
			agreed++
		case same:
			agreed++
			if !w.ok {
				bothFailed++
			}
		case isException:
			excepted++
			t.Logf("%s: differs, as excepted: %s", name, reason)
		default:
			t.Errorf("%s: quire's Fennel and lua5.1's differ\n%s", name, describeDifference(w, g, "quire"))
		}
	}
	for name := range differentialExceptions {
		if _, ok := want[name]; !ok {
			t.Errorf("differentialExceptions lists %s, which is not in the corpus", name)
		}
	}
	t.Logf("compared %d snippets: %d agree (%d of them fail to compile in both), %d excepted; lua5.1 took %v, quire %v",
		len(names), agreed, bothFailed, excepted, refTime.Round(time.Millisecond), hostedTime.Round(time.Millisecond))
	if len(names) < differentialMinSnippets {
		t.Errorf("compared only %d snippets; the corpus must hold at least %d", len(names), differentialMinSnippets)
	}
	if _, ok := want[differentialHeadline]; !ok {
		t.Errorf("the corpus lacks %s, the headline case of FIDELITY.md §1", differentialHeadline)
	}
}

// TestDifferentialPlainGopherLuaMiscompilesCase proves that the corrections in
// internal/luavm are what make the corpus agree: fennel.lua loaded by plain
// gopher-lua (its own compiler, no rewrite, no builtin fixes) compiles the
// headline `case` snippet to different Lua than under lua5.1, while quire's
// hosted Fennel compiles it to the same.
func TestDifferentialPlainGopherLuaMiscompilesCase(t *testing.T) {
	fennelPath := testenv.Fennel(t)
	lua51 := testenv.Lua51(t)
	dir, _ := differentialSnippets(t)
	name := differentialHeadline
	src, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	want := compileReference(t, lua51, fennelPath, dir, []string{name})[name]
	if !want.ok {
		t.Fatalf("lua5.1: %s", want)
	}

	// Plain gopher-lua, with stacks big enough for fennel.lua (FIDELITY.md
	// §3) so that what differs is the compiler and the builtins alone.
	L := lua.NewState(lua.Options{
		CallStackSize:    4096,
		RegistrySize:     16 * 1024,
		RegistryMaxSize:  4 * 1024 * 1024,
		RegistryGrowStep: 64 * 1024,
	})
	defer L.Close()
	fennelSrc, err := os.ReadFile(fennelPath)
	if err != nil {
		t.Fatal(err)
	}
	fn, err := L.Load(bytes.NewReader(fennelSrc), "@"+fennelPath)
	if err != nil {
		t.Fatalf("plain gopher-lua cannot compile fennel.lua: %v", err)
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		t.Fatalf("plain gopher-lua cannot run fennel.lua: %v", err)
	}
	mod, ok := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	if !ok {
		t.Fatal("fennel.lua did not return the fennel module under plain gopher-lua")
	}
	opts := L.NewTable()
	opts.RawSetString("filename", lua.LString(name))
	var plain compileResult
	if err := L.CallByParam(lua.P{Fn: mod.RawGetString("compileString"), NRet: 1, Protect: true}, lua.LString(src), opts); err != nil {
		plain = compileResult{out: err.Error()}
	} else {
		plain = compileResult{ok: true, out: lua.LVAsString(L.Get(-1))}
		L.Pop(1)
	}
	if plain.ok && plain.out == want.out {
		t.Fatalf("plain gopher-lua now compiles %s as lua5.1 does; FIDELITY.md §1 and this test are out of date:\n%s", name, plain.out)
	}
	t.Logf("%s under plain gopher-lua differs from lua5.1:\n%s", name, describeDifference(want, plain, "plain gopher-lua"))

	hosted, panicked := newHostedCompiler(t, fennelPath).compile(src, name)
	if panicked || !hosted.ok || hosted.out != want.out {
		t.Errorf("%s: quire's hosted Fennel does not match lua5.1 either, so the difference above does not show what luavm corrects:\n%s", name, describeDifference(want, hosted, "quire"))
	}
}

// describeDifference shows lua5.1's result against another's (named by
// label), pointing at the first line that differs.
func describeDifference(want, got compileResult, label string) string {
	var b strings.Builder
	if want.ok && got.ok {
		wl, gl := strings.Split(want.out, "\n"), strings.Split(got.out, "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g || i >= len(wl) || i >= len(gl) {
				fmt.Fprintf(&b, "first difference at line %d:\n  lua5.1: %q\n  %s: %q\n", i+1, w, label, g)
				break
			}
		}
	}
	fmt.Fprintf(&b, "--- lua5.1 %s\n--- %s %s", differentialIndent(want.String()), label, differentialIndent(got.String()))
	return b.String()
}

func differentialIndent(s string) string {
	return strings.ReplaceAll(s, "\n", "\n    ")
}

func differentialFirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
