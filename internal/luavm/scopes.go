package luavm

import (
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// This file gives each compiled function the local variable scopes Lua 5.1
// records (Proto.locvars), which runtime error messages need: Lua 5.1 says
// "attempt to index local 'cfg'" because register 3 holds the local cfg
// at that instruction, and "attempt to index field 'x'" when it holds a
// temporary (vmerror.go).
//
// gopher-lua records a local's start (DbgLocals[i].StartPc) correctly but
// not its end: its EndScope indexes DbgLocals by register instead of by
// local, so after the first block that ends, ends land on the wrong locals
// and most are never set. Lua 5.1's scopes cannot be recovered from the
// bytecode alone: whether register 0 at some instruction still holds the
// `a` of an earlier `do local a = f() end` or a temporary depends on where
// the block ended. The compiler knows; it just writes it in the wrong
// place.
//
// So before lua.Compile, markScopes numbers every block and every function
// of the chunk and stores, in the high bits of each node's line, the block
// the compiler is in when it compiles that node. Every instruction's line
// (DbgSourcePositions) then says which block emitted it, and the blocks'
// extents follow: a block ends after the last instruction it or a block
// inside it emitted. After compiling, apply strips the marks from the lines
// and sets each local's EndPc, in Lua 5.1's convention: a local is active
// at pc when StartPc <= pc < EndPc. The walk mirrors the order in which
// gopher-lua's compiler registers locals (compileFunctionExpr,
// compileLocalAssignStmt, the for statements); a function whose locals do
// not match it is left as compiled.

// lineBits is how many low bits of a marked line hold the line itself.
// Chunks of 2^24 lines or more are not marked (markScopes).
const (
	lineBits = 24
	lineMask = 1<<lineBits - 1
)

func markLine(line, id int) int { return id<<lineBits | line }

func unmarkLine(v int) (line, id int) { return v & lineMask, v >> lineBits }

// A localKind says how a local's scope relates to the statement that
// declares it.
type localKind uint8

const (
	plainLocal localKind = iota
	// The hidden (for index), (for limit), (for step) of a numeric for,
	// and (for generator), (for state), (for control) of a generic for:
	// gopher-lua registers them before compiling the loop's expressions,
	// Lua 5.1 after, at the FORPREP or the JMP before the loop body.
	forHidden
)

// A scopedLocal is one local of a function, in the order gopher-lua's
// compiler registers it.
type scopedLocal struct {
	name  string
	block int
	reg   int
	kind  localKind
}

// A funcScopes is what markScopes learnt about one function.
type funcScopes struct {
	root   int   // the block of its parameters and top-level locals
	blocks []int // its blocks, each after its parent
	locals []scopedLocal
	active int // locals active at the current point of the walk
}

// scopeMarks is markScopes' record of a chunk. Marks are numbered from 1,
// blocks and functions alike, and index its slices.
type scopeMarks struct {
	parent []int         // block → enclosing block of the same function
	owner  []*funcScopes // block → its function
	funcs  []*funcScopes // FunctionExpr mark → its function
	last   []int         // block → its last instruction, inner blocks' included, + 1
	main   *funcScopes
}

// markScopes marks the lines of chunk's nodes with their blocks, for
// apply. It returns nil, marking nothing, when a line is too large to
// mark; maxLine bounds every line of chunk.
func markScopes(chunk []ast.Stmt, maxLine int) *scopeMarks {
	if maxLine >= lineMask {
		return nil
	}
	m := &scopeMarks{parent: []int{0}, owner: []*funcScopes{nil}, funcs: []*funcScopes{nil}}
	m.main = m.newFunc()
	// The main chunk is a vararg function without the compat `arg` local.
	m.stmts(m.main, m.main.root, chunk)
	return m
}

func (m *scopeMarks) newFunc() *funcScopes {
	fs := &funcScopes{}
	fs.root = m.newBlock(fs, 0)
	return fs
}

// newMark returns the next mark, for a block of fs inside parent, or for
// a function when fs is nil.
func (m *scopeMarks) newMark(fs *funcScopes, parent int) int {
	id := len(m.parent)
	m.parent = append(m.parent, parent)
	m.owner = append(m.owner, fs)
	m.funcs = append(m.funcs, nil)
	return id
}

func (m *scopeMarks) newBlock(fs *funcScopes, parent int) int {
	id := m.newMark(fs, parent)
	fs.blocks = append(fs.blocks, id)
	return id
}

func (m *scopeMarks) declare(fs *funcScopes, block int, kind localKind, names ...string) {
	for _, name := range names {
		fs.locals = append(fs.locals, scopedLocal{name: name, block: block, reg: fs.active, kind: kind})
		fs.active++
	}
}

// inBlock walks into a new block of fs inside b; its locals go out of
// scope when it ends.
func (m *scopeMarks) inBlock(fs *funcScopes, b int, walk func(c int)) {
	active := fs.active
	walk(m.newBlock(fs, b))
	fs.active = active
}

func mark(n ast.PositionHolder, id int) {
	line := n.Line()
	if line > lineMask {
		return // a node reached twice
	}
	n.SetLine(markLine(line, id))
	if last := n.LastLine(); last != 0 {
		n.SetLastLine(markLine(last, id))
	}
}

func (m *scopeMarks) stmts(fs *funcScopes, b int, ss []ast.Stmt) {
	for _, s := range ss {
		m.stmt(fs, b, s)
	}
}

func (m *scopeMarks) stmt(fs *funcScopes, b int, s ast.Stmt) {
	mark(s, b)
	switch s := s.(type) {
	case *ast.AssignStmt:
		m.exprs(fs, b, s.Lhs...)
		m.exprs(fs, b, s.Rhs...)
	case *ast.LocalAssignStmt:
		m.exprs(fs, b, s.Exprs...)
		m.declare(fs, b, plainLocal, s.Names...)
	case *ast.FuncCallStmt:
		m.expr(fs, b, s.Expr)
	case *ast.DoBlockStmt:
		m.inBlock(fs, b, func(c int) { m.stmts(fs, c, s.Stmts) })
	case *ast.WhileStmt:
		m.expr(fs, b, s.Condition)
		m.inBlock(fs, b, func(c int) { m.stmts(fs, c, s.Stmts) })
	case *ast.RepeatStmt:
		m.inBlock(fs, b, func(c int) {
			m.stmts(fs, c, s.Stmts)
			m.expr(fs, c, s.Condition) // sees the body's locals
		})
	case *ast.IfStmt:
		m.expr(fs, b, s.Condition)
		for _, branch := range [][]ast.Stmt{s.Then, s.Else} {
			if len(branch) > 0 { // compileBlock opens no block for none
				m.inBlock(fs, b, func(c int) { m.stmts(fs, c, branch) })
			}
		}
	case *ast.NumberForStmt:
		m.inBlock(fs, b, func(c int) {
			m.declare(fs, c, forHidden, "(for index)")
			m.expr(fs, c, s.Init)
			m.declare(fs, c, forHidden, "(for limit)")
			m.expr(fs, c, s.Limit)
			m.declare(fs, c, forHidden, "(for step)")
			m.expr(fs, c, s.Step)
			m.declare(fs, c, plainLocal, s.Name)
			m.stmts(fs, c, s.Stmts)
		})
	case *ast.GenericForStmt:
		m.inBlock(fs, b, func(c int) {
			m.declare(fs, c, forHidden, "(for generator)", "(for state)", "(for control)")
			m.exprs(fs, c, s.Exprs...)
			m.declare(fs, c, plainLocal, s.Names...)
			m.stmts(fs, c, s.Stmts)
		})
	case *ast.FuncDefStmt:
		m.expr(fs, b, s.Name.Func)
		m.expr(fs, b, s.Name.Receiver)
		// `function a:m()` has self; compileFuncDefStmt compiles it as a
		// method exactly when the name has no plain function part.
		m.function(b, s.Func, s.Name.Func == nil)
	case *ast.ReturnStmt:
		m.exprs(fs, b, s.Exprs...)
	}
}

func (m *scopeMarks) exprs(fs *funcScopes, b int, es ...ast.Expr) {
	for _, e := range es {
		m.expr(fs, b, e)
	}
}

func (m *scopeMarks) expr(fs *funcScopes, b int, e ast.Expr) {
	if e == nil {
		return
	}
	if f, ok := e.(*ast.FunctionExpr); ok {
		m.function(b, f, false)
		return
	}
	mark(e, b)
	switch e := e.(type) {
	case *ast.AttrGetExpr:
		m.exprs(fs, b, e.Object, e.Key)
	case *ast.TableExpr:
		for _, f := range e.Fields {
			m.exprs(fs, b, f.Key, f.Value)
		}
	case *ast.FuncCallExpr:
		m.exprs(fs, b, e.Func, e.Receiver)
		m.exprs(fs, b, e.Args...)
	case *ast.LogicalOpExpr:
		m.exprs(fs, b, e.Lhs, e.Rhs)
	case *ast.RelationalOpExpr:
		m.exprs(fs, b, e.Lhs, e.Rhs)
	case *ast.StringConcatOpExpr:
		m.exprs(fs, b, e.Lhs, e.Rhs)
	case *ast.ArithmeticOpExpr:
		m.exprs(fs, b, e.Lhs, e.Rhs)
	case *ast.UnaryMinusOpExpr:
		m.expr(fs, b, e.Expr)
	case *ast.UnaryNotOpExpr:
		m.expr(fs, b, e.Expr)
	case *ast.UnaryLenOpExpr:
		m.expr(fs, b, e.Expr)
	}
}

// function walks a function expression compiled in block b of its parent.
// Its first line, which becomes the CLOSURE's line in the parent, is
// marked with b; its last line, which becomes the proto's
// LastLineDefined (and the line of its final RETURN), with a mark of its
// own, by which apply finds the proto's funcScopes.
func (m *scopeMarks) function(b int, f *ast.FunctionExpr, method bool) {
	last := f.LastLine()
	if last == 0 {
		last = f.Line()
	}
	if f.Line() > lineMask || last > lineMask {
		return // reached twice
	}
	fs := m.newFunc()
	id := m.newMark(nil, 0)
	m.funcs[id] = fs
	f.SetLine(markLine(f.Line(), b))
	f.SetLastLine(markLine(last, id))
	if method {
		m.declare(fs, fs.root, plainLocal, "self")
	}
	m.declare(fs, fs.root, plainLocal, f.ParList.Names...)
	if f.ParList.HasVargs && lua.CompatVarArg {
		m.declare(fs, fs.root, plainLocal, "arg")
	}
	m.stmts(fs, fs.root, f.Stmts)
}

// apply strips the marks from the lines of p, the main function of the
// marked chunk, and of the functions inside it, and sets their locals'
// scopes.
func (m *scopeMarks) apply(p *lua.FunctionProto) {
	m.last = make([]int, len(m.parent))
	m.applyTo(p, m.main)
}

func (m *scopeMarks) applyTo(p *lua.FunctionProto, fs *funcScopes) {
	blockOf := make([]int, len(p.DbgSourcePositions))
	for pc, v := range p.DbgSourcePositions {
		p.DbgSourcePositions[pc], blockOf[pc] = unmarkLine(v)
	}
	p.LineDefined, _ = unmarkLine(p.LineDefined)
	p.LastLineDefined, _ = unmarkLine(p.LastLineDefined)
	if fs != nil {
		fs.setScopes(p, m, blockOf)
	}
	for _, child := range p.FunctionPrototypes {
		var fs *funcScopes
		if _, id := unmarkLine(child.LastLineDefined); id < len(m.funcs) {
			fs = m.funcs[id]
		}
		m.applyTo(child, fs)
	}
}

// setScopes sets the StartPc and EndPc of p's locals from the blocks each
// instruction came from.
func (fs *funcScopes) setScopes(p *lua.FunctionProto, m *scopeMarks, blockOf []int) {
	if len(p.DbgLocals) != len(fs.locals) {
		return
	}
	for i, l := range fs.locals {
		if p.DbgLocals[i].Name != l.name {
			return
		}
	}
	// The end of each block: after its last instruction, inner blocks'
	// included; 0 for none.
	last := m.last
	for pc, b := range blockOf {
		if b < len(m.owner) && m.owner[b] == fs {
			last[b] = pc + 1
		}
	}
	for i := len(fs.blocks) - 1; i > 0; i-- { // blocks[0] is the root
		b := fs.blocks[i]
		if parent := m.parent[b]; last[b] > last[parent] {
			last[parent] = last[b]
		}
	}
	code := p.Code
	scopes := make([]pcRange, len(fs.locals))
	for i, l := range fs.locals {
		r := pcRange{start: p.DbgLocals[i].StartPc}
		r.end = r.start
		if l.block == fs.root {
			// Lua 5.1 ends them just before the final RETURN.
			r.end = len(code) - 1
		} else if last[l.block] > r.end {
			r.end = last[l.block]
		}
		scopes[i] = r
	}
	// The hidden locals of a for loop: active from the instruction before
	// the loop's variables (FORPREP, or the JMP to TFORLOOP) to the end of
	// the loop instruction that uses them.
	for i := 0; i < len(fs.locals); i++ {
		if fs.locals[i].kind != forHidden {
			continue
		}
		j := i
		for j < len(fs.locals) && fs.locals[j].kind == forHidden {
			j++
		}
		if j == len(fs.locals) {
			break
		}
		r := pcRange{start: max(scopes[j].start-1, 0), end: scopes[j].end}
		base := fs.locals[i].reg
		for pc := r.end; pc < len(code); pc++ {
			if argA(code[pc]) != base {
				continue
			}
			if op := opcode(code[pc]); op == lua.OP_FORLOOP {
				r.end = pc + 1
				break
			} else if op == lua.OP_TFORLOOP {
				r.end = pc + 2 // and the JMP back into the loop
				break
			}
		}
		r.end = max(r.end, r.start)
		for ; i < j; i++ {
			scopes[i] = r
		}
		i = j - 1
	}
	for i, r := range scopes {
		p.DbgLocals[i].StartPc, p.DbgLocals[i].EndPc = r.start, r.end
	}
}

// A pcRange is the instructions from start up to, not including, end.
type pcRange struct{ start, end int }
