package luavm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/internal/testenv"
)

// runLua51 runs src with the reference interpreter and returns its
// standard output.
func runLua51(t *testing.T, src string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "*.lua")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(src); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cmd := exec.Command(testenv.Lua51(t), f.Name())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lua5.1: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// testState is a compile-time state whose print writes to the returned
// buffer.
func testState(t *testing.T) (*lua.LState, *bytes.Buffer) {
	t.Helper()
	L := NewState(Options{})
	t.Cleanup(L.Close)
	var out bytes.Buffer
	L.SetGlobal("print", L.NewFunction(newPrint(&out)))
	return L, &out
}

// runHere runs src through CompileChunk in a state of this package and
// returns what it printed, or fails the test on an error.
func runHere(t *testing.T, src string) string {
	t.Helper()
	L, out := testState(t)
	fn, err := Load(L, []byte(src), "=test")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		t.Fatalf("run: %v", err)
	}
	return out.String()
}

// splitPrograms splits output made of "### name" headers into each
// program's output.
func splitPrograms(out string) map[string]string {
	progs := map[string]string{}
	name := ""
	for _, line := range strings.SplitAfter(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "### "); ok {
			name = strings.TrimSpace(rest)
			progs[name] = ""
			continue
		}
		progs[name] += line
	}
	return progs
}

// sameAsLua51 runs script, which prints "### i" before the output of its
// case i for i from 1 to n, under lua5.1 and here, and reports every case
// whose output differs: the first five in full, then how many in all.
func sameAsLua51(t *testing.T, script string, n int) {
	t.Helper()
	want := splitPrograms(runLua51(t, script))
	got := splitPrograms(runHere(t, script))
	bad := 0
	for i := 1; i <= n; i++ {
		name := fmt.Sprint(i)
		if got[name] != want[name] {
			if bad++; bad <= 5 {
				t.Errorf("case %d: lua5.1 printed\n%q\nbut got\n%q", i, want[name], got[name])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d cases differ", bad, n)
	}
}
