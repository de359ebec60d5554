package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// A Push is what triggered a run: the push table of SPEC §3.
type Push struct {
	SHA           string
	Ref           string
	PreviousSHA   string // "" for a new ref
	FilesChanged  []string
	CommitMessage string
	Pusher        string
	PushedAt      time.Time
	GitDir        string
}

// Table returns the push table as run-fns see it through (jobs :quire/push).
func (p Push) Table() map[string]any {
	t := map[string]any{
		"sha":            p.SHA,
		"ref":            p.Ref,
		"commit-message": p.CommitMessage,
		"pushed-at":      p.PushedAt.UTC().Format(time.RFC3339),
		"git-dir":        p.GitDir,
	}
	if b, ok := strings.CutPrefix(p.Ref, "refs/heads/"); ok {
		t["branch"] = b
	}
	if tag, ok := strings.CutPrefix(p.Ref, "refs/tags/"); ok {
		t["tag"] = tag
	}
	if p.PreviousSHA != "" {
		t["previous-sha"] = p.PreviousSHA
	}
	if p.Pusher != "" {
		t["pusher"] = p.Pusher
	}
	files := make([]any, len(p.FilesChanged))
	for i, f := range p.FilesChanged {
		files[i] = f
	}
	t["files-changed"] = files
	return t
}

// pusherEnv are the variables forges set to name who pushed, in order of
// preference.
var pusherEnv = []string{"GL_USERNAME", "GITEA_PUSHER_NAME", "GIT_PUSHER", "REMOTE_USER", "USER"}

// NewPush reads what the push table needs from the repository at gitDir.
func NewPush(gitDir, ref, sha, previous string) (Push, error) {
	p := Push{Ref: ref, PreviousSHA: previous, GitDir: gitDir, PushedAt: time.Now().UTC()}
	// One git process for the commit, its message and, for a new ref, the
	// files it added: each git process costs about 2 ms of a run's start.
	target := sha
	if target == "" {
		target = ref + "^{commit}"
	}
	args := []string{"log", "-1", "--no-walk", "--format=%H%x00%B%x00", target}
	if previous == "" {
		args = append(args, "--root", "--name-only", "--no-renames")
	}
	// The files an update changed, from previous to the commit to.
	type listing struct {
		files string
		err   error
	}
	diff := func(to string) listing {
		files, err := git(gitDir, "diff", "--name-only", "--no-renames", previous, to)
		return listing{files, err}
	}
	// An update that names both commits (the hook's case) is listed while
	// git log reads the commit.
	var listed chan listing
	if previous != "" && sha != "" {
		listed = make(chan listing, 1)
		go func() { listed <- diff(sha) }()
	}
	out, err := git(gitDir, append(args, "--")...)
	if err != nil {
		return p, fmt.Errorf("resolve %s in %s: %w", target, gitDir, err)
	}
	parts := strings.SplitN(out, "\x00", 3)
	if len(parts) != 3 {
		// git log shows a tree or a blob rather than fail on it.
		if kind, err := git(gitDir, "cat-file", "-t", target); err == nil && kind != "commit" {
			return p, fmt.Errorf("%s is a %s, not a commit", target, kind)
		}
		return p, fmt.Errorf("read commit %s: unexpected git log output", target)
	}
	p.SHA, p.CommitMessage = parts[0], strings.TrimRight(parts[1], "\n")
	files := strings.TrimSpace(parts[2])
	if previous != "" {
		var l listing
		if listed != nil {
			l = <-listed
		} else {
			l = diff(p.SHA)
		}
		if files, err = l.files, l.err; err != nil {
			return p, fmt.Errorf("list files changed by %s: %w", p.SHA, err)
		}
	}
	if files != "" {
		p.FilesChanged = strings.Split(files, "\n")
	}
	for _, k := range pusherEnv {
		if v := os.Getenv(k); v != "" {
			p.Pusher = v
			break
		}
	}
	return p, nil
}

// gitEnv is the environment of quire's own git commands: the process's,
// without the hook's variables (computed once: a run starts several).
var gitEnv = sync.OnceValue(func() []string { return HookFreeEnv(os.Environ()) })

// gitCommand is git run against the repository gitDir.
func gitCommand(gitDir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"--git-dir", gitDir}, args...)...)
	cmd.Env = gitEnv()
	return cmd
}

// errNoGit says that git could not be run, and what for.
func errNoGit(what string) error {
	return fmt.Errorf("git is not installed or not on PATH; quire needs it to %s", what)
}

// git runs a git command against gitDir and returns its trimmed output.
func git(gitDir string, args ...string) (string, error) {
	cmd := gitCommand(gitDir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return "", errNoGit("read the pushed commit")
	}
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return strings.TrimRight(string(out), "\n"), nil
}

// hookEnv are the variables that point git at a repository, which git
// sets for hooks; commands of a run must not inherit them, or a `git` in a
// job would act on the pushed-to repository.
var hookEnv = []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_QUARANTINE_PATH", "GIT_COMMON_DIR",
	"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_PUSH_OPTION_COUNT", "GIT_PREFIX"}

// HookFreeEnv returns env without git's hook variables (and push options),
// so that the directory a git command is given decides its repository.
func HookFreeEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := strings.HasPrefix(k, "GIT_PUSH_OPTION_")
		for _, h := range hookEnv {
			if k == h {
				drop = true
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
