package luavm

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/yuin/gopher-lua/ast"
)

// This file makes numeric constants come out as Lua 5.1's code generator
// (lcode.c) makes them. Three things differ in gopher-lua:
//
//  1. Numeric literals: gopher-lua reads "010" as octal 8, and "1e400" and
//     "0xffffffffffffffff" as NaN. Each literal is re-read with Lua 5.1's
//     rules (str2d).
//
//  2. Constant folding: gopher-lua folds every arithmetic operation on
//     constants, with Go's math.Mod and math.Pow. Lua 5.1's constfolding
//     folds only numerals (literals and folded results, also through
//     `K and n`, `nil or n` and parentheses), never a division or modulo by
//     zero, never to a NaN, and computes a % b as a - floor(a/b)*b and a^b
//     with C's pow. What it does not fold is computed at run time, from the
//     constants.
//
//  3. The sign of zero: a function's constant table is keyed by value, and
//     0 == -0, so each function has one zero constant, whose sign is that
//     of the first zero it registers (lcode.c addk). `local a = 0 local
//     b = -0` gives b == 0. gopher-lua's constant table works the same way,
//     but it registers different zeros in a different order: it folds the
//     0 of `1/0` away, and Lua 5.1 registers the divisor before the
//     dividend.
//
// So the pass simulates, for each function, the order in which Lua 5.1's
// code generator discharges expressions (lparser.c and lcode.c's expdesc
// kinds, jump lists and infix/posfix rules), which is when numerals enter
// the constant table. On the way it folds what Lua 5.1 folds, replacing
// the operation by a literal; an and/or that carries a numeral stays, for
// its code runs in Lua 5.1 too, with the literal at its end. Then it
// writes every literal back, a zero with the sign of its function's zero
// constant, and replaces each operation gopher-lua would still fold (one
// Lua 5.1 computes at run time from constants, such as 1/0) by the value
// Lua 5.1 computes: a literal, `-(NaN)` for a NaN with its sign bit, and
// for a zero `#""` or `-#""`, which gopher-lua computes at run time (as a
// constant, the zero would take the function's zero sign).

// foldConstants rewrites chunk in place. The only error it reports is a
// numeric literal Lua 5.1 would reject; its Chunk is left for the caller.
func foldConstants(chunk []ast.Stmt) *SyntaxError {
	f := &folder{values: map[*ast.NumberExpr]float64{}, carriers: map[*ast.LogicalOpExpr]bool{}}
	f.body(chunk)
	return f.err
}

type folder struct {
	fn       *constTable
	values   map[*ast.NumberExpr]float64 // each literal's value, exact sign
	carriers map[*ast.LogicalOpExpr]bool // and/or whose value is its right operand's
	err      *SyntaxError
}

// A constTable is what matters of one function's constant table: the sign
// of its zero constant, once one is registered.
type constTable struct {
	zero    float64
	hasZero bool
}

// register is luaK_numberK: v enters the current function's constants.
func (f *folder) register(v float64) {
	if v == 0 && !f.fn.hasZero {
		f.fn.zero, f.fn.hasZero = v, true
	}
}

// canonical is the value the constant table gives for v.
func (f *folder) canonical(v float64) float64 {
	if v == 0 && f.fn.hasZero {
		return f.fn.zero
	}
	return v
}

// body folds one function body (or the main chunk): its own constants,
// and each nested function's.
func (f *folder) body(stmts []ast.Stmt) {
	outer := f.fn
	f.fn = &constTable{}
	f.block(stmts)
	if f.err == nil {
		for _, s := range stmts {
			f.writeStmt(s)
		}
	}
	f.fn = outer
}

// An expDesc is what lcode.c's expdesc records of an expression that
// matters here: its kind, a numeral's value, and whether it has true or
// false jump lists.
type expDesc struct {
	k    expKind
	v    float64 // for kNum
	t, f bool
	// For kNum, the slot of the literal holding v. It is the expression's
	// own slot, or, when the number came through an and/or (`(x and nil)
	// or 2` is a numeral whose code runs x), the end of that chain.
	leaf *ast.Expr
}

type expKind int

const (
	kNil   expKind = iota // VNIL
	kTrue                 // VTRUE
	kFalse                // VFALSE
	kConst                // VK: a string (or other) constant
	kNum                  // VKNUM: a number not yet in the constant table
	kJump                 // VJMP: a comparison
	kValue                // anything else: in a register, or code to run
)

// isNumeral is lcode.c's isnumeral: a number that may still be folded.
func (e expDesc) isNumeral() bool { return e.k == kNum && !e.t && !e.f }

// discharge puts e in a register or RK operand (exp2reg, exp2RK, ...): a
// number there enters the constant table.
func (f *folder) discharge(e expDesc) {
	if e.k == kNum {
		f.register(e.v)
	}
}

// goIfTrue is luaK_goiftrue: a constant that is true jumps nowhere and is
// not loaded; anything else is tested.
func (f *folder) goIfTrue(e *expDesc) {
	jump := true
	switch e.k {
	case kConst, kNum, kTrue:
		jump = false
	case kJump:
	default:
		f.discharge(*e)
	}
	e.f = e.f || jump
	e.t = false
}

// goIfFalse is luaK_goiffalse: nil and false jump nowhere; anything else,
// numbers included, is loaded and tested.
func (f *folder) goIfFalse(e *expDesc) {
	jump := true
	switch e.k {
	case kNil, kFalse:
		jump = false
	case kJump:
	default:
		f.discharge(*e)
	}
	e.t = e.t || jump
	e.f = false
}

// cond is lparser.c's cond, the test of if, while and until.
func (f *folder) cond(slot *ast.Expr) {
	e := f.expr(slot)
	if e.k == kNil {
		e.k = kFalse
	}
	f.goIfTrue(&e)
}

func (f *folder) block(stmts []ast.Stmt) {
	for _, s := range stmts {
		f.stmt(s)
	}
}

func (f *folder) stmt(s ast.Stmt) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		for _, lhs := range s.Lhs {
			if get, ok := lhs.(*ast.AttrGetExpr); ok {
				f.discharge(f.expr(&get.Object))
				f.discharge(f.expr(&get.Key))
			}
		}
		f.dischargeAll(s.Rhs)
	case *ast.LocalAssignStmt:
		f.dischargeAll(s.Exprs)
	case *ast.FuncCallStmt:
		f.expr(&s.Expr)
	case *ast.DoBlockStmt:
		f.block(s.Stmts)
	case *ast.WhileStmt:
		f.cond(&s.Condition)
		f.block(s.Stmts)
	case *ast.RepeatStmt:
		f.block(s.Stmts)
		f.cond(&s.Condition)
	case *ast.IfStmt:
		f.cond(&s.Condition)
		f.block(s.Then)
		f.block(s.Else)
	case *ast.NumberForStmt:
		f.discharge(f.expr(&s.Init))
		f.discharge(f.expr(&s.Limit))
		if s.Step != nil {
			f.discharge(f.expr(&s.Step))
		}
		f.block(s.Stmts)
	case *ast.GenericForStmt:
		f.dischargeAll(s.Exprs)
		f.block(s.Stmts)
	case *ast.FuncDefStmt:
		if s.Name.Func != nil {
			f.expr(&s.Name.Func)
		}
		if s.Name.Receiver != nil {
			f.discharge(f.expr(&s.Name.Receiver))
		}
		f.body(s.Func.Stmts)
	case *ast.ReturnStmt:
		f.dischargeAll(s.Exprs)
	}
}

// dischargeAll is an expression list whose values all go to registers
// (explist1 then adjust_assign, storevar or a return).
func (f *folder) dischargeAll(es []ast.Expr) {
	for i := range es {
		f.discharge(f.expr(&es[i]))
	}
}

// expr walks the expression in *slot as lparser.c's subexpr parses it,
// registering numbers as lcode.c would, and replaces what Lua 5.1 folds by
// a literal.
func (f *folder) expr(slot *ast.Expr) expDesc {
	switch e := (*slot).(type) {
	case *ast.NilExpr:
		return expDesc{k: kNil}
	case *ast.TrueExpr:
		return expDesc{k: kTrue}
	case *ast.FalseExpr:
		return expDesc{k: kFalse}
	case *ast.StringExpr:
		return expDesc{k: kConst}
	case *ast.NumberExpr:
		return expDesc{k: kNum, v: f.literal(e), leaf: slot}
	case *ast.AttrGetExpr:
		f.discharge(f.expr(&e.Object))
		f.discharge(f.expr(&e.Key))
	case *ast.FuncCallExpr:
		if e.Func != nil {
			f.discharge(f.expr(&e.Func))
		}
		if e.Receiver != nil {
			f.discharge(f.expr(&e.Receiver))
		}
		f.dischargeAll(e.Args)
	case *ast.TableExpr:
		for _, field := range e.Fields {
			if field.Key != nil {
				f.discharge(f.expr(&field.Key))
			}
			f.discharge(f.expr(&field.Value))
		}
	case *ast.LogicalOpExpr:
		l := f.expr(&e.Lhs)
		if e.Operator == "and" {
			f.goIfTrue(&l)
		} else {
			f.goIfFalse(&l)
		}
		r := f.expr(&e.Rhs)
		if e.Operator == "and" {
			r.f = r.f || l.f
		} else {
			r.t = r.t || l.t
		}
		if !r.t && !r.f {
			// Every path goes through the right operand, so the value is
			// its value: `1 and n`, `(x and nil) or n`. A number there
			// is a numeral Lua 5.1 may fold further; r.leaf holds it.
			f.carriers[e] = true
		}
		return r
	case *ast.RelationalOpExpr:
		f.discharge(f.expr(&e.Lhs))
		f.discharge(f.expr(&e.Rhs))
		return expDesc{k: kJump}
	case *ast.StringConcatOpExpr:
		f.discharge(f.expr(&e.Lhs))
		f.discharge(f.expr(&e.Rhs))
	case *ast.ArithmeticOpExpr:
		l := f.expr(&e.Lhs)
		if !l.isNumeral() {
			f.discharge(l) // luaK_infix
		}
		r := f.expr(&e.Rhs)
		if l.isNumeral() && r.isNumeral() {
			if v, ok := fold51(e.Operator, l.v, r.v); ok {
				leaf := place(slot, f.numeral(v, e), operand{&e.Lhs, l.leaf}, operand{&e.Rhs, r.leaf})
				return expDesc{k: kNum, v: v, leaf: leaf}
			}
		}
		f.discharge(r) // codearith: the second operand first
		f.discharge(l)
	case *ast.UnaryMinusOpExpr:
		x := f.expr(&e.Expr)
		if x.isNumeral() {
			v := -x.v
			leaf := place(slot, f.numeral(v, e), operand{&e.Expr, x.leaf})
			return expDesc{k: kNum, v: v, leaf: leaf}
		}
		f.discharge(x)
	case *ast.UnaryNotOpExpr:
		x := f.expr(&e.Expr)
		switch x.k { // codenot: constants are not loaded
		case kNil, kFalse:
			x.k = kTrue
		case kConst, kNum, kTrue:
			x.k = kFalse
		case kValue:
			f.discharge(x)
		}
		x.t, x.f = x.f, x.t
		return x
	case *ast.UnaryLenOpExpr:
		f.discharge(f.expr(&e.Expr))
	case *ast.FunctionExpr:
		f.body(e.Stmts)
	}
	return expDesc{k: kValue}
}

// literal is the value of a numeric literal as Lua 5.1's lexer reads it
// (luaO_str2d). A literal it rejects is an error.
func (f *folder) literal(e *ast.NumberExpr) float64 {
	v, ok := str2d(e.Value)
	if !ok && f.err == nil {
		// gopher-lua's lexer may take the byte after an exponent (or its
		// EOF marker, 0xff) into the literal.
		text := strings.TrimRight(e.Value, " \t\r\n\xff")
		f.err = &SyntaxError{Line: e.Line(), Message: fmt.Sprintf("malformed number near '%s'", text)}
	}
	f.values[e] = v
	return v
}

// An operand is the slot of an operand in its operation, and the slot
// that holds its value: the same slot, or the end of the and/or chain at
// that slot.
type operand struct{ own, leaf *ast.Expr }

// place replaces the operation at slot by value, its result, and returns
// value's slot. An operand that is an and/or chain stays, for its code
// runs in Lua 5.1 too, with the value at its end:
// `-((x and nil) or 0)` becomes `(x and nil) or -0`, and with two such
// operands the second chain goes at the end of the first.
func place(slot *ast.Expr, value ast.Expr, operands ...operand) *ast.Expr {
	var leaf *ast.Expr
	for i := len(operands) - 1; i >= 0; i-- {
		if op := operands[i]; op.leaf != op.own {
			*op.leaf = value
			if leaf == nil {
				leaf = op.leaf
			}
			value = *op.own
		}
	}
	*slot = value
	if leaf == nil {
		leaf = slot
	}
	return leaf
}

// numeral makes the literal that replaces the folded expression at.
func (f *folder) numeral(v float64, at ast.Expr) *ast.NumberExpr {
	n := &ast.NumberExpr{}
	copyLines(n, at)
	f.values[n] = v
	return n
}

// fold51 is lcode.c's constfolding.
func fold51(op string, a, b float64) (float64, bool) {
	if (op == "/" || op == "%") && b == 0 {
		return 0, false // do not attempt to divide by 0
	}
	r := arith51(op, a, b)
	if math.IsNaN(r) {
		return 0, false // do not attempt to produce NaN
	}
	return r, true
}

// arith51 is Lua 5.1's arithmetic on numbers (luaconf.h luai_num*), as the
// VM computes it at run time.
func arith51(op string, a, b float64) float64 {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		return a / b
	case "%":
		return mod51(a, b)
	case "^":
		return cPow(a, b)
	}
	panic("luavm: unknown arithmetic operator " + op)
}

// mod51 is luai_nummod: a - floor(a/b)*b, with no fused multiply-add.
func mod51(a, b float64) float64 {
	return a - float64(math.Floor(a/b)*b)
}

// writeStmt writes back the literals of one statement of the current
// function, and replaces what gopher-lua would still fold. Nested function
// bodies were written by their own body call.
func (f *folder) writeStmt(s ast.Stmt) {
	exprs := func(es []ast.Expr) {
		for i := range es {
			f.write(&es[i])
		}
	}
	block := func(ss []ast.Stmt) {
		for _, s := range ss {
			f.writeStmt(s)
		}
	}
	switch s := s.(type) {
	case *ast.AssignStmt:
		exprs(s.Lhs)
		exprs(s.Rhs)
	case *ast.LocalAssignStmt:
		exprs(s.Exprs)
	case *ast.FuncCallStmt:
		f.write(&s.Expr)
	case *ast.DoBlockStmt:
		block(s.Stmts)
	case *ast.WhileStmt:
		f.write(&s.Condition)
		block(s.Stmts)
	case *ast.RepeatStmt:
		block(s.Stmts)
		f.write(&s.Condition)
	case *ast.IfStmt:
		f.write(&s.Condition)
		block(s.Then)
		block(s.Else)
	case *ast.NumberForStmt:
		f.write(&s.Init)
		f.write(&s.Limit)
		f.write(&s.Step)
		block(s.Stmts)
	case *ast.GenericForStmt:
		exprs(s.Exprs)
		block(s.Stmts)
	case *ast.FuncDefStmt:
		f.write(&s.Name.Func)
		f.write(&s.Name.Receiver)
	case *ast.ReturnStmt:
		exprs(s.Exprs)
	}
}

// write writes back the expression in *slot. When the value of the
// expression is known, because it is a literal, an and/or chain ending in
// a numeral, or an arithmetic operation on such expressions (which Lua 5.1
// computes at run time from the constants, and gopher-lua would fold), it
// reports the value and the slot that holds it.
func (f *folder) write(slot *ast.Expr) (v float64, known bool, leaf *ast.Expr) {
	switch e := (*slot).(type) {
	case *ast.NumberExpr:
		v := f.canonical(f.values[e])
		e.Value = numberText(v)
		return v, true, slot
	case *ast.ArithmeticOpExpr:
		a, aok, aleaf := f.write(&e.Lhs)
		b, bok, bleaf := f.write(&e.Rhs)
		if aok && bok {
			v := arith51(e.Operator, a, b)
			return v, true, place(slot, runTimeValue(v, e), operand{&e.Lhs, aleaf}, operand{&e.Rhs, bleaf})
		}
	case *ast.UnaryMinusOpExpr:
		if a, ok, aleaf := f.write(&e.Expr); ok {
			v := -a
			return v, true, place(slot, runTimeValue(v, e), operand{&e.Expr, aleaf})
		}
	case *ast.LogicalOpExpr:
		f.write(&e.Lhs)
		v, ok, leaf := f.write(&e.Rhs)
		if f.carriers[e] && ok {
			return v, true, leaf
		}
	case *ast.AttrGetExpr:
		f.write(&e.Object)
		f.write(&e.Key)
	case *ast.FuncCallExpr:
		f.write(&e.Func)
		f.write(&e.Receiver)
		for i := range e.Args {
			f.write(&e.Args[i])
		}
	case *ast.TableExpr:
		for _, field := range e.Fields {
			f.write(&field.Key)
			f.write(&field.Value)
		}
	case *ast.RelationalOpExpr:
		f.write(&e.Lhs)
		f.write(&e.Rhs)
	case *ast.StringConcatOpExpr:
		f.write(&e.Lhs)
		f.write(&e.Rhs)
	case *ast.UnaryNotOpExpr:
		f.write(&e.Expr)
	case *ast.UnaryLenOpExpr:
		f.write(&e.Expr)
	}
	return 0, false, nil
}

// runTimeValue is an expression for v, a value Lua 5.1 computes at run
// time, that gopher-lua does not fold further: a literal, but a zero must
// not become a constant (it would take the function's zero sign), so it is
// `#""` or `-#""`, and a NaN carries its sign as `-(NaN)`.
func runTimeValue(v float64, at ast.Expr) ast.Expr {
	var e ast.Expr
	switch {
	case math.IsNaN(v):
		e = &ast.NumberExpr{Value: "NaN"} // strconv reads a positive NaN
	case v == 0:
		e = &ast.UnaryLenOpExpr{Expr: &ast.StringExpr{Value: ""}}
	default:
		e = &ast.NumberExpr{Value: numberText(v)}
	}
	if (math.IsNaN(v) || v == 0) && math.Signbit(v) {
		e = &ast.UnaryMinusOpExpr{Expr: e}
	}
	setLinesDeep(e, at)
	return e
}

func setLinesDeep(e ast.Expr, at ast.PositionHolder) {
	copyLines(e, at)
	switch e := e.(type) {
	case *ast.UnaryMinusOpExpr:
		setLinesDeep(e.Expr, at)
	case *ast.UnaryLenOpExpr:
		setLinesDeep(e.Expr, at)
	}
}

// numberText is v as text gopher-lua's parseNumber (strconv.ParseInt with
// base 0, else strconv.ParseFloat) reads back to exactly v.
func numberText(v float64) string {
	switch {
	case v == 0 && math.Signbit(v):
		return "-0.0" // ParseInt would read "-0" as +0
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
