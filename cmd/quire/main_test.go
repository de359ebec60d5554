package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the quire command inside testscript
// scripts, built from the code under test.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"quire": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar. Set QUIRE_UPDATE_GOLDEN=1 to
// rewrite the expected output in the scripts from what quire now prints.
func TestScripts(t *testing.T) {
	fennelPath := requireFennel(t)
	lua51 := requireLua51(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts:       os.Getenv("QUIRE_UPDATE_GOLDEN") != "",
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
		Setup: func(env *testscript.Env) error {
			env.Setenv("QUIRE_FENNEL", fennelPath)
			env.Setenv("FENNEL_LUA", fennelPath)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("QUIRE_LUA51", lua51)
			return compileScriptEnv(env)
		},
	})
}

// requireFennel returns the fennel.lua the tests use. The tests cannot run
// without it, so its absence fails them rather than skipping: `make test`
// installs it.
func requireFennel(t *testing.T) string {
	t.Helper()
	p := os.Getenv("QUIRE_FENNEL")
	if p == "" {
		t.Fatal("QUIRE_FENNEL is not set: run the tests with `make test`, which installs Fennel and sets it")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// requireLua51 returns the reference Lua 5.1 interpreter, which `make test`
// installs; the differential scripts compare quire's Fennel against it.
func requireLua51(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("QUIRE_LUA51"); p != "" {
		return p
	}
	p, err := exec.LookPath("lua5.1")
	if err != nil {
		t.Fatal("lua5.1 not found and QUIRE_LUA51 not set: run the tests with `make test`, which installs it")
	}
	return p
}
