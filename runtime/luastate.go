package runtime

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/internal/luavm"
	"github.com/quire-ci/quire/runtime/frozen"
)

// errRegistration is what quire.ci's registration functions raise at run
// time: the graph was fixed when ci.fnl was compiled.
const errRegistration = "quire.ci registration is only available at compile time"

// A jobState is one job's own Lua state, restored from the binary, so that
// nothing mutable is shared between jobs.
type jobState struct {
	L        *lua.LState
	restorer *frozen.Restorer
	ci       *lua.LTable // quire.ci; its runtime field is the handle while a run-fn runs
	modules  map[string]lua.LValue
}

// newJobState binds the program's builtins, globals and modules in L, a
// fresh sandboxed state (SPEC §3) that becomes the job's own.
func newJobState(L *lua.LState, prog *frozen.Program, stdlib func(*lua.LState) *lua.LTable) (*jobState, error) {
	s := &jobState{L: L, modules: map[string]lua.LValue{}}
	s.ci = L.NewTable()
	for _, name := range []string{"job", "image", "mirror"} {
		s.ci.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			L.RaiseError(errRegistration)
			return 0
		}))
	}
	s.ci.RawSetString("runtime", L.NewTable())
	s.modules["quire.ci"] = s.ci
	s.modules["quire.stdlib"] = stdlib(L)
	L.SetGlobal("require", L.NewFunction(s.require))

	r, err := frozen.NewRestorer(prog, L.G.Global, s.builtin)
	if err != nil {
		L.Close()
		return nil, err
	}
	s.restorer = r
	for _, g := range prog.Globals {
		v, err := r.Value(g.Val)
		if err != nil {
			L.Close()
			return nil, fmt.Errorf("restore global %s: %w", g.Name, err)
		}
		L.SetGlobal(g.Name, v)
	}
	for _, m := range prog.Modules {
		v, err := r.Value(m.Val)
		if err != nil {
			L.Close()
			return nil, fmt.Errorf("restore module %s: %w", m.Name, err)
		}
		s.modules[m.Name] = v
	}
	return s, nil
}

// builtin resolves a builtin by the name the compiler gave it.
func (s *jobState) builtin(name string) (lua.LValue, bool) {
	if v, ok := s.modules[name]; ok {
		return v, true
	}
	switch name {
	case "_G":
		return s.L.G.Global, true
	case "require":
		return s.L.GetGlobal("require"), true
	}
	if mod, field, ok := cutModule(name); ok {
		if t, isTable := s.modules[mod].(*lua.LTable); isTable {
			v := t.RawGetString(field)
			return v, v != lua.LNil
		}
	}
	lib, field, dotted := strings.Cut(name, ".")
	v := s.L.GetGlobal(lib)
	if !dotted {
		return v, v != lua.LNil
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, false
	}
	f := t.RawGetString(field)
	return f, f != lua.LNil
}

// cutModule splits "quire.ci.job" into the module "quire.ci" and "job".
func cutModule(name string) (mod, field string, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || !strings.HasPrefix(name, "quire.") {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

// require returns quire's modules and the pipeline's frozen modules only.
func (s *jobState) require(L *lua.LState) int {
	name := L.CheckString(1)
	if v, ok := s.modules[name]; ok {
		L.Push(v)
		return 1
	}
	L.RaiseError("module '%s' not found: run-fns can require quire's modules and the pipeline's own modules only", name)
	return 0
}

// closure restores the run-fn or tag function that is object i.
func (s *jobState) closure(i int) (*lua.LFunction, error) {
	v, err := s.restorer.Object(i)
	if err != nil {
		return nil, err
	}
	fn, ok := v.(*lua.LFunction)
	if !ok {
		return nil, fmt.Errorf("object %d is a %s, not a function", i, v.Type())
	}
	return fn, nil
}

func (s *jobState) close() { s.L.Close() }

// A statePool makes fresh sandboxed states ahead of the jobs that take
// them, in a goroutine of its own, so that a job does not wait for its
// state to be made: in a chain the next job's state is made while the
// current job's command runs, on a CPU the chain leaves idle. It makes one
// state per job it expects and no more, so a run whose CPUs are all busy
// does no extra work; a state asked for beyond those is made on the spot.
type statePool struct {
	ready chan *lua.LState // closed once every expected state was made
	stop  chan struct{}
	done  chan struct{}
}

// newStatePool starts making total states, at most ahead of them waiting.
func newStatePool(ahead, total int) *statePool {
	p := &statePool{ready: make(chan *lua.LState, max(ahead, 1)),
		stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer close(p.ready)
		for range total {
			L := luavm.NewState(luavm.Options{Sandbox: true})
			select {
			case p.ready <- L:
			case <-p.stop:
				L.Close()
				return
			}
		}
	}()
	return p
}

// get returns a fresh sandboxed state.
func (p *statePool) get() *lua.LState {
	if L, ok := <-p.ready; ok {
		return L
	}
	return luavm.NewState(luavm.Options{Sandbox: true})
}

// close stops making states and closes those nobody took.
func (p *statePool) close() {
	close(p.stop)
	<-p.done
	for L := range p.ready {
		L.Close()
	}
}
