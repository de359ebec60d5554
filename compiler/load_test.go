package compiler_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/internal/testenv"
)

// loadErrors compiles an invalid pipeline and returns its rendered report.
func loadErrors(t *testing.T, src string, opts compiler.Options) string {
	t.Helper()
	testenv.Fennel(t)
	file := filepath.Join(t.TempDir(), "ci.fnl")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := compiler.Load(file, opts)
	if err == nil {
		p.Close()
		t.Fatal("load succeeded; want errors")
	}
	var errs *compiler.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("load: %v; want *compiler.Errors", err)
	}
	var b strings.Builder
	r := &diag.Renderer{Sources: map[string][]byte{}}
	for name, src := range errs.Sources {
		r.Sources[filepath.Base(name)] = src
	}
	for _, d := range errs.Diags {
		d.Span.File = base(d.Span.File)
		for i := range d.Notes {
			d.Notes[i].Span.File = base(d.Notes[i].Span.File)
		}
		r.Render(&b, d)
	}
	return b.String()
}

func base(file string) string {
	if file == "" {
		return ""
	}
	return filepath.Base(file)
}

// A top level that loops forever is stopped, and the error points at the
// form it was running.
func TestEvalTimeoutPointsAtTheLoop(t *testing.T) {
	got := loadErrors(t, "(local ci (require :quire.ci))\n(var i 0)\n(while true (set i (+ i 1)))\n(ci.job :x [:quire/push] (fn [] {}))\n",
		compiler.Options{EvalTimeout: 200 * time.Millisecond})
	if !strings.Contains(got, "took longer than 200ms") {
		t.Errorf("no timeout message:\n%s", got)
	}
	if !strings.Contains(got, " --> ci.fnl:3:1\n") {
		t.Errorf("the error does not point at the loop:\n%s", got)
	}
	if !strings.Contains(got, "= note: it was running this form when stopped\n") {
		t.Errorf("no note that the span is where evaluation was stopped:\n%s", got)
	}
}
