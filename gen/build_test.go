package gen

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/quire-ci/quire"
	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/compiler/fennel"
	"github.com/quire-ci/quire/internal/luavm"
	"github.com/quire-ci/quire/internal/testenv"
)

// offline makes every go command of the test work without the network, as
// quire compile must once the modules in go.sum are in the module cache.
func offline(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOWORK", "off")
}

// goPath is the go command the tests build with.
func goPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to test the build driver: ", err)
	}
	return p
}

// A fixture is a pipeline directory and build options for it, with a
// cache of its own and counters of the expensive steps.
type fixture struct {
	dir   string
	opts  BuildOptions
	loads int
	goLog string // one line per go invocation
}

func newFixture(t *testing.T, files map[string]string) *fixture {
	t.Helper()
	offline(t)
	fx := &fixture{dir: t.TempDir()}
	for name, data := range files {
		writeFile(t, filepath.Join(fx.dir, name), data)
	}
	// A go that counts its invocations, to tell a cache hit from a build.
	tools := t.TempDir()
	fx.goLog = filepath.Join(tools, "go.log")
	wrapper := filepath.Join(tools, "go")
	writeFile(t, wrapper, "#!/bin/sh\necho \"$*\" >> '"+fx.goLog+"'\nexec '"+goPath(t)+"' \"$@\"\n")
	if err := os.Chmod(wrapper, 0o755); err != nil {
		t.Fatal(err)
	}
	fnl := testenv.Fennel(t)
	file := filepath.Join(fx.dir, "ci.fnl")
	fx.opts = BuildOptions{
		File:         file,
		Out:          filepath.Join(fx.dir, "ci-bin"), // inside the hashed directory on purpose
		FennelPath:   fnl,
		QuireVersion: testVersion,
		CacheDir:     filepath.Join(t.TempDir(), "cache"),
		Go:           wrapper,
		Load: func() (*compiler.Pipeline, error) {
			fx.loads++
			return compiler.Load(file, compiler.Options{FennelPath: fnl})
		},
	}
	return fx
}

func (fx *fixture) goRuns(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(fx.goLog)
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func (fx *fixture) build(t *testing.T) *Result {
	t.Helper()
	var progress bytes.Buffer
	fx.opts.Progress = &progress
	res, err := Build(context.Background(), fx.opts)
	if err != nil {
		t.Fatalf("build: %v\nprogress:\n%s", err, progress.String())
	}
	if fi, err := os.Stat(fx.opts.Out); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("no executable at %s after build: %v", fx.opts.Out, err)
	}
	return res
}

const simplePipeline = `(local ci (require :quire.ci))
(ci.job :test [:quire/push] (fn [{: sh}] (sh ["go" "test" "./..."])))
`

// TestBuildCache pins the two cache levels: an unchanged pipeline is
// neither evaluated nor built; an unrelated file changes nothing in the
// program, so it is evaluated but not built; a real change builds.
func TestBuildCache(t *testing.T) {
	fx := newFixture(t, map[string]string{"ci.fnl": simplePipeline})

	res := fx.build(t)
	if !res.Evaluated || res.Cached || fx.goRuns(t) != 1 {
		t.Fatalf("first build: evaluated %v, cached %v, go ran %d times; want a real build", res.Evaluated, res.Cached, fx.goRuns(t))
	}
	if _, err := os.Stat(res.Source); err != nil {
		t.Errorf("the generated source is not kept in the cache: %v", err)
	}

	start := time.Now()
	res = fx.build(t)
	took := time.Since(start)
	if res.Evaluated || !res.Cached || fx.goRuns(t) != 1 || fx.loads != 1 {
		t.Fatalf("unchanged build: evaluated %v, cached %v, go ran %d times, loaded %d times; want a cache hit", res.Evaluated, res.Cached, fx.goRuns(t), fx.loads)
	}
	t.Logf("cache hit took %v", took)
	// The target is well under 100 ms; the bound is loose for slow CI.
	if took > time.Second {
		t.Errorf("a cache hit took %v", took)
	}

	writeFile(t, filepath.Join(fx.dir, "notes.txt"), "not part of the pipeline")
	res = fx.build(t)
	if !res.Evaluated || !res.Cached || fx.goRuns(t) != 1 {
		t.Fatalf("after an unrelated file: evaluated %v, cached %v, go ran %d times; want evaluated, not built", res.Evaluated, res.Cached, fx.goRuns(t))
	}

	writeFile(t, fx.opts.File, strings.Replace(simplePipeline, "./...", "./cmd/...", 1))
	res = fx.build(t)
	if !res.Evaluated || res.Cached || fx.goRuns(t) != 2 {
		t.Fatalf("after changing ci.fnl: evaluated %v, cached %v, go ran %d times; want a rebuild", res.Evaluated, res.Cached, fx.goRuns(t))
	}
	res = fx.build(t)
	if res.Evaluated || !res.Cached || fx.goRuns(t) != 2 {
		t.Fatalf("unchanged again: evaluated %v, cached %v, go ran %d times; want a cache hit", res.Evaluated, res.Cached, fx.goRuns(t))
	}

	fx.opts.Force = true
	res = fx.build(t)
	if !res.Evaluated || res.Cached || fx.goRuns(t) != 3 {
		t.Fatalf("forced: evaluated %v, cached %v, go ran %d times; want a rebuild", res.Evaluated, res.Cached, fx.goRuns(t))
	}
}

// TestBuildModuleChange checks that a change to a module next to ci.fnl,
// which ci.fnl's own bytes do not show, misses the cache.
func TestBuildModuleChange(t *testing.T) {
	fx := newFixture(t, map[string]string{
		"ci.fnl":        "(local ci (require :quire.ci))\n(local lib (require :lib.names))\n(ci.job lib.name [:quire/push] (fn [] {}))\n",
		"lib/names.lua": `return { name = "one" }`,
	})
	fx.build(t)
	writeFile(t, filepath.Join(fx.dir, "lib", "names.lua"), `return { name = "two" }`)
	res := fx.build(t)
	if !res.Evaluated || res.Cached {
		t.Fatalf("after changing a module: evaluated %v, cached %v; want a rebuild", res.Evaluated, res.Cached)
	}
	src, err := os.ReadFile(res.Source)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), `ID: "two"`) {
		t.Errorf("the rebuilt program does not have the renamed job")
	}
}

// TestGeneratedProgramVet builds each golden pipeline through the driver,
// offline, against the embedded runtime source, and runs go vet on the
// generated module.
func TestGeneratedProgramVet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go programs")
	}
	cache := filepath.Join(t.TempDir(), "cache")
	for _, name := range []string{"basic", "names", "modules"} {
		t.Run(name, func(t *testing.T) {
			offline(t)
			file := filepath.Join("testdata", name, "ci.fnl")
			fnl := testenv.Fennel(t)
			res, err := Build(context.Background(), BuildOptions{
				File:         file,
				Out:          filepath.Join(t.TempDir(), "ci-bin"),
				FennelPath:   fnl,
				QuireVersion: testVersion,
				CacheDir:     cache,
				Load: func() (*compiler.Pipeline, error) {
					return compiler.Load(file, compiler.Options{FennelPath: fnl})
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(goPath(t), "vet", ".")
			cmd.Dir = filepath.Dir(res.Source)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("go vet of the generated program: %v\n%s", err, out)
			}
			if name == "names" {
				return // it captures NaN and infinities, which Go computes at init
			}
			// The program is data: no code runs at start-up to build it,
			// so the package has no init function at all.
			bin := filepath.Join(t.TempDir(), "unstripped")
			cmd = exec.Command(goPath(t), "build", "-mod=mod", "-o", bin, ".")
			cmd.Dir, cmd.Env = filepath.Dir(res.Source), buildEnv()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			syms, err := exec.Command(goPath(t), "tool", "nm", bin).Output()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(syms), " main.init") {
				t.Errorf("the generated program has an init function: its data is built at start-up")
			}
		})
	}
}

// TestNoLuaSourceInBinary checks that the binary carries bytecode, not the
// Lua text Fennel compiled the run-fn to.
func TestNoLuaSourceInBinary(t *testing.T) {
	const pipeline = `(local ci (require :quire.ci))
(ci.job :marked [:quire/push]
  (fn [{: log}]
    (let [quire-marker-7f3a (.. "sen" "tinel" (string.rep "!" 3))]
      (log quire-marker-7f3a)
      {:marker quire-marker-7f3a})))
`
	fx := newFixture(t, map[string]string{"ci.fnl": pipeline})
	fx.build(t)
	bin, err := os.ReadFile(fx.opts.Out)
	if err != nil {
		t.Fatal(err)
	}

	L := luavm.NewState(luavm.Options{})
	defer L.Close()
	fnl, err := fennel.Load(L, fx.opts.FennelPath)
	if err != nil {
		t.Fatal(err)
	}
	lua, err := fnl.CompileString([]byte(pipeline), fennel.Options{Filename: "ci.fnl"})
	if err != nil {
		t.Fatal(err)
	}
	// The local's name is debug information and so is in the binary: a
	// control that the search looks at the right bytes.
	if !bytes.Contains(bin, []byte("quire_marker_7f3a")) {
		t.Fatalf("the binary lacks the run-fn's local name; is the job in it at all?\nLua:\n%s", lua)
	}
	checked := 0
	for _, line := range strings.Split(lua, "\n") {
		line = strings.TrimSpace(line)
		if !strings.Contains(line, "quire_marker_7f3a") && !strings.Contains(line, "local function") {
			continue
		}
		checked++
		if bytes.Contains(bin, []byte(line)) {
			t.Errorf("the binary holds the Lua source line %q", line)
		}
	}
	if checked < 2 {
		t.Fatalf("found only %d distinctive Lua lines to look for in:\n%s", checked, lua)
	}
}

// TestEmbeddedSourceComplete checks that package quire embeds every
// package of this module that runtime imports: the generated program
// builds against that tree alone.
func TestEmbeddedSourceComplete(t *testing.T) {
	cmd := exec.Command(goPath(t), "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{join .GoFiles \" \"}}{{end}}", "github.com/quire-ci/quire/runtime")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const prefix = "github.com/quire-ci/quire/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, files, _ := strings.Cut(line, " ")
		rel, ok := strings.CutPrefix(pkg, prefix)
		if !ok {
			continue
		}
		for _, f := range strings.Fields(files) {
			if _, err := fs.Stat(quire.Source, path.Join(rel, f)); err != nil {
				t.Errorf("runtime needs %s, which quire.go does not embed: add %s to its go:embed line", path.Join(rel, f), rel)
			}
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		if _, err := fs.Stat(quire.Source, f); err != nil {
			t.Errorf("%s is not embedded", f)
		}
	}
}

// TestBuildErrorNamesGeneratedFile builds against a runtime whose API guard
// was renamed, as a binary generated for another quire would meet it: the
// error must name the generated file and line, which the guard's comment
// explains.
func TestBuildErrorNamesGeneratedFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds Go programs")
	}
	mfs := fstest.MapFS{}
	err := fs.WalkDir(quire.Source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(quire.Source, p)
		if p == "runtime/pipeline.go" {
			b = bytes.ReplaceAll(b, []byte("const API2 "), []byte("const APIRenamed "))
		}
		mfs[p] = &fstest.MapFile{Data: b, Mode: 0o644}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	mod, err := NewModule(mfs)
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t, map[string]string{"ci.fnl": simplePipeline})
	fx.opts.Module = mod
	_, err = Build(context.Background(), fx.opts)
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *BuildError", err)
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{be.Source + ":", "undefined: runtime.API2", "bug in quire"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if _, err := os.Stat(be.Source); err != nil {
		t.Errorf("the generated source named in the error is gone: %v", err)
	}
	if _, err := os.Stat(fx.opts.Out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed build left %s behind (%v)", fx.opts.Out, err)
	}
}

// TestGoMissing checks that a machine without Go gets an error naming what
// to install, before anything is evaluated.
func TestGoMissing(t *testing.T) {
	fx := newFixture(t, map[string]string{"ci.fnl": simplePipeline})
	fx.opts.Go = ""
	t.Setenv("PATH", t.TempDir())
	t.Setenv(EnvGo, "")
	_, err := Build(context.Background(), fx.opts)
	if !errors.Is(err, ErrNoGo) {
		t.Fatalf("err = %v, want ErrNoGo", err)
	}
	if !strings.Contains(err.Error(), "install Go") {
		t.Errorf("the error does not say what to install: %v", err)
	}
	if fx.loads != 0 {
		t.Errorf("ci.fnl was evaluated before go was found")
	}
}

func TestGoModRequirements(t *testing.T) {
	m, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := m.GoMod("/cache/src/x y")
	if err != nil {
		t.Fatal(err)
	}
	own, err := fs.ReadFile(quire.Source, "go.mod")
	if err != nil {
		t.Fatal(err)
	}
	// Every requirement of quire's go.mod appears at the same version.
	for _, line := range strings.Split(string(own), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.Contains(f[0], ".") && !strings.HasPrefix(line, "module") {
			if !strings.Contains(string(gomod), f[0]+" "+f[1]) {
				t.Errorf("generated go.mod lacks %s %s:\n%s", f[0], f[1], gomod)
			}
		}
	}
	for _, want := range []string{"module pipeline\n", "require github.com/quire-ci/quire v0.0.0\n", `replace github.com/quire-ci/quire => "/cache/src/x y"` + "\n"} {
		if !strings.Contains(string(gomod), want) {
			t.Errorf("generated go.mod lacks %q:\n%s", want, gomod)
		}
	}
}
