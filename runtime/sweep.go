package runtime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// A run holds a lock on its directory for as long as it lives, so that a
// later run can tell a run that is still going from one that was killed
// (kill -9, the OOM killer, a reboot) and so never removed its workspace:
// a whole checkout, left for ever in the runs directory. The kernel drops
// the lock when the process dies, however it dies.

// lockRunDir creates the run's directory and locks it. It blocks only
// while another run's sweep looks at it, which takes microseconds. The
// lock is released when the returned file is closed or the process ends.
func lockRunDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// sweepRuns is how many of the newest runs a run looks at: the next run
// after one that died finds it, so there is no need to walk a runs
// directory of thousands every time.
const sweepRuns = 50

// sweepWorkspaces removes the workspaces of the newest runs under runsDir
// (but self) that died before they could remove their own: their lock is
// free and their state never left "running". A run that finished with
// --keep-workspace keeps its workspace. It returns the ids of the runs
// whose workspace it removed.
func sweepWorkspaces(runsDir, self string) []string {
	entries, err := os.ReadDir(runsDir)
	if err != nil {
		return nil
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != self && !strings.HasPrefix(e.Name(), ".") {
			ids = append(ids, e.Name())
		}
	}
	// ReadDir sorts by name, and run ids begin with their start time.
	if len(ids) > sweepRuns {
		ids = ids[len(ids)-sweepRuns:]
	}
	var swept []string
	for _, id := range ids {
		dir := filepath.Join(runsDir, id)
		ws := filepath.Join(dir, "workspace")
		// The workspace is made only once its run holds the lock, so a
		// workspace whose lock is free belongs to a run that has ended.
		if _, err := os.Lstat(ws); err != nil {
			continue
		}
		if deadRun(dir) {
			if os.RemoveAll(ws) == nil {
				swept = append(swept, id)
			}
		}
	}
	return swept
}

// deadRun reports whether the run in dir ended without finishing: nobody
// holds its lock and its state.json, if it got that far, still says
// running.
func deadRun(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close() // releases the lock taken below
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false // alive
	}
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if os.IsNotExist(err) {
		return true // killed while checking out, before its log began
	}
	var state struct {
		Status string `json:"status"`
	}
	if err != nil || json.Unmarshal(b, &state) != nil {
		return false // unreadable: leave it to a person
	}
	return state.Status == "running"
}
