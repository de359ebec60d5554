package main

import (
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are the commands testdata/script/*.txtar may use besides
// testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"gitserver": cmdGitserver,
	"waitrun":   cmdWaitrun,
	"envset":    cmdEnvset,
	"cpenv":     cmdCpenv,
}

// runStarted is the line a post-receive hook prints for each run it starts
// in the background (git prefixes it with "remote: ").
var runStarted = regexp.MustCompile(`(?m)quire: run (\S+) for (\S+) started: (.+?)[ \t\r]*$`)

// cmdWaitrun is the script command
//
//	waitrun [-running] [-timeout D]
//
// It finds the runs that the previous command (a git push, or a
// post-receive hook) reports as started, waits until each has finished
// (state.json no longer says running), polling, for at most D (default
// 10s), and sets $RUN to the directory of the last and $RUNID to its id.
// With -running it also fails if a run had already finished when waitrun
// began: the push returned without waiting for it.
func cmdWaitrun(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! waitrun")
	}
	fs := flag.NewFlagSet("waitrun", flag.ContinueOnError)
	running := fs.Bool("running", false, "fail if a run has already finished")
	timeout := fs.Duration("timeout", 10*time.Second, "how long to wait")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		ts.Fatalf("usage: waitrun [-running] [-timeout D]")
	}
	found := runStarted.FindAllStringSubmatch(ts.ReadFile("stdout")+"\n"+ts.ReadFile("stderr"), -1)
	if len(found) == 0 {
		ts.Fatalf("waitrun: the previous command started no run (no %q line)", "quire: run … started: …")
	}
	deadline := time.Now().Add(*timeout)
	for i, m := range found {
		dir := m[3]
		for poll := 0; ; poll++ {
			status := runStatus(dir)
			if poll == 0 && i == 0 && *running && status != "" && status != "running" {
				ts.Fatalf("waitrun: run %s had already finished (%s) when the command returned", m[1], status)
			}
			if status != "" && status != "running" {
				ts.Logf("run %s for %s: %s", m[1], m[2], status)
				break
			}
			if time.Now().After(deadline) {
				console, _ := os.ReadFile(dir + "/console.log")
				ts.Fatalf("waitrun: run %s for %s has not finished after %s (status %q); console.log:\n%s", m[1], m[2], *timeout, status, console)
			}
			time.Sleep(50 * time.Millisecond)
		}
		ts.Setenv("RUN", dir)
		ts.Setenv("RUNID", m[1])
	}
}

// runStatus returns the status in dir/state.json, or "" while there is
// none to read.
func runStatus(dir string) string {
	data, err := os.ReadFile(dir + "/state.json")
	if err != nil {
		return ""
	}
	var st struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(data, &st) != nil {
		return ""
	}
	return st.Status
}

// cmdEnvset is the script command
//
//	envset NAME FILE
//
// that sets $NAME to FILE's contents without surrounding space; FILE may
// be stdout or stderr, the previous command's.
func cmdEnvset(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: envset NAME FILE")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(args[1])))
}

var envRef = regexp.MustCompile(`\$\{(\w+)\}`)

// cmdCpenv is the script command
//
//	cpenv SRC DST
//
// that copies SRC to DST replacing each ${NAME} with the variable's
// value: for files that must hold a path or URL known only when the script
// runs. A bare $NAME is left alone.
func cmdCpenv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: cpenv SRC DST")
	}
	src := ts.ReadFile(args[0])
	out := envRef.ReplaceAllStringFunc(src, func(ref string) string {
		return ts.Getenv(envRef.FindStringSubmatch(ref)[1])
	})
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out), 0o644))
}
