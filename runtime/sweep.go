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

// lockRunDir creates the run's directory and locks it. It does not wait
// on a sweep: a sweep takes the lock only of a directory that has a
// workspace, which a run makes once it holds its lock. The lock is
// released when the returned file is closed or the process ends.
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

// A sweptRun is a run that died and whose leftovers a sweep removed.
type sweptRun struct {
	ID string
	// Whole says that the run died before its run log began (while it
	// checked out its tree, say), so that nothing in its directory was
	// worth keeping and the directory went with its workspace.
	Whole bool
}

// sweepWorkspaces removes the workspaces of the newest runs under runsDir
// (but self) that died before they could remove their own: their lock is
// free and their state never left "running". A run that died before its
// run log began has its whole directory removed: what else it held (its
// console.log in hook mode) was written before its checkout, which is
// where it died. A run that finished with --keep-workspace keeps its
// workspace. It returns the runs whose leftovers it removed.
func sweepWorkspaces(runsDir, self string) []sweptRun {
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
	var swept []sweptRun
	for _, id := range ids {
		// The workspace is made only once its run holds the lock, so a
		// workspace whose lock is free belongs to a run that has ended.
		// A directory with none (a queued run whose console.log is
		// open, a run that failed before its checkout and said why in
		// that console.log) is not looked at.
		if _, err := os.Lstat(filepath.Join(runsDir, id, "workspace")); err != nil {
			continue
		}
		if whole, ok := sweepRun(filepath.Join(runsDir, id)); ok {
			swept = append(swept, sweptRun{ID: id, Whole: whole})
		}
	}
	return swept
}

// sweepRun removes the leftovers of the run in dir if it ended without
// finishing: nobody holds its lock and its state.json, if it got that
// far, still says running. With no run log (neither meta.json nor
// state.json) it removes the whole directory, else only the workspace.
// The lock is held throughout, so two runs sweeping at once do not both
// remove (and report) the same run.
func sweepRun(dir string) (whole, ok bool) {
	f, err := os.Open(dir)
	if err != nil {
		return false, false
	}
	defer f.Close() // releases the lock taken below
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false, false // alive, or another run is sweeping it
	}
	ws := filepath.Join(dir, "workspace")
	if _, err := os.Lstat(ws); err != nil {
		return false, false // swept by another run since it was seen
	}
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if os.IsNotExist(err) {
		// Killed before its run log began, during its checkout: the
		// directory holds nothing a person needs. Once meta.json is
		// written the log has begun, and it stays.
		if _, err := os.Lstat(filepath.Join(dir, "meta.json")); os.IsNotExist(err) {
			return true, os.RemoveAll(dir) == nil
		}
		return false, os.RemoveAll(ws) == nil
	}
	var state struct {
		Status string `json:"status"`
	}
	if err != nil || json.Unmarshal(b, &state) != nil {
		return false, false // unreadable: leave it to a person
	}
	if state.Status != "running" {
		return false, false // finished, with --keep-workspace
	}
	return false, os.RemoveAll(ws) == nil
}
