package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/internal/luavm"
)

// mirrorFields are the options ci.mirror accepts, in the order its error
// message lists them.
var mirrorFields = []string{"secret", "tag", "refs", "after", "as"}

// install makes the build-time modules and the pipeline's module searcher
// available to the code being evaluated.
func (ev *evaluator) install() {
	L := ev.L
	preload := L.GetField(L.GetField(L.Get(lua.EnvironIndex), "package"), "preload").(*lua.LTable)

	ci := L.NewTable()
	ci.RawSetString("job", L.NewFunction(ev.job))
	ci.RawSetString("image", L.NewFunction(ev.image))
	ci.RawSetString("mirror", L.NewFunction(ev.mirror))
	// At compile time there is no run, so the runtime handle is empty.
	ci.RawSetString("runtime", L.NewTable())

	stdlib := L.NewTable()
	stdlib.RawSetString("mirror", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("quire.stdlib.mirror is only available inside a run-fn, at run time")
		return 0
	}))

	// These are quire's modules for the whole compiler: require finds them
	// here, closures that capture them or their fields are bound to the
	// run-time modules of the same names, and the freezer's sandbox has
	// every name recorded here.
	ev.quire = map[string]*lua.LTable{"quire.ci": ci, "quire.stdlib": stdlib}
	ev.quireNames = map[string]bool{}
	for name, t := range ev.quire {
		preload.RawSetString(name, L.NewFunction(func(L *lua.LState) int { L.Push(t); return 1 }))
		ev.builtins[t] = name
		ev.quireNames[name] = true
		t.ForEach(func(k, v lua.LValue) {
			field := name + "." + lua.LVAsString(k)
			ev.quireNames[field] = true
			if _, isTable := v.(*lua.LTable); isTable || v.Type() == lua.LTFunction {
				ev.builtins[v] = field
			}
		})
	}

	// The pipeline's own modules come right after package.preload. Lua's
	// default package.path would also find modules in the directory quire
	// runs in and in the machine's Lua trees, which the compile cache never
	// hashes and a pipeline must not depend on (SPEC §1: modules next to
	// ci.fnl): it is emptied.
	pkg := L.GetField(L.Get(lua.EnvironIndex), "package")
	L.SetField(pkg, "path", lua.LString(""))
	L.SetField(pkg, "cpath", lua.LString(""))
	loaders := L.GetField(pkg, "loaders").(*lua.LTable)
	L.CallByParam(lua.P{Fn: L.GetField(L.GetGlobal("table"), "insert"), NRet: 0}, loaders, lua.LNumber(2), L.NewFunction(ev.searchModule))
}

// searchModule is a package.loaders entry that finds name next to ci.fnl as
// <name>.fnl, <name>/init.fnl, <name>.lua or <name>/init.lua.
func (ev *evaluator) searchModule(L *lua.LState) int {
	name := L.CheckString(1)
	rel := filepath.Join(strings.Split(name, ".")...)
	var tried []string
	ev.searched[name] = nil
	for _, cand := range []string{rel + ".fnl", filepath.Join(rel, "init.fnl"), rel + ".lua", filepath.Join(rel, "init.lua")} {
		path := filepath.Join(ev.dir, cand)
		fi, err := os.Stat(path)
		if err != nil || fi.IsDir() {
			tried = append(tried, "\n\tno file '"+path+"'")
			ev.searched[name] = append(ev.searched[name], filepath.ToSlash(cand))
			continue
		}
		L.Push(L.NewFunction(func(L *lua.LState) int { return ev.loadModule(L, name, path) }))
		return 1
	}
	L.Push(lua.LString(strings.Join(tried, "")))
	return 1
}

// loadModule compiles and runs one of the pipeline's modules, returning what
// it returns, as require expects of a loader.
func (ev *evaluator) loadModule(L *lua.LState, name, path string) int {
	src, err := readSource(path)
	if err != nil {
		L.RaiseError("require %q: %v", name, err)
	}
	src = withoutBOM(src)
	ev.sources[path] = src
	ev.p.Modules = append(ev.p.Modules, Module{Name: name, Path: path})
	luaSrc := string(src)
	if strings.HasSuffix(path, ".fnl") {
		out, err := ev.fennelToLua(src, path)
		if err != nil {
			// Raise the Fennel error itself, so its position survives the
			// trip through require and the top level's pcall.
			ud := L.NewUserData()
			ud.Value = err
			L.Error(ud, 0)
		}
		luaSrc = out
	}
	fn, err := luavm.Load(L, []byte(luaSrc), "@"+path)
	if err != nil {
		if m := luaPos.FindStringSubmatch(err.Error()); m != nil && m[1] == path {
			// A Lua module's syntax error: raise it positioned, as a
			// Fennel module's is above.
			line, _ := strconv.Atoi(m[2])
			ud := L.NewUserData()
			ud.Value = &diag.Diagnostic{
				Span: diag.Span{File: path, Line: line, Col: firstNonSpace(src, line)},
				Msg:  strings.TrimPrefix(err.Error(), m[0]),
			}
			L.Error(ud, 0)
		}
		L.RaiseError("require %q: %v", name, err)
	}
	luavm.KeepCallerFrames(fn.Proto) // as for ci.fnl's own top level
	L.Push(fn)
	L.Push(lua.LString(name))
	L.Call(1, 1)
	return 1
}

// job implements (ci.job id inputs run-fn).
func (ev *evaluator) job(L *lua.LState) int {
	span, notes := ev.callSite("job")
	idv, inputsv, runv := L.Get(1), L.Get(2), L.Get(3)
	id, ok := idv.(lua.LString)
	if !ok {
		ev.defError(span, notes, "ci.job: the job id must be a string or keyword, got %s", typeName(idv))
		return 0
	}
	j := &Job{ID: string(id), Span: span}
	bad := false
	// An id that is empty or unusable as a file name is the only error
	// reported for the call: the others would name the job by it.
	switch problem := idProblem(j.ID); {
	case j.ID == "":
		ev.defError(span, notes, "Job id is empty; name the job, e.g. (ci.job :test …).")
		return 0
	case strings.Contains(j.ID, "/"):
		ev.defError(span, notes, "Job id %s contains '/', which is reserved for the 'quire/' source namespace.", quoteID(j.ID))
		bad = true
	case problem != "":
		ev.defError(span, notes, "Job id %s.", problem)
		return 0
	}
	inputs, err := stringSeq(inputsv)
	switch {
	case err != nil:
		ev.defError(span, notes, "Job '%s' inputs must be a sequence of job or source names: %s", j.ID, err)
		bad = true
	case len(inputs) == 0:
		ev.defError(span, notes, "Job '%s' has empty inputs. Pass [:quire/push] (or another input) so it has something to fire it.", j.ID)
		bad = true
	}
	j.Inputs = inputs
	if fn, ok := runv.(*lua.LFunction); ok {
		j.Run = fn
	} else {
		ev.defError(span, notes, "Job '%s' run-fn must be a function, got %s", j.ID, typeName(runv))
		bad = true
	}
	if prev := ev.jobs[j.ID]; prev != nil {
		ev.defError(span, ev.firstHere(notes, prev, "registered"), "Job '%s' is registered more than once.", j.ID)
		bad = true
	}
	if !bad {
		ev.addJob(j, notes)
	}
	return 0
}

// image implements (ci.image name).
func (ev *evaluator) image(L *lua.LState) int {
	span, notes := ev.callSite("image")
	v := L.Get(1)
	name, ok := v.(lua.LString)
	switch {
	case !ok:
		ev.defError(span, notes, "ci.image: the image name must be a string, got %s", typeName(v))
	case ev.imageSet:
		ev.defError(span, ev.firstHere(notes, &Job{Span: ev.imageSpan}, "declared"), "Pipeline image declared more than once.")
	default:
		ev.imageSet, ev.imageSpan = true, span
		ev.p.Image = string(name)
	}
	return 0
}

// mirror implements (ci.mirror url opts).
func (ev *evaluator) mirror(L *lua.LState) int {
	span, notes := ev.callSite("mirror")
	fail := func(format string, args ...any) int {
		ev.defError(span, notes, "ci.mirror: "+format, args...)
		return 0
	}
	urlv, optsv := L.Get(1), L.Get(2)
	url, ok := urlv.(lua.LString)
	if !ok {
		return fail("the remote URL must be a string, got %s", typeName(urlv))
	}
	opts, ok := optsv.(*lua.LTable)
	if !ok {
		return fail("the options must be a table like {:secret :token-name :tag (fn [push] …)}, got %s", typeName(optsv))
	}
	var unknown []string
	opts.ForEach(func(k, _ lua.LValue) {
		ks, isStr := k.(lua.LString)
		if !isStr || !slices.Contains(mirrorFields, string(ks)) {
			unknown = append(unknown, k.String())
		}
	})
	sort.Strings(unknown)
	quoted := "'" + strings.Join(mirrorFields, "', '") + "'"
	for _, k := range unknown {
		fail("unknown field '%s', expected one of %s", k, quoted)
	}
	if len(unknown) > 0 {
		return 0
	}
	m := &Mirror{URL: string(url)}
	switch v := opts.RawGetString("secret").(type) {
	case *lua.LNilType:
		return fail("missing field 'secret'")
	case lua.LString:
		m.Secret = string(v)
	default:
		return fail(":secret must be a string (the name of a secret), got %s", typeName(v))
	}
	switch v := opts.RawGetString("tag").(type) {
	case *lua.LNilType:
		return fail(":tag is required (a function returning the tag name)")
	case *lua.LFunction:
		m.Tag = v
	default:
		return fail(":tag must be a function, got %s", typeName(v))
	}
	var err error
	if m.Refs, err = stringSeq(opts.RawGetString("refs")); err != nil && opts.RawGetString("refs") != lua.LNil {
		return fail(":refs must be a sequence of ref names: %s", err)
	}
	if m.After, err = stringSeq(opts.RawGetString("after")); err != nil && opts.RawGetString("after") != lua.LNil {
		return fail(":after must be a sequence of job names: %s", err)
	}
	id := DefaultMirrorID
	switch v := opts.RawGetString("as").(type) {
	case *lua.LNilType:
	case lua.LString:
		id = string(v)
		switch problem := idProblem(id); {
		case id == "":
			return fail(":as must not be empty")
		case strings.Contains(id, "/"):
			return fail(":as %s contains '/', which is reserved for the 'quire/' source namespace", quoteID(id))
		case problem != "":
			return fail(":as %s", problem)
		}
	default:
		return fail(":as must be a job id string, got %s", typeName(v))
	}
	if existing := ev.jobs[id]; existing != nil {
		if existing.Mirror != nil {
			ev.defError(span, ev.firstHere(notes, existing, "declared"), "Pipeline mirror declared more than once.")
		} else {
			ev.defError(span, ev.firstHere(notes, existing, "registered"), "Job '%s' is registered more than once.", id)
		}
		return 0
	}
	ev.addJob(&Job{
		ID:     id,
		Inputs: append([]string{SourcePush}, m.After...),
		Mirror: m,
		Span:   span,
	}, notes)
	return 0
}

// maxIDBytes is the longest job id: the run log keeps each job's events in
// jobs/<id>/, and a file name holds at most 255 bytes.
const maxIDBytes = 255

// idProblem says what makes a non-empty id without '/' unusable as a job
// id, as the rest of a sentence about it ("'..' is …"), or "" when it is
// fine. A job's id names its directory jobs/<id>/ in the run log, a key of
// state.json and a prefix of the console's lines, so it must be one valid
// file name, valid UTF-8 and a single line.
func idProblem(id string) string {
	shown := quoteID(id)
	switch {
	case id == "." || id == "..":
		return fmt.Sprintf("%s names a directory, not a job: the run log keeps each job in jobs/<id>/", shown)
	case !utf8.ValidString(id):
		return fmt.Sprintf("%s is not valid UTF-8, which the run log's file names and state.json need", shown)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return fmt.Sprintf("%s contains the control character %U, which cannot go in file names and log lines", shown, r)
		}
	}
	if len(id) > maxIDBytes {
		head := []rune(id)[:40]
		return fmt.Sprintf("%s is %d bytes long; the run log keeps each job in jobs/<id>/, and a file name holds at most %d", quoteID(string(head)+"…"), len(id), maxIDBytes)
	}
	return ""
}

// quoteID shows id in single quotes, with Go's escapes for what would not
// print as itself (a newline, an invalid byte), so the message stays on one
// line.
func quoteID(id string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for len(id) > 0 {
		r, n := utf8.DecodeRuneInString(id)
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, id[0])
		case unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		id = id[n:]
	}
	b.WriteByte('\'')
	return b.String()
}

// firstHere adds to notes one pointing at the first registration of what
// is registered again, so the user sees both places. When a helper made
// the first registration, the call of the helper is what tells the two
// apart.
func (ev *evaluator) firstHere(notes []diag.Note, first *Job, verb string) []diag.Note {
	note := diag.Note{Span: first.Span, Msg: "first " + verb + " here"}
	if caller, ok := ev.callers[first]; ok {
		note = diag.Note{Span: caller, Msg: "first " + verb + " by this call"}
	}
	return append(append([]diag.Note(nil), notes...), note)
}

// defError records a definition error; evaluation goes on so that every
// definition error in the file is reported at once.
func (ev *evaluator) defError(span diag.Span, notes []diag.Note, format string, args ...any) {
	ev.diags = append(ev.diags, &diag.Diagnostic{Span: span, Msg: fmt.Sprintf(format, args...), Notes: notes})
}

// callSite locates the registration call being executed: the form in the
// Fennel source that called quire.ci's function fn. When that call sits in a
// helper function, a note points at the helper's caller.
func (ev *evaluator) callSite(fn string) (diag.Span, []diag.Note) {
	span := diag.Span{File: ev.file}
	source, line, what, ok := ev.frame(1)
	if !ok {
		return span, nil
	}
	file, fline, ok := ev.fnl.FennelLine(source, line)
	if !ok {
		return span, nil
	}
	span = ev.registrationForm(file, fline, fn)
	if what == "main" {
		return span, nil
	}
	for level := 2; ; level++ {
		source, line, _, ok := ev.frame(level)
		if !ok {
			break
		}
		if f, l, ok := ev.fnl.FennelLine(source, line); ok {
			return span, []diag.Note{{Span: ev.formSpan(f, l), Msg: "called from here"}}
		}
	}
	return span, nil
}

// frame describes the Lua function running at stack level: the full chunk
// name it was compiled from, its current line, and what it is ("main" for
// a chunk's top level).
func (ev *evaluator) frame(level int) (source string, line int, what string, ok bool) {
	L := ev.L
	dbg, ok := L.GetStack(level)
	if !ok {
		return "", 0, "", false
	}
	f, err := L.GetInfo("Slf", dbg, lua.LNil)
	if err != nil {
		return "", 0, "", false
	}
	fn, _ := f.(*lua.LFunction)
	if fn == nil || fn.Proto == nil {
		return "", 0, "", false
	}
	return chunkSource(luavm.Source(fn.Proto)), dbg.CurrentLine, dbg.What, true
}

// registrationForm picks, among the call forms on line, the one that called
// fn: its head names fn (ci.job, job, quire.job, …). Repeated registrations
// from one line are matched to that line's forms in order.
func (ev *evaluator) registrationForm(file string, line int, fn string) diag.Span {
	var matches []diag.Span
	for _, c := range ev.fnl.CallsAt(file, line) {
		head := c.Head
		if i := strings.LastIndexAny(head, ".:"); i >= 0 {
			head = head[i+1:]
		}
		if head == fn && (len(matches) == 0 || matches[len(matches)-1] != c.Span) {
			matches = append(matches, c.Span)
		}
	}
	if len(matches) == 0 {
		return ev.formSpan(file, line)
	}
	if ev.seen == nil {
		ev.seen = map[string]int{}
	}
	key := fmt.Sprintf("%s:%d:%s", file, line, fn)
	n := ev.seen[key]
	ev.seen[key]++
	return matches[n%len(matches)]
}

// stringSeq reads a Lua sequence of strings.
func stringSeq(v lua.LValue) ([]string, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("got %s", typeName(v))
	}
	n := t.Len()
	out := make([]string, 0, n)
	var err error
	count := 0
	t.ForEach(func(k, _ lua.LValue) {
		count++
		if i, ok := k.(lua.LNumber); !ok || float64(i) != float64(int(i)) || int(i) < 1 || int(i) > n {
			if err == nil {
				err = fmt.Errorf("got a table with key %s, not a sequence", k)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for i := 1; i <= n; i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok {
			return nil, fmt.Errorf("element %d is %s, not a string", i, typeName(t.RawGetInt(i)))
		}
		out = append(out, string(s))
	}
	return out, nil
}

// typeName names a Lua value's type the way Lua's type() does.
func typeName(v lua.LValue) string { return v.Type().String() }

// moduleName returns the require name under which t was loaded, if any.
func (ev *evaluator) moduleName(t *lua.LTable) (string, bool) {
	loaded, ok := ev.L.GetField(ev.L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable)
	if !ok {
		return "", false
	}
	var name string
	loaded.ForEach(func(k, v lua.LValue) {
		if v == t {
			name = lua.LVAsString(k)
		}
	})
	return name, name != ""
}

// isQuireModule reports whether name is one of quire's own modules.
func (ev *evaluator) isQuireModule(name string) bool { return ev.quire[name] != nil }

// isPipelineModule reports whether name is one of the pipeline's own
// modules.
func (ev *evaluator) isPipelineModule(name string) bool {
	for _, m := range ev.p.Modules {
		if m.Name == name {
			return true
		}
	}
	return false
}

// userGlobal reports whether the pipeline defined the global name (it is
// set now and is not a builtin).
func (ev *evaluator) userGlobal(name string) bool {
	v := ev.L.GetGlobal(name)
	if v == lua.LNil {
		return false
	}
	_, builtin := ev.builtins[v]
	return !builtin
}
