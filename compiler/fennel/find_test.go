package fennel

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withSearch points Find's install locations and build-time default at
// dir for one test.
func withSearch(t *testing.T, dir string) {
	t.Helper()
	oldPatterns, oldDefault := searchPatterns, defaultPath
	searchPatterns = func() []string { return []string{filepath.Join(dir, "*/fennel.lua")} }
	defaultPath = ""
	t.Cleanup(func() { searchPatterns, defaultPath = oldPatterns, oldDefault })
}

func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("return {}"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFindOrder(t *testing.T) {
	dir := t.TempDir()
	withSearch(t, dir)
	installed := touch(t, filepath.Join(dir, "5.4", "fennel.lua"))
	fromEnv := touch(t, filepath.Join(dir, "env", "x", "fennel.lua"))
	fromFlag := touch(t, filepath.Join(dir, "flag", "x", "fennel.lua"))

	t.Setenv(EnvFennel, "")
	if got, err := Find(""); err != nil || got != installed {
		t.Errorf("with nothing set, Find = %q, %v; want the installed %q", got, err, installed)
	}
	t.Setenv(EnvFennel, fromEnv)
	if got, err := Find(""); err != nil || got != fromEnv {
		t.Errorf("$%s should win over install locations: got %q, %v", EnvFennel, got, err)
	}
	if got, err := Find(fromFlag); err != nil || got != fromFlag {
		t.Errorf("--fennel should win over $%s: got %q, %v", EnvFennel, got, err)
	}
}

func TestFindExplicitPathMustExist(t *testing.T) {
	withSearch(t, t.TempDir())
	t.Setenv(EnvFennel, "/nonexistent/fennel.lua")
	_, err := Find("")
	if err == nil || !strings.Contains(err.Error(), "$QUIRE_FENNEL") {
		t.Fatalf("a missing $QUIRE_FENNEL must be an error naming it, got %v", err)
	}
	dir := t.TempDir()
	if _, err := Find(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("--fennel pointing at a directory must say so, got %v", err)
	}
}

func TestFindNotFoundSaysWhatToDo(t *testing.T) {
	withSearch(t, t.TempDir())
	t.Setenv(EnvFennel, "")
	_, err := Find("")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find = %v, want ErrNotFound", err)
	}
	for _, want := range []string{"fennel package (version 1.5.3)", "set QUIRE_FENNEL=", "looked in"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}
