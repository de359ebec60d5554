package bench_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quire-ci/quire/internal/testenv"
)

// TestSmoke runs `bench/bench.sh --smoke` (every benchmark at N=2, once, no
// go-task install) and checks that it prints and writes every table. It
// checks that the benchmarks work, never how fast anything is: the figures
// come from `make bench`.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds quire and several pipelines")
	}
	testenv.Fennel(t)
	out := filepath.Join(t.TempDir(), "RESULTS.md")
	cmd := exec.Command("./bench.sh", "--smoke", "--out", out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("bench.sh --smoke: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr.String())
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Start-up", "| `ci-bin run` |", "| interpreter: `interp ci.fnl run` |", "| floor: exec `true` once |",
		"## Per-job overhead", "### chains", "### fans", "| 2 |", "per job (T/N)",
		"## Parallel speedup", "| `--jobs 1` | `--jobs 2` | speedup |",
		"## Binary size and peak memory", "MiB |",
		"## Compile", "| jobs | cold | warm Go cache | cached |", "| 2 | skipped |",
		"## Targets", "| cached compile |",
	} {
		if !strings.Contains(string(stdout), want) {
			t.Errorf("the output lacks %q:\n%s", want, stdout)
		}
		if !strings.Contains(string(written), want) {
			t.Errorf("%s lacks %q", out, want)
		}
	}
	for _, want := range []string{"## Machine", "| nproc |", "| CPU |", "| memory |", "| kernel |", "| go |", "| date |"} {
		if !strings.Contains(string(written), want) {
			t.Errorf("%s lacks %q:\n%s", out, want, written)
		}
	}

	// A section alone builds the pipelines it measures; an unknown
	// section is refused.
	only, err := exec.Command("./bench.sh", "--smoke", "--only", "memory").CombinedOutput()
	if err != nil || !strings.Contains(string(only), "## Binary size and peak memory") || strings.Contains(string(only), "## Start-up") {
		t.Errorf("bench.sh --smoke --only memory: %v\n%s", err, only)
	}
	bad, err := exec.Command("./bench.sh", "--smoke", "--only", "startpu").CombinedOutput()
	if err == nil || !strings.Contains(string(bad), `--only: no section "startpu" (the sections are startup, perjob, speedup, memory, compile)`) {
		t.Errorf("bench.sh --only startpu: %v\n%s", err, bad)
	}
}
