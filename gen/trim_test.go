package gen

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestTrimCache pins the cache's housekeeping: entries no compile used for
// a month go, entries used recently stay, a killed compile's temporary
// goes after a day, and a cache trimmed today is not walked again.
func TestTrimCache(t *testing.T) {
	cache := t.TempDir()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	old := now.Add(-trimUnused - time.Hour)
	recent := now.Add(-trimUnused + 24*time.Hour)
	entry := func(rel string, mtime time.Time) string {
		t.Helper()
		path := filepath.Join(cache, rel)
		writeFile(t, path, "x")
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return path
	}
	oldBuild := entry("builds/old/ci-bin", old)
	usedBuild := entry("builds/used/ci-bin", recent)
	// A build's directory time is when it was written; its binary's time
	// is when a compile last used it.
	if err := os.Chtimes(filepath.Dir(usedBuild), old, old); err != nil {
		t.Fatal(err)
	}
	oldIndex := entry("index/oldkey", old)
	usedIndex := entry("index/usedkey", recent)
	oldSrc := entry("src/oldtree/go.mod", old)
	if err := os.Chtimes(filepath.Dir(oldSrc), old, old); err != nil {
		t.Fatal(err)
	}
	staleTmp := entry("src/.tmp-src-1/go.mod", now.Add(-2*trimInterval))
	if err := os.Chtimes(filepath.Dir(staleTmp), now.Add(-2*trimInterval), now.Add(-2*trimInterval)); err != nil {
		t.Fatal(err)
	}
	freshTmp := entry("builds/.ci-bin.tmp-2", now.Add(-time.Minute))

	if err := trimCache(cache, now); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{filepath.Dir(oldBuild), oldIndex, filepath.Dir(oldSrc), filepath.Dir(staleTmp)} {
		if _, err := os.Stat(gone); !os.IsNotExist(err) {
			t.Errorf("%s: still there after trimming (%v)", gone, err)
		}
	}
	for _, kept := range []string{usedBuild, usedIndex, freshTmp} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("%s: removed, though used within the month: %v", kept, err)
		}
	}

	// Within a day of the last trim, nothing is walked.
	later := entry("index/laterkey", old)
	if err := trimCache(cache, now.Add(trimInterval/2)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(later); err != nil {
		t.Errorf("trimmed again within %v: %v", trimInterval, err)
	}
	if err := trimCache(cache, now.Add(trimInterval+time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(later); !os.IsNotExist(err) {
		t.Errorf("not trimmed a day later: %v", err)
	}
}

// TestMarkUsed: a cache hit moves an entry's time forward only when it is
// more than touchAfter behind, so most hits write nothing.
func TestMarkUsed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "entry")
	writeFile(t, path, "x")
	now := time.Now()
	for _, c := range []struct {
		age   time.Duration
		moved bool
	}{{touchAfter / 2, false}, {2 * touchAfter, true}} {
		mtime := now.Add(-c.age).Truncate(time.Second)
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		markUsed(path, now)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if moved := !fi.ModTime().Equal(mtime); moved != c.moved {
			t.Errorf("entry %v old: moved %v, want %v", c.age, moved, c.moved)
		}
	}
}

// TestCacheHitKeepsItsEntries: a compile that hits the cache marks what it
// used, so a pipeline compiled now and then keeps its build however old
// the build is, while what it no longer uses goes.
func TestCacheHitKeepsItsEntries(t *testing.T) {
	fx := newFixture(t, map[string]string{"ci.fnl": simplePipeline})
	fx.build(t)
	long := time.Now().Add(-2 * trimUnused)
	err := filepath.WalkDir(fx.opts.CacheDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(path, long, long)
	})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(fx.opts.CacheDir, trimStamp))
	if res := fx.build(t); !res.Cached || res.Evaluated {
		t.Fatalf("second build: cached %v, evaluated %v; want a hit", res.Cached, res.Evaluated)
	}
	// That build trimmed the cache (its stamp was gone): the hit's
	// entries survived, and a third compile still hits.
	if _, err := os.Stat(filepath.Join(fx.opts.CacheDir, trimStamp)); err != nil {
		t.Fatalf("the hit did not trim the cache: %v", err)
	}
	if res := fx.build(t); !res.Cached || res.Evaluated || fx.goRuns(t) != 1 {
		t.Fatalf("third build: cached %v, evaluated %v, go ran %d times; want a hit", res.Cached, res.Evaluated, fx.goRuns(t))
	}
	// The extracted source was not used by the hits, and is gone.
	if entries, _ := os.ReadDir(filepath.Join(fx.opts.CacheDir, srcSubdir)); len(entries) != 0 {
		t.Errorf("source trees unused for %v kept: %v", 2*trimUnused, entries)
	}
}
