package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/quire-ci/quire/internal/testenv"
)

var goEnv struct {
	once sync.Once
	vars []string
	err  error
}

// compileScriptEnv gives scripts what quire compile needs from the
// machine. Scripts run with HOME set to their work directory, so Go's
// caches would be empty there: pass the test's module and build caches in,
// so that compiles are quick and modules are found, and turn the module
// proxy off, so that every compile script also proves compiling works
// offline. QUIREBIN is the directory holding the quire command, for
// scripts that take everything else off $PATH.
func compileScriptEnv(env *testscript.Env) error {
	goEnv.once.Do(func() {
		out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
		if err != nil {
			goEnv.err = err
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		for i, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
			if i < len(lines) {
				goEnv.vars = append(goEnv.vars, k, lines[i])
			}
		}
	})
	if goEnv.err != nil {
		return goEnv.err
	}
	for i := 0; i+1 < len(goEnv.vars); i += 2 {
		env.Setenv(goEnv.vars[i], goEnv.vars[i+1])
	}
	env.Setenv("GOPROXY", "off")
	env.Setenv("GOFLAGS", "-mod=mod")
	env.Setenv("GOTOOLCHAIN", "local")
	if quire, err := exec.LookPath("quire"); err == nil {
		env.Setenv("QUIREBIN", filepath.Dir(quire))
	}
	return nil
}

// TestCompileExitStatus pins the exit statuses testscript cannot tell
// apart: an invalid pipeline is 1, a machine without Go is 2.
func TestCompileExitStatus(t *testing.T) {
	fnl := testenv.Fennel(t)
	t.Setenv("QUIRE_FENNEL", fnl)
	t.Setenv("QUIRE_CACHE", t.TempDir())
	dir := t.TempDir()
	valid := filepath.Join(dir, "ok", "ci.fnl")
	invalid := filepath.Join(dir, "bad", "ci.fnl")
	for name, src := range map[string]string{
		valid:   "(local ci (require :quire.ci))\n(ci.job :a [:quire/push] (fn [] {}))\n",
		invalid: "(local ci (require :quire.ci))\n(ci.job :a [:nope] (fn [] {}))\n",
	} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		status := Main(args, strings.NewReader(""), &stdout, &stderr)
		return status, stderr.String()
	}

	if status, stderr := run("compile", invalid, "-o", filepath.Join(dir, "bad-bin")); status != exitInvalid || !strings.Contains(stderr, "neither a job nor a source") {
		t.Errorf("invalid pipeline: status %d, stderr:\n%s", status, stderr)
	}
	if status, stderr := run("compile", "-o"); status != exitUsage {
		t.Errorf("missing -o argument: status %d, stderr:\n%s", status, stderr)
	}
	if status, stderr := run("compile", valid, valid); status != exitUsage {
		t.Errorf("two files: status %d, stderr:\n%s", status, stderr)
	}

	t.Setenv("PATH", t.TempDir())
	t.Setenv("QUIRE_GO", "")
	status, stderr := run("compile", valid, "-o", filepath.Join(dir, "ci-bin"))
	if status != exitUsage || !strings.Contains(stderr, "install Go") {
		t.Errorf("without go: status %d, stderr:\n%s", status, stderr)
	}
}
