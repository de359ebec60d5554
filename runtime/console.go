package runtime

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// A Console is the run's terminal output. Every line names its job and is
// written whole, so two jobs running in parallel never interleave within a
// line. Secrets are redacted from everything it writes.
type Console struct {
	mu     sync.Mutex
	w      io.Writer
	redact func(string) string
}

// NewConsole writes to w, or to standard output when w is nil.
func NewConsole(w io.Writer) *Console {
	if w == nil {
		w = os.Stdout
	}
	return &Console{w: w, redact: func(s string) string { return s }}
}

// SetRedactor makes the console pass every line through redact.
func (c *Console) SetRedactor(redact func(string) string) {
	c.mu.Lock()
	c.redact = redact
	c.mu.Unlock()
}

// Line writes one line of a job's output. Text of several lines (a message
// or an error with newlines in it) gets the job's prefix on each, so that
// every console line says whose it is; it is redacted whole first, since a
// secret may itself span lines.
func (c *Console) Line(job, text string) {
	c.mu.Lock()
	redact := c.redact
	c.mu.Unlock()
	c.line(job, redact(text))
}

// line writes text, already redacted, as lines of the job's. Only the
// write holds the lock: jobs running in parallel format their lines at
// once.
func (c *Console) line(job, text string) {
	text = strings.TrimSuffix(text, "\n")
	var b strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		b.WriteString("[")
		b.WriteString(job)
		b.WriteString("] ")
		b.WriteString(line)
		b.WriteString("\n")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.w, b.String())
}

// State writes a job's change of state; d is how long it ran, if it
// ended, and detail says why (a failure's message).
func (c *Console) State(job, state string, d time.Duration, detail ...string) {
	if d > 0 {
		state += " after " + d.Round(time.Millisecond).String()
	}
	if len(detail) > 0 && detail[0] != "" {
		state += ": " + detail[0]
	}
	c.Line(job, "== "+state)
}

// Printf writes a line that belongs to no job.
func (c *Console) Printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.w, c.redact(fmt.Sprintf(format, args...)))
}

// Stream returns a writer that turns a command's output, which a
// streamRedactor has redacted already, into whole lines of the job's.
func (c *Console) Stream(job string) *lineWriter {
	return &lineWriter{con: c, job: job}
}

// A lineWriter buffers partial lines until their newline arrives.
type lineWriter struct {
	con *Console
	job string
	buf bytes.Buffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		i := bytes.IndexByte(w.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := w.buf.Next(i + 1)
		w.con.line(w.job, string(bytes.TrimRight(line, "\r\n")))
	}
	// A line without end that grows past 64 KiB is written in pieces
	// rather than held forever.
	if w.buf.Len() > 64<<10 {
		w.Flush()
	}
	return len(p), nil
}

// Flush writes what remains of an unfinished last line.
func (w *lineWriter) Flush() {
	if w.buf.Len() > 0 {
		w.con.line(w.job, w.buf.String())
		w.buf.Reset()
	}
}
