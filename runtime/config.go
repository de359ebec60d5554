package runtime

import (
	"fmt"
	"strconv"
	"strings"
)

// The config file (SPEC §3, Secrets) is a Fennel data table. The binary
// reads it with this small reader, not with Lua: it is data, never code, so
// nothing in it runs.
//
// Accepted: {…} tables of key/value pairs, […] sequences, "strings" with
// Fennel's escapes, :keywords, numbers, true, false, nil, and ; comments.

// A ConfigError is a syntax error in the config file, with its position.
type ConfigError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// parseConfig parses src into nested map[string]any, []any, string,
// float64, bool and nil. A config of nothing but space and comments is
// an empty table: no settings, on purpose.
func parseConfig(file string, src []byte) (any, error) {
	p := &configParser{file: file, src: src, line: 1, col: 1}
	p.skip()
	if p.pos >= len(p.src) {
		return map[string]any{}, nil
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos < len(p.src) {
		return nil, p.errf("unexpected %q after the config table", p.src[p.pos])
	}
	return v, nil
}

type configParser struct {
	file      string
	src       []byte
	pos       int
	line, col int
}

func (p *configParser) errf(format string, args ...any) error {
	return &ConfigError{File: p.file, Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)}
}

func (p *configParser) advance() {
	if p.src[p.pos] == '\n' {
		p.line, p.col = p.line+1, 1
	} else {
		p.col++
	}
	p.pos++
}

// skip passes whitespace, commas and comments.
func (p *configParser) skip() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ';':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.advance()
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '\f' || c == '\v':
			p.advance()
		default:
			return
		}
	}
}

func isDelim(c byte) bool {
	return strings.IndexByte("{}[]()\"; \t\n\r,", c) >= 0
}

func (p *configParser) value() (any, error) {
	if p.pos >= len(p.src) {
		return nil, p.errf("unexpected end of file; a table or string is not closed")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.table()
	case c == '[':
		return p.sequence()
	case c == '"':
		return p.str()
	case c == ':':
		p.advance()
		start := p.pos
		for p.pos < len(p.src) && !isDelim(p.src[p.pos]) {
			p.advance()
		}
		if p.pos == start {
			return nil, p.errf("empty keyword")
		}
		return string(p.src[start:p.pos]), nil
	case c == '}' || c == ']' || c == ')':
		return nil, p.errf("unexpected %q", c)
	case c == '(':
		return nil, p.errf("the config is data: calls like ( … ) are not allowed")
	default:
		line, col := p.line, p.col
		start := p.pos
		for p.pos < len(p.src) && !isDelim(p.src[p.pos]) {
			p.advance()
		}
		word := string(p.src[start:p.pos])
		switch word {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "nil":
			return nil, nil
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(word, "_", ""), 64); err == nil {
			return f, nil
		}
		return nil, &ConfigError{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf("unexpected %q: the config is data, so symbols are not allowed (write :%s or \"%s\" for a string)", word, word, word)}
	}
}

func (p *configParser) table() (any, error) {
	openLine, openCol := p.line, p.col
	p.advance()
	m := map[string]any{}
	for {
		p.skip()
		if p.pos >= len(p.src) {
			return nil, &ConfigError{File: p.file, Line: openLine, Col: openCol, Msg: "this { is never closed"}
		}
		if p.src[p.pos] == '}' {
			p.advance()
			return m, nil
		}
		kline, kcol := p.line, p.col
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		ks, ok := k.(string)
		if !ok {
			return nil, &ConfigError{File: p.file, Line: kline, Col: kcol, Msg: "table keys must be strings or :keywords"}
		}
		p.skip()
		if p.pos >= len(p.src) || p.src[p.pos] == '}' {
			return nil, &ConfigError{File: p.file, Line: kline, Col: kcol, Msg: fmt.Sprintf("key %q has no value", ks)}
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if _, dup := m[ks]; dup {
			return nil, &ConfigError{File: p.file, Line: kline, Col: kcol, Msg: fmt.Sprintf("key %q appears twice", ks)}
		}
		m[ks] = v
	}
}

func (p *configParser) sequence() (any, error) {
	openLine, openCol := p.line, p.col
	p.advance()
	var s []any
	for {
		p.skip()
		if p.pos >= len(p.src) {
			return nil, &ConfigError{File: p.file, Line: openLine, Col: openCol, Msg: "this [ is never closed"}
		}
		if p.src[p.pos] == ']' {
			p.advance()
			return s, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		s = append(s, v)
	}
}

// str reads a string literal with Lua's escapes, as Fennel strings have.
func (p *configParser) str() (any, error) {
	openLine, openCol := p.line, p.col
	p.advance()
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return nil, &ConfigError{File: p.file, Line: openLine, Col: openCol, Msg: "this string is never closed"}
		}
		c := p.src[p.pos]
		switch c {
		case '"':
			p.advance()
			return b.String(), nil
		case '\\':
			p.advance()
			if p.pos >= len(p.src) {
				continue
			}
			e := p.src[p.pos]
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			case '\\', '"', '\'', '\n':
				b.WriteByte(e)
			default:
				if e >= '0' && e <= '9' {
					n := 0
					for i := 0; i < 3 && p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9'; i++ {
						n = n*10 + int(p.src[p.pos]-'0')
						p.advance()
					}
					if n > 255 {
						return nil, p.errf("escape sequence too large")
					}
					b.WriteByte(byte(n))
					continue
				}
				return nil, p.errf("invalid escape \\%c in string", e)
			}
			p.advance()
		default:
			b.WriteByte(c)
			p.advance()
		}
	}
}
