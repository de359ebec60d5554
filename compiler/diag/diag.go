// Package diag renders compile-time diagnostics the way rustc and miette do:
// a one-line message, an arrow to file:line:col, the source line, and a caret
// under the offending form.
//
// It knows nothing about Fennel or pipelines; callers hand it positions and
// messages. Positions are 1-based in both line and column, and columns count
// characters (UTF-8 code points), as Fennel's reader and rustc count them,
// so that a column after "é" or "日本" is the one an editor shows.
package diag

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// A Span is a region of one source file. Line and Col locate its first byte.
// EndLine and EndCol, when set, locate its last byte; a zero EndLine means the
// span covers a single character.
type Span struct {
	File    string
	Line    int
	Col     int
	EndLine int
	EndCol  int
}

// String formats the span as file:line:col.
func (s Span) String() string {
	if s.Line <= 0 {
		return s.File
	}
	if s.Col <= 0 {
		return s.File + ":" + strconv.Itoa(s.Line)
	}
	return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Col)
}

// A Note is a secondary remark attached to a diagnostic, optionally with a
// location of its own ("called from ci.fnl:12").
type Note struct {
	Span Span // zero when the note has no location
	Msg  string
}

// A Diagnostic is one error to show the user.
type Diagnostic struct {
	Span  Span
	Msg   string
	Notes []Note
	Help  []string // suggestions, each rendered as "= help: …"
}

// Error implements error so diagnostics travel through ordinary error paths.
func (d *Diagnostic) Error() string {
	if d.Span.File == "" {
		return d.Msg
	}
	return d.Span.String() + ": " + d.Msg
}

// A Renderer writes diagnostics. Sources maps a file name to its contents so
// the renderer can quote the offending line; a missing file is rendered
// without the excerpt rather than failing.
type Renderer struct {
	Color   bool
	Sources map[string][]byte
}

const (
	bold   = "\x1b[1m"
	red    = "\x1b[1;31m"
	blue   = "\x1b[1;34m"
	cyan   = "\x1b[1;36m"
	reset  = "\x1b[0m"
	indent = " "
)

func (r *Renderer) paint(code, s string) string {
	if !r.Color {
		return s
	}
	return code + s + reset
}

// Render writes one diagnostic, ending with a blank line.
func (r *Renderer) Render(w io.Writer, d *Diagnostic) {
	var b strings.Builder
	b.WriteString(r.paint(red, "error") + r.paint(bold, ": "+d.Msg) + "\n")
	gutter := 1
	if d.Span.Line > 0 {
		gutter = len(strconv.Itoa(d.Span.Line))
	}
	for _, n := range d.Notes {
		if n.Span.Line > 0 && len(strconv.Itoa(n.Span.Line)) > gutter {
			gutter = len(strconv.Itoa(n.Span.Line))
		}
	}
	pad := strings.Repeat(" ", gutter)
	if d.Span.File != "" {
		b.WriteString(pad + r.paint(blue, "-->") + " " + d.Span.String() + "\n")
		r.excerpt(&b, pad, d.Span, red)
	}
	for _, n := range d.Notes {
		b.WriteString(pad + r.paint(blue, " = ") + r.paint(bold, "note") + ": " + n.Msg)
		if n.Span.File != "" {
			b.WriteString(" (" + n.Span.String() + ")")
		}
		b.WriteString("\n")
		if n.Span.File != "" {
			r.excerpt(&b, pad, n.Span, cyan)
		}
	}
	for _, h := range d.Help {
		b.WriteString(pad + r.paint(blue, " = ") + r.paint(bold, "help") + ": " + h + "\n")
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// excerpt quotes the span's first line with a caret run under the span.
func (r *Renderer) excerpt(b *strings.Builder, pad string, s Span, color string) {
	line, ok := sourceLine(r.Sources[s.File], s.Line)
	if !ok {
		return
	}
	num := strconv.Itoa(s.Line)
	bar := r.paint(blue, "|")
	b.WriteString(pad + " " + bar + "\n")
	b.WriteString(r.paint(blue, strings.Repeat(" ", len(pad)-len(num))+num+" |") + " " + expandTabs(line) + "\n")
	// Columns count characters: work on the line's characters, so that
	// the caret lands under the same character whatever precedes it.
	chars := []rune(line)
	col := s.Col
	if col < 1 {
		col = 1
	}
	if col > len(chars)+1 {
		col = len(chars) + 1
	}
	end := col // inclusive, 1-based
	switch {
	case s.EndLine == s.Line && s.EndCol >= col:
		end = s.EndCol
	case s.EndLine > s.Line:
		end = len([]rune(strings.TrimRight(line, " \t")))
	}
	if end > len(chars) {
		end = max(len(chars), col)
	}
	// The quoted line's tabs are expanded (expandTabs) and the caret is
	// indented by the same display width, so the two line up.
	lead := strings.Repeat(" ", displayWidth(chars[:col-1]))
	lo := min(col-1, len(chars))
	hi := max(lo, min(end, len(chars)))
	carets := strings.Repeat("^", max(1, displayWidth(chars[lo:hi])))
	b.WriteString(pad + " " + bar + " " + lead + r.paint(color, carets) + "\n")
}

// sourceLine returns the 1-based line n of src without its line ending.
func sourceLine(src []byte, n int) (string, bool) {
	if src == nil || n < 1 {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimSuffix(string(src), "\r"), true
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// displayWidth counts the terminal columns chars take as rendered by
// expandTabs: four for a tab, two for a wide (East Asian or emoji)
// character, none for a combining mark, one for anything else.
func displayWidth(chars []rune) int {
	w := 0
	for _, c := range chars {
		switch {
		case c == '\t':
			w += 4
		case zeroWidth(c):
		case wide(c):
			w += 2
		default:
			w++
		}
	}
	return w
}

// zeroWidth reports combining marks and the invisible joiners and
// selectors, which a terminal draws on top of the previous character.
func zeroWidth(c rune) bool {
	return unicode.Is(unicode.Mn, c) || unicode.Is(unicode.Me, c) ||
		c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF ||
		(c >= 0xFE00 && c <= 0xFE0F)
}

// wide reports characters that terminals draw two columns wide: the East
// Asian wide and fullwidth blocks and the emoji planes (after Markus
// Kuhn's wcwidth).
func wide(c rune) bool {
	return c >= 0x1100 && (c <= 0x115F || c == 0x2329 || c == 0x232A ||
		(c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
		(c >= 0xAC00 && c <= 0xD7A3) ||
		(c >= 0xF900 && c <= 0xFAFF) ||
		(c >= 0xFE30 && c <= 0xFE6F) ||
		(c >= 0xFF00 && c <= 0xFF60) ||
		(c >= 0xFFE0 && c <= 0xFFE6) ||
		(c >= 0x1F300 && c <= 0x1F64F) ||
		(c >= 0x1F900 && c <= 0x1F9FF) ||
		(c >= 0x20000 && c <= 0x3FFFD))
}
