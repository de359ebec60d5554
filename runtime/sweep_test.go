package runtime

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSweepWorkspaces: a run's workspace is removed by a later run only
// when its run died, that is when nobody holds its lock and its state
// never left "running" (or it died before its log began). A live run and
// a finished run that kept its workspace are left alone.
func TestSweepWorkspaces(t *testing.T) {
	runs := t.TempDir()
	run := func(id, state string) string {
		t.Helper()
		dir := filepath.Join(runs, id)
		if err := os.MkdirAll(filepath.Join(dir, "workspace"), 0o755); err != nil {
			t.Fatal(err)
		}
		if state != "" {
			if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte(`{"status": "`+state+`"}`), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	run("20261122T000001Z-dead", "running")
	run("20261122T000002Z-kept", "succeeded")
	run("20261122T000003Z-early", "") // killed during its checkout
	live := run("20261122T000004Z-live", "running")
	lock, err := lockRunDir(live)
	if err != nil {
		t.Fatal(err)
	}
	run("20261122T000005Z-self", "running")

	swept := sweepWorkspaces(runs, "20261122T000005Z-self")
	if want := []string{"20261122T000001Z-dead", "20261122T000003Z-early"}; !slices.Equal(swept, want) {
		t.Errorf("swept %v, want %v", swept, want)
	}
	for id, kept := range map[string]bool{
		"20261122T000001Z-dead": false, "20261122T000002Z-kept": true,
		"20261122T000003Z-early": false, "20261122T000004Z-live": true, "20261122T000005Z-self": true,
	} {
		_, err := os.Stat(filepath.Join(runs, id, "workspace"))
		if (err == nil) != kept {
			t.Errorf("%s: workspace kept %v, want %v", id, err == nil, kept)
		}
	}

	// Once the live run's process is gone, so is its lock.
	lock.Close()
	if swept := sweepWorkspaces(runs, "20261122T000005Z-self"); !slices.Equal(swept, []string{"20261122T000004Z-live"}) {
		t.Errorf("after the lock was released: swept %v", swept)
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
	if len(swept) != sweepRuns || slices.Contains(swept, oldest) {
		t.Errorf("swept %d workspaces (the oldest among them: %v), want the newest %d", len(swept), slices.Contains(swept, oldest), sweepRuns)
	}
}
