package runtime

import (
	"fmt"
	"math"
	"sort"

	lua "github.com/yuin/gopher-lua"
)

// outputsFromLua turns what a run-fn returned into outputs: nil means the
// job skipped itself, a table becomes plain data, anything else fails the
// job with a message that says what came back.
func outputsFromLua(v lua.LValue) (Outputs, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case *lua.LTable:
		data, err := toData(v, "outputs", map[*lua.LTable]bool{})
		if err != nil {
			return nil, err
		}
		switch d := data.(type) {
		case map[string]any:
			return Outputs(d), nil
		case []any:
			if len(d) == 0 {
				return Outputs{}, nil
			}
		}
		return nil, fmt.Errorf("the run-fn returned a sequence; outputs must be a table with string keys, like {:exit 0}")
	}
	return nil, fmt.Errorf("the run-fn returned a %s; it must return a table of outputs (the job succeeded) or nil (the job skipped itself)", v.Type())
}

// toData converts a Lua value into plain data.
func toData(v lua.LValue, path string, seen map[*lua.LTable]bool) (any, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LBool:
		return bool(v), nil
	case lua.LNumber:
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			// JSON (state.json, the jobs that read them) has no such numbers.
			return nil, fmt.Errorf("%s is not a finite number; outputs must be plain data that JSON can hold", path)
		}
		return float64(v), nil
	case lua.LString:
		return string(v), nil
	case *lua.LTable:
		if seen[v] {
			return nil, fmt.Errorf("%s refers back to itself; outputs must be plain data without cycles", path)
		}
		seen[v] = true
		defer delete(seen, v)
		if n := v.Len(); n > 0 && isSequence(v, n) {
			seq := make([]any, n)
			for i := 1; i <= n; i++ {
				d, err := toData(v.RawGetInt(i), fmt.Sprintf("%s[%d]", path, i), seen)
				if err != nil {
					return nil, err
				}
				seq[i-1] = d
			}
			return seq, nil
		}
		m := map[string]any{}
		var err error
		v.ForEach(func(k, val lua.LValue) {
			if err != nil {
				return
			}
			ks, ok := k.(lua.LString)
			if !ok {
				err = fmt.Errorf("%s has a key %s that is not a string; outputs must be plain data (string keys, or a sequence)", path, k.Type())
				return
			}
			var d any
			d, err = toData(val, path+"."+string(ks), seen)
			m[string(ks)] = d
		})
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	return nil, fmt.Errorf("%s holds a %s; outputs must be plain data (strings, numbers, booleans and tables)", path, v.Type())
}

// isSequence reports whether t has exactly the keys 1..n.
func isSequence(t *lua.LTable, n int) bool {
	count := 0
	ok := true
	t.ForEach(func(k, _ lua.LValue) {
		count++
		if f, isNum := k.(lua.LNumber); !isNum || float64(f) != math.Trunc(float64(f)) || f < 1 || int(f) > n {
			ok = false
		}
	})
	return ok && count == n
}

// toLua converts plain data into a fresh Lua value in L.
func toLua(L *lua.LState, d any) lua.LValue {
	switch d := d.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(d)
	case float64:
		return lua.LNumber(d)
	case int:
		return lua.LNumber(d)
	case string:
		return lua.LString(d)
	case []any:
		t := L.CreateTable(len(d), 0)
		for _, v := range d {
			t.Append(toLua(L, v))
		}
		return t
	case []string:
		t := L.CreateTable(len(d), 0)
		for _, v := range d {
			t.Append(lua.LString(v))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(d))
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, toLua(L, d[k]))
		}
		return t
	case Outputs:
		return toLua(L, map[string]any(d))
	}
	return lua.LString(fmt.Sprint(d))
}
