package runtime_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quire-ci/quire/compiler"
	"github.com/quire-ci/quire/internal/interp"
	"github.com/quire-ci/quire/internal/testenv"
	"github.com/quire-ci/quire/runtime"
)

// These tests compile a real ci.fnl and run it in process, the way a
// generated binary does: every job a function calling RunLua on its frozen
// run-fn.

type harness struct {
	res       *runtime.Result
	console   string
	runDir    string
	workspace string
}

// compile writes src as ci.fnl in dir and compiles it into the pipeline
// a generated binary would carry.
func compile(t *testing.T, dir, src string) *runtime.Pipeline {
	t.Helper()
	testenv.Fennel(t)
	file := filepath.Join(dir, "ci.fnl")
	os.WriteFile(file, []byte(src), 0o644)
	p, err := compiler.Load(file, compiler.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	defer p.Close() // the frozen program outlives the compile-time state
	return interp.Pipeline(p)
}

func runFennel(t *testing.T, src string, secrets *runtime.Secrets) *harness {
	t.Helper()
	dir := t.TempDir()
	rp := compile(t, dir, src)
	ws := filepath.Join(dir, "ws")
	os.MkdirAll(filepath.Join(ws, "sub"), 0o755)
	if secrets == nil {
		secrets = runtime.NoSecrets()
	}
	var ids []string
	for _, j := range rp.Jobs {
		ids = append(ids, j.ID)
	}
	log, err := runtime.CreateRunLog(filepath.Join(dir, "runs"), runtime.Meta{ID: "run1"}, ids, secrets.Redact)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	con := runtime.NewConsole(&out)
	con.SetRedactor(secrets.Redact)
	res := runtime.Run(context.Background(), rp, runtime.RunOptions{
		Push:      runtime.Push{SHA: "abc123", Ref: "refs/heads/main", PushedAt: time.Unix(0, 0), GitDir: "/srv/git/app.git"},
		Workspace: ws, Jobs: 1, Console: con, Log: log, Secrets: secrets,
		Env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PWD=/where/the/hook/started", "FROM_RUN=run-env", "GIT_DIR=/srv/git/app.git", "GIT_QUARANTINE_PATH=/q", "GIT_COMMON_DIR=/c"},
	})
	log.Finish("done", "")
	return &harness{res: res, console: out.String(), runDir: log.Dir, workspace: ws}
}

func (h *harness) status(t *testing.T, id string) (runtime.Status, string) {
	t.Helper()
	j := h.res.Jobs[id]
	if j == nil {
		t.Fatalf("no job %q", id)
	}
	msg := ""
	if j.Err != nil {
		msg = j.Err.Error()
	}
	return j.Status, msg
}

func (h *harness) outputs(t *testing.T, id string) runtime.Outputs {
	t.Helper()
	st, msg := h.status(t, id)
	if st != runtime.StatusSucceeded {
		t.Fatalf("%s: %s %s\nconsole:\n%s", id, st, msg, h.console)
	}
	return h.res.Jobs[id].Outputs
}

func TestShForms(t *testing.T) {
	h := runFennel(t, `(local ci (require :quire.ci))
(ci.job :sh [:quire/push]
  (fn [{: sh}]
    (let [a (sh "echo hello; echo oops >&2; exit 3")
          b (sh ["printf" "%s|" "two words" "$HOME"])
          c (sh "echo $FROM_RUN $EXTRA" {:env {:EXTRA "extra"}})
          d (sh "pwd" {:cwd "sub"})
          e (sh "read line; echo \"stdin:[$line]\"")
          f (sh "kill -TERM $$")
          g (sh ["printenv" "PWD"] {:cwd "sub"})
          h (sh ["quire-no-such-command"])]
      {:a-exit a.exit :a-out a.stdout :a-err a.stderr :a-cmd a.cmd
       :b b.stdout :c c.stdout :d d.stdout :e e.stdout :f f.exit
       :g g.stdout :h-exit h.exit :h-err h.stderr})))`, nil)
	out := h.outputs(t, "sh")
	want := map[string]any{
		"a-exit": 3.0, "a-out": "hello\n", "a-err": "oops\n", "a-cmd": "echo hello; echo oops >&2; exit 3",
		"b": "two words|$HOME|", // argv: no shell, no expansion
		"c": "run-env extra\n",
		"d": filepath.Join(h.workspace, "sub") + "\n",
		"e": "stdin:[]\n", // standard input is empty
		"f": -1.0,         // killed by a signal
		// An argv command has no shell to set PWD: it must still name
		// where the command runs, not where the binary was started.
		"g":      filepath.Join(h.workspace, "sub") + "\n",
		"h-exit": 127.0, // could not start, as a shell reports it
		"h-err":  "exec: \"quire-no-such-command\": executable file not found in $PATH\n",
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %#v, want %#v", k, out[k], v)
		}
	}
	if want := "[sh] exit 127 after"; !strings.Contains(h.console, want) {
		t.Errorf("console lacks %q:\n%s", want, h.console)
	}
}

func TestRuntimeErrors(t *testing.T) {
	h := runFennel(t, `(local ci (require :quire.ci))
(ci.job :bad-sh [:quire/push] (fn [{: sh}] (sh [])))
(ci.job :bad-cwd [:quire/push] (fn [{: sh}] (sh "true" {:cwd "../.."})))
(ci.job :own [:quire/push] (fn [{: jobs}] (jobs :own)))
(ci.job :other [:quire/push] (fn [{: jobs}] (jobs :bad-sh)))
(ci.job :primitive [:quire/push] (fn [rt] (rt.shell "x")))
(ci.job :register [:quire/push] (fn [] (ci.job :late [:quire/push] (fn [] {}))))
(ci.job :secret [:quire/push] (fn [{: secret}] (secret :nope)))
(ci.job :returns-string [:quire/push] (fn [] "done"))
(ci.job :returns-fn [:quire/push] (fn [] {:callback (fn [] 1)}))
(ci.job :returns-nan [:quire/push] (fn [] {:x (/ 0 0)}))
(ci.job :returns-inf [:quire/push] (fn [] {:list [1 math.huge]}))
(ci.job :env-values [:quire/push] (fn [{: sh}] (sh "true" {:env {:A 1}})))
(ci.job :env-string [:quire/push] (fn [{: sh}] (sh "true" {:env "A=b"})))
(ci.job :cwd-number [:quire/push] (fn [{: sh}] (sh "true" {:cwd 5})))
(ci.job :cwd-missing [:quire/push] (fn [{: sh}] (sh "true" {:cwd "missing"})))
(ci.job :opts-string [:quire/push] (fn [{: sh}] (sh "true" "x")))
(ci.job :opts-unknown [:quire/push] (fn [{: sh}] (sh "true" {:dir "sub"})))`, nil)
	for id, want := range map[string]string{
		"bad-sh":         "ci.fnl:2: sh: cmd must be a non-empty sequence of strings or a shell string",
		"bad-cwd":        `:cwd "../.." is outside the workspace`,
		"own":            "Job 'own' cannot read its own outputs",
		"other":          "Job 'other' cannot read outputs from 'bad-sh' — not in transitive inputs",
		"primitive":      "unknown runtime primitive 'shell' — expected sh, secret, jobs, log or env",
		"register":       "quire.ci registration is only available at compile time",
		"secret":         `unknown secret: "nope"`,
		"returns-string": "the run-fn returned a string; it must return a table of outputs",
		"returns-fn":     "outputs.callback holds a function",
		"returns-nan":    "outputs.x is not a finite number",
		"returns-inf":    "outputs.list[2] is not a finite number",
		"env-values":     "sh: :env must map strings to strings",
		"env-string":     "sh: :env must map strings to strings",
		"cwd-number":     "sh: :cwd must be a string, a directory in the workspace",
		"cwd-missing":    `sh: :cwd "missing" is not a directory in the workspace`,
		"opts-string":    `sh: opts must be a table like {:env {…} :cwd "dir"}`,
		"opts-unknown":   "sh: unknown option dir (the options are :env and :cwd)",
	} {
		st, msg := h.status(t, id)
		if st != runtime.StatusFailed || !strings.Contains(msg, want) {
			t.Errorf("%s: %s %q, want failed with %q", id, st, msg, want)
		}
	}
}

func TestJobsSeesPushAndAncestorOutputs(t *testing.T) {
	h := runFennel(t, `(local ci (require :quire.ci))
(ci.job :a [:quire/push] (fn [] {:n 1 :list [1 2] :nested {:k "v"}}))
(ci.job :skip [:quire/push] (fn [] nil))
(ci.job :b [:a :skip] (fn [{: jobs}] {:from-a (. (jobs :a) :nested :k) :skipped (= nil (jobs :skip))}))
(ci.job :c [:b] (fn [{: jobs}]
  (let [push (jobs :quire/push)]
    {:grand (. (jobs :a) :n) :branch push.branch :tag (tostring push.tag) :git-dir (. push :git-dir)})))`, nil)
	if got := h.outputs(t, "b"); got["from-a"] != "v" || got["skipped"] != true {
		t.Errorf("b = %v", got)
	}
	if got := h.outputs(t, "c"); got["grand"] != 1.0 || got["branch"] != "main" || got["tag"] != "nil" || got["git-dir"] != "/srv/git/app.git" {
		t.Errorf("c = %v", got)
	}
}

// TestSecretNeverWritten: a secret printed by a command, put on a command
// line, raised in an error and returned in outputs appears nowhere in the
// run log nor on the console.
func TestSecretNeverWritten(t *testing.T) {
	const value = "s3cr3t-value-0123456789"
	t.Setenv("QUIRE_TEST_TOKEN", value)
	cfg := filepath.Join(t.TempDir(), "config.fnl")
	os.WriteFile(cfg, []byte(`{:secrets {:token {:env "QUIRE_TEST_TOKEN"}}}`), 0o600)
	secrets, _, err := runtime.LoadSecrets(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := runFennel(t, `(local ci (require :quire.ci))
(ci.job :leaky [:quire/push]
  (fn [{: sh : secret : log}]
    (let [v (secret :token)]
      (sh (.. "echo " v "; printf %s " v " | base64"))
      (sh ["printf" "%s" v])
      (log (.. "the token is " v))
      (print "printed" v)
      {:token v})))
(ci.job :raises [:leaky]
  (fn [{: jobs}] (error (.. "failed with " (. (jobs :leaky) :token)))))`, secrets)
	if st, _ := h.status(t, "raises"); st != runtime.StatusFailed {
		t.Fatalf("raises: %s", st)
	}
	forms := []string{value, "czNjcjN0LXZhbHVlLTAxMjM0NTY3ODk="}
	check := func(where, text string) {
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Errorf("%s contains the secret (%q)", where, f)
			}
		}
	}
	check("the console", h.console)
	if !strings.Contains(h.console, "[leaky] printed\t{{ token }}") {
		t.Errorf("print in a run-fn does not reach the job's console lines, redacted:\n%s", h.console)
	}
	if !strings.Contains(h.console, "{{ token }}") {
		t.Errorf("the console does not show the redaction marker:\n%s", h.console)
	}
	filepath.Walk(h.runDir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(path)
			check(path, string(b))
		}
		return nil
	})
}

func TestRunLogEvents(t *testing.T) {
	h := runFennel(t, `(local ci (require :quire.ci))
(ci.job :logs [:quire/push]
  (fn [{: sh : log}]
    (sh "printf 'one\\ntwo\\n'; printf '\\377\\376' >&2")
    (log "a note")
    {}))`, nil)
	f, err := os.Open(filepath.Join(h.runDir, "jobs", "logs", "log.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("invalid line %q: %v", sc.Text(), err)
		}
		events = append(events, ev)
	}
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev["event"].(string))
	}
	// stdout and stderr are separate pipes: their relative order is the
	// operating system's, so only the order around them is pinned.
	got := strings.Join(kinds, " ")
	if got != "job-start sh-start stdout stderr sh-exit log job-end" && got != "job-start sh-start stderr stdout sh-exit log job-end" {
		t.Errorf("events: %s", got)
	}
	for _, ev := range events {
		switch ev["event"] {
		case "stdout":
			if ev["text"] != "one\ntwo\n" {
				t.Errorf("stdout event %v", ev)
			}
		case "stderr":
			if ev["base64"] != "//4=" {
				t.Errorf("non-UTF-8 stderr not base64: %v", ev)
			}
		case "sh-exit":
			if ev["exit"] != 0.0 || ev["duration-ms"] == nil {
				t.Errorf("sh-exit %v", ev)
			}
		}
	}
	var state map[string]any
	b, _ := os.ReadFile(filepath.Join(h.runDir, "state.json"))
	if err := json.Unmarshal(b, &state); err != nil {
		t.Fatal(err)
	}
	if js := state["jobs"].(map[string]any)["logs"].(map[string]any); js["status"] != "succeeded" {
		t.Errorf("state.json job: %v", js)
	}
}

// TestHookVariablesAreNotPassedOn: the variables git sets for hooks never
// reach a job's commands, or a job's own git would act on the pushed-to
// repository.
func TestHookVariablesAreNotPassedOn(t *testing.T) {
	h := runFennel(t, `(local ci (require :quire.ci))
(ci.job :env [:quire/push]
  (fn [{: sh : env}]
    {:seen (. (sh "echo ${GIT_DIR-unset} ${GIT_QUARANTINE_PATH-unset} ${GIT_COMMON_DIR-unset} $FROM_RUN") :stdout)
     :via-env (tostring (env "GIT_DIR"))}))`, nil)
	out := h.outputs(t, "env")
	if out["seen"] != "unset unset unset run-env\n" || out["via-env"] != "nil" {
		t.Errorf("outputs %v: hook variables leaked into the job", out)
	}
}

// Output pipes a command leaves open (a background child, one that left
// the process group with setsid) hold a job for the grace period at most:
// after the command exited normally, and after the run was cancelled.
func TestOutputHeldOpenAfterTheCommand(t *testing.T) {
	dir := t.TempDir()
	rp := compile(t, dir, `(local ci (require :quire.ci))
(ci.job :background [:quire/push]
  (fn [{: sh}] {:exit (. (sh "sleep 20 & echo started") :exit)}))
(ci.job :escaped [:background]
  (fn [{: sh}] (sh "setsid sleep 20 & sleep 30") {}))`)
	var out strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	con := runtime.NewConsole(&out)
	done := make(chan *runtime.Result)
	go func() {
		done <- runtime.Run(ctx, rp, runtime.RunOptions{
			Workspace: dir, Jobs: 1, Console: con, Grace: 200 * time.Millisecond,
			Push: runtime.Push{SHA: "abc123", Ref: "refs/heads/main", PushedAt: time.Unix(0, 0)},
		})
	}()
	var res *runtime.Result
	select {
	case res = <-done:
		t.Fatalf("the run ended before it was cancelled:\n%s", out.String())
	case <-time.After(2 * time.Second): // background finished, escaped is in its sleep
	}
	cancel()
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled command whose output a setsid child holds kept the run waiting")
	}
	if j := res.Jobs["background"]; j.Status != runtime.StatusSucceeded || j.Outputs["exit"] != 0.0 {
		t.Errorf("background: %s %v %v", j.Status, j.Outputs, j.Err)
	}
	if j := res.Jobs["escaped"]; j.Status != runtime.StatusCancelled {
		t.Errorf("escaped: %s %v", j.Status, j.Err)
	}
	if want := "[background] the command exited, but its output stayed open (a background process?); stopped reading after 200ms"; !strings.Contains(out.String(), want) {
		t.Errorf("the console does not say why the job went on:\n%s", out.String())
	}
}
