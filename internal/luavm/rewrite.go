package luavm

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// This file rewrites a parsed chunk so that gopher-lua's code generator
// compiles it the way Lua 5.1 would (FIDELITY.md §1).
//
// gopher-lua's compileAssignStmt gets several assignments wrong:
//
//  1. `a = f() and 1`, with a an existing local, keeps a's old value when
//     f() is falsy (the and/or is compiled straight into a's register).
//  2. `x, y = y, x` stores y into x before reading x.
//  3. an extra, discarded value after a `...`, as in `a = ..., (c and t.x)`,
//     is compiled into the next local's register: the local is clobbered,
//     or left holding a Go nil that panics the VM when used.
//  4. `G, t.x = v1, v2` stores the key "x" into G.
//
// Local statements (`local a, b = ...`) and single assignments of a
// non-logical value are compiled correctly. So every assignment with more
// than one target, more than one value, or an and/or value is rewritten into
//
//	do
//	  local (t1) = <table expressions of the targets, left to right>
//	  local (v1), (v2), ... = <all the values>
//	  x = (v2)            -- stores one at a time, right to left
//	  (t1).k = (v1)
//	end
//
// which keeps Lua 5.1's order of evaluation exactly (lparser.c's
// restassign): the targets' table and key expressions are evaluated left to
// right, then the values left to right (extra values evaluated and dropped,
// a trailing call or ... expanded), then the stores happen right to left, so
// `a, a = 1, 2` leaves a == 1. As in Lua 5.1, a target's table or key that
// is a local of the current function is used in place, not copied, unless
// a later target of the same statement assigns that local (check_conflict).
//
// The temporaries are named "(t1)", "(v1)", ...: the compiler does not check
// identifier text, and no Lua source can name them.
//
// The walk also fixes a parser-level difference: gopher-lua compiles
// `local f = function() ... f ... end` like `local function f`, so the
// inner f is the new local; in Lua 5.1 it is the outer f. (Numeric
// literals and constants are constfold.go's.)

// rewriteChunk rewrites chunk in place.
func rewriteChunk(chunk []ast.Stmt) {
	r := &rewriter{}
	// The main chunk is a vararg function without the compat `arg` local.
	r.fn = &funcScope{}
	r.block(chunk)
}

type rewriter struct {
	fn   *funcScope
	temp int
}

// A funcScope is the local variables in scope at the current point of one
// function body, innermost last.
type funcScope struct {
	locals []string
}

func (r *rewriter) declare(names ...string) {
	r.fn.locals = append(r.fn.locals, names...)
}

// isLocal reports whether name is a local variable of the current function
// (not an upvalue, not a global) at this point.
func (r *rewriter) isLocal(name string) bool {
	for i := len(r.fn.locals) - 1; i >= 0; i-- {
		if r.fn.locals[i] == name {
			return true
		}
	}
	return false
}

// scoped runs walk in a new block scope of the current function.
func (r *rewriter) scoped(walk func()) {
	n := len(r.fn.locals)
	walk()
	r.fn.locals = r.fn.locals[:n]
}

func (r *rewriter) block(stmts []ast.Stmt) {
	for i, s := range stmts {
		stmts[i] = r.stmt(s)
	}
}

func (r *rewriter) stmt(s ast.Stmt) ast.Stmt {
	switch s := s.(type) {
	case *ast.AssignStmt:
		r.exprs(s.Lhs)
		r.exprs(s.Rhs)
		return r.assign(s)
	case *ast.LocalAssignStmt:
		r.local(s)
	case *ast.FuncCallStmt:
		r.expr(s.Expr)
	case *ast.DoBlockStmt:
		r.scoped(func() { r.block(s.Stmts) })
	case *ast.WhileStmt:
		if alwaysFalse(s.Condition) {
			return emptyBlock(s) // see alwaysFalse
		}
		r.expr(s.Condition)
		r.scoped(func() { r.block(s.Stmts) })
	case *ast.RepeatStmt:
		r.scoped(func() {
			r.block(s.Stmts)
			r.expr(s.Condition) // sees the body's locals
		})
	case *ast.IfStmt:
		if alwaysFalse(s.Condition) {
			// Lua 5.1 runs the else part alone, in a block of its own.
			d := &ast.DoBlockStmt{Stmts: s.Else}
			copyLines(d, s)
			return r.stmt(d)
		}
		r.expr(s.Condition)
		r.scoped(func() { r.block(s.Then) })
		r.scoped(func() { r.block(s.Else) })
	case *ast.NumberForStmt:
		r.expr(s.Init)
		r.expr(s.Limit)
		if s.Step != nil {
			r.expr(s.Step)
		}
		r.scoped(func() {
			r.declare(s.Name)
			r.block(s.Stmts)
		})
	case *ast.GenericForStmt:
		r.exprs(s.Exprs)
		r.scoped(func() {
			r.declare(s.Names...)
			r.block(s.Stmts)
		})
	case *ast.FuncDefStmt:
		if s.Name.Func != nil {
			r.expr(s.Name.Func)
			r.function(s.Func, false)
		} else {
			r.expr(s.Name.Receiver)
			r.function(s.Func, true)
		}
	case *ast.ReturnStmt:
		r.exprs(s.Exprs)
	}
	return s
}

// alwaysFalse reports a condition that is false without evaluating
// anything: nil, false, or an `and` whose left side is such. gopher-lua
// compiles it to a bare JMP, and its jump-to-jump pass then breaks loops:
// a loop's backward jump that lands on a JMP it has already resolved reads
// that JMP's offset as a label number and jumps somewhere else. So
// `for _ in pairs(t) do if false then A else B end end` ran A, and with the
// if last in the body ran past the function's end. An if or while on such
// a condition is replaced by what Lua 5.1 runs (the else part, or nothing),
// so no loop body starts with that JMP. (Fennel writes these for
// (if nil …) and macros that expand to a constant test.)
func alwaysFalse(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.FalseExpr, *ast.NilExpr:
		return true
	case *ast.LogicalOpExpr:
		return e.Operator == "and" && alwaysFalse(e.Lhs)
	}
	return false
}

// emptyBlock is a statement that does nothing, in place of s.
func emptyBlock(s ast.Stmt) ast.Stmt {
	d := &ast.DoBlockStmt{}
	copyLines(d, s)
	return d
}

// local handles `local names = exprs` and `local function f`.
func (r *rewriter) local(s *ast.LocalAssignStmt) {
	if len(s.Names) == 1 && len(s.Exprs) == 1 {
		if fn, ok := s.Exprs[0].(*ast.FunctionExpr); ok {
			// The parser gives `local function f` a LastLine (its `end`)
			// and `local f = function` none; gopher-lua compiles both
			// like `local function f`.
			if s.LastLine() != 0 {
				r.declare(s.Names[0])
				r.function(fn, false)
				return
			}
			if mentions(fn, s.Names[0]) {
				// An extra, discarded nil value moves gopher-lua off its
				// `local function` path; the new local is then declared
				// after the function is made, as in Lua 5.1.
				nilExpr := &ast.NilExpr{}
				copyLines(nilExpr, fn)
				s.Exprs = append(s.Exprs, nilExpr)
			}
		}
	}
	r.exprs(s.Exprs)
	r.declare(s.Names...)
}

// function walks a function body in a new function scope.
func (r *rewriter) function(f *ast.FunctionExpr, method bool) {
	outer := r.fn
	r.fn = &funcScope{}
	if method {
		r.declare("self")
	}
	r.declare(f.ParList.Names...)
	if f.ParList.HasVargs && lua.CompatVarArg {
		// Lua 5.1 (LUA_COMPAT_VARARG) and gopher-lua both declare a local
		// `arg` in every vararg function but the main chunk.
		r.declare("arg")
	}
	r.block(f.Stmts)
	r.fn = outer
}

func (r *rewriter) exprs(es []ast.Expr) {
	for _, e := range es {
		r.expr(e)
	}
}

// expr walks an expression for the function bodies in it. Expressions are
// rewritten in place; none is replaced.
func (r *rewriter) expr(e ast.Expr) {
	inspectExpr(e, func(e ast.Expr) bool {
		if f, ok := e.(*ast.FunctionExpr); ok {
			r.function(f, false)
			return false
		}
		return true
	})
}

// needsRewrite reports whether gopher-lua may miscompile s.
func needsRewrite(s *ast.AssignStmt) bool {
	if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
		return true
	}
	_, logical := s.Rhs[0].(*ast.LogicalOpExpr)
	return logical
}

// A target is one assignment target after its table and key expressions
// have been evaluated: either a variable (name) or a table slot (obj, key).
type target struct {
	name     *ast.IdentExpr
	obj, key ast.Expr
}

func (r *rewriter) assign(s *ast.AssignStmt) ast.Stmt {
	if !needsRewrite(s) {
		return s
	}
	var out []ast.Stmt
	targets := make([]target, len(s.Lhs))
	for i, lhs := range s.Lhs {
		switch e := lhs.(type) {
		case *ast.IdentExpr:
			if r.isLocal(e.Value) {
				r.resolveConflict(&out, targets[:i], e)
			}
			targets[i] = target{name: e}
		case *ast.AttrGetExpr:
			t := target{obj: e.Object, key: e.Key}
			if !r.inPlace(t.obj) {
				t.obj = r.hoist(&out, t.obj)
			}
			if !isConstant(t.key) && !r.inPlace(t.key) {
				t.key = r.hoist(&out, t.key)
			}
			targets[i] = t
		default:
			return s // the parser makes no other target
		}
	}

	n := max(len(s.Lhs), len(s.Rhs))
	values := &ast.LocalAssignStmt{Names: make([]string, n), Exprs: s.Rhs}
	copyLines(values, s)
	for i := range values.Names {
		values.Names[i] = r.tempName("v")
	}
	out = append(out, values)

	// Lua 5.1 emits the stores after reading the last value, so run-time
	// errors in them report the line where the statement ends.
	last := &ast.NilExpr{}
	last.SetLine(eline(s.Rhs[len(s.Rhs)-1]))
	for i := len(targets) - 1; i >= 0; i-- {
		t := targets[i]
		var lhs ast.Expr
		if t.name != nil {
			lhs = ident(t.name.Value, last)
		} else {
			get := &ast.AttrGetExpr{Object: t.obj, Key: t.key}
			copyLines(get, last)
			lhs = get
		}
		store := &ast.AssignStmt{Lhs: []ast.Expr{lhs}, Rhs: []ast.Expr{ident(values.Names[i], last)}}
		copyLines(store, last)
		out = append(out, store)
	}

	block := &ast.DoBlockStmt{Stmts: out}
	copyLines(block, s)
	return block
}

// resolveConflict is Lua 5.1's check_conflict: local is about to become a
// target, and it is stored before the earlier targets are; any earlier
// target that uses it in place as its table or key gets a copy made now.
func (r *rewriter) resolveConflict(out *[]ast.Stmt, earlier []target, local *ast.IdentExpr) {
	var copied ast.Expr
	use := func(e ast.Expr) ast.Expr {
		if id, ok := e.(*ast.IdentExpr); ok && id.Value == local.Value {
			if copied == nil {
				copied = r.hoist(out, id)
			}
			return copied
		}
		return e
	}
	for i := range earlier {
		if earlier[i].name == nil {
			earlier[i].obj = use(earlier[i].obj)
			earlier[i].key = use(earlier[i].key)
		}
	}
}

// inPlace reports whether Lua 5.1 would use e where it is, without copying
// it to a register first: a local variable of the current function.
func (r *rewriter) inPlace(e ast.Expr) bool {
	id, ok := e.(*ast.IdentExpr)
	return ok && r.isLocal(id.Value)
}

// hoist emits `local (tN) = e` and returns a reference to (tN).
func (r *rewriter) hoist(out *[]ast.Stmt, e ast.Expr) ast.Expr {
	name := r.tempName("t")
	decl := &ast.LocalAssignStmt{Names: []string{name}, Exprs: []ast.Expr{e}}
	copyLines(decl, e)
	*out = append(*out, decl)
	return ident(name, e)
}

func (r *rewriter) tempName(kind string) string {
	r.temp++
	return "(" + kind + strconv.Itoa(r.temp) + ")"
}

// isRewriteTemp reports whether a local's name is one tempName made.
func isRewriteTemp(name string) bool {
	if len(name) < 4 || name[0] != '(' || name[len(name)-1] != ')' || (name[1] != 't' && name[1] != 'v') {
		return false
	}
	for _, c := range name[2 : len(name)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isConstant(e ast.Expr) bool {
	_, ok := e.(ast.ConstExpr)
	return ok
}

func ident(name string, at ast.PositionHolder) *ast.IdentExpr {
	id := &ast.IdentExpr{Value: name}
	copyLines(id, at)
	return id
}

// eline is the last line of e, as gopher-lua's compiler reckons it.
func eline(e ast.PositionHolder) int {
	if line := e.LastLine(); line != 0 {
		return line
	}
	return e.Line()
}

func copyLines(dst, src ast.PositionHolder) {
	dst.SetLine(src.Line())
	dst.SetLastLine(src.LastLine())
}

// mentions reports whether the identifier name appears anywhere in f.
func mentions(f *ast.FunctionExpr, name string) bool {
	found := false
	inspectStmts(f.Stmts, func(e ast.Expr) bool {
		if id, ok := e.(*ast.IdentExpr); ok && id.Value == name {
			found = true
		}
		return !found
	})
	return found
}

// inspectExpr calls visit for e and, while visit returns true, for each
// expression inside it, depth first, including function bodies.
func inspectExpr(e ast.Expr, visit func(ast.Expr) bool) {
	if e == nil || !visit(e) {
		return
	}
	each := func(es ...ast.Expr) {
		for _, e := range es {
			inspectExpr(e, visit)
		}
	}
	switch e := e.(type) {
	case *ast.AttrGetExpr:
		each(e.Object, e.Key)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			each(f.Key, f.Value)
		}
	case *ast.FuncCallExpr:
		each(e.Func, e.Receiver)
		each(e.Args...)
	case *ast.LogicalOpExpr:
		each(e.Lhs, e.Rhs)
	case *ast.RelationalOpExpr:
		each(e.Lhs, e.Rhs)
	case *ast.StringConcatOpExpr:
		each(e.Lhs, e.Rhs)
	case *ast.ArithmeticOpExpr:
		each(e.Lhs, e.Rhs)
	case *ast.UnaryMinusOpExpr:
		each(e.Expr)
	case *ast.UnaryNotOpExpr:
		each(e.Expr)
	case *ast.UnaryLenOpExpr:
		each(e.Expr)
	case *ast.FunctionExpr:
		inspectStmts(e.Stmts, visit)
	}
}

// inspectStmts calls inspectExpr for every expression of a block, nested
// blocks included.
func inspectStmts(ss []ast.Stmt, visit func(ast.Expr) bool) {
	each := func(es ...ast.Expr) {
		for _, e := range es {
			inspectExpr(e, visit)
		}
	}
	for _, s := range ss {
		switch s := s.(type) {
		case *ast.AssignStmt:
			each(s.Lhs...)
			each(s.Rhs...)
		case *ast.LocalAssignStmt:
			each(s.Exprs...)
		case *ast.FuncCallStmt:
			each(s.Expr)
		case *ast.DoBlockStmt:
			inspectStmts(s.Stmts, visit)
		case *ast.WhileStmt:
			each(s.Condition)
			inspectStmts(s.Stmts, visit)
		case *ast.RepeatStmt:
			inspectStmts(s.Stmts, visit)
			each(s.Condition)
		case *ast.IfStmt:
			each(s.Condition)
			inspectStmts(s.Then, visit)
			inspectStmts(s.Else, visit)
		case *ast.NumberForStmt:
			each(s.Init, s.Limit, s.Step)
			inspectStmts(s.Stmts, visit)
		case *ast.GenericForStmt:
			each(s.Exprs...)
			inspectStmts(s.Stmts, visit)
		case *ast.FuncDefStmt:
			each(s.Name.Func, s.Name.Receiver, s.Func)
		case *ast.ReturnStmt:
			each(s.Exprs...)
		}
	}
}
