package runtime

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullDisk is a log file on a disk with budget bytes free: the write that
// crosses the budget is cut short with ENOSPC, as a real full disk does.
type fullDisk struct {
	*os.File
	budget *int
}

func (d fullDisk) Write(p []byte) (int, error) {
	if len(p) > *d.budget {
		n, _ := d.File.Write(p[:*d.budget])
		*d.budget = 0
		return n, syscall.ENOSPC
	}
	*d.budget -= len(p)
	return d.File.Write(p)
}

// TestDiskFullLeavesValidLog: when the disk fills up mid-run, the run
// finishes its jobs, says the log is incomplete, and every log line that
// was written is whole.
func TestDiskFullLeavesValidLog(t *testing.T) {
	budget := 10_000 // well under the ~30 KB the job prints
	old := openLogFile
	openLogFile = func(path string) (writeFile, error) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		return fullDisk{f, &budget}, err
	}
	defer func() { openLogFile = old }()

	runsDir := t.TempDir()
	log, err := CreateRunLog(runsDir, Meta{ID: "r"}, []string{"loud"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := pipelineOf(job("loud", func(c *Context) (Outputs, error) {
		r := c.exec([]string{"sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done"}, "print lines", nil, t.TempDir())
		return Outputs{"exit": float64(r.exit), "bytes": float64(len(r.stdout))}, nil
	}))
	res := Run(context.Background(), p, RunOptions{Jobs: 1, Console: NewConsole(io.Discard), Log: log, Secrets: NoSecrets()})
	log.Finish("failed", "")
	if j := res.Jobs["loud"]; j.Status != StatusSucceeded || j.Outputs["exit"] != 0.0 {
		t.Fatalf("the job itself should not suffer from its log: %s %v", j.Status, j.Err)
	}
	if err := log.Err(); err == nil || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Err() = %v, want the disk-full error", err)
	}
	f, err := os.Open(filepath.Join(log.Dir, "jobs", "loud", "log.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	if len(data) == 0 || data[len(data)-1] != '\n' {
		t.Fatalf("log does not end with a whole line (%d bytes)", len(data))
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	lines := 0
	for sc.Scan() {
		lines++
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("line %d is not valid JSON: %q", lines, sc.Text())
		}
	}
	if lines == 0 {
		t.Fatal("no lines were written before the disk filled")
	}
	var state map[string]any
	b, _ := os.ReadFile(filepath.Join(log.Dir, "state.json"))
	if err := json.Unmarshal(b, &state); err != nil {
		t.Fatalf("state.json is not valid: %v", err)
	}
}
