// Package testenv finds the tools quire's tests run against: Fennel's
// fennel.lua and the reference Lua 5.1 interpreter. `make` installs them
// and records where in the checkout's .toolchain folder; `make test` also
// names them in $QUIRE_FENNEL and $QUIRE_LUA51. So after `make`, a plain
// `go test ./...` finds them too. The tests are the evidence that quire
// hosts Fennel faithfully, so a missing tool fails them rather than
// skipping them.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Fennel returns the absolute path of fennel.lua: $QUIRE_FENNEL, else the
// one `make` installed. In the second case it also sets $QUIRE_FENNEL, so
// that the code under test finds the same one.
func Fennel(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("QUIRE_FENNEL"); p != "" {
		return file(tb, "$QUIRE_FENNEL", p)
	}
	p, err := recorded("fennel.path")
	if err != nil {
		tb.Fatalf("QUIRE_FENNEL is not set and %v: run `make test`, or `make` once and then go test", err)
	}
	p = file(tb, "fennel.lua as `make` recorded it", p)
	os.Setenv("QUIRE_FENNEL", p)
	return p
}

// Lua51 returns the reference interpreter: $QUIRE_LUA51, else the one
// `make test` installed, else lua5.1 on PATH.
func Lua51(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("QUIRE_LUA51"); p != "" {
		return file(tb, "$QUIRE_LUA51", p)
	}
	if p, err := recorded("lua51.path"); err == nil {
		return file(tb, "lua5.1 as `make test` recorded it", p)
	}
	p, err := exec.LookPath("lua5.1")
	if err != nil {
		tb.Fatal("lua5.1 not found ($QUIRE_LUA51 is not set, `make test` has not installed it, and there is none on PATH): run the tests with `make test`")
	}
	return p
}

// recorded reads the path that `make` wrote to .toolchain/name in the
// checkout the tests run in (found from the working directory, which go
// test sets to the package's directory).
func recorded(name string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("the tests do not run inside quire's checkout")
		}
		dir = parent
	}
	b, err := os.ReadFile(filepath.Join(dir, ".toolchain", name))
	if err != nil {
		return "", fmt.Errorf("`make` has not recorded one (%v)", err)
	}
	p := strings.TrimSpace(string(b))
	if p == "" {
		return "", fmt.Errorf("%s is empty", filepath.Join(dir, ".toolchain", name))
	}
	return p, nil
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
