package runtime_test

import (
	"strings"
	"testing"

	"github.com/quire-ci/quire/runtime"
)

// Every console line names its job, also when one message spans lines, so
// that lines of jobs running in parallel can always be told apart.
func TestConsoleLinePrefixesEveryLine(t *testing.T) {
	var out strings.Builder
	con := runtime.NewConsole(&out)
	con.Line("build", "first\nsecond\n")
	con.Line("test", "one line")
	con.Line("test", "")
	want := "[build] first\n[build] second\n[test] one line\n[test] \n"
	if out.String() != want {
		t.Errorf("console:\n%s\nwant:\n%s", out.String(), want)
	}
}

// A secret that itself spans lines (a key file) is redacted before the
// text is split into lines.
func TestConsoleLineRedactsBeforeSplitting(t *testing.T) {
	var out strings.Builder
	con := runtime.NewConsole(&out)
	con.SetRedactor(func(s string) string { return strings.ReplaceAll(s, "KEY\nLINE2", "{{ key }}") })
	con.Line("deploy", "using KEY\nLINE2 now")
	if want := "[deploy] using {{ key }} now\n"; out.String() != want {
		t.Errorf("console: %q, want %q", out.String(), want)
	}
}
