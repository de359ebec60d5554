package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/quire-ci/quire/runtime"
)

const hookHelp = `Install copies BIN (a binary written by quire compile) into the hooks
directory of the repository D as its post-receive hook, so that every push
to D runs the pipeline. D is a bare repository or a working tree; the hooks
directory is the one git uses (core.hooksPath is respected).

With --config F, the binary goes in as hooks/quire-ci and post-receive is a
two-line script that runs it with --config F: git runs hooks without
arguments, so this is how a repository's runs get their secrets config
(otherwise the binary reads /var/quire/config.fnl). F is checked now.

An existing post-receive hook is never replaced unless --force is given.
`

// hook implements `quire hook install --git-dir D --bin BIN [--force]`.
func (e *env) hook(args []string) int {
	if len(args) == 0 || args[0] != "install" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintf(e.stdout, "usage: quire hook install --git-dir D --bin BIN [--config F] [--force]\n\n%s", hookHelp)
			return exitOK
		}
		if len(args) == 0 {
			fmt.Fprintf(e.stderr, "quire hook: expected a subcommand\n")
		} else {
			fmt.Fprintf(e.stderr, "quire hook: unknown subcommand %q\n", args[0])
		}
		fmt.Fprintf(e.stderr, "usage: quire hook install --git-dir D --bin BIN [--config F] [--force]\n")
		return exitUsage
	}
	fs := e.newFlags("hook install", "hook install --git-dir D --bin BIN [--config F] [--force]\n\n"+hookHelp)
	gitDir := fs.String("git-dir", "", "install the hook in the repository `D` (bare, or a working tree)")
	bin := fs.String("bin", "", "the pipeline binary `BIN` that quire compile wrote")
	config := fs.String("config", "", "the secrets config `F` the hook's runs read")
	force := fs.Bool("force", false, "replace an existing post-receive hook")
	pos, err := e.parse(fs, args[1:])
	if err != nil {
		return usageStatus(err)
	}
	if len(pos) > 0 || *gitDir == "" || *bin == "" {
		switch {
		case len(pos) > 0:
			fmt.Fprintf(e.stderr, "quire hook install: unexpected argument %q\n", pos[0])
		case *gitDir == "":
			fmt.Fprintf(e.stderr, "quire hook install: --git-dir is required\n")
		default:
			fmt.Fprintf(e.stderr, "quire hook install: --bin is required\n")
		}
		fs.Usage()
		return exitUsage
	}
	if err := checkHookBinary(*bin); err != nil {
		return e.fail(err)
	}
	hooks, err := hooksDir(*gitDir)
	if err != nil {
		return e.fail(err)
	}
	target := filepath.Join(hooks, "post-receive")
	// What goes in as post-receive: the binary itself, or with --config
	// a script that runs it, beside the hook, with that config.
	installed, configAbs := *bin, ""
	var script []byte
	if *config != "" {
		if configAbs, err = checkHookConfig(*config); err != nil {
			return e.fail(err)
		}
		installed = filepath.Join(hooks, hookBinary)
		script = hookScript(configAbs)
	}
	if !*force {
		if fi, err := os.Lstat(target); err == nil {
			var sameHook bool
			if script != nil {
				cur, err := os.ReadFile(target)
				sameHook = err == nil && bytes.Equal(cur, script)
			} else {
				sameHook, _ = sameContent(*bin, target)
			}
			sameBin, _ := sameContent(*bin, installed)
			if sameHook && sameBin && fi.Mode()&0o111 != 0 {
				fmt.Fprintf(e.stderr, "quire: %s is already installed as %s\n", *bin, target)
				return exitOK
			}
			return e.fail(existingHookError(target, *gitDir, *bin, configAbs))
		}
	}
	if script != nil {
		// The binary first: once post-receive names it, it is in place.
		err = installHookFile(*bin, installed, true)
		if err == nil {
			err = installHook(bytes.NewReader(script), target, *force)
		}
	} else {
		err = installHookFile(*bin, target, *force)
	}
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			// Created meanwhile by someone else: still never overwritten.
			return e.fail(existingHookError(target, *gitDir, *bin, configAbs))
		}
		return e.fail(err)
	}
	if *config != "" {
		fmt.Fprintf(e.stderr, "quire: installed %s as %s, run by %s with --config %s\n", *bin, installed, target, *config)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "quire: installed %s as %s\n", *bin, target)
	return exitOK
}

// hookBinary is the name the pipeline binary gets in the hooks directory
// when post-receive is a script that runs it; git runs only hooks with
// names it knows, so it never runs this one itself.
const hookBinary = "quire-ci"

// checkHookConfig makes sure the runs will be able to read the config at
// path, as the binary reads it, and returns it made absolute: hooks run
// in the repository, not where quire hook install ran.
func checkHookConfig(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	_, missing, err := runtime.LoadSecrets(abs)
	switch {
	case err != nil:
		return "", fmt.Errorf("--config: %w", err)
	case missing:
		return "", fmt.Errorf("--config %s: %w", path, os.ErrNotExist)
	}
	return abs, nil
}

// hookScript is the post-receive script that runs the pipeline binary
// beside it with the config at path (a path, never a secret).
func hookScript(config string) []byte {
	return fmt.Appendf(nil, "#!/bin/sh\n# Installed by quire hook install: the pipeline binary beside this hook, with its config.\nexec \"$(dirname \"$0\")/%s\" post-receive --config %s \"$@\"\n",
		hookBinary, runtime.ShellQuote(config))
}

// checkHookBinary makes sure bin is something git can run as a hook: an
// executable file (a binary, or a script starting with #!), not, say,
// ci.fnl itself.
func checkHookBinary(bin string) error {
	fi, err := os.Stat(bin)
	if err != nil {
		return fmt.Errorf("--bin: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("--bin: %s is not a regular file", bin)
	}
	f, err := os.Open(bin)
	if err != nil {
		return fmt.Errorf("--bin: %w", err)
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if !bytes.HasPrefix(head, []byte("\x7fELF")) && !bytes.HasPrefix(head, []byte("#!")) {
		return fmt.Errorf("--bin: %s is not an executable (want the binary `quire compile` wrote, e.g. quire compile .quire/ci.fnl -o ci-bin)", bin)
	}
	return nil
}

// hooksDir returns the directory git runs repo's hooks from: hooks/ of the
// repository's git directory, or core.hooksPath. repo must be a repository
// itself (its git directory or its working tree), not a directory inside
// one, so that a typo cannot install the hook in an enclosing repository.
func hooksDir(repo string) (string, error) {
	fi, err := os.Stat(repo)
	if err != nil {
		return "", fmt.Errorf("--git-dir: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("--git-dir: %s is not a directory", repo)
	}
	abs, err := filepath.Abs(repo)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	gitDir, err := gitOut(real, "rev-parse", "--absolute-git-dir")
	if err != nil {
		return "", fmt.Errorf("--git-dir: %s is not a git repository", repo)
	}
	if gitDir, err = filepath.EvalSymlinks(gitDir); err != nil {
		return "", err
	}
	top, _ := gitOut(real, "rev-parse", "--show-toplevel") // fails in a bare repository
	if top != "" {
		if top, err = filepath.EvalSymlinks(top); err != nil {
			return "", err
		}
	}
	if real != gitDir && real != top {
		in := top
		if in == "" {
			in = gitDir
		}
		return "", fmt.Errorf("--git-dir: %s is not a git repository (it is inside the repository %s; name that one if you mean it)", repo, in)
	}
	// Hooks run from the top of the working tree, or from the git
	// directory of a bare repository; a relative core.hooksPath is taken
	// from there, and so is the answer of --git-path.
	base := top
	if base == "" {
		base = gitDir
		if bare, _ := gitOut(gitDir, "config", "--bool", "core.bare"); bare == "false" && filepath.Base(gitDir) == ".git" {
			base = filepath.Dir(gitDir) // the .git directory of a working tree
		}
	}
	hooks, err := gitOut(base, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return "", fmt.Errorf("find the hooks directory of %s: %w", repo, err)
	}
	if !filepath.IsAbs(hooks) {
		hooks = filepath.Join(base, hooks)
	}
	return hooks, nil
}

// gitOut runs git in dir, without the variables that would point it at
// another repository, and returns its trimmed output.
func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = runtime.HookFreeEnv(os.Environ())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
		}
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// installHookFile installs the file bin as target, as installHook does.
func installHookFile(bin, target string, force bool) error {
	src, err := os.Open(bin)
	if err != nil {
		return err
	}
	defer src.Close()
	return installHook(src, target, force)
}

// installHook writes src to target with mode 0755, atomically: git sees
// the old hook or the new one, never a part. Unless force is set, an
// existing target is left alone and the error wraps os.ErrExist.
func installHook(src io.Reader, target string, force bool) error {
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".post-receive.quire-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once linked or renamed
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Chmod(0o755)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", target, err)
	}
	if force {
		if err := os.Rename(tmp.Name(), target); err != nil {
			return fmt.Errorf("install %s: %w", target, err)
		}
		return nil
	}
	// link(2) never replaces an existing file: a hook that appeared since
	// the check is not overwritten either.
	if err := os.Link(tmp.Name(), target); err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		return fmt.Errorf("install %s: %w", target, err)
	}
	return nil
}

// sameContent reports whether files a and b hold the same bytes.
func sameContent(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	if os.SameFile(fa, fb) {
		return true, nil
	}
	if fa.Size() != fb.Size() {
		return false, nil
	}
	da, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	db, err := os.ReadFile(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(da, db), nil
}

// existingHookError explains that target exists, and how to keep it and
// run the pipeline too; config, when not empty, is the absolute path of
// the config the hook's runs are to read.
func existingHookError(target, repo, bin, config string) error {
	what := "a post-receive hook"
	if isQuireBinary(target) {
		what = "a pipeline binary compiled by quire"
	}
	hooks := filepath.Dir(target)
	q := runtime.ShellQuote
	prev, ci := filepath.Join(hooks, "post-receive.previous"), filepath.Join(hooks, hookBinary)
	var b strings.Builder
	fmt.Fprintf(&b, "%s already exists (%s); not overwriting it.\n", target, what)
	withConfig := ""
	if config != "" {
		withConfig = " --config " + q(config)
	}
	fmt.Fprintf(&b, "To replace it, add --force:\n\n  quire hook install --git-dir %s --bin %s%s --force\n\n", q(repo), q(bin), withConfig)
	b.WriteString("To keep it and run the pipeline too, chain them: move the old hook aside, put the\n")
	b.WriteString("pipeline beside it and make post-receive a wrapper that feeds both the same input:\n\n")
	fmt.Fprintf(&b, "mv %s %s\n", q(target), q(prev))
	fmt.Fprintf(&b, "cp %s %s\n", q(bin), q(ci))
	fmt.Fprintf(&b, "cat > %s <<'EOF'\n", q(target))
	fmt.Fprintf(&b, `#!/bin/sh
# post-receive: the previous hook, then quire's pipeline, on the same input
input=$(cat)
status=0
printf '%%s\n' "$input" | "$(dirname "$0")/post-receive.previous" || status=$?
printf '%%s\n' "$input" | "$(dirname "$0")/%s" post-receive%s || status=$?
exit $status
EOF
`, hookBinary, withConfig)
	fmt.Fprintf(&b, "chmod 755 %s", q(target))
	return errors.New(b.String())
}

// isQuireBinary reports whether the file at path looks like a binary
// generated by quire: one that links quire's runtime.
func isQuireBinary(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return bytes.Contains(data, []byte("github.com/quire-ci/quire/runtime."))
}
