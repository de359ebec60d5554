package luavm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quire-ci/quire/internal/testenv"
)

// The point of the package: Fennel compiles to the same Lua here as under
// lua5.1. Each form prints its compiled Lua, or its compile error.
func TestFennelCompilesLikeUnderLua51(t *testing.T) {
	forms := []string{
		`(case [1 2] [a b] (+ a b) _ 0)`, // FIDELITY.md §1, bug 1
		`(match [1 2] [a b] (+ a b) _ 0)`,
		`(let [(a b) (values 1 2)] (set-forcibly! a b) [a b])`,
		`[1e15 (/ 1 0) (- (/ 1 0)) 0.1 -0x10 1e2]`,
		`"tab\there\27[0m nbsp\u{a0} nul\0"`,
		`(fn f [x ...] (if (= x nil) (values ...) (f ...)))`,
		`(each [k v (pairs {:a 1})] (print k v))`,
		`(local x (do (print :hi) 1))`,
		`(let [t {}] (set (t.a t.b) (values 1 2)) t)`,
		`(+ 1 (`, // a parse error with Fennel's friendly message
		`(local 1 2)`,
	}
	var script strings.Builder
	fmt.Fprintf(&script, "local fennel = dofile(%q)\n", testenv.Fennel(t))
	for i, form := range forms {
		fmt.Fprintf(&script, "print(\"### %d\")\nprint((select(2, pcall(fennel.compileString, %s))))\n", i, luaQuote(form))
	}
	want := splitPrograms(runLua51(t, script.String()))
	got := splitPrograms(runHere(t, script.String()))
	for i, form := range forms {
		name := fmt.Sprint(i)
		if got[name] != want[name] {
			t.Errorf("%s compiles to\n%s\nbut under lua5.1 to\n%s", form, got[name], want[name])
		}
	}
}

// luaQuote is a Lua long string holding s.
func luaQuote(s string) string {
	return "[==[" + s + "]==]"
}
