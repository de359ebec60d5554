package runtime

import (
	"errors"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/internal/luavm"
)

// A Context is one job's view of its run. Generated job functions call
// RunLua or Mirror on it.
type Context struct {
	run *run
	job *Job
	// stopped says that cancelling the run killed one of the job's
	// commands: whatever the run-fn returns after that, the job did not
	// do its work, so it ends cancelled (run.execute). A run-fn whose last
	// form is the command returns its result with no Lua instruction left
	// to notice the cancellation.
	stopped bool
}

// RunLua runs the run-fn that is object closure of the pipeline's Program,
// in a Lua state of the job's own restored from the binary, passing it the
// run-time handle, and turns what it returns into outputs.
func (c *Context) RunLua(closure int) (Outputs, error) {
	ret, err := c.callLua(closure, "the run-fn", "", func(s *jobState) lua.LValue { return c.handle(s) })
	if err != nil {
		return nil, err
	}
	return outputsFromLua(ret)
}

// callLua restores object closure (what names it in messages) in a fresh
// state of the job's and calls it with the argument arg makes, under the
// run's context so that cancelling the run stops it. An error the
// function raises is returned as Lua would print it, after raised: through
// luavm.PCall, so the VM's own errors name their culprit as at compile
// time ("attempt to index local 'cfg' (a nil value)").
func (c *Context) callLua(closure int, what, raised string, arg func(*jobState) lua.LValue) (lua.LValue, error) {
	s, err := c.newState()
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", what, err)
	}
	defer s.close()
	fn, err := s.closure(closure)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", what, err)
	}
	a := arg(s)
	s.L.SetContext(c.run.ctx)
	s.L.Push(fn)
	s.L.Push(a)
	if err := luavm.PCall(s.L, 1, 1, nil); err != nil {
		// One line, without gopher-lua's Go-side stack trace; a table
		// raised as the error is shown as the compiler shows it, through
		// its __tostring in s.L (still open), its strings redacted before
		// quoting escapes them out of the redactor's sight.
		return nil, errors.New(raised + luavm.ErrorMessage(s.L, err, c.run.opts.Secrets.Redact))
	}
	ret := s.L.Get(-1)
	s.L.Pop(1)
	return ret, nil // plain Go data, still good once the state is closed
}

// newState restores the job's own Lua state, with quire.stdlib bound to
// this job.
func (c *Context) newState() (*jobState, error) {
	L := c.run.states.get()
	// Bound before the program is restored, so that a run-fn that captured
	// print gets this one.
	L.SetGlobal("print", L.NewFunction(luavm.NewPrint(jobPrinter{c})))
	return newJobState(L, c.run.p.Program, func(L *lua.LState) *lua.LTable {
		t := L.NewTable()
		t.RawSetString("mirror", L.NewFunction(c.stdlibMirror))
		return t
	})
}
