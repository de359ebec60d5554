package runtime

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode/utf8"
)

// The run log (SPEC §3) is one directory per run under the runs directory:
//
//	meta.json            written once when the run starts
//	state.json           the run's and each job's status; replaced atomically
//	jobs/<id>/log.jsonl  one event per line, appended with one write each
//	../latest            a symbolic link to the newest run
//
// Every file is valid up to its last line at any moment, so a crash (even
// kill -9) loses at most the event being written.

// Meta is what meta.json records about a run.
type Meta struct {
	ID           string `json:"id"`
	SHA          string `json:"sha"`
	Ref          string `json:"ref"`
	Pusher       string `json:"pusher,omitempty"`
	PushedAt     string `json:"pushed-at"`
	CiSHA256     string `json:"ci-sha256"`
	QuireVersion string `json:"quire-version"`
	File         string `json:"file"`
}

// A RunLog writes one run's directory.
type RunLog struct {
	Dir    string
	redact func(string) string

	sending  sync.RWMutex // held to send on lines; Finish takes it to close them
	finished bool
	lines    chan logLine        // to writeLines
	written  chan struct{}       // closed when writeLines has written every line
	files    map[string]*logFile // used by writeLines only

	mu         sync.Mutex
	state      runState
	lastWrite  time.Time   // of state.json
	flushTimer *time.Timer // pending write of state.json, if any
	snapshots  uint64      // state.json encodings made

	writing  sync.Mutex // held to write state.json
	wroteSeq uint64     // the snapshot in state.json; under writing
	err      error      // the first write error; the run goes on without its log
}

type runState struct {
	Status   string                `json:"status"`
	Started  string                `json:"started"`
	Finished string                `json:"finished,omitempty"`
	Message  string                `json:"message,omitempty"`
	Warnings []string              `json:"warnings,omitempty"`
	Jobs     map[string]*jobRecord `json:"jobs"`
}

type jobRecord struct {
	Status     string  `json:"status"`
	Started    string  `json:"started,omitempty"`
	Finished   string  `json:"finished,omitempty"`
	DurationMS *int64  `json:"duration-ms,omitempty"` // set once the job finished
	Error      string  `json:"error,omitempty"`
	Outputs    Outputs `json:"outputs,omitempty"`
}

// NewRunID returns a run id that sorts by start time.
func NewRunID(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// CreateRunLog makes the run's directory under runsDir, writes meta.json
// and the initial state.json, and points runsDir/latest at it.
func CreateRunLog(runsDir string, meta Meta, jobs []string, redact func(string) string) (*RunLog, error) {
	dir := filepath.Join(runsDir, meta.ID)
	if err := os.MkdirAll(filepath.Join(dir, "jobs"), 0o755); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	if redact == nil {
		redact = func(s string) string { return s }
	}
	l := &RunLog{Dir: dir, redact: redact, files: map[string]*logFile{},
		lines: make(chan logLine, 1024), written: make(chan struct{})}
	if err := writeFileAtomic(filepath.Join(dir, "meta.json"), mustJSON(meta)); err != nil {
		return nil, err
	}
	l.state = runState{Status: "running", Started: stamp(time.Now()), Jobs: map[string]*jobRecord{}}
	for _, id := range jobs {
		l.state.Jobs[id] = &jobRecord{Status: string(StatusPending)}
	}
	if err := writeFileAtomic(filepath.Join(dir, "state.json"), l.snapshotState().data); err != nil {
		return nil, err
	}
	go l.writeLines()
	// latest is replaced atomically: a new link, renamed over the old.
	tmp := filepath.Join(runsDir, ".latest-"+meta.ID)
	os.Remove(tmp)
	if err := os.Symlink(meta.ID, tmp); err == nil {
		os.Rename(tmp, filepath.Join(runsDir, "latest"))
	}
	return l, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only plain data is marshalled here
	}
	return append(b, '\n')
}

// writeFileAtomic replaces path with data: a reader sees the old file or
// the new one, never a part.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// Err returns the first error writing the log, if any.
func (l *RunLog) Err() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

func (l *RunLog) fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

// Event appends one event to a job's log.jsonl. Text fields pass through
// the redactor; data that is not UTF-8 is stored as base64. The event is
// stamped now and encoded by the writer goroutine, off the job's path.
func (l *RunLog) Event(job, event string, fields map[string]any) {
	if l == nil {
		return
	}
	l.sending.RLock()
	defer l.sending.RUnlock()
	if l.finished {
		return // after Finish there is nowhere to write
	}
	l.lines <- logLine{job: job, event: event, at: time.Now(), fields: fields}
}

// encode renders an event as one line of JSON, redacted: its strings are,
// but for output already redacted as it streamed.
func (l *RunLog) encode(ll logLine) ([]byte, error) {
	rec := make(map[string]any, len(ll.fields)+2)
	rec["time"], rec["event"] = stamp(ll.at), ll.event
	for k, v := range ll.fields {
		switch x := v.(type) {
		case string:
			v = l.redact(x)
		case []string:
			red := make([]string, len(x))
			for i, s := range x {
				red[i] = l.redact(s)
			}
			v = red
		}
		rec[k] = v
	}
	line, err := json.Marshal(rec)
	return append(line, '\n'), err
}

// CloseJob closes a job's log once the job has ended. A run keeping every
// job's log open would hand each command it starts a file table as large
// as the run (the kernel copies it on every fork); an event that still
// comes for the job reopens its log for appending.
func (l *RunLog) CloseJob(job string) {
	if l == nil {
		return
	}
	l.sending.RLock()
	defer l.sending.RUnlock()
	if !l.finished {
		l.lines <- logLine{job: job, close: true}
	}
}

// A logLine is one event on its way to a job's log, or the job's end.
type logLine struct {
	job    string
	event  string
	at     time.Time
	fields map[string]any // not changed once sent
	close  bool           // the job ended: close its log
}

// writeLines encodes queued events and appends them to their jobs' logs,
// in order. It runs in a goroutine of its own so that encoding, redacting
// and creating a job's log directory and file (slow on some file systems)
// overlap the jobs instead of delaying them.
// A line is written whole or not at all, so a crash leaves every log valid
// up to its last line; lines still queued at a crash are lost.
func (l *RunLog) writeLines() {
	defer close(l.written)
	for ll := range l.lines {
		if ll.close {
			if f, ok := l.files[ll.job]; ok {
				delete(l.files, ll.job)
				if err := f.w.Close(); err != nil {
					l.mu.Lock()
					l.fail(fmt.Errorf("close %s: %w", f.name, err))
					l.mu.Unlock()
				}
			}
			continue
		}
		line, err := l.encode(ll)
		if err != nil {
			continue // only plain data is logged; nothing to write
		}
		f, err := l.file(ll.job)
		if err == nil {
			err = f.appendLine(line)
		}
		if err != nil {
			l.mu.Lock()
			l.fail(err)
			l.mu.Unlock()
		}
	}
}

// A logFile is one job's log.jsonl, opened for appending.
type logFile struct {
	w    writeFile
	name string
	size int64 // bytes of whole lines written
}

// writeFile is the part of *os.File the log needs; tests inject failures
// (a full disk) through openLogFile.
type writeFile interface {
	Write([]byte) (int, error)
	Truncate(int64) error
	Close() error
}

// openLogFile opens a log for appending. A variable so that tests can make
// the disk fill up.
var openLogFile = func(path string) (writeFile, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// appendLine writes one whole line. A short write (the disk filled up
// mid-line) is cut back off, so the file stays valid up to its last line.
func (f *logFile) appendLine(line []byte) error {
	n, err := f.w.Write(line)
	if err == nil && n < len(line) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n > 0 {
			f.w.Truncate(f.size)
		}
		return fmt.Errorf("write %s: %w", f.name, err)
	}
	f.size += int64(n)
	return nil
}

// redacted is text a streamRedactor has redacted already: encode writes
// it as it is rather than redact it again (JSON still shows a string).
type redacted string

// Output records a chunk of a command's output, already redacted.
func (l *RunLog) Output(job, stream string, chunk []byte) {
	if utf8.Valid(chunk) {
		l.Event(job, stream, map[string]any{"text": redacted(chunk)})
		return
	}
	// Already redacted as text; base64 keeps the bytes exactly.
	l.Event(job, stream, map[string]any{"base64": base64.StdEncoding.EncodeToString(chunk)})
}

func (l *RunLog) file(job string) (*logFile, error) {
	if f, ok := l.files[job]; ok {
		return f, nil
	}
	dir := filepath.Join(l.Dir, "jobs", filepath.FromSlash(job))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "log.jsonl")
	w, err := openLogFile(path)
	if err != nil {
		return nil, err
	}
	f := &logFile{w: w, name: path}
	l.files[job] = f
	return f, nil
}

// JobState records a job's status in state.json.
func (l *RunLog) JobState(job string, res JobResult) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	js := &jobRecord{Status: string(res.Status)}
	if !res.Started.IsZero() {
		js.Started = stamp(res.Started)
	}
	if !res.Finished.IsZero() {
		js.Finished = stamp(res.Finished)
		ms := res.Finished.Sub(res.Started).Milliseconds()
		js.DurationMS = &ms
	}
	if res.Err != nil {
		js.Error = l.redact(res.Err.Error())
	}
	if res.Outputs != nil {
		js.Outputs = redactData(res.Outputs, l.redact).(Outputs)
	}
	l.state.Jobs[job] = js
	l.writeStateSoon()
}

// stateInterval is how often state.json is rewritten at most while a run
// goes on. Rewriting it on every change made a run quadratic in its jobs;
// a reader sees a state at most this old, and the final state always.
const stateInterval = 100 * time.Millisecond

// writeStateSoon schedules one write of state.json: at once if it was not
// written recently, else when the interval has passed. The write happens
// in a goroutine of the timer's, never in the job that changed its state,
// which would otherwise wait on encoding the whole run. l.mu is held.
func (l *RunLog) writeStateSoon() {
	if l.flushTimer == nil {
		l.flushTimer = time.AfterFunc(max(0, stateInterval-time.Since(l.lastWrite)), func() {
			l.mu.Lock()
			l.flushTimer = nil
			if l.state.Finished != "" {
				l.mu.Unlock()
				return // Finish wrote the final state
			}
			snap := l.snapshotState()
			l.mu.Unlock()
			l.writeSnapshot(snap)
		})
	}
}

// Warn records a warning about the run as a whole (a stale pipeline) in
// state.json. Job logs are for jobs: a run-level event there would mix
// with a job's own log should a job be named like the pseudo-job.
func (l *RunLog) Warn(msg string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state.Warnings = append(l.state.Warnings, l.redact(msg))
	l.writeStateSoon()
}

// Finish closes the job logs and records how the run ended. A run whose
// log could not be written whole is recorded as failed, whatever its jobs
// did: in hook mode state.json is the only record anybody reads, and it
// must not call a run with lost output a success.
func (l *RunLog) Finish(status, message string) {
	if l == nil {
		return
	}
	l.sending.Lock()
	if l.finished {
		l.sending.Unlock()
		return
	}
	l.finished = true
	close(l.lines)
	l.sending.Unlock()
	<-l.written
	l.mu.Lock()
	if l.flushTimer != nil {
		l.flushTimer.Stop()
		l.flushTimer = nil
	}
	var errs []error
	for _, f := range l.files {
		errs = append(errs, f.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		l.fail(err)
	}
	if l.err != nil {
		if status == "succeeded" {
			status = "failed"
		}
		if message == "" {
			message = "the run log is incomplete: " + l.err.Error()
		}
	}
	l.state.Status = status
	l.state.Message = l.redact(message)
	l.state.Finished = stamp(time.Now())
	snap := l.snapshotState()
	l.mu.Unlock()
	l.writeSnapshot(snap)
}

// A stateSnapshot is state.json's contents at one moment; seq orders
// snapshots so that an older one never replaces a newer file.
type stateSnapshot struct {
	data []byte
	seq  uint64
}

// snapshotState encodes the state now. l.mu is held.
func (l *RunLog) snapshotState() stateSnapshot {
	l.lastWrite = time.Now()
	l.snapshots++
	return stateSnapshot{mustJSON(l.state), l.snapshots}
}

// writeSnapshot writes state.json without holding l.mu, so that jobs
// changing state do not wait on the file system; a snapshot older than
// the one written last is dropped.
func (l *RunLog) writeSnapshot(snap stateSnapshot) {
	l.writing.Lock()
	var err error
	if snap.seq > l.wroteSeq {
		err = writeFileAtomic(filepath.Join(l.Dir, "state.json"), snap.data)
		l.wroteSeq = snap.seq
	}
	l.writing.Unlock()
	if err != nil {
		l.mu.Lock()
		l.fail(err)
		l.mu.Unlock()
	}
}

// redactData redacts every string in plain data.
func redactData(d any, redact func(string) string) any {
	switch d := d.(type) {
	case string:
		return redact(d)
	case []any:
		out := make([]any, len(d))
		for i, v := range d {
			out[i] = redactData(v, redact)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(d))
		for k, v := range d {
			out[redact(k)] = redactData(v, redact)
		}
		return out
	case Outputs:
		return Outputs(redactData(map[string]any(d), redact).(map[string]any))
	}
	return d
}
