package diag

import (
	"strings"
	"testing"
)

func render(r *Renderer, d *Diagnostic) string {
	var b strings.Builder
	r.Render(&b, d)
	return b.String()
}

func TestRenderPointsAtTheForm(t *testing.T) {
	src := []byte("(local ci (require :quire.ci))\n  (ci.job :x [] (fn [] {}))\n")
	r := &Renderer{Sources: map[string][]byte{"ci.fnl": src}}
	got := render(r, &Diagnostic{
		Span: Span{File: "ci.fnl", Line: 2, Col: 3, EndLine: 2, EndCol: 27},
		Msg:  "Job 'x' has empty inputs.",
		Help: []string{"pass [:quire/push]", "or another input"},
	})
	want := `error: Job 'x' has empty inputs.
 --> ci.fnl:2:3
  |
2 |   (ci.job :x [] (fn [] {}))
  |   ^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: pass [:quire/push]
  = help: or another input

`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderMultilineSpanUnderlinesToEndOfFirstLine(t *testing.T) {
	src := []byte("(ci.job :x\n  [] f)\n")
	r := &Renderer{Sources: map[string][]byte{"a.fnl": src}}
	got := render(r, &Diagnostic{Span: Span{File: "a.fnl", Line: 1, Col: 1, EndLine: 2, EndCol: 7}, Msg: "m"})
	if !strings.Contains(got, "1 | (ci.job :x\n  | ^^^^^^^^^^\n") {
		t.Errorf("carets should run to the end of the first line:\n%s", got)
	}
}

func TestRenderWithoutSourceOmitsExcerpt(t *testing.T) {
	r := &Renderer{}
	got := render(r, &Diagnostic{Span: Span{File: "gone.fnl", Line: 4, Col: 2}, Msg: "m"})
	want := "error: m\n --> gone.fnl:4:2\n\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRenderColorOnlyWhenAsked(t *testing.T) {
	d := &Diagnostic{Span: Span{File: "f", Line: 1, Col: 1}, Msg: "m"}
	src := map[string][]byte{"f": []byte("x\n")}
	if got := render(&Renderer{Sources: src}, d); strings.Contains(got, "\x1b[") {
		t.Errorf("plain rendering contains escape codes: %q", got)
	}
	if got := render(&Renderer{Color: true, Sources: src}, d); !strings.Contains(got, "\x1b[1;31merror") {
		t.Errorf("coloured rendering lacks a red 'error': %q", got)
	}
}

func TestRenderTabsAlignCaret(t *testing.T) {
	src := []byte("\t(bad)\n")
	got := render(&Renderer{Sources: map[string][]byte{"f": src}}, &Diagnostic{Span: Span{File: "f", Line: 1, Col: 2, EndLine: 1, EndCol: 6}, Msg: "m"})
	if !strings.Contains(got, "1 |     (bad)\n  |     ^^^^^\n") {
		t.Errorf("caret not aligned under a tab-indented form:\n%s", got)
	}
}

func TestRenderNoteWithLocation(t *testing.T) {
	src := []byte("(fn f [] (ci.job))\n(f)\n")
	got := render(&Renderer{Sources: map[string][]byte{"ci.fnl": src}}, &Diagnostic{
		Span:  Span{File: "ci.fnl", Line: 1, Col: 10, EndLine: 1, EndCol: 17},
		Msg:   "m",
		Notes: []Note{{Span: Span{File: "ci.fnl", Line: 2, Col: 1, EndLine: 2, EndCol: 3}, Msg: "called from here"}},
	})
	want := "  = note: called from here (ci.fnl:2:1)\n  |\n2 | (f)\n  | ^^^\n"
	if !strings.Contains(got, want) {
		t.Errorf("got:\n%s\nwant it to contain:\n%s", got, want)
	}
}

func TestSpanString(t *testing.T) {
	for _, tc := range []struct {
		s    Span
		want string
	}{
		{Span{File: "a"}, "a"},
		{Span{File: "a", Line: 3}, "a:3"},
		{Span{File: "a", Line: 3, Col: 9}, "a:3:9"},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// FuzzRender: any source and any span render without panicking, and the
// output always starts with the message.
func FuzzRender(f *testing.F) {
	f.Add([]byte("(ci.job :x [] f)\n"), 1, 1, 1, 16, "msg")
	f.Add([]byte("\t\xff\n\n"), 3, 9, 1, 0, "")
	f.Add([]byte(""), -1, -5, 99, 99, "m")
	f.Fuzz(func(t *testing.T, src []byte, line, col, endLine, endCol int, msg string) {
		r := &Renderer{Sources: map[string][]byte{"f": src}}
		out := render(r, &Diagnostic{Span: Span{File: "f", Line: line, Col: col, EndLine: endLine, EndCol: endCol}, Msg: msg})
		if !strings.HasPrefix(out, "error: "+msg) {
			t.Fatalf("output does not start with the message: %q", out)
		}
	})
}

// Columns count characters, as Fennel's reader does: the caret lands under
// the character the column names, and runs as wide as the form, after
// accented letters and two-column CJK characters alike.
func TestRenderColumnsCountCharacters(t *testing.T) {
	src := []byte("(x \"é日本\" (bad))\n")
	// (bad) is characters 11 to 15; in bytes it would be 15 to 19.
	got := render(&Renderer{Sources: map[string][]byte{"f": src}}, &Diagnostic{Span: Span{File: "f", Line: 1, Col: 11, EndLine: 1, EndCol: 15}, Msg: "m"})
	// "é" is one column wide and 日 and 本 two each, so (bad) starts at
	// display column 13.
	want := "1 | (x \"é日本\" (bad))\n  |             ^^^^^\n"
	if !strings.Contains(got, want) {
		t.Errorf("got:\n%s\nwant it to contain:\n%s", got, want)
	}
}
