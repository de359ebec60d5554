package luavm

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua's VM words its runtime errors its own way, and names nothing:
//
//	attempt to call a non-function object
//	attempt to index a non-table object(nil) with key 'x'
//	cannot perform add operation between nil and number
//	cannot perform concat operation between string and nil
//	attempt to compare table with table
//	__unm undefined, __len undefined
//	for statement init must be a number
//
// Lua 5.1 (ldebug.c luaG_typeerror, luaG_concaterror, luaG_aritherror,
// luaG_ordererror) names the culprit from the failing instruction:
//
//	attempt to call global 'setup' (a nil value)
//	attempt to index local 'cfg' (a nil value)
//	attempt to perform arithmetic on field 'x' (a nil value)
//	attempt to concatenate upvalue 'name' (a nil value)
//	attempt to compare two table values
//	attempt to get length of a number value
//	'for' initial value must be a number
//
// nameVMError rewrites the first kind into the second while the failing
// frame is still running (pcall.go), reading the instruction, the values
// in its registers, and the scopes of the function's locals (scopes.go).

// nameVMError returns msg, an error gopher-lua's VM raised in the running
// Lua function, as Lua 5.1 words it, or false when msg is not such an
// error: raised by a Go function (bad argument errors, error itself), or
// not matching the failing instruction.
func nameVMError(L *lua.LState, msg string) (string, bool) {
	d, ok := L.GetStack(0)
	if !ok {
		return "", false
	}
	f := frameOf(d)
	if !f.ok() || f.isGo() {
		return "", false
	}
	fn, _ := L.GetInfo("f", d, lua.LNil)
	lfn, ok := fn.(*lua.LFunction)
	if !ok || lfn.IsG || lfn.Proto == nil {
		return "", false
	}
	p, pc := lfn.Proto, f.pc()
	if pc < 0 || pc >= len(p.Code) || pc >= len(p.DbgSourcePositions) {
		return "", false
	}
	// gopher-lua's position prefix, kept as it is.
	prefix := fmt.Sprintf("%s:%d: ", p.SourceName, p.DbgSourcePositions[pc])
	text, ok := strings.CutPrefix(msg, prefix)
	if !ok {
		return "", false
	}
	named, ok := vmErrorText(L, p, pc, text)
	if !ok {
		return "", false
	}
	return prefix + named, true
}

// vmErrorText is Lua 5.1's text for gopher-lua's error text, raised by
// p's instruction at pc.
func vmErrorText(L *lua.LState, p *lua.FunctionProto, pc int, text string) (string, bool) {
	i := p.Code[pc]
	op := opcode(i)
	// reg is register r of the running frame.
	reg := func(r int) lua.LValue { return L.Get(r + 1) }
	switch {
	case text == "attempt to call a non-function object":
		r := argA(i)
		switch op {
		case lua.OP_CALL, lua.OP_TAILCALL:
		case lua.OP_TFORLOOP:
			r += 3 // the generator is called from a copy above the loop's state
		default:
			return "", false
		}
		v := reg(r)
		if _, ok := v.(*lua.LFunction); ok {
			return "", false
		}
		return typeErrorText(p, pc, r, v, "call"), true

	case strings.HasPrefix(text, "attempt to index a non-table object("):
		typ, _, ok := strings.Cut(strings.TrimPrefix(text, "attempt to index a non-table object("), ")")
		if !ok {
			return "", false
		}
		var r int
		switch op {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			r = argB(i)
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			r = argA(i)
		default:
			return "", false
		}
		if v := reg(r); v.Type().String() == typ {
			return typeErrorText(p, pc, r, v, "index"), true
		}
		// An __index or __newindex chain led to the value: it is in no
		// register.
		return "attempt to index a " + typ + " value", true

	case strings.HasPrefix(text, "cannot perform concat operation between "):
		if op != lua.OP_CONCAT {
			return "", false
		}
		if r, ok := concatCulprit(L, argB(i), argC(i)); ok {
			return typeErrorText(p, pc, r, reg(r), "concatenate"), true
		}
		// A __concat metamethod took part: blame as luaG_concaterror would
		// the pair gopher-lua names.
		lhs, rhs, ok := strings.Cut(strings.TrimPrefix(text, "cannot perform concat operation between "), " and ")
		if !ok {
			return "", false
		}
		if lhs == "string" || lhs == "number" {
			lhs = rhs
		}
		return "attempt to concatenate a " + lhs + " value", true

	case strings.HasPrefix(text, "cannot perform "):
		switch op {
		case lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW:
		default:
			return "", false
		}
		// luaG_aritherror: the first operand if it is not a number, else
		// the second.
		rk := argC(i)
		if v, _ := rkValue(L, p, argB(i)); !isNumeric(v) {
			rk = argB(i)
		}
		v, inReg := rkValue(L, p, rk)
		if !inReg {
			return "attempt to perform arithmetic on a " + v.Type().String() + " value", true
		}
		return typeErrorText(p, pc, rk, v, "perform arithmetic on"), true

	case text == "__unm undefined" && op == lua.OP_UNM:
		v, inReg := rkValue(L, p, argB(i))
		if !inReg {
			return "attempt to perform arithmetic on a " + v.Type().String() + " value", true
		}
		return typeErrorText(p, pc, argB(i), v, "perform arithmetic on"), true

	case text == "__len undefined" && op == lua.OP_LEN:
		v, inReg := rkValue(L, p, argB(i))
		if !inReg {
			return "attempt to get length of a " + v.Type().String() + " value", true
		}
		return typeErrorText(p, pc, argB(i), v, "get length of"), true

	case strings.HasPrefix(text, "attempt to compare ") && (op == lua.OP_LT || op == lua.OP_LE):
		t1, t2, ok := strings.Cut(strings.TrimPrefix(text, "attempt to compare "), " with ")
		if !ok || len(t1) < 3 || len(t2) < 3 {
			return "", false
		}
		// luaG_ordererror tells types apart by their third letter, so a
		// string and a thread are "two string values".
		if t1[2] == t2[2] {
			return "attempt to compare two " + t1 + " values", true
		}
		return text, true

	case strings.HasPrefix(text, "for statement ") && (op == lua.OP_FORPREP || op == lua.OP_FORLOOP):
		// Lua 5.1 checks all three before the loop runs, in this order,
		// and converts strings.
		a := argA(i)
		for k, what := range []string{"initial value", "limit", "step"} {
			if !isNumeric(reg(a + k)) {
				return "'for' " + what + " must be a number", true
			}
		}
		switch text {
		case "for statement init must be a number":
			return "'for' initial value must be a number", true
		case "for statement limit must be a number":
			return "'for' limit must be a number", true
		case "for statement step must be a number":
			return "'for' step must be a number", true
		}

	case text == "too many recursions in gettable":
		return "loop in gettable", true
	case text == "too many recursions in settable":
		return "loop in settable", true
	}
	return "", false
}

// typeErrorText is Lua 5.1's luaG_typeerror for the value v in register
// reg: "attempt to <op> <kind> '<name>' (a <type> value)" when the
// instruction names it, else "attempt to <op> a <type> value".
func typeErrorText(p *lua.FunctionProto, pc, reg int, v lua.LValue, op string) string {
	if name, kind := objName(p, pc, reg); kind != "" {
		return fmt.Sprintf("attempt to %s %s '%s' (a %s value)", op, kind, name, v.Type().String())
	}
	return fmt.Sprintf("attempt to %s a %s value", op, v.Type().String())
}

// rkValue is the operand rk of an instruction (Lua 5.1's RK(x)): a
// constant of p, or a register of the running frame (inReg).
func rkValue(L *lua.LState, p *lua.FunctionProto, rk int) (v lua.LValue, inReg bool) {
	if isConstK(rk) {
		if k := rk &^ 0x100; k < len(p.Constants) {
			return p.Constants[k], false
		}
		return lua.LNil, false
	}
	return L.Get(rk + 1), true
}

// isNumeric is Lua 5.1's tonumber test on an arithmetic operand.
func isNumeric(v lua.LValue) bool {
	_, ok := toNumber(v)
	return ok
}

// concatCulprit is the register Lua 5.1's luaV_concat would blame for
// failing to concatenate registers b to c: it joins strings and numbers
// from the right, and at the first pair that is not both, blames the left
// one unless that is a string or number. It is false when a __concat
// metamethod would have been called first, whose result it cannot know.
func concatCulprit(L *lua.LState, b, c int) (int, bool) {
	isStr := make([]bool, c-b+1)
	hasMeta := make([]bool, c-b+1)
	for r := b; r <= c; r++ {
		switch v := L.Get(r + 1); v.(type) {
		case lua.LString, lua.LNumber:
			isStr[r-b] = true
		default:
			hasMeta[r-b] = L.GetMetaField(v, "__concat") != lua.LNil
		}
	}
	for top := c - b; top > 0; {
		if !isStr[top-1] || !isStr[top] {
			if hasMeta[top-1] || hasMeta[top] {
				return 0, false
			}
			if isStr[top-1] {
				return b + top, true
			}
			return b + top - 1, true
		}
		n := 2 // strings from top-n+1 to top, joined into top-n+1
		for top-n >= 0 && isStr[top-n] {
			n++
		}
		top -= n - 1
	}
	return 0, false
}
