// Package quire carries the part of quire's own source that every
// generated pipeline program builds against: package runtime and what it
// imports from this module, with go.mod and go.sum.
//
// quire compile writes this tree into its cache and points the generated
// module at it with a replace directive, so a binary always uses the
// runtime of the exact quire that compiled it, and building needs no
// network once the third-party modules in go.sum are in Go's module cache.
// When runtime starts importing another package of this module, add it to
// the embed list; gen's tests fail until then.
package quire

import "embed"

// Source is quire's runtime source tree, rooted at the module root.
//
//go:embed go.mod go.sum runtime internal/luavm internal/minheap
var Source embed.FS
