package main

import "runtime/debug"

// version is set by the Makefile from `git describe`; a plain `go build`
// falls back to the module version Go records.
var version string

// Version returns quire's version.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
