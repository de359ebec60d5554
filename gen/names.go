package gen

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quire-ci/quire/compiler"
)

// maxNameRunes bounds the part of a job function's name taken from its id:
// ids have no length limit, and a name is for reading.
const maxNameRunes = 48

// jobFuncNames returns the Go function name of each job, in order: "job"
// followed by the id in camel case ("test" → jobTest, "quire/mirror" →
// jobQuireMirror, "build-linux.amd64" → jobBuildLinuxAmd64). ASCII
// punctuation and spaces separate words; letters and digits of any script
// are kept, as Go allows them; any other character is spelled as its code
// point ("🚀" → jobU1F680), so that ids made of symbols stay apart. Names
// that collide get a suffix _2, _3, … in registration order; sanitized
// names never hold an underscore, so a suffix cannot collide with another
// job's name.
func jobFuncNames(jobs []*compiler.Job) []string {
	used := map[string]bool{}
	out := make([]string, len(jobs))
	for i, j := range jobs {
		base := jobFuncName(j.ID)
		name := base
		for n := 2; used[name]; n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		used[name] = true
		out[i] = name
	}
	return out
}

func jobFuncName(id string) string {
	var b strings.Builder
	b.WriteString("job")
	upper, n := true, 0
	for _, r := range id {
		// Go's scanner accepts exactly unicode.IsLetter, '_' and
		// unicode.IsDigit in identifiers; '_' is a separator here so that
		// dedupe suffixes stay unambiguous.
		word := string(r)
		switch {
		case r < utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsDigit(r):
			upper = true
			continue
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			word, upper = fmt.Sprintf("U%X", r), true
		case upper:
			word, upper = string(unicode.ToUpper(r)), false
		}
		if n += utf8.RuneCountInString(word); n > maxNameRunes {
			break
		}
		b.WriteString(word)
	}
	return b.String()
}
