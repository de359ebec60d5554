package gen

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The cache keeps what compiles use and forgets the rest, the way Go's
// build cache does: every entry's modification time says when a compile
// last used it, and at most once a day a compile removes the entries no
// compile has used for a month. Without it every edit of ci.fnl, and every
// new quire, would leave a binary and a source tree behind for ever.
const (
	trimInterval = 24 * time.Hour      // how often a compile looks for unused entries
	trimUnused   = 30 * 24 * time.Hour // entries unused this long are removed
	// touchAfter spares a cache hit from writing: an entry's time is only
	// moved when it is this much behind, so it is exact to within an hour,
	// which is plenty for a month's bound.
	touchAfter = time.Hour
	trimStamp  = "trim.txt" // when the cache was last trimmed, in Unix seconds
)

// markUsed records that a compile used the cache entry at path now.
// Failing to record it costs at worst a rebuild a month later, so errors
// are ignored.
func markUsed(path string, now time.Time) {
	fi, err := os.Stat(path)
	if err == nil && now.Sub(fi.ModTime()) > touchAfter {
		_ = os.Chtimes(path, now, now)
	}
}

// trimCache removes the entries of the cache no compile has used for
// trimUnused, unless it was trimmed within trimInterval. Entries are
// builds (their binary's time counts: a build directory is written once),
// extracted source trees and index records; temporary files that a
// killed compile left are removed after a day. It reports the first error
// but goes on: trimming is housekeeping and never fails a compile.
func trimCache(cacheDir string, now time.Time) error {
	stamp := filepath.Join(cacheDir, trimStamp)
	if b, err := os.ReadFile(stamp); err == nil {
		if sec, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			if last := time.Unix(sec, 0); now.Sub(last) < trimInterval && !last.After(now) {
				return nil
			}
		}
	}
	// Stamp first, so that compiles running alongside do not all trim.
	if err := writeFileAtomic(stamp, []byte(strconv.FormatInt(now.Unix(), 10)+"\n"), 0o644); err != nil {
		return err
	}
	var first error
	note := func(err error) {
		if err != nil && first == nil && !errors.Is(err, fs.ErrNotExist) {
			first = err
		}
	}
	for _, sub := range []string{buildSubdir, srcSubdir, indexSubdir} {
		dir := filepath.Join(cacheDir, sub)
		entries, err := os.ReadDir(dir)
		if err != nil {
			note(err)
			continue
		}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			used := path
			if sub == buildSubdir {
				if _, err := os.Stat(filepath.Join(path, binaryName)); err == nil {
					used = filepath.Join(path, binaryName)
				}
			}
			fi, err := os.Stat(used)
			if err != nil {
				note(err)
				continue
			}
			unused := trimUnused
			if strings.HasPrefix(e.Name(), ".") {
				unused = trimInterval // a temporary a killed compile left
			}
			if now.Sub(fi.ModTime()) > unused {
				note(os.RemoveAll(path))
			}
		}
	}
	return first
}
