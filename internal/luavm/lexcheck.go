package luavm

import (
	"bytes"
	"fmt"

	"github.com/yuin/gopher-lua/parse"
)

// This file finds the lexical errors of Lua 5.1's llex.c that gopher-lua's
// lexer does not raise, so that CompileChunk rejects what lua5.1 rejects:
//
//   - a decimal escape above 255, as in "\300": gopher-lua stores
//     byte(300), a ','; Lua 5.1 fails with "escape sequence too large".
//     Fennel reads every string literal through loadstring, so under
//     lua5.1 `(print "\300")` is a parse error.
//   - `[[` inside a level-0 long string or long comment: Lua 5.1
//     (LUA_COMPAT_LSTR 1) fails with "nesting of [[...]] is deprecated".
//   - `[=` not followed by more `=` and a `[`: "invalid long string
//     delimiter"; gopher-lua words it differently and points elsewhere.
//
// and the one valid construct it rejects: a short comment that starts
// like a long bracket, `--[=x`, which gopher-lua takes for an unfinished
// long comment. lexCheck blanks the '[' of those.
//
// lexCheck scans the source the way llex.c does, but only far enough to
// know where strings, long brackets and comments are; everything else is
// left to gopher-lua's lexer and parser.

// A lexError is the first Lua 5.1 lexical error lexCheck found.
type lexError struct {
	start   int    // offset of the token being read
	line    int    // the line llex.c reports
	message string // with its "near" part
}

// lexCheck returns the first error of the kinds above in src, or nil, and
// the offsets of the '['s to blank.
func lexCheck(src []byte) (*lexError, []int) {
	lx := &lexer{src: src, line: 1}
	err := lx.scan()
	return err, lx.blanks
}

type lexer struct {
	src    []byte
	i      int
	line   int
	blanks []int // '[' of short comments gopher-lua reads as long ones
}

// cur is the current byte, or -1 at the end (EOZ).
func (lx *lexer) cur() int {
	if lx.i < len(lx.src) {
		return int(lx.src[lx.i])
	}
	return -1
}

func (lx *lexer) isNewline() bool {
	c := lx.cur()
	return c == '\n' || c == '\r'
}

// newline is llex.c's inclinenumber: skips "\n", "\r", "\n\r" or "\r\n".
func (lx *lexer) newline() {
	old := lx.cur()
	lx.i++
	if lx.isNewline() && lx.cur() != old {
		lx.i++
	}
	lx.line++
}

// skipSep is llex.c's skip_sep at a '[' or ']': it consumes the bracket and
// any '='s, and returns their count if the same bracket follows, else
// -count-1.
func (lx *lexer) skipSep() int {
	s := lx.cur()
	lx.i++
	count := 0
	for lx.cur() == '=' {
		lx.i++
		count++
	}
	if lx.cur() == s {
		return count
	}
	return -count - 1
}

func (lx *lexer) scan() *lexError {
	for {
		start := lx.i
		switch c := lx.cur(); c {
		case -1:
			return nil
		case '\n', '\r':
			lx.newline()
		case '-':
			lx.i++
			if lx.cur() != '-' {
				continue
			}
			lx.i++
			if lx.cur() == '[' {
				open := lx.i
				sep := lx.skipSep()
				if sep >= 0 {
					if err, ok := lx.longString(start, sep); !ok {
						return err
					}
					continue
				}
				if sep < -1 {
					lx.blanks = append(lx.blanks, open)
				}
			}
			for !lx.isNewline() && lx.cur() != -1 {
				lx.i++
			}
		case '[':
			sep := lx.skipSep()
			switch {
			case sep >= 0:
				if err, ok := lx.longString(start, sep); !ok {
					return err
				}
			case sep != -1:
				return &lexError{start, lx.line, fmt.Sprintf("invalid long string delimiter near '%s'", lx.src[start:lx.i])}
			}
		case '"', '\'':
			if err, ok := lx.quotedString(start, c); !ok {
				return err
			}
		default:
			lx.i++
		}
	}
}

// longString is llex.c's read_long_string after skip_sep at start found a
// level-sep opening bracket. It reports false when scanning must stop: at
// an error (returned), or at the end of the source (nil: an unfinished
// long string, which gopher-lua reports).
func (lx *lexer) longString(start, sep int) (*lexError, bool) {
	lx.i++ // the second '['
	if lx.isNewline() {
		lx.newline()
	}
	for {
		switch lx.cur() {
		case -1:
			return nil, false
		case '[':
			if lx.skipSep() == sep {
				lx.i++
				if sep == 0 {
					return &lexError{start, lx.line, "nesting of [[...]] is deprecated near '['"}, false
				}
			}
		case ']':
			if lx.skipSep() == sep {
				lx.i++
				return nil, true
			}
		case '\n', '\r':
			lx.newline()
		default:
			lx.i++
		}
	}
}

// quotedString is llex.c's read_string. The error message quotes what
// read_string has saved so far: the delimiter and the string's bytes, with
// escapes translated, up to the first NUL (luaO_pushfstring's %s).
func (lx *lexer) quotedString(start, del int) (*lexError, bool) {
	var saved bytes.Buffer
	saved.WriteByte(byte(del))
	lx.i++
	for lx.cur() != del {
		switch c := lx.cur(); c {
		case -1, '\n', '\r':
			return nil, false // unfinished string: gopher-lua reports it
		case '\\':
			lx.i++
			switch e := lx.cur(); e {
			case 'a', 'b', 'f', 'n', 'r', 't', 'v':
				saved.WriteByte(cEscapes[e])
				lx.i++
			case '\n', '\r':
				saved.WriteByte('\n')
				lx.newline()
			case -1:
			default:
				if !isDigit(byte(e)) {
					saved.WriteByte(byte(e))
					lx.i++
					continue
				}
				v := 0
				for n := 0; n < 3 && lx.cur() >= 0 && isDigit(byte(lx.cur())); n++ {
					v = 10*v + lx.cur() - '0'
					lx.i++
				}
				if v > 255 {
					return &lexError{start, lx.line, fmt.Sprintf("escape sequence too large near '%s'", cString(saved.String()))}, false
				}
				saved.WriteByte(byte(v))
			}
		default:
			saved.WriteByte(byte(c))
			lx.i++
		}
	}
	lx.i++
	return nil, true
}

// cEscapes are the one-letter escapes of Lua 5.1 strings.
var cEscapes = map[int]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}

// lexPrepare returns src as gopher-lua's lexer must read it, or the error
// Lua 5.1 reports first for src if src has one of the lexical errors
// gopher-lua's lexer misses: that error, or a syntax error gopher-lua's
// parser finds earlier in the source (Lua 5.1's parser reports it before
// it reads the bad token).
func lexPrepare(src []byte, short string) ([]byte, *SyntaxError) {
	le, blanks := lexCheck(src)
	if len(blanks) > 0 {
		src = bytes.Clone(src)
		for _, i := range blanks {
			src[i] = ' '
		}
	}
	if le != nil {
		prefix := src[:le.start]
		if _, err := parse.Parse(bytes.NewReader(prefix), short); err != nil {
			if pe, ok := err.(*parse.Error); ok && pe.Pos.Line != parse.EOF {
				return nil, parseError(err, prefix, short)
			}
		}
		return nil, &SyntaxError{Chunk: short, Line: le.line, Message: le.message}
	}
	return src, nil
}
