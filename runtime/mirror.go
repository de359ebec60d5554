package runtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// A mirrorRequest is one mirroring: tag sha in the repository and push the
// refs and the tag to url. The stage (SPEC §4) and quire.stdlib's mirror
// function both come down to one.
type mirrorRequest struct {
	URL        string
	Credential string // a token, or a whole "Authorization: …" header
	Name       string // what the credential is shown as once redacted: the secret's name
	SHA        string
	Tag        string
	GitDir     string
	Refs       []string
}

// Mirror runs the native mirror stage: skipped when the pushed ref is not
// one of spec.Refs; otherwise it calls the :tag function with the push
// table, tags the pushed commit and pushes the refs and the tag.
func (c *Context) Mirror(spec MirrorSpec) (Outputs, error) {
	push := c.run.opts.Push
	refs := spec.Refs
	if len(refs) == 0 {
		refs = []string{push.Ref}
	} else if !slices.Contains(refs, push.Ref) {
		c.run.opts.Console.Line(c.job.ID, fmt.Sprintf("%s is not one of the mirrored refs (%s)", push.Ref, strings.Join(refs, ", ")))
		return nil, nil
	}
	ret, err := c.callLua(spec.Tag, "the :tag function", ":tag raised an error: ",
		func(s *jobState) lua.LValue { return toLua(s.L, push.Table()) })
	if err != nil {
		return nil, err
	}
	tag, ok := ret.(lua.LString)
	if !ok {
		return nil, fmt.Errorf(":tag returned a %s; it must return the tag name as a string", ret.Type())
	}
	cred, err := c.run.opts.Secrets.Get(spec.Secret)
	if err != nil {
		return nil, err
	}
	return c.mirror(mirrorRequest{URL: spec.URL, Credential: cred, Name: spec.Secret, SHA: push.SHA, Tag: string(tag), GitDir: push.GitDir, Refs: refs})
}

// mirror tags and pushes. The credential reaches git only through the
// environment (GIT_CONFIG_COUNT/KEY/VALUE), never its argv.
func (c *Context) mirror(req mirrorRequest) (Outputs, error) {
	if req.GitDir == "" {
		return nil, fmt.Errorf("mirror: no git directory to push from")
	}
	if req.Tag == "" {
		return nil, fmt.Errorf("mirror: the tag name is empty")
	}
	env := c.baseEnv()
	// Whether the name is valid and whether the tag exists are quire's
	// own questions, asked quietly: the job's log and console show the
	// commands that do the work (SPEC §4), and "no such tag", the usual
	// answer, is not a failed command.
	valid, err := quietGit(req.GitDir, "check-ref-format", "refs/tags/"+req.Tag)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	if !valid.ok {
		return nil, fmt.Errorf("mirror: %q is not a valid tag name", req.Tag)
	}
	existing, err := quietGit(req.GitDir, "rev-parse", "--verify", "--quiet", "refs/tags/"+req.Tag+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	switch at := existing.out; {
	case existing.ok && at == req.SHA:
		// Already tagged here (a re-run): nothing to do.
	case existing.ok:
		return nil, fmt.Errorf("mirror: tag %s already exists at %s, not at the pushed %s", req.Tag, at, req.SHA)
	default:
		tagArgv := []string{"git", "--git-dir", req.GitDir, "tag", req.Tag, req.SHA}
		if r := c.exec(tagArgv, shellJoin(tagArgv), env, req.GitDir); r.exit != 0 {
			return nil, fmt.Errorf("mirror: git tag %s %s failed with exit %d: %s", req.Tag, req.SHA, r.exit, strings.TrimSpace(r.stderr))
		}
	}
	header := req.Credential
	if !strings.HasPrefix(header, "Authorization:") {
		header = "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+req.Credential))
	}
	// The header value is a secret in its own right: make sure it is
	// redacted even though only the token was resolved by name.
	c.run.opts.Secrets.alsoRedact(req.Name, header)
	env = append(env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader", "GIT_CONFIG_VALUE_0="+header, "GIT_TERMINAL_PROMPT=0")
	pushArgv := append([]string{"git", "--git-dir", req.GitDir, "push", "--porcelain", req.URL}, req.Refs...)
	pushArgv = append(pushArgv, "refs/tags/"+req.Tag)
	r := c.exec(pushArgv, shellJoin(pushArgv), env, req.GitDir)
	out := Outputs{"tag-name": req.Tag, "push-exit": float64(r.exit), "pushed-refs": pushedRefs(r.stdout)}
	if r.exit != 0 {
		return nil, fmt.Errorf("mirror: git push to %s failed with exit %d: %s", req.URL, r.exit, pushFailure(r.stdout, r.stderr))
	}
	return out, nil
}

// pushedRefs reads the refs git push --porcelain reports as updated.
func pushedRefs(porcelain string) []any {
	refs := []any{}
	for _, line := range strings.Split(porcelain, "\n") {
		// "<flag>\t<from>:<to>\t<summary>"; flag '!' is a rejection.
		parts := strings.Split(line, "\t")
		if len(parts) < 2 || parts[0] == "!" || parts[0] == "" {
			continue
		}
		if _, to, ok := strings.Cut(parts[1], ":"); ok {
			refs = append(refs, to)
		}
	}
	return refs
}

// pushFailure says why git push failed: the refs the remote rejected, as
// its porcelain output lists them, else the last line of its errors that
// is not one of the hints git prints after the error.
func pushFailure(porcelain, stderr string) string {
	var rejected []string
	for _, line := range strings.Split(porcelain, "\n") {
		parts := strings.Split(line, "\t")
		if len(parts) == 3 && parts[0] == "!" {
			_, to, _ := strings.Cut(parts[1], ":")
			rejected = append(rejected, to+" "+parts[2])
		}
	}
	if len(rejected) > 0 {
		return strings.Join(rejected, "; ")
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "hint:") {
			return l
		}
	}
	return lines[len(lines)-1]
}

// stdlibMirror is quire.stdlib's (mirror {:url :auth-header :sha :tag
// :git-dir :refs}), for run-fns that mirror by hand; it shares the stage's
// code and returns the same outputs, raising when mirroring fails.
func (c *Context) stdlibMirror(L *lua.LState) int {
	opts := L.CheckTable(1)
	str := func(k string) string { return lua.LVAsString(opts.RawGetString(k)) }
	push := c.run.opts.Push
	req := mirrorRequest{URL: str("url"), Credential: str("auth-header"), Name: "auth-header", SHA: str("sha"), Tag: str("tag"), GitDir: str("git-dir")}
	if req.URL == "" {
		L.RaiseError("mirror: :url is required")
	}
	if req.Credential == "" {
		L.RaiseError("mirror: :auth-header is required (a token from (secret …), or a whole Authorization header)")
	}
	if req.SHA == "" {
		req.SHA = push.SHA
	}
	if req.GitDir == "" {
		req.GitDir = push.GitDir
	}
	if refs, ok := opts.RawGetString("refs").(*lua.LTable); ok {
		refs.ForEach(func(_, v lua.LValue) { req.Refs = append(req.Refs, lua.LVAsString(v)) })
	}
	if len(req.Refs) == 0 {
		req.Refs = []string{push.Ref}
	}
	out, err := c.mirror(req)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Push(toLua(L, map[string]any(out)))
	return 1
}

// A gitAnswer is what a yes-or-no git command said: whether it exited 0,
// and its trimmed output.
type gitAnswer struct {
	ok  bool
	out string
}

// quietGit asks git a question about gitDir without logging it. A
// non-zero exit is the answer "no"; only git failing to run is an error.
func quietGit(gitDir string, args ...string) (gitAnswer, error) {
	out, err := gitCommand(gitDir, args...).Output()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return gitAnswer{}, nil
	case errors.Is(err, exec.ErrNotFound):
		return gitAnswer{}, errNoGit("tag the mirrored commit")
	case err != nil:
		return gitAnswer{}, fmt.Errorf("git %s: %w", args[0], err)
	}
	return gitAnswer{ok: true, out: strings.TrimSpace(string(out))}, nil
}
