package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// The environment knobs of quire compile.
const (
	// EnvCache overrides where quire keeps generated programs and binaries.
	EnvCache = "QUIRE_CACHE"
	// EnvGo names the go command to build with; by default `go` is looked
	// up on $PATH.
	EnvGo = "QUIRE_GO"
)

// Layout of the cache directory.
const (
	cacheSubdir = "quire"  // under os.UserCacheDir()
	srcSubdir   = "src"    // extracted quire source, one tree per hash
	buildSubdir = "builds" // one directory per generated program: main.go, go.mod, go.sum, the binary
	indexSubdir = "index"  // inputs key -> build key, for hits without evaluating ci.fnl
	binaryName  = "ci-bin" // the binary inside a build directory
)

// Bounds on hashing the pipeline's directory. A larger directory is almost
// certainly not a .quire folder (ci.fnl at the root of a repository, say):
// compiles then evaluate ci.fnl each time and only skip `go build`.
const (
	maxTreeFiles = 1000
	maxTreeBytes = 64 << 20
)

// keyVersion changes when the meaning of a cache entry changes.
const keyVersion = "quire-compile-1"

// buildFlags are the go build flags; they are part of every build key.
var buildFlags = []string{"build", "-trimpath", "-ldflags=-s -w", "-mod=mod", "-buildvcs=false"}

// CacheDir returns quire's cache directory: $QUIRE_CACHE, else quire
// under the user's cache directory.
func CacheDir() (string, error) {
	if d := os.Getenv(EnvCache); d != "" {
		return filepath.Abs(d)
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find quire's cache directory (set %s): %w", EnvCache, err)
	}
	return filepath.Join(d, cacheSubdir), nil
}

// ErrNoGo reports that the go command cannot be found.
var ErrNoGo = errors.New("the go command was not found")

// GoCommand returns the go command to build with: $QUIRE_GO, else `go` on
// $PATH.
func GoCommand() (string, error) {
	name := "go"
	if g := os.Getenv(EnvGo); g != "" {
		name = g
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w (looked for %q on $PATH): quire compile builds the pipeline's binary with Go; install Go 1.26 or later and put `go` on $PATH, or set %s to the go binary (--emit-go DIR writes the Go program without building it)", ErrNoGo, name, EnvGo)
	}
	return filepath.Abs(p)
}

// toolchainEnv lists the environment variables that change what `go build`
// produces for the same source and go binary.
var toolchainEnv = []string{
	"GOOS", "GOARCH", "GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64",
	"GOPPC64", "GORISCV64", "GOWASM", "GOEXPERIMENT", "GOFLAGS", "GOROOT", "GOTOOLCHAIN",
	"CGO_ENABLED", "CC", "CGO_CFLAGS", "CGO_LDFLAGS", "GOENV",
}

// toolchainKey identifies the Go toolchain without running it: `go env`
// takes tens of milliseconds, a cache hit must not. The go binary's path,
// size and modification time stand for its version; the environment and
// the go env file (`go env -w`) for the settings.
func toolchainKey(h io.Writer, goCmd string) error {
	fi, err := os.Stat(goCmd)
	if err != nil {
		return fmt.Errorf("inspect the go command: %w", err)
	}
	fmt.Fprintf(h, "go %q %d %d\n", goCmd, fi.Size(), fi.ModTime().UnixNano())
	for _, k := range toolchainEnv {
		if v, ok := os.LookupEnv(k); ok {
			fmt.Fprintf(h, "env %s=%q\n", k, v)
		}
	}
	envFile := os.Getenv("GOENV")
	if envFile == "" {
		if d, err := os.UserConfigDir(); err == nil {
			envFile = filepath.Join(d, "go", "env")
		}
	}
	if envFile != "" && envFile != "off" {
		if b, err := os.ReadFile(envFile); err == nil {
			fmt.Fprintf(h, "goenv %d:", len(b))
			h.Write(b)
		}
	}
	return nil
}

// treeKey hashes every file under dir (names and contents), the
// pipeline's own folder: ci.fnl, its modules and macro modules, and any
// file its top level may read. Hidden entries (.git, editor state) and the
// paths in skip (the output binary, --emit-go's directory, the cache) are
// left out. ok is false when dir is beyond the bounds or holds a symbolic
// link to a directory, which could hide a change.
func treeKey(h hash.Hash, dir string, skip []string) (ok bool, err error) {
	skipped := map[string]bool{}
	for _, s := range skip {
		if s == "" {
			continue
		}
		if abs, err := filepath.Abs(s); err == nil {
			skipped[abs] = true
		}
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	var files []string // relative, slash-separated
	var total int64
	errUncacheable := errors.New("uncacheable")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != root && (strings.HasPrefix(d.Name(), ".") || skipped[path]) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		fi, err := os.Stat(path) // follows links: require reads the target
		if err != nil {
			if d.Type()&fs.ModeSymlink != 0 && errors.Is(err, fs.ErrNotExist) {
				return nil // a dangling link cannot be read by require either
			}
			return err
		}
		if fi.IsDir() {
			return errUncacheable
		}
		if !fi.Mode().IsRegular() {
			return nil // a socket or fifo is not a module, and reading one could block
		}
		total += fi.Size()
		rel, _ := filepath.Rel(root, path)
		files = append(files, filepath.ToSlash(rel))
		if len(files) > maxTreeFiles || total > maxTreeBytes {
			return errUncacheable
		}
		return nil
	})
	if errors.Is(err, errUncacheable) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("hash the pipeline's directory: %w", err)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return false, fmt.Errorf("hash the pipeline's directory: %w", err)
		}
		fmt.Fprintf(h, "file %q %d:", f, len(b))
		h.Write(b)
	}
	return true, nil
}

// fileSum returns the hex sha256 of a file.
func fileSum(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
