package luavm

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// viewDepth is fennel.view's default depth: tables nested deeper show as
// {...}.
const viewDepth = 128

// View renders v in Fennel notation on one line, as fennel.view does with
// {:one-line? true} and its other options at their defaults: {:code 42
// :msg "bad"}, [1 2 3], a table that contains itself as @1{:self @1{...}}.
// It needs no Fennel, so that the generated binary, which carries none,
// words a value as the compiler does. Unlike fennel.view it calls no
// metamethod (__fennelview, __pairs, __tostring of what the table holds):
// a message built from a failed call must not raise again.
//
// redact, when not nil, is applied to every string before it is quoted:
// quoting escapes some bytes, after which a secret's text could no longer
// be found in the result.
func View(v lua.LValue, redact func(string) string) string {
	vw := &viewer{redact: redact, appearances: map[*lua.LTable]int{}, seen: map[*lua.LTable]int{}}
	vw.count(v)
	return vw.pp(v, false)
}

// A viewer is the state of one View: fennel.view's options.appearances,
// options.seen and options.level.
type viewer struct {
	redact      func(string) string
	appearances map[*lua.LTable]int // how often each table is referred to
	seen        map[*lua.LTable]int // the @id of tables that got one
	level       int
}

// count is fennel.view's count-table-appearances.
func (vw *viewer) count(v lua.LValue) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return
	}
	if vw.appearances[t] > 0 {
		vw.appearances[t]++
		return
	}
	vw.appearances[t] = 1
	t.ForEach(func(k, v lua.LValue) {
		vw.count(k)
		vw.count(v)
	})
}

// pp renders one value; colon says it is a key, which is written :key
// when it can be.
func (vw *viewer) pp(v lua.LValue, colon bool) string {
	switch x := v.(type) {
	case *lua.LTable:
		return vw.table(x)
	case lua.LNumber:
		return viewNumber(float64(x))
	case lua.LString:
		s := string(x)
		if vw.redact != nil {
			s = vw.redact(s)
		}
		if colon && colonString(s) {
			return ":" + s
		}
		return viewString(s)
	case lua.LBool, *lua.LNilType:
		return x.String()
	default:
		return "#<" + x.String() + ">"
	}
}

// A viewPair is one key and value of a table being rendered.
type viewPair struct{ k, v lua.LValue }

// viewTypeOrder is the order of fennel.view's keys of different types.
var viewTypeOrder = map[lua.LValueType]int{
	lua.LTNumber: 1, lua.LTBool: 2, lua.LTString: 3, lua.LTTable: 4,
	lua.LTFunction: 5, lua.LTUserData: 6, lua.LTThread: 7,
}

// keyLess is fennel.view's sort-keys.
func keyLess(a, b lua.LValue) bool {
	switch a := a.(type) {
	case lua.LNumber:
		if b, ok := b.(lua.LNumber); ok {
			return a < b
		}
	case lua.LString:
		if b, ok := b.(lua.LString); ok {
			return a < b
		}
	}
	da, aok := viewTypeOrder[a.Type()]
	db, bok := viewTypeOrder[b.Type()]
	switch {
	case aok && bok:
		return da < db
	case aok || bok:
		return aok
	}
	return a.Type().String() < b.Type().String()
}

// table is fennel.view's pp-table without metamethods: a table whose keys
// are exactly 1..n is a sequence, any other is associative.
func (vw *viewer) table(t *lua.LTable) string {
	vw.level++
	defer func() { vw.level-- }()
	var kv []viewPair
	assoc := false
	t.ForEach(func(k, v lua.LValue) {
		if n, ok := k.(lua.LNumber); !ok || n < 1 || float64(n) != math.Floor(float64(n)) {
			assoc = true
		}
		kv = append(kv, viewPair{k, v})
	})
	if len(kv) == 0 {
		return "{}"
	}
	sort.SliceStable(kv, func(i, j int) bool { return keyLess(kv[i].k, kv[j].k) })
	if !assoc {
		// max-sparse-gap 1: any missing index makes the table associative.
		prev := lua.LNumber(0)
		for _, p := range kv {
			if n := p.k.(lua.LNumber); n-prev > 1 {
				assoc = true
				break
			} else {
				prev = n
			}
		}
	}
	open, close := "[", "]"
	if assoc {
		open, close = "{", "}"
	}
	if vw.level >= viewDepth {
		return open + "..." + close
	}
	if id, ok := vw.seen[t]; ok {
		return fmt.Sprintf("@%d%s...%s", id, open, close)
	}
	prefix := ""
	if detectCycle(t, map[*lua.LTable]bool{}) {
		// fennel.view numbers every table under which some table is met
		// twice, and shows the number on those referred to more than once.
		id := len(vw.seen) + 1
		vw.seen[t] = id
		if vw.appearances[t] > 1 {
			prefix = "@" + strconv.Itoa(id)
		}
	}
	items := make([]string, len(kv))
	for i, p := range kv {
		if assoc {
			items[i] = vw.pp(p.k, true) + " " + vw.pp(p.v, false)
		} else {
			items[i] = vw.pp(p.v, false)
		}
	}
	return prefix + open + strings.Join(items, " ") + close
}

// detectCycle is fennel.view's detect-cycle: whether, walking down from v,
// some table is reached a second time.
func detectCycle(v lua.LValue, seen map[*lua.LTable]bool) bool {
	t, ok := v.(*lua.LTable)
	if !ok {
		return false
	}
	seen[t] = true
	found := false
	t.ForEach(func(k, v lua.LValue) {
		if found {
			return
		}
		found = seenTable(k, seen) || detectCycle(k, seen) || seenTable(v, seen) || detectCycle(v, seen)
	})
	return found
}

func seenTable(v lua.LValue, seen map[*lua.LTable]bool) bool {
	t, ok := v.(*lua.LTable)
	return ok && seen[t]
}

// viewNumber is fennel.view's number->string: integers in full up to
// 1e15 or so, then in the shortest exponent form that reads back as the
// same number; .inf, -.inf, .nan and -.nan; other numbers as tostring.
func viewNumber(n float64) string {
	if math.IsNaN(n) {
		if math.Signbit(n) {
			return "-.nan"
		}
		return ".nan"
	}
	if math.Floor(n) != n {
		return FormatNumber(n)
	}
	switch s1 := formatFloat(n, fmtSpec{verb: 'f', prec: 0}); s1 {
	case "inf":
		return ".inf"
	case "-inf":
		return "-.inf"
	case FormatNumber(n):
		return s1
	default:
		for i := 0; i < 100; i++ {
			s0 := formatFloat(n, fmtSpec{verb: 'e', prec: i})
			if r, err := strconv.ParseFloat(s0, 64); err != nil || r != n {
				continue
			}
			_, exp, _ := strings.Cut(s0, "e")
			if x, err := strconv.Atoi(strings.TrimPrefix(exp, "+")); err == nil && x > 14 {
				return s0
			}
			return s1
		}
		return s1
	}
}

// colonString reports whether fennel.view writes the key s as :s.
func colonString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && !strings.ContainsRune("-?^_!$%&*+./|<=>", rune(c)) {
			return false
		}
	}
	return true
}

// viewString is fennel.view's pp-string: s in double quotes, with `"`,
// `\` and control characters escaped (a newline only in a string shorter
// than two bytes, as fennel.view's escape-newlines? is off), and bytes that
// are not UTF-8 written \ddd.
func viewString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\%03d`, s[i])
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n' && len(s) >= 2:
			b.WriteByte('\n')
		case r < 0x20 || r == 0x7f:
			if e, ok := viewEscapes[byte(r)]; ok {
				b.WriteString(e)
			} else {
				fmt.Fprintf(&b, `\%03d`, r)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

// viewEscapes are the control characters fennel.view writes with a letter.
var viewEscapes = map[byte]string{'\a': `\a`, '\b': `\b`, '\t': `\t`, '\n': `\n`, '\v': `\v`, '\f': `\f`, '\r': `\r`}
