package fennel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Version is the Fennel release quire is tested against. Other releases are
// accepted but reported by `quire version`.
const Version = "1.5.3"

// EnvFennel names the environment variable that points at fennel.lua.
const EnvFennel = "QUIRE_FENNEL"

// defaultPath is where `make` installed fennel.lua when it built this quire.
// It is set with -ldflags "-X …/compiler/fennel.defaultPath=…".
var defaultPath string

// ErrNotFound reports that no fennel.lua could be found. Its message tells the
// user what to install or set.
var ErrNotFound = errors.New("the Fennel compiler (fennel.lua) was not found")

// A NotFoundError lists where Find looked.
type NotFoundError struct {
	Searched []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("%v\n  looked in: --fennel, $%s", ErrNotFound, EnvFennel)
	for _, s := range e.Searched {
		msg += ", " + s
	}
	return msg + fmt.Sprintf("\n  install Debian's fennel package (version %s), run `make` in quire's checkout,\n  or set %s=/path/to/fennel.lua", Version, EnvFennel)
}

func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Find returns the path of fennel.lua, looking in order at flagPath (the
// --fennel flag), $QUIRE_FENNEL, the toolchain folder of the checkout that
// built quire, and the usual install locations of Debian packages and
// luarocks trees. A path given explicitly must exist; it is not passed over
// for a later one.
func Find(flagPath string) (string, error) {
	for _, explicit := range []struct{ what, path string }{
		{"--fennel", flagPath},
		{"$" + EnvFennel, os.Getenv(EnvFennel)},
	} {
		if explicit.path == "" {
			continue
		}
		if err := isFile(explicit.path); err != nil {
			return "", fmt.Errorf("%s: %w", explicit.what, err)
		}
		return explicit.path, nil
	}
	var candidates, searched []string
	if defaultPath != "" {
		candidates = append(candidates, defaultPath)
		searched = append(searched, defaultPath)
	}
	for _, p := range searchPatterns() {
		m, _ := filepath.Glob(p)
		// Newest Lua version first: 5.4 before 5.1, so the choice is stable.
		sort.Sort(sort.Reverse(sort.StringSlice(m)))
		candidates = append(candidates, m...)
		searched = append(searched, p)
	}
	for _, c := range candidates {
		if isFile(c) == nil {
			return c, nil
		}
	}
	return "", &NotFoundError{Searched: searched}
}

func isFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory, not fennel.lua", path)
	}
	return nil
}

// searchPatterns are the usual install locations, as globs. A variable so
// tests can point it elsewhere.
var searchPatterns = func() []string {
	patterns := []string{
		"/usr/share/lua/*/fennel.lua",
		"/usr/local/share/lua/*/fennel.lua",
	}
	if home, err := os.UserHomeDir(); err == nil {
		patterns = append(patterns, filepath.Join(home, ".luarocks/share/lua/*/fennel.lua"))
	}
	return append(patterns, "/usr/local/lib/luarocks/rocks*/fennel/*/fennel.lua")
}
