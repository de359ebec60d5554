package runtime_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/quire-ci/quire/runtime"
)

// MaterializeWorkspace checks out a ref, a sha or an annotated tag, and
// says which commit it checked out: a run starts it before it has read the
// push's commit and compares the two.
func TestMaterializeWorkspaceSaysWhichCommit(t *testing.T) {
	forge, _, sha := repos(t)
	git(t, forge, "tag", "-a", "-m", "v1", "v1", sha)
	for _, rev := range []string{"refs/heads/main", sha, "v1"} {
		ws := filepath.Join(t.TempDir(), "ws")
		commit, err := runtime.MaterializeWorkspace(forge, rev, ws)
		if err != nil {
			t.Fatalf("%s: %v", rev, err)
		}
		if commit != sha {
			t.Errorf("%s: checked out %q, want %s", rev, commit, sha)
		}
		if b, err := os.ReadFile(filepath.Join(ws, "README")); err != nil || string(b) != "hi\n" {
			t.Errorf("%s: README %q, %v", rev, b, err)
		}
	}
	if _, err := runtime.MaterializeWorkspace(forge, "refs/heads/nope", filepath.Join(t.TempDir(), "ws")); err == nil {
		t.Error("a missing ref checked out")
	}
}
