package runtime

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseUpdates(t *testing.T) {
	const a, b, z = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", "0000000000000000000000000000000000000000"
	in := strings.Join([]string{
		a + " " + b + " refs/heads/main",
		z + " " + a + " refs/tags/v1",   // a new ref: no previous sha
		a + " " + z + " refs/heads/old", // a deletion: no run
		"garbage",
		a + " " + b,
		"xyz " + b + " refs/heads/x",
		"",
		b + " " + a + " refs/heads/second\r",
	}, "\n")
	var warnings []string
	got := parseUpdates(strings.NewReader(in), func(w string) { warnings = append(warnings, w) })
	want := []update{
		{Old: a, New: b, Ref: "refs/heads/main"},
		{Old: "", New: a, Ref: "refs/tags/v1"},
		{Old: b, New: a, Ref: "refs/heads/second"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("updates = %+v\nwant %+v", got, want)
	}
	if len(warnings) != 3 || !strings.Contains(warnings[0], `malformed line 4 of the hook's input: "garbage"`) {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestParseUpdatesManyRefs(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10000; i++ {
		b.WriteString("1111111111111111111111111111111111111111 2222222222222222222222222222222222222222 refs/heads/b")
		b.WriteString(strings.Repeat("x", i%50))
		b.WriteString("\n")
	}
	got := parseUpdates(strings.NewReader(b.String()), func(w string) { t.Errorf("warning: %s", w) })
	if len(got) != 10000 {
		t.Errorf("%d updates, want 10000", len(got))
	}
}

func FuzzParseUpdates(f *testing.F) {
	f.Add("1111111111111111111111111111111111111111 2222222222222222222222222222222222222222 refs/heads/main\n")
	f.Add("garbage\n\x00\xff")
	f.Fuzz(func(t *testing.T, in string) {
		for _, u := range parseUpdates(strings.NewReader(in), func(string) {}) {
			if !strings.HasPrefix(u.Ref, "refs/") || len(u.New) < 40 {
				t.Fatalf("bad update %+v", u)
			}
		}
	})
}

func TestGraphQuotesIDs(t *testing.T) {
	p := &Pipeline{Jobs: []*Job{{ID: `say "hi"`, Inputs: []string{SourcePush}}, {ID: `back\slash`, Inputs: []string{`say "hi"`}}}}
	p.Order = []string{`say "hi"`, `back\slash`}
	dot, _ := Graph(p, "dot")
	if !strings.Contains(dot, `"say \"hi\"" -> "back\\slash";`) {
		t.Errorf("dot:\n%s", dot)
	}
	mermaid, _ := Graph(p, "mermaid")
	if !strings.Contains(mermaid, `n1["say #quot;hi#quot;"]`) || strings.Contains(mermaid, `\"`) {
		t.Errorf("mermaid:\n%s", mermaid)
	}
	if _, err := Graph(p, "svg"); err == nil {
		t.Error("an unknown format did not fail")
	}
}

// A negative --max-runs is refused, as other meaningless flag values are,
// rather than taken as "no limit" (which is 0), and before any run starts.
func TestPostReceiveRefusesNegativeMaxRuns(t *testing.T) {
	p := &Pipeline{File: PipelinePath}
	runs := t.TempDir()
	in := strings.NewReader(strings.Repeat("0", 40) + " " + strings.Repeat("1", 40) + " refs/heads/main\n")
	var stdout, stderr strings.Builder
	st := Invoke(p, []string{"ci-bin", "post-receive", "--wait", "--max-runs", "-1", "--git-dir", t.TempDir(), "--runs-dir", runs}, in, &stdout, &stderr)
	if st != exitUsage {
		t.Errorf("exit status %d, want %d", st, exitUsage)
	}
	if want := "ci-bin: --max-runs -1: give the most runs one push may start, or 0 for no limit\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if stdout.String() != "" {
		t.Errorf("stdout %q", stdout.String())
	}
	if entries, _ := os.ReadDir(runs); len(entries) > 0 {
		t.Errorf("the runs directory holds %d entries", len(entries))
	}
}

// The binary's help states the defaults the flags really have.
func TestHelpStatesFlagDefaults(t *testing.T) {
	var stdout, stderr strings.Builder
	if st := Invoke(&Pipeline{File: PipelinePath}, []string{"ci-bin", "--help"}, strings.NewReader(""), &stdout, &stderr); st != exitOK {
		t.Fatalf("exit status %d; stderr %q", st, stderr.String())
	}
	for _, want := range []string{
		"between SIGTERM and SIGKILL (default " + DefaultGrace.String() + ")\n",
		"runs for one push (default " + strconv.Itoa(DefaultMaxRuns) + "; 0: no limit)\n",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stdout.String())
		}
	}
}
