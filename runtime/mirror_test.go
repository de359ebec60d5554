package runtime_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quire-ci/quire/runtime"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// repos makes a repository with one commit on main, pushed into a bare
// "forge" repository (where the hook would run) and an empty bare mirror.
func repos(t *testing.T) (forge, mirror, sha string) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	os.MkdirAll(work, 0o755)
	git(t, work, "init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(work, "README"), []byte("hi\n"), 0o644)
	git(t, work, "add", "README")
	git(t, work, "commit", "-q", "-m", "first")
	forge = filepath.Join(dir, "forge.git")
	mirror = filepath.Join(dir, "mirror.git")
	git(t, dir, "init", "-q", "--bare", forge)
	git(t, dir, "init", "-q", "--bare", mirror)
	git(t, work, "push", "-q", forge, "main")
	return forge, mirror, git(t, work, "rev-parse", "HEAD")
}

func mirrorRun(t *testing.T, src, forge, sha, ref string) *runtime.Result {
	t.Helper()
	dir := t.TempDir()
	rp := compile(t, dir, src)
	cfg := filepath.Join(dir, "config.fnl")
	os.WriteFile(cfg, []byte(`{:secrets {:token "mirror-token-123456"}}`), 0o600)
	secrets, _, err := runtime.LoadSecrets(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return runtime.Run(context.Background(), rp, runtime.RunOptions{
		Push:      runtime.Push{SHA: sha, Ref: ref, GitDir: forge, PushedAt: time.Unix(0, 0)},
		Workspace: dir, Jobs: 1, Console: runtime.NewConsole(io.Discard), Secrets: secrets,
	})
}

func TestMirrorToFileRemote(t *testing.T) {
	forge, mirror, sha := repos(t)
	src := `(local ci (require :quire.ci))
(ci.mirror "file://` + mirror + `"
  {:secret :token :refs ["refs/heads/main"]
   :tag (fn [{: sha}] (.. "v1-" (sha:sub 1 8)))})
(ci.job :after [:quire/mirror] (fn [{: jobs}] (jobs :quire/mirror)))`
	res := mirrorRun(t, src, forge, sha, "refs/heads/main")
	m := res.Jobs["quire/mirror"]
	if m.Status != runtime.StatusSucceeded {
		t.Fatalf("mirror: %s %v", m.Status, m.Err)
	}
	tag := "v1-" + sha[:8]
	if m.Outputs["tag-name"] != tag || m.Outputs["push-exit"] != 0.0 {
		t.Errorf("outputs %v", m.Outputs)
	}
	if got := git(t, mirror, "rev-parse", "refs/heads/main", "refs/tags/"+tag); got != sha+"\n"+sha {
		t.Errorf("mirror refs: %q", got)
	}
	if after := res.Jobs["after"]; after.Status != runtime.StatusSucceeded || after.Outputs["tag-name"] != tag {
		t.Errorf("a job listing the mirror as input saw %v (%s)", after.Outputs, after.Status)
	}
	// Mirroring the same push again is fine: the tag is already there.
	if res := mirrorRun(t, src, forge, sha, "refs/heads/main"); res.Jobs["quire/mirror"].Status != runtime.StatusSucceeded {
		t.Errorf("second mirror: %v", res.Jobs["quire/mirror"].Err)
	}
}

func TestMirrorSkipsRefsOutsideRefs(t *testing.T) {
	forge, mirror, sha := repos(t)
	res := mirrorRun(t, `(local ci (require :quire.ci))
(ci.mirror "file://`+mirror+`" {:secret :token :refs ["refs/heads/release"] :tag (fn [] "v1")})`,
		forge, sha, "refs/heads/main")
	if st := res.Jobs["quire/mirror"].Status; st != runtime.StatusSkipped {
		t.Errorf("mirror: %s, want skipped", st)
	}
}

func TestMirrorBadTag(t *testing.T) {
	forge, mirror, sha := repos(t)
	for tag, want := range map[string]string{
		`(fn [] 42)`:             ":tag returned a number; it must return the tag name as a string",
		`(fn [] "bad..name")`:    `"bad..name" is not a valid tag name`,
		`(fn [] (error "nope"))`: ":tag raised an error",
	} {
		res := mirrorRun(t, `(local ci (require :quire.ci))
(ci.mirror "file://`+mirror+`" {:secret :token :tag `+tag+`})`, forge, sha, "refs/heads/main")
		m := res.Jobs["quire/mirror"]
		if m.Status != runtime.StatusFailed || !strings.Contains(m.Err.Error(), want) {
			t.Errorf("tag %s: %s %v, want failure containing %q", tag, m.Status, m.Err, want)
		}
	}
}

func TestMirrorTagAtAnotherCommitFails(t *testing.T) {
	forge, mirror, sha := repos(t)
	git(t, forge, "tag", "taken", sha)
	// A second commit in the forge, then mirror it with the taken tag.
	work := filepath.Join(t.TempDir(), "w")
	git(t, filepath.Dir(work), "clone", "-q", "-b", "main", forge, work)
	os.WriteFile(filepath.Join(work, "f"), []byte("x"), 0o644)
	git(t, work, "add", "f")
	git(t, work, "commit", "-q", "-m", "second")
	git(t, work, "push", "-q", "origin", "main")
	second := git(t, work, "rev-parse", "HEAD")
	res := mirrorRun(t, `(local ci (require :quire.ci))
(ci.mirror "file://`+mirror+`" {:secret :token :tag (fn [] "taken")})`, forge, second, "refs/heads/main")
	m := res.Jobs["quire/mirror"]
	if m.Status != runtime.StatusFailed || !strings.Contains(m.Err.Error(), "tag taken already exists at "+sha) {
		t.Errorf("%s %v", m.Status, m.Err)
	}
}

// A push the mirror rejects fails the stage with the reason: the rejected
// ref, not the last of the hints git prints after its error.
func TestMirrorRejectedPushSaysWhy(t *testing.T) {
	forge, mirror, sha := repos(t)
	// The mirror's main has a commit the forge's has not.
	work := filepath.Join(t.TempDir(), "w")
	git(t, filepath.Dir(work), "clone", "-q", "-b", "main", forge, work)
	git(t, work, "commit", "-q", "--allow-empty", "-m", "only in the mirror")
	git(t, work, "push", "-q", mirror, "main")
	res := mirrorRun(t, `(local ci (require :quire.ci))
(ci.mirror "file://`+mirror+`" {:secret :token :tag (fn [] "v1")})`, forge, sha, "refs/heads/main")
	m := res.Jobs["quire/mirror"]
	want := "failed with exit 1: refs/heads/main [rejected] (fetch first)"
	if m.Status != runtime.StatusFailed || m.Err == nil || !strings.HasSuffix(m.Err.Error(), want) {
		t.Errorf("%s %v, want a failure ending %q", m.Status, m.Err, want)
	}
}

// A :tag function that never returns is stopped by the run's
// cancellation, as a run-fn is.
func TestMirrorTagIsCancellable(t *testing.T) {
	forge, mirror, sha := repos(t)
	dir := t.TempDir()
	rp := compile(t, dir, `(local ci (require :quire.ci))
(ci.mirror "file://`+mirror+`" {:secret :token :tag (fn [] (while true nil))})`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan *runtime.Result)
	go func() {
		done <- runtime.Run(ctx, rp, runtime.RunOptions{
			Push:      runtime.Push{SHA: sha, Ref: "refs/heads/main", GitDir: forge, PushedAt: time.Unix(0, 0)},
			Workspace: dir, Jobs: 1, Console: runtime.NewConsole(io.Discard),
		})
	}()
	select {
	case res := <-done:
		if st := res.Jobs["quire/mirror"].Status; st != runtime.StatusCancelled {
			t.Errorf("mirror: %s, want cancelled", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a looping :tag function ignored the run's cancellation")
	}
}

// quire.stdlib's mirror is the function form of the same Go stage, for use
// inside a run-fn (SPEC §1): it mirrors when called, and says which of its
// options is missing.
func TestStdlibMirror(t *testing.T) {
	forge, mirror, sha := repos(t)
	res := mirrorRun(t, `(local ci (require :quire.ci))
(local std (require :quire.stdlib))
(ci.job :m [:quire/push] (fn [{: secret}] (std.mirror {:url "file://`+mirror+`" :auth-header (secret :token) :tag "v1"})))
(ci.job :no-url [:quire/push] (fn [] (std.mirror {:auth-header "x"})))
(ci.job :no-auth [:quire/push] (fn [] (std.mirror {:url "x"})))
(ci.job :no-tag [:quire/push] (fn [{: secret}] (std.mirror {:url "file://`+mirror+`" :auth-header (secret :token)})))`, forge, sha, "refs/heads/main")
	m := res.Jobs["m"]
	if m.Status != runtime.StatusSucceeded {
		t.Fatalf("m: %s %v", m.Status, m.Err)
	}
	want := runtime.Outputs{"tag-name": "v1", "pushed-refs": []any{"refs/heads/main", "refs/tags/v1"}, "push-exit": 0.0}
	if !reflect.DeepEqual(m.Outputs, want) {
		t.Errorf("outputs %#v, want %#v", m.Outputs, want)
	}
	if got := git(t, mirror, "rev-parse", "refs/tags/v1^{commit}"); got != sha {
		t.Errorf("the mirror's v1 is %s, want %s", got, sha)
	}
	for id, msg := range map[string]string{
		"no-url":  "ci.fnl:4: mirror: :url is required",
		"no-auth": "mirror: :auth-header is required (a token from (secret …), or a whole Authorization header)",
		"no-tag":  "mirror: the tag name is empty",
	} {
		j := res.Jobs[id]
		if j.Status != runtime.StatusFailed || j.Err == nil || !strings.Contains(j.Err.Error(), msg) {
			t.Errorf("%s: %s %v, want failed with %q", id, j.Status, j.Err, msg)
		}
	}
}
