package luavm

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCompileChunkSyntaxErrors(t *testing.T) {
	for _, c := range []struct {
		src, chunkname string
		want           SyntaxError
	}{
		{"x = = 1", "x = = 1", SyntaxError{`[string "x = = 1"]`, 1, "unexpected symbol near '='"}},
		{"x = 1\nif x then", "@ci.lua", SyntaxError{"ci.lua", 2, "unexpected symbol near '<eof>'"}},
		{"x = 1\ny = 1e", "=stdin", SyntaxError{"stdin", 2, "malformed number near '1e'"}},
		{"x = \"abc", "=s", SyntaxError{"s", 1, "unfinished string near '<eof>'"}},
		{"x = 1\nbreak", "=s", SyntaxError{"s", 2, "no loop to break"}},
	} {
		_, err := CompileChunk([]byte(c.src), c.chunkname)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a *SyntaxError", c.src, err)
			continue
		}
		if *se != c.want {
			t.Errorf("%q: got %#v, want %#v", c.src, *se, c.want)
		}
	}
}

// CompileChunk returns errors, never panics, whatever it is given.
func TestCompileChunkNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	tokens := strings.Fields("local x y = , ( ) { } [ ] . .. ... : ; and or not function end do if then else return 1 0x 'a' \" -- [[ ]] goto ::l:: for in while repeat until break nil true #")
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(tokens[rng.IntN(len(tokens))])
			b.WriteByte(' ')
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("CompileChunk(%q) panicked: %v", b.String(), r)
				}
			}()
			CompileChunk([]byte(b.String()), "=fuzz")
		}()
	}
}

// chunkID is luaO_chunkid with LUA_IDSIZE 60.
func TestChunkID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=stdin", "stdin"},
		{"=" + strings.Repeat("n", 70), strings.Repeat("n", 59)},
		{"@ci.fnl", "ci.fnl"},
		{"@" + strings.Repeat("d/", 40) + "f.lua", "..." + (strings.Repeat("d/", 40) + "f.lua")[85-52:]},
		{"x = 1", `[string "x = 1"]`},
		{"x = 1\ny = 2", `[string "x = 1..."]`},
		{strings.Repeat("a", 43), `[string "` + strings.Repeat("a", 43) + `"]`},
		{strings.Repeat("a", 44), `[string "` + strings.Repeat("a", 43) + `..."]`},
	} {
		if got := chunkID(c.in); got != c.want {
			t.Errorf("chunkID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
