package compiler

import (
	"reflect"
	"strings"
	"testing"
)

// graph builds a pipeline from "id:input,input" specs, in registration order.
func graph(specs ...string) *Pipeline {
	p := &Pipeline{}
	for _, s := range specs {
		id, inputs, _ := strings.Cut(s, ":")
		j := &Job{ID: id}
		if inputs != "" {
			j.Inputs = strings.Split(inputs, ",")
		}
		p.Jobs = append(p.Jobs, j)
	}
	return p
}

func messages(p *Pipeline) []string {
	var out []string
	for _, d := range validate(p) {
		msg := d.Msg
		for _, h := range d.Help {
			msg += " / " + h
		}
		out = append(out, msg)
	}
	return out
}

func TestValidGraphHasNoErrors(t *testing.T) {
	p := graph("test:quire/push", "build:test", "lint:quire/push", "ship:build,lint")
	if got := messages(p); got != nil {
		t.Fatalf("unexpected errors: %q", got)
	}
}

func TestTopoOrderPrefersRegistrationOrder(t *testing.T) {
	p := graph("ship:build,lint", "build:test", "test:quire/push", "lint:quire/push")
	want := []string{"test", "build", "lint", "ship"}
	if got := topoOrder(p); !reflect.DeepEqual(got, want) {
		t.Errorf("topoOrder = %v, want %v", got, want)
	}
}

func TestUnknownInputSuggestsClosestName(t *testing.T) {
	p := graph("test:quire/push", "build:tset", "far:xyzzy-plugh")
	got := messages(p)
	want := []string{
		"Job 'build' lists input 'tset', which is neither a job nor a source. / did you mean 'test'?",
		"Job 'far' lists input 'xyzzy-plugh', which is neither a job nor a source.",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestCyclesAreReportedOnceEachSorted(t *testing.T) {
	p := graph("s:quire/push", "c:s,b", "b:a", "a:c", "me:me,s", "down:a")
	// c has a source input, so the a-b-c cycle is reachable: only cycles.
	got := messages(p)
	want := []string{
		"Cycle detected among jobs: a, b, c",
		"Cycle detected among jobs: me",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestUnreachableJobs(t *testing.T) {
	// A cycle that no source feeds is both a cycle and unreachable, and so
	// is everything downstream of it; a cycle with a source input is only a
	// cycle.
	p := graph("ok:quire/push", "x:y", "y:x", "down:x", "loop:loop,ok")
	want := []string{
		"Cycle detected among jobs: x, y",
		"Cycle detected among jobs: loop",
		"Job 'x' is not reachable from any source (e.g. :quire/push).",
		"Job 'y' is not reachable from any source (e.g. :quire/push).",
		"Job 'down' is not reachable from any source (e.g. :quire/push).",
	}
	if got := messages(p); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestUnknownInputIsNotAlsoUnreachable(t *testing.T) {
	p := graph("a:nope", "b:a")
	want := []string{"Job 'a' lists input 'nope', which is neither a job nor a source."}
	if got := messages(p); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"test", "test", 0}, {"tset", "test", 1}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"quire/pushh", "quire/push", 1}, {"", "abc", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
