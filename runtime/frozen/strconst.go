package frozen

import (
	"fmt"
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// setStringConstants fills the one field of gopher-lua's FunctionProto that
// is unexported: stringConstants, a copy of Constants in which every string
// constant appears as a Go string and every other constant as "". The VM
// reads it for global and field access by constant name, and only
// lua.Compile fills it, so a prototype rebuilt from data must fill it here.
//
// This is pinned to gopher-lua v1.1.2 (see go.mod). If a new version
// renames or retypes the field, TestStringConstantsLayout fails and this
// function returns an error rather than writing to the wrong place.
func setStringConstants(fp *lua.FunctionProto) error {
	f := reflect.ValueOf(fp).Elem().FieldByName("stringConstants")
	if !f.IsValid() || f.Type() != reflect.TypeOf([]string(nil)) {
		return fmt.Errorf("gopher-lua's FunctionProto has no stringConstants []string field; quire's runtime does not support this gopher-lua version")
	}
	sc := make([]string, len(fp.Constants))
	for i, c := range fp.Constants {
		if s, ok := c.(lua.LString); ok {
			sc[i] = string(s)
		}
	}
	*(*[]string)(unsafe.Pointer(f.UnsafeAddr())) = sc
	return nil
}
