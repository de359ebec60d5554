package compiler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/internal/interp"
	"github.com/quire-ci/quire/internal/luavm"
	"github.com/quire-ci/quire/internal/testenv"
	"github.com/quire-ci/quire/runtime"
	"github.com/quire-ci/quire/runtime/frozen"
)

// load compiles a pipeline from source files (name -> contents; "ci.fnl"
// is the pipeline) into a temporary directory.
func load(t *testing.T, files map[string]string) *compiler.Pipeline {
	t.Helper()
	testenv.Fennel(t)
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := compiler.Load(filepath.Join(dir, "ci.fnl"), compiler.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

func runPipeline(t *testing.T, p *compiler.Pipeline) (*runtime.Result, string) {
	t.Helper()
	var out strings.Builder
	res := runtime.Run(context.Background(), interp.Pipeline(p), runtime.RunOptions{
		Push:      runtime.Push{SHA: "0123456789abcdef0123456789abcdef01234567", Ref: "refs/heads/main", PushedAt: time.Unix(0, 0)},
		Workspace: t.TempDir(),
		Jobs:      1,
		Console:   runtime.NewConsole(&out),
	})
	return res, out.String()
}

func outputs(t *testing.T, res *runtime.Result, id string) runtime.Outputs {
	t.Helper()
	j := res.Jobs[id]
	if j == nil {
		t.Fatalf("no job %q", id)
	}
	if j.Status != runtime.StatusSucceeded {
		t.Fatalf("job %q %s: %v", id, j.Status, j.Err)
	}
	return j.Outputs
}

func TestSharedUpvalueStaysShared(t *testing.T) {
	// inc and get close over the same variable; after restoring, a call
	// to inc must be visible through get.
	p := load(t, map[string]string{"ci.fnl": `
(local ci (require :quire.ci))
(var n 10)
(fn inc [] (set n (+ n 1)))
(fn get [] n)
(ci.job :count [:quire/push]
  (fn [] (inc) (inc) {:n (get)}))`})
	res, _ := runPipeline(t, p)
	if got := outputs(t, res, "count")["n"]; got != 12.0 {
		t.Errorf("n = %v, want 12: the two closures no longer share their upvalue", got)
	}
}

func TestCapturedValuesSurvive(t *testing.T) {
	p := load(t, map[string]string{"ci.fnl": `
(local ci (require :quire.ci))
(local config {:name "app" :targets ["linux" "darwin"] :nested {:depth 2}})
(local cyclic {:name "loop"})
(set cyclic.self cyclic)
(fn describe [target] (.. config.name "-" target))
(ci.job :build [:quire/push]
  (fn []
    {:names (icollect [_ t (ipairs config.targets)] (describe t))
     :depth config.nested.depth
     :cycle-intact (= cyclic cyclic.self.self)
     :cycle-name cyclic.self.name}))`})
	res, _ := runPipeline(t, p)
	out := outputs(t, res, "build")
	want := runtime.Outputs{
		"names":        []any{"app-linux", "app-darwin"},
		"depth":        2.0,
		"cycle-intact": true,
		"cycle-name":   "loop",
	}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("outputs = %#v\nwant %#v", out, want)
	}
}

func TestFrozenClosureCallsStandardLibrary(t *testing.T) {
	p := load(t, map[string]string{"ci.fnl": `
(local ci (require :quire.ci))
(local fmt string.format)
(ci.job :stamp [:quire/push]
  (fn []
    {:formatted (fmt "%05.1f|%q|%x" 3.14159 "a\nb" 255)
     :date (os.date "!%Y-%m-%d" 0)
     :big (tostring 1e15)}))`})
	res, _ := runPipeline(t, p)
	want := runtime.Outputs{
		"formatted": "003.1|\"a\\\nb\"|ff",
		"date":      "1970-01-01",
		"big":       "1e+15",
	}
	if out := outputs(t, res, "stamp"); !reflect.DeepEqual(out, want) {
		t.Errorf("outputs = %#v\nwant %#v", out, want)
	}
}

// A builtin with two names (string.gmatch is also string.gfind) freezes
// under the same name every time, and compiles every time: the name once
// depended on map order, and half the compiles failed.
func TestBuiltinWithTwoNamesFreezesTheSameWay(t *testing.T) {
	src := map[string]string{"ci.fnl": `
(local ci (require :quire.ci))
(local words string.gmatch)
(ci.job :words [:quire/push]
  (fn [] {:n (accumulate [n 0 _ (words "a b c" "%a")] (+ n 1))}))`}
	var names []string
	for range 12 {
		p := load(t, src)
		var got []string
		for _, o := range p.Program.Objects {
			if o.Kind == frozen.ObjBuiltin {
				got = append(got, o.Name)
			}
		}
		names = append(names, strings.Join(got, ","))
		res, _ := runPipeline(t, p)
		if out := outputs(t, res, "words"); out["n"] != 3.0 {
			t.Fatalf("outputs %v", out)
		}
	}
	for _, n := range names[1:] {
		if n != names[0] {
			t.Fatalf("builtin names differ between compiles: %q and %q", names[0], n)
		}
	}
	if !strings.Contains(names[0], "string.gfind") {
		t.Errorf("builtins %q: want string.gmatch named by its first name in byte order, string.gfind", names[0])
	}
}

func TestModulesAreFrozenAndRequiredAtRunTime(t *testing.T) {
	p := load(t, map[string]string{
		"ci.fnl": `
(local ci (require :quire.ci))
(local helpers (require :helpers))
(ci.job :a [:quire/push]
  (fn []
    (let [h (require :helpers)]
      {:same (= h helpers) :greeting (h.greet "ci")})))`,
		"helpers.fnl": `{:greet (fn [who] (.. "hello " who))}`,
	})
	res, _ := runPipeline(t, p)
	want := runtime.Outputs{"same": true, "greeting": "hello ci"}
	if out := outputs(t, res, "a"); !reflect.DeepEqual(out, want) {
		t.Errorf("outputs = %#v\nwant %#v", out, want)
	}
}

func TestRunTimeErrorNamesFennelLine(t *testing.T) {
	p := load(t, map[string]string{"ci.fnl": `(local ci (require :quire.ci))
(ci.job :boom [:quire/push]
  (fn []
    (let [x 1]
      (error (.. "boom " x)))))`})
	res, _ := runPipeline(t, p)
	j := res.Jobs["boom"]
	if j.Status != runtime.StatusFailed || j.Err == nil || !strings.HasPrefix(j.Err.Error(), "ci.fnl:5: boom 1") {
		t.Fatalf("status %s, err %v; want failed with ci.fnl:5: boom 1", j.Status, j.Err)
	}
}

func TestEachJobGetsItsOwnCopy(t *testing.T) {
	// Both jobs mutate the captured table; neither sees the other's write.
	p := load(t, map[string]string{"ci.fnl": `
(local ci (require :quire.ci))
(local shared {:count 0})
(ci.job :a [:quire/push] (fn [] (set shared.count (+ shared.count 1)) {:count shared.count}))
(ci.job :b [:a] (fn [] (set shared.count (+ shared.count 1)) {:count shared.count}))`})
	res, _ := runPipeline(t, p)
	for _, id := range []string{"a", "b"} {
		if got := outputs(t, res, id)["count"]; got != 1.0 {
			t.Errorf("job %s saw count %v, want 1", id, got)
		}
	}
}

// Every name a run-time state has compiles in a run-fn and reads at run
// time as it does in a sandboxed state: each global, each global through
// _G, and each field of each global table, whatever its value (_VERSION,
// math.pi, string.__index); none is mistaken for a pipeline global and
// frozen. The names come from the sandbox itself, so the check cannot
// drift from it.
func TestEverySandboxNameCompiles(t *testing.T) {
	L := luavm.NewState(luavm.Options{Sandbox: true})
	defer L.Close()
	describe := func(v lua.LValue) string {
		switch v := v.(type) {
		case lua.LString:
			return "string " + string(v)
		case lua.LNumber:
			return "number " + luavm.FormatNumber(float64(v))
		case lua.LBool:
			return "boolean " + v.String()
		}
		return v.Type().String()
	}
	want := runtime.Outputs{}
	var src strings.Builder
	src.WriteString(`(local ci (require :quire.ci))
(fn describe [v]
  (match (type v)
    (where t (or (= t :string) (= t :number) (= t :boolean))) (.. t " " (tostring v))
    t t))
(ci.job :names [:quire/push]
  (fn []
    {`)
	add := func(name, expr string, v lua.LValue) {
		want[name] = describe(v)
		fmt.Fprintf(&src, "     %q (describe %s)\n", name, expr)
	}
	L.G.Global.ForEach(func(k, v lua.LValue) {
		g := string(k.(lua.LString))
		add(g, g, v)
		add("_G."+g, fmt.Sprintf("(. _G %q)", g), v)
		if t, ok := v.(*lua.LTable); ok && g != "_G" {
			t.ForEach(func(fk, fv lua.LValue) {
				f := string(fk.(lua.LString))
				add(g+"."+f, fmt.Sprintf("(. %s %q)", g, f), fv)
			})
		}
	})
	src.WriteString("}))\n")
	p := load(t, map[string]string{"ci.fnl": src.String()})
	for _, g := range p.Program.Globals {
		t.Errorf("the sandbox's %s was frozen as a pipeline global", g.Name)
	}
	res, _ := runPipeline(t, p)
	out := outputs(t, res, "names")
	for name, w := range want {
		if out[name] != w {
			t.Errorf("%s is %v at run time, want %v (as in a sandboxed state)", name, out[name], w)
		}
	}
}

// quire's modules have the same fields at compile time and at run time,
// and each field a run-fn captures is bound to the run-time one: the
// compiler's sandbox takes quire's names from the compile-time modules, so
// the two must not drift apart.
func TestQuireModulesMatchAtRunTime(t *testing.T) {
	p := load(t, map[string]string{"ci.fnl": `
(local ci (require :quire.ci))
(local modules {:quire.ci ci :quire.stdlib (require :quire.stdlib)})
(local fields {})
(local types {})
(each [name m (pairs modules)]
  (each [k v (pairs m)]
    (tset fields (.. name "." k) v)
    (tset types (.. name "." k) (type v))))
(ci.job :fields [:quire/push]
  (fn []
    (let [out {}]
      (each [name ty (pairs types)] (tset out (.. "compile " name) ty))
      (each [name v (pairs fields)] (tset out (.. "captured " name) (type v)))
      (each [_ name (ipairs [:quire.ci :quire.stdlib])]
        (each [k v (pairs (require name))]
          (tset out (.. "run " name "." k) (type v))))
      out)))`})
	res, _ := runPipeline(t, p)
	out := outputs(t, res, "fields")
	fields := map[string]bool{}
	for k := range out {
		_, name, _ := strings.Cut(k, " ")
		fields[name] = true
	}
	if len(fields) == 0 {
		t.Fatal("no fields in quire's modules")
	}
	for name := range fields {
		c, captured, run := out["compile "+name], out["captured "+name], out["run "+name]
		if c == nil || c != captured || c != run {
			t.Errorf("%s is %v at compile time, %v captured and %v at run time", name, c, captured, run)
		}
	}
}

// A source's name in the binary is ci.fnl's base name, or a module's path
// from ci.fnl's directory with slashes: the frozen prototypes carry it, so
// run-time errors in a module's function point into that module.
func TestSourceNames(t *testing.T) {
	p := load(t, map[string]string{
		"ci.fnl": `(local ci (require :quire.ci))
(local util (require :lib.util))
(ci.job :fails [:quire/push]
  (fn [] (util.fail) {}))`,
		"lib/util.fnl": `{:fail (fn []
  (error "from util"))}`,
	})
	if got := p.SourceName(p.File); got != "ci.fnl" {
		t.Errorf("SourceName(%q) = %q, want ci.fnl", p.File, got)
	}
	if len(p.Modules) != 1 {
		t.Fatalf("modules %v, want lib.util", p.Modules)
	}
	if got := p.SourceName(p.Modules[0].Path); got != "lib/util.fnl" {
		t.Errorf("SourceName(%q) = %q, want lib/util.fnl", p.Modules[0].Path, got)
	}
	sources := map[string]bool{}
	for _, pr := range p.Program.Protos {
		sources[pr.Source] = true
	}
	if !reflect.DeepEqual(sources, map[string]bool{"ci.fnl": true, "lib/util.fnl": true}) {
		t.Errorf("prototype sources %v, want ci.fnl and lib/util.fnl", sources)
	}
	res, _ := runPipeline(t, p)
	if j := res.Jobs["fails"]; j.Err == nil || !strings.HasPrefix(j.Err.Error(), "lib/util.fnl:2: from util") {
		t.Errorf("job error %v, want lib/util.fnl:2: from util", j.Err)
	}
}
