package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/quire-ci/quire/internal/testenv"
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
	fennelPath := testenv.Fennel(t)
	lua51 := testenv.Lua51(t)
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
