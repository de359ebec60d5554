package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// A gitServer serves the repositories under a directory over smart HTTP
// with `git http-backend` (as CGI), on a loopback address, to clients that
// send `Authorization: Basic base64(x-access-token:<token>)`; others get
// 401.
//
// While it handles a request, a client (git push) is alive and waiting,
// so it looks then at every process's argv (/proc/*/cmdline) for the
// token, or the header made from it, and records each sighting: a
// credential in argv is readable by every user of the machine.
type gitServer struct {
	token  string
	header string // the whole Authorization value
	srv    *http.Server
	cgi    *cgi.Handler

	mu           sync.Mutex
	requests     int
	unauthorized int
	scans        int
	hits         []string
	log          bytes.Buffer // git http-backend's stderr
}

var gitServers = struct {
	sync.Mutex
	m map[*testscript.TestScript]*gitServer
}{m: map[*testscript.TestScript]*gitServer{}}

// cmdGitserver is the script command
//
//	gitserver start ROOT TOKEN   serve ROOT; $GITSERVER is its URL
//	gitserver stats              print what the server saw, one "name value" a line
//
// The server stops when the script ends.
func cmdGitserver(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! gitserver")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: gitserver start ROOT TOKEN | gitserver stats")
	}
	gitServers.Lock()
	g := gitServers.m[ts]
	gitServers.Unlock()
	switch args[0] {
	case "start":
		if len(args) != 3 {
			ts.Fatalf("usage: gitserver start ROOT TOKEN")
		}
		if g != nil {
			ts.Fatalf("gitserver: already started")
		}
		g, err := startGitServer(ts.MkAbs(args[1]), args[2])
		ts.Check(err)
		gitServers.Lock()
		gitServers.m[ts] = g
		gitServers.Unlock()
		ts.Defer(func() {
			g.srv.Close()
			gitServers.Lock()
			delete(gitServers.m, ts)
			gitServers.Unlock()
		})
		ts.Setenv("GITSERVER", "http://"+g.srv.Addr)
	case "stats":
		if g == nil {
			ts.Fatalf("gitserver: not started")
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		fmt.Fprintf(ts.Stdout(), "requests %d\nunauthorized %d\nargv-scans %d\nargv-hits %d\n", g.requests, g.unauthorized, g.scans, len(g.hits))
		for _, h := range g.hits {
			fmt.Fprintf(ts.Stdout(), "hit %s\n", h)
		}
		if g.log.Len() > 0 {
			ts.Logf("git http-backend said:\n%s", g.log.String())
		}
	default:
		ts.Fatalf("gitserver: unknown subcommand %q", args[0])
	}
}

func startGitServer(root, token string) (*gitServer, error) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &gitServer{
		token:  token,
		header: "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token)),
	}
	g.cgi = &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Dir:  root,
		Env: []string{
			"GIT_PROJECT_ROOT=" + root,
			"GIT_HTTP_EXPORT_ALL=1",
			"HOME=" + root,
			"GIT_CONFIG_NOSYSTEM=1",
		},
		InheritEnv: []string{"PATH"},
		Stderr:     lockedWriter{&g.mu, &g.log},
	}
	g.srv = &http.Server{Addr: l.Addr().String(), Handler: g}
	go g.srv.Serve(l)
	return g, nil
}

func (g *gitServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hits := scanCmdlines(g.token, strings.TrimPrefix(g.header, "Basic "))
	g.mu.Lock()
	g.requests++
	g.scans++
	g.hits = append(g.hits, hits...)
	ok := r.Header.Get("Authorization") == g.header
	if !ok {
		g.unauthorized++
	}
	g.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="quire test"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	g.cgi.ServeHTTP(w, r)
}

// scanCmdlines returns the processes whose argv holds any of secrets, as
// "pid: argv" with the secrets cut out.
func scanCmdlines(secrets ...string) []string {
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var hits []string
	for _, p := range paths {
		data, err := os.ReadFile(p) // the process may be gone: skip it
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if s != "" && bytes.Contains(data, []byte(s)) {
				argv := strings.ReplaceAll(string(bytes.ReplaceAll(data, []byte(s), []byte("<secret>"))), "\x00", " ")
				hits = append(hits, filepath.Base(filepath.Dir(p))+": "+strings.TrimSpace(argv))
				break
			}
		}
	}
	return hits
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestScanCmdlines makes sure the argv check of the HTTP git server can
// fail: a process holding a marker in its argv is found.
func TestScanCmdlines(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc")
	}
	marker := "quire-scan-marker-8c1f2e"
	cmd := exec.Command("sh", "-c", "sleep 10", marker)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	hits := scanCmdlines(marker)
	if len(hits) != 1 || !strings.Contains(hits[0], fmt.Sprint(cmd.Process.Pid)+": ") || strings.Contains(hits[0], marker) {
		t.Errorf("hits = %q, want one for pid %d with the marker cut out", hits, cmd.Process.Pid)
	}
	if hits := scanCmdlines("quire-scan-absent-" + "5d0b"); len(hits) != 0 {
		t.Errorf("hits for an absent marker: %q", hits)
	}
}
