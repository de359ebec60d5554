package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/quire-ci/quire/compiler"
)

// BuildOptions configure Build.
type BuildOptions struct {
	// File is the pipeline, as the user named it (e.g. .quire/ci.fnl).
	File string
	// Out is where the binary goes.
	Out string
	// FennelPath is the fennel.lua that Load compiles with. Its content is
	// part of the cache key.
	FennelPath string
	// QuireVersion is recorded in the binary.
	QuireVersion string
	// Load evaluates File. Build calls it only when the cache cannot
	// answer, and closes the pipeline it returns. Its errors are returned
	// as they are, so that the caller can render diagnostics.
	Load func() (*compiler.Pipeline, error)

	// CacheDir defaults to CacheDir().
	CacheDir string
	// Go is the go command; empty means GoCommand().
	Go string
	// Module is the quire source the program builds against; nil means
	// Self(), the source embedded in this quire.
	Module *Module
	// Force rebuilds even when the cache holds the binary.
	Force bool
	// Progress receives one line per slow step (nil: discarded).
	Progress io.Writer
	// Skip lists paths under File's directory that are not inputs (such
	// as --emit-go's directory) and so are not hashed; Out and the cache
	// are always skipped.
	Skip []string
}

// A Result says what Build did.
type Result struct {
	Out string
	// Cached is true when no `go build` ran: the cache held the binary.
	Cached bool
	// Evaluated is true when ci.fnl was evaluated. An unchanged pipeline
	// is neither evaluated nor built.
	Evaluated bool
	// Source is the generated main.go the binary was built from; it is
	// kept in the cache for reading and for bug reports.
	Source string
}

// A BuildError is a failed `go build` of a generated program.
type BuildError struct {
	Source string // the generated main.go
	Output string // what the go command printed, with main.go's full path
	Err    error
	Emit   error // a FormatError from Emit, when there was one
}

func (e *BuildError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "go build of the generated program %s failed: %v\n%s", e.Source, e.Err, strings.TrimRight(e.Output, "\n"))
	if e.Emit != nil {
		fmt.Fprintf(&b, "\n%v", e.Emit)
	}
	if strings.Contains(e.Output, e.Source+":") {
		b.WriteString("\nthe error is in the generated file above: this is a bug in quire (or quire and its runtime disagree); please report it with your ci.fnl")
	}
	return b.String()
}

func (e *BuildError) Unwrap() error { return e.Err }

// Build compiles the pipeline in opts.File into a binary at opts.Out and
// reports what it did.
//
// It caches at two levels, both under the cache directory. An inputs key
// (every file in the pipeline's directory, fennel.lua, this quire's source
// and version, the Go toolchain, the build flags) maps to a build: a hit
// copies the binary without evaluating ci.fnl or running go. Otherwise
// the pipeline is evaluated and emitted, and the build key (the generated
// source, the toolchain and flags) finds a binary built from identical
// source, so only a change to the emitted program runs `go build`.
func Build(ctx context.Context, opts BuildOptions) (*Result, error) {
	if opts.Load == nil {
		return nil, errors.New("build: no Load function")
	}
	b, err := newBuilder(opts)
	if err != nil {
		return nil, err
	}
	res, err := b.build(ctx)
	if err == nil {
		_ = trimCache(b.CacheDir, time.Now()) // housekeeping: never fails a compile
	}
	return res, err
}

type builder struct {
	BuildOptions
	progress io.Writer
	toolKey  []byte // toolchain and flags, shared by both keys
}

func newBuilder(opts BuildOptions) (*builder, error) {
	b := &builder{BuildOptions: opts, progress: opts.Progress}
	if b.progress == nil {
		b.progress = io.Discard
	}
	var err error
	if b.CacheDir == "" {
		if b.CacheDir, err = CacheDir(); err != nil {
			return nil, err
		}
	}
	if b.Go == "" {
		if b.Go, err = GoCommand(); err != nil {
			return nil, err
		}
	}
	if b.Module == nil {
		if b.Module, err = Self(); err != nil {
			return nil, err
		}
	}
	var tk bytes.Buffer
	fmt.Fprintf(&tk, "%s\nflags %q\n", keyVersion, buildFlags)
	if err := toolchainKey(&tk, b.Go); err != nil {
		return nil, err
	}
	b.toolKey = tk.Bytes()
	return b, nil
}

func (b *builder) build(ctx context.Context) (*Result, error) {
	// Said before anything is evaluated or built, not after.
	if fi, err := os.Stat(b.Out); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("write %s: is a directory", b.Out)
	}
	res := &Result{Out: b.Out}
	ikey, err := b.inputsKey()
	if err != nil {
		return nil, err
	}
	if ikey != "" && !b.Force {
		if bdir, ok := b.lookup(ikey); ok {
			if err := b.install(bdir); err != nil {
				return nil, err
			}
			res.Cached, res.Source = true, filepath.Join(bdir, "main.go")
			fmt.Fprintf(b.progress, "quire: wrote %s (cached: %s unchanged)\n", b.Out, b.File)
			return res, nil
		}
	}

	p, err := b.Load()
	if err != nil {
		return nil, err
	}
	res.Evaluated = true
	src, emitErr := Emit(p, Options{QuireVersion: b.QuireVersion})
	p.Close()
	if src == nil {
		return nil, emitErr
	}
	files, err := b.Module.moduleFiles(b.CacheDir, src)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(b.toolKey)
	for _, f := range files {
		fmt.Fprintf(h, "%d:", len(f.data))
		h.Write(f.data)
	}
	bkey := hexSum(h)[:32]
	bdir := filepath.Join(b.CacheDir, buildSubdir, bkey)
	res.Source = filepath.Join(bdir, "main.go")

	done := "cached: the generated program is unchanged"
	if _, err := os.Stat(filepath.Join(bdir, binaryName)); err == nil && !b.Force && emitErr == nil {
		res.Cached = true
		markUsed(filepath.Join(bdir, binaryName), time.Now())
	} else {
		if err := writeFiles(bdir, files); err != nil {
			return nil, fmt.Errorf("build %s: %w", b.File, err)
		}
		fmt.Fprintf(b.progress, "quire: building %s (go build)…\n", b.Out)
		start := time.Now()
		if err := b.goBuild(ctx, bdir, emitErr); err != nil {
			return nil, err
		}
		if emitErr != nil {
			// The program built although it could not be formatted;
			// still a generator bug worth hearing about.
			return nil, emitErr
		}
		done = fmt.Sprintf("built in %.1fs", time.Since(start).Seconds())
	}
	if err := b.install(bdir); err != nil {
		return nil, err
	}
	fmt.Fprintf(b.progress, "quire: wrote %s (%s)\n", b.Out, done)
	if ikey != "" {
		// Best effort: without the index entry the next compile evaluates
		// ci.fnl again but still finds the build.
		_ = b.remember(ikey, bkey)
	}
	return res, nil
}

// inputsKey hashes everything that decides the binary without evaluating
// ci.fnl. It returns "" when the pipeline's directory cannot be hashed
// within bounds.
func (b *builder) inputsKey() (string, error) {
	if fi, err := os.Stat(b.File); err != nil || !fi.Mode().IsRegular() {
		return "", nil // Load reports a missing or odd file as it does for check
	}
	h := sha256.New()
	h.Write(b.toolKey)
	fmt.Fprintf(h, "quire %q %s\n", b.QuireVersion, b.Module.Hash())
	fsum, err := fileSum(b.FennelPath)
	if err != nil {
		return "", fmt.Errorf("hash fennel.lua: %w", err)
	}
	fmt.Fprintf(h, "fennel %s\n", fsum)
	// The binary records ci.fnl's base name; its directory is hashed
	// below. Where the directory is does not matter.
	fmt.Fprintf(h, "file %q\n", filepath.Base(b.File))
	skip := append([]string{b.Out, b.CacheDir}, b.Skip...)
	ok, err := treeKey(h, filepath.Dir(b.File), skip)
	if err != nil {
		return "", err
	}
	if !ok {
		fmt.Fprintf(b.progress, "quire: note: %s holds more than %d files or %d MiB, or a link to a directory; each compile evaluates %s again (keep ci.fnl in its own directory, such as .quire/, to avoid this)\n",
			filepath.Dir(b.File), maxTreeFiles, maxTreeBytes>>20, filepath.Base(b.File))
		return "", nil
	}
	return hexSum(h)[:32], nil
}

// lookup returns the build directory the index holds for ikey, if its
// binary is still there.
func (b *builder) lookup(ikey string) (string, bool) {
	bkey, err := os.ReadFile(filepath.Join(b.CacheDir, indexSubdir, ikey))
	if err != nil {
		return "", false
	}
	name := strings.TrimSpace(string(bkey))
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return "", false
	}
	bdir := filepath.Join(b.CacheDir, buildSubdir, name)
	if _, err := os.Stat(filepath.Join(bdir, binaryName)); err != nil {
		return "", false
	}
	now := time.Now()
	markUsed(filepath.Join(b.CacheDir, indexSubdir, ikey), now)
	markUsed(filepath.Join(bdir, binaryName), now)
	return bdir, true
}

func (b *builder) remember(ikey, bkey string) error {
	dir := filepath.Join(b.CacheDir, indexSubdir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ikey), []byte(bkey+"\n"), 0o644)
}

// goBuild runs `go build` in bdir and leaves the binary at bdir/ci-bin.
func (b *builder) goBuild(ctx context.Context, bdir string, emitErr error) error {
	tmp, err := os.CreateTemp(bdir, "."+binaryName+".tmp-*")
	if err != nil {
		return fmt.Errorf("build %s: %w", b.File, err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // a no-op once renamed

	args := append(append([]string(nil), buildFlags...), "-o", tmp.Name(), ".")
	cmd := exec.CommandContext(ctx, b.Go, args...)
	cmd.Dir = bdir
	cmd.Env = buildEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		src := filepath.Join(bdir, "main.go")
		// go prints paths relative to the build directory; make them
		// point into the cache, where the generated source is kept.
		text := strings.ReplaceAll(out.String(), "./main.go:", src+":")
		return &BuildError{Source: src, Output: text, Err: err, Emit: emitErr}
	}
	if err := os.Rename(tmp.Name(), filepath.Join(bdir, binaryName)); err != nil {
		return fmt.Errorf("build %s: %w", b.File, err)
	}
	return nil
}

// buildEnv is the environment of `go build`. A go.work above the cache
// must not capture the program; cgo is off unless asked for, so the binary
// is static and runs in any hook environment.
func buildEnv() []string {
	env := append(os.Environ(), "GOWORK=off")
	if _, ok := os.LookupEnv("CGO_ENABLED"); !ok {
		env = append(env, "CGO_ENABLED=0")
	}
	return env
}

// install copies the binary of bdir to Out, atomically: a hook running the
// old binary meanwhile keeps it. A copy rather than a link, so that
// nothing done to Out reaches the cache.
func (b *builder) install(bdir string) error {
	src, err := os.Open(filepath.Join(bdir, binaryName))
	if err != nil {
		return fmt.Errorf("write %s: %w", b.Out, err)
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(b.Out), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", b.Out, err)
	}
	if err := writeAtomic(b.Out, 0o755, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	}); err != nil {
		return fmt.Errorf("write %s: %w", b.Out, err)
	}
	return nil
}
