package frozen

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// A Resolver returns the run-time value of the builtin called name
// ("string.sub", "quire.ci"), or false when the run-time state has none.
type Resolver func(name string) (lua.LValue, bool)

// Prototypes returns the program's prototypes as gopher-lua prototypes.
// They are built once per process and shared: gopher-lua never modifies a
// prototype, so every Lua state may run the same ones.
func (p *Program) Prototypes() ([]*lua.FunctionProto, error) {
	p.once.Do(func() { p.built, p.err = buildProtos(p.Protos) })
	return p.built, p.err
}

func buildProtos(ps []Proto) ([]*lua.FunctionProto, error) {
	out := make([]*lua.FunctionProto, len(ps))
	for i := range ps {
		fp, err := ps[i].build()
		if err != nil {
			return nil, fmt.Errorf("prototype %d: %w", i, err)
		}
		out[i] = fp
	}
	// Link nested prototypes once all exist; the graph is a tree, but
	// building by index keeps this independent of order.
	for i := range ps {
		for _, c := range ps[i].Protos {
			if c < 0 || c >= len(out) {
				return nil, fmt.Errorf("prototype %d: nested prototype %d out of range", i, c)
			}
			out[i].FunctionPrototypes = append(out[i].FunctionPrototypes, out[c])
		}
	}
	return out, nil
}

func (p *Proto) build() (*lua.FunctionProto, error) {
	fp := &lua.FunctionProto{
		SourceName:         p.Source,
		LineDefined:        p.LineDefined,
		LastLineDefined:    p.LastLineDefined,
		NumUpvalues:        p.NumUpvalues,
		NumParameters:      p.NumParameters,
		IsVarArg:           p.IsVarArg,
		NumUsedRegisters:   p.NumUsedRegisters,
		Code:               p.Code,
		Constants:          make([]lua.LValue, len(p.Constants)),
		FunctionPrototypes: make([]*lua.FunctionProto, 0, len(p.Protos)),
		DbgSourcePositions: p.Lines,
		DbgLocals:          make([]*lua.DbgLocalInfo, len(p.Locals)),
		DbgCalls:           make([]lua.DbgCall, len(p.Calls)),
		DbgUpvalues:        p.Upvalues,
	}
	for i, c := range p.Constants {
		v, ok := c.immediate()
		if !ok {
			return nil, fmt.Errorf("constant %d has kind %d; prototypes hold only immediates", i, c.Kind)
		}
		fp.Constants[i] = v
	}
	for i, l := range p.Locals {
		fp.DbgLocals[i] = &lua.DbgLocalInfo{Name: l.Name, StartPc: l.StartPC, EndPc: l.EndPC}
	}
	for i, c := range p.Calls {
		fp.DbgCalls[i] = lua.DbgCall{Name: c.Name, Pc: c.PC}
	}
	if err := setStringConstants(fp); err != nil {
		return nil, err
	}
	return fp, nil
}

// A Restorer rebuilds a program's objects in one Lua state. Each object is
// built once per Restorer, so identity, sharing and cycles survive.
type Restorer struct {
	prog    *Program
	protos  []*lua.FunctionProto
	env     *lua.LTable
	resolve Resolver
	// What was restored so far, by object index: maps, not slices the
	// size of the program, since a job restores a few of a pipeline's
	// objects and a slice per job made a run quadratic in its jobs.
	objs  map[int]lua.LValue
	cells map[int]*lua.Upvalue
}

// NewRestorer prepares to restore p's objects with env as the closures'
// global environment and resolve supplying builtins.
func NewRestorer(p *Program, env *lua.LTable, resolve Resolver) (*Restorer, error) {
	protos, err := p.Prototypes()
	if err != nil {
		return nil, err
	}
	return &Restorer{
		prog: p, protos: protos, env: env, resolve: resolve,
		objs: map[int]lua.LValue{}, cells: map[int]*lua.Upvalue{},
	}, nil
}

// immediate is v as a Lua value when it is one by itself: nil, a boolean,
// a number or a string; ok is false for a reference or an unknown kind.
func (v Value) immediate() (lv lua.LValue, ok bool) {
	switch v.Kind {
	case KindNil:
		return lua.LNil, true
	case KindFalse:
		return lua.LFalse, true
	case KindTrue:
		return lua.LTrue, true
	case KindNumber:
		return lua.LNumber(v.Num), true
	case KindString:
		return lua.LString(v.Str), true
	}
	return nil, false
}

// Value restores v.
func (r *Restorer) Value(v Value) (lua.LValue, error) {
	if lv, ok := v.immediate(); ok {
		return lv, nil
	}
	if v.Kind == KindRef {
		return r.Object(v.Ref)
	}
	return nil, fmt.Errorf("value of unknown kind %d", v.Kind)
}

// Object restores object i.
func (r *Restorer) Object(i int) (lua.LValue, error) {
	if i < 0 || i >= len(r.prog.Objects) {
		return nil, fmt.Errorf("object %d out of range", i)
	}
	if v, ok := r.objs[i]; ok {
		return v, nil
	}
	o := &r.prog.Objects[i]
	switch o.Kind {
	case ObjTable:
		t := &lua.LTable{Metatable: lua.LNil}
		r.objs[i] = t // before the contents, for cycles
		for k := range o.Keys {
			key, err := r.Value(o.Keys[k])
			if err != nil {
				return nil, err
			}
			val, err := r.Value(o.Vals[k])
			if err != nil {
				return nil, err
			}
			t.RawSet(key, val)
		}
		if o.Meta.Kind != KindNil {
			mt, err := r.Value(o.Meta)
			if err != nil {
				return nil, err
			}
			t.Metatable = mt
		}
		return t, nil
	case ObjClosure:
		if o.Proto < 0 || o.Proto >= len(r.protos) {
			return nil, fmt.Errorf("object %d: prototype %d out of range", i, o.Proto)
		}
		fn := &lua.LFunction{Env: r.env, Proto: r.protos[o.Proto], Upvalues: make([]*lua.Upvalue, len(o.Cells))}
		r.objs[i] = fn
		for k, c := range o.Cells {
			cell, err := r.cell(c)
			if err != nil {
				return nil, fmt.Errorf("object %d upvalue %d: %w", i, k, err)
			}
			fn.Upvalues[k] = cell
		}
		return fn, nil
	case ObjBuiltin:
		v, ok := r.resolve(o.Name)
		if !ok {
			return nil, fmt.Errorf("no builtin %q in this runtime", o.Name)
		}
		r.objs[i] = v
		return v, nil
	case ObjCell:
		return nil, fmt.Errorf("object %d is an upvalue cell, not a value", i)
	}
	return nil, fmt.Errorf("object %d has unknown kind %d", i, o.Kind)
}

// cell restores upvalue cell i. A zero Upvalue is closed (it has no
// registry to point into), so it holds its value itself: exactly a
// captured variable after its scope ended.
func (r *Restorer) cell(i int) (*lua.Upvalue, error) {
	if i < 0 || i >= len(r.prog.Objects) || r.prog.Objects[i].Kind != ObjCell {
		return nil, fmt.Errorf("object %d is not an upvalue cell", i)
	}
	if uv, ok := r.cells[i]; ok {
		return uv, nil
	}
	uv := &lua.Upvalue{}
	r.cells[i] = uv
	v, err := r.Value(r.prog.Objects[i].Val)
	if err != nil {
		return nil, err
	}
	uv.SetValue(v)
	return uv, nil
}
