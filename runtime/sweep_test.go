package runtime

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSweepWorkspaces: a run's workspace is removed by a later run only
// when its run died, that is when nobody holds its lock and its state
// never left "running". A run that died before its run log began (during
// its checkout) has its whole directory removed; one whose log had begun
// keeps it. A live run, a finished run that kept its workspace and a run
// that failed before its checkout (its console.log says why) are left
// alone.
func TestSweepWorkspaces(t *testing.T) {
	runs := t.TempDir()
	// run makes a run directory holding files, a path ending in / being a
	// directory; a state is written as state.json.
	run := func(id, state string, files ...string) string {
		t.Helper()
		dir := filepath.Join(runs, id)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if state != "" {
			files = append(files, "state.json")
		}
		for _, name := range files {
			path := filepath.Join(dir, name)
			var err error
			if strings.HasSuffix(name, "/") {
				err = os.MkdirAll(path, 0o755)
			} else {
				err = os.WriteFile(path, []byte(`{"status": "`+state+`"}`), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	run("20261122T000001Z-dead", "running", "meta.json", "console.log", "jobs/", "workspace/")
	run("20261122T000002Z-kept", "succeeded", "meta.json", "workspace/")
	run("20261122T000003Z-early", "", "console.log", "workspace/.quire/") // killed during its checkout
	run("20261122T000004Z-meta", "", "meta.json", "workspace/")           // killed before its state.json
	run("20261122T000005Z-failed", "", "console.log")                     // failed before its checkout
	live := run("20261122T000006Z-live", "", "console.log", "workspace/") // checking out
	lock, err := lockRunDir(live)
	if err != nil {
		t.Fatal(err)
	}
	run("20261122T000007Z-self", "running", "meta.json", "workspace/")

	swept := sweepWorkspaces(runs, "20261122T000007Z-self")
	want := []sweptRun{{ID: "20261122T000001Z-dead"}, {ID: "20261122T000003Z-early", Whole: true}, {ID: "20261122T000004Z-meta"}}
	if !slices.Equal(swept, want) {
		t.Errorf("swept %v, want %v", swept, want)
	}
	for path, kept := range map[string]bool{
		"20261122T000001Z-dead/workspace": false, "20261122T000001Z-dead/state.json": true,
		"20261122T000001Z-dead/meta.json": true, "20261122T000001Z-dead/console.log": true,
		"20261122T000002Z-kept/workspace": true,
		"20261122T000003Z-early":          false,
		"20261122T000004Z-meta/workspace": false, "20261122T000004Z-meta/meta.json": true,
		"20261122T000005Z-failed/console.log": true,
		"20261122T000006Z-live/workspace":     true, "20261122T000006Z-live/console.log": true,
		"20261122T000007Z-self/workspace": true,
	} {
		_, err := os.Lstat(filepath.Join(runs, path))
		if (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", path, err == nil, kept)
		}
	}

	// Once the live run's process is gone, so is its lock.
	lock.Close()
	if swept := sweepWorkspaces(runs, "20261122T000007Z-self"); !slices.Equal(swept, []sweptRun{{ID: "20261122T000006Z-live", Whole: true}}) {
		t.Errorf("after the lock was released: swept %v", swept)
	}
	if _, err := os.Lstat(live); err == nil {
		t.Errorf("%s is still there", live)
	}
}

// TestSweepLeavesUnreadableState: a dead run whose state.json cannot be
// read is left to a person, workspace and all.
func TestSweepLeavesUnreadableState(t *testing.T) {
	runs := t.TempDir()
	dir := filepath.Join(runs, "20261122T000001Z-odd")
	if err := os.MkdirAll(filepath.Join(dir, "workspace"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"status": "runn`), 0o644); err != nil {
		t.Fatal(err)
	}
	if swept := sweepWorkspaces(runs, ""); len(swept) > 0 {
		t.Errorf("swept %v", swept)
	}
	if _, err := os.Lstat(filepath.Join(dir, "workspace")); err != nil {
		t.Error(err)
	}
}

// TestSweepLooksAtNewestRuns bounds the work a run's end does: only the
// newest sweepRuns runs are looked at.
func TestSweepLooksAtNewestRuns(t *testing.T) {
	runs := t.TempDir()
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	var oldest string
	for i := range sweepRuns + 1 {
		id := NewRunID(start.Add(time.Duration(i) * time.Second))
		if i == 0 {
			oldest = id
		}
		dir := filepath.Join(runs, id)
		if err := os.MkdirAll(filepath.Join(dir, "workspace"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	swept := sweepWorkspaces(runs, "")
	hasOldest := slices.ContainsFunc(swept, func(r sweptRun) bool { return r.ID == oldest })
	if len(swept) != sweepRuns || hasOldest {
		t.Errorf("swept %d runs (the oldest among them: %v), want the newest %d", len(swept), hasOldest, sweepRuns)
	}
}
