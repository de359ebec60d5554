package compiler

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/quire-ci/quire/internal/testenv"
)

// FuzzLoad feeds arbitrary bytes to the compiler's front door as ci.fnl.
// Whatever the input, Load must return a pipeline, an *Errors (invalid
// pipeline) or a *UsageError: never panic, and never run past its time
// bound. Run it with `make fuzz`.
func FuzzLoad(f *testing.F) {
	testenv.Fennel(f)
	for _, seed := range []string{
		"",
		"(local ci (require :quire.ci))\n(ci.job :a [:quire/push] (fn [] {}))",
		"(local ci (require :quire.ci))\n(ci.job :a [:b] (fn [] {}))\n(ci.job :b [:a] (fn [] {}))",
		"(local ci (require :quire.ci))\n(ci.mirror \"u\" {:secret :s :tag (fn [] :t) :x 1})",
		"(case [1 2] [a b] (+ a b) _ 0)",
		"(macro m [x] `(do ,x)) (m (error \"boom\"))",
		"{:a 1 :b}",
		"(((((",
		"\"unterminated",
		"(while true)",
		"(fn [] (string.rep \"x\" 1e9))",
		"\x00\x01\xff",
		"(let [[a & rest] [1 2 3]] (print a))",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		file := filepath.Join(dir, "ci.fnl")
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		p, err := Load(file, Options{EvalTimeout: 2 * time.Second})
		if elapsed := time.Since(start); elapsed > 20*time.Second {
			t.Fatalf("Load took %s", elapsed)
		}
		var errs *Errors
		var usage *UsageError
		switch {
		case err == nil:
			p.Close()
		case errors.As(err, &errs):
			if len(errs.Diags) == 0 {
				t.Fatalf("invalid pipeline with no diagnostics: %v", err)
			}
		case errors.As(err, &usage):
		default:
			t.Fatalf("Load returned an unclassified error %T: %v", err, err)
		}
	})
}
