package runtime

import "os"

// MaterializeWorkspace is materialize for the tests outside the package,
// with dir made as a plain directory rather than under a run's lock.
func MaterializeWorkspace(gitDir, rev, dir string) (commit string, err error) {
	return materialize(gitDir, rev, dir, func() error { return os.MkdirAll(dir, 0o755) })
}
