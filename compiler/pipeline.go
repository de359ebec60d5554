// Package compiler turns a ci.fnl into a Pipeline: it evaluates the file once,
// at build time, against a recording quire.ci module, and validates the graph
// that the file registered.
//
// It hands a plain Pipeline to the code generator (package gen) and never
// reaches forward into gen or runtime.
package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"

	"github.com/quire-ci/quire/compiler/diag"
	"github.com/quire-ci/quire/runtime/frozen"
)

// SourcePush is the only source: the push that triggered a run.
const SourcePush = "quire/push"

// DefaultMirrorID is the id ci.mirror registers when it is not given :as.
const DefaultMirrorID = "quire/mirror"

// A Pipeline is the validated job graph of one ci.fnl.
//
// Its closures (Job.Run, Mirror.Tag) still live in the Lua state that
// evaluated the file; Close releases it.
type Pipeline struct {
	File    string   // ci.fnl as the user named it
	Source  []byte   // its contents
	Image   string   // from (ci.image …); "" when not declared
	Jobs    []*Job   // in registration order, mirror stages included
	Order   []string // job ids in a topological order, ties broken by registration order
	Modules []Module // the pipeline's own modules that ci.fnl required

	// Program holds the run-fns, tag functions and everything they
	// captured, frozen for the binary. Job.RunRef and Mirror.TagRef index
	// its objects.
	Program *frozen.Program

	// FennelVersion is the version of the Fennel compiler that compiled it.
	FennelVersion string

	state *lua.LState
}

// A Job is one registered node of the graph.
type Job struct {
	ID     string
	Inputs []string       // job ids or sources, as registered
	Run    *lua.LFunction // the run-fn; nil for a mirror stage
	RunRef int            // the run-fn in Pipeline.Program.Objects
	Mirror *Mirror        // non-nil when the job is a ci.mirror stage
	Span   diag.Span      // the (ci.job …) or (ci.mirror …) form
}

// A Mirror is the configuration of a ci.mirror stage (SPEC §4).
type Mirror struct {
	URL    string
	Secret string         // the name of the secret holding the token
	Tag    *lua.LFunction // push table -> tag name
	TagRef int            // Tag in Pipeline.Program.Objects
	Refs   []string       // refs to push; empty means the pushed ref
	After  []string       // extra inputs
}

// A Module is a Fennel or Lua module of the pipeline's own, found next to
// ci.fnl by require.
type Module struct {
	Name string // as required, e.g. "helpers"
	Path string
}

// SHA256 is the hex sha256 of Source: what a binary records of the ci.fnl
// it was built from, and compares with the pushed one to warn that it is
// stale.
func (p *Pipeline) SHA256() string {
	sum := sha256.Sum256(p.Source)
	return hex.EncodeToString(sum[:])
}

// SourceName is the name file, ci.fnl or one of the pipeline's modules,
// has in the binary: in its prototypes, and so in run-time error
// positions, and wherever else the binary or generated code names a
// source. ci.fnl is its base name and a module its path relative to
// ci.fnl's directory, with slashes ("lib/util.fnl"), so the names do not
// depend on where the pipeline was compiled. A file outside that
// directory keeps its base name.
func (p *Pipeline) SourceName(file string) string {
	if file == "" || file == p.File {
		return filepath.Base(p.File)
	}
	rel, err := filepath.Rel(filepath.Dir(p.File), file)
	if err != nil || !filepath.IsLocal(rel) {
		return filepath.Base(file)
	}
	return filepath.ToSlash(rel)
}

// Job returns the job with the given id, or nil.
func (p *Pipeline) Job(id string) *Job {
	for _, j := range p.Jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// Close releases the Lua state that evaluated the pipeline.
func (p *Pipeline) Close() {
	if p.state != nil {
		p.state.Close()
		p.state = nil
	}
}
