// Command quire compiles a CI pipeline written in Fennel (.quire/ci.fnl) into
// a standalone Go binary that a git post-receive hook runs.
//
// Usage is described in README.md and by `quire help`.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
