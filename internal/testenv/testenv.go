// Package testenv finds the tools quire's tests run against: Fennel's
// fennel.lua and the reference Lua 5.1 interpreter. `make test` installs
// both and names them in $QUIRE_FENNEL and $QUIRE_LUA51. The tests are
// the evidence that quire hosts Fennel faithfully, so a missing tool fails
// them rather than skipping them.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Fennel returns the absolute path of the fennel.lua in $QUIRE_FENNEL.
func Fennel(tb testing.TB) string {
	tb.Helper()
	p := os.Getenv("QUIRE_FENNEL")
	if p == "" {
		tb.Fatal("QUIRE_FENNEL is not set: run the tests with `make test`, which installs Fennel and sets it")
	}
	return file(tb, "$QUIRE_FENNEL", p)
}

// Lua51 returns the reference interpreter: $QUIRE_LUA51, else lua5.1 on
// PATH.
func Lua51(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("QUIRE_LUA51"); p != "" {
		return file(tb, "$QUIRE_LUA51", p)
	}
	p, err := exec.LookPath("lua5.1")
	if err != nil {
		tb.Fatal("lua5.1 not found ($QUIRE_LUA51 is not set and there is none on PATH): run the tests with `make test`, which installs it")
	}
	return p
}

// file checks that path, named by what, is a regular file and returns it
// made absolute.
func file(tb testing.TB, what, path string) string {
	tb.Helper()
	fi, err := os.Stat(path)
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err != nil {
		tb.Fatalf("%s: %v; `make test` installs it", what, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		tb.Fatal(err)
	}
	return abs
}
