package runtime

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// materialize writes the tree of a commit (a sha or a ref) into dir with
// `git archive`, so jobs run against exactly what was pushed. It returns
// the commit's id, which git records in the archive. dir is made by
// mkdir, which runs only once git has found the commit: a run takes its
// directory's lock there (see sweep.go).
func materialize(gitDir, rev, dir string, mkdir func() error) (commit string, err error) {
	cmd := gitCommand(gitDir, "archive", "--format=tar", rev+"^{commit}")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", errNoGit("check out the pushed tree")
		}
		return "", fmt.Errorf("git archive: %w", err)
	}
	commit, extractErr := extractTar(out, dir, mkdir)
	io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("git archive %s: %v %s", rev, err, strings.TrimSpace(stderr.String()))
	}
	return commit, extractErr
}

// extractTar unpacks a tar stream from git archive into dir, refusing
// entries that would land outside it, and returns the commit id git
// archive records in the stream's global header. dir is made (by mkdir)
// on that header, which even an empty tree's archive has, so a revision
// git cannot find leaves nothing behind.
func extractTar(r io.Reader, dir string, mkdir func() error) (commit string, err error) {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return commit, nil
		}
		if err != nil {
			return "", fmt.Errorf("read git archive: %w", err)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			commit = h.PAXRecords["comment"]
			if err := mkdir(); err != nil {
				return "", fmt.Errorf("create workspace: %w", err)
			}
			continue
		}
		// A name such as "..notes" is a file of the tree; only a path
		// that climbs out (or is absolute) is refused.
		if !filepath.IsLocal(filepath.FromSlash(h.Name)) {
			return "", fmt.Errorf("git archive entry %q leaves the workspace", h.Name)
		}
		target := filepath.Join(dir, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			// git archive lists a directory before what it holds, so the
			// parent is there but for a tree it left out: create first,
			// and make the parents only when that fails.
			create := func() (*os.File, error) {
				return os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777)
			}
			f, err := create()
			if errors.Is(err, fs.ErrNotExist) {
				if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
					f, err = create()
				}
			}
			if err != nil {
				return "", err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return "", fmt.Errorf("write %s: %w", h.Name, err)
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, target); err != nil {
				return "", err
			}
		}
	}
}
