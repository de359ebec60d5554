package runtime

import (
	"bytes"
	"sort"
)

// A redactForm is one byte string to hide and what replaces it.
type redactForm struct {
	text []byte
	with []byte
}

// redactor finds secret forms in text. It is rebuilt whenever a new secret
// is resolved.
type redactor struct {
	forms []redactForm // longest first, so a value containing another wins
	first [256]bool    // bytes a form can start with, to skip the rest fast
}

// newRedactor replaces the forms of every secret (name -> value) and every
// derived value (value -> the name it is shown as).
func newRedactor(secrets map[string]string, derived map[string]string) *redactor {
	r := &redactor{}
	add := func(name, v string) {
		if len(v) < minRedactLen {
			return
		}
		with := []byte("{{ " + name + " }}")
		for _, f := range secretForms(v) {
			r.forms = append(r.forms, redactForm{[]byte(f), with})
			r.first[f[0]] = true
		}
	}
	for name, v := range secrets {
		add(name, v)
	}
	for v, name := range derived {
		add(name, v)
	}
	sort.Slice(r.forms, func(i, j int) bool { return len(r.forms[i].text) > len(r.forms[j].text) })
	return r
}

// redact replaces every form in b. When final is false, it stops at the
// first position where b's remainder could be the start of a form that the
// next chunk completes, and returns how many bytes it consumed; the caller
// keeps the rest for later.
func (r *redactor) redact(b []byte, final bool) (out []byte, consumed int) {
	if len(r.forms) == 0 {
		return b, len(b)
	}
	out = make([]byte, 0, len(b))
	i := 0
scan:
	for i < len(b) {
		if !r.first[b[i]] {
			j := i + 1
			for j < len(b) && !r.first[b[j]] {
				j++
			}
			out = append(out, b[i:j]...)
			i = j
			continue
		}
		rest := b[i:]
		if !final {
			// A longer form may still match once the next chunk arrives:
			// wait rather than settle for a shorter one (or none).
			for _, f := range r.forms {
				if len(rest) < len(f.text) && bytes.HasPrefix(f.text, rest) {
					break scan
				}
			}
		}
		for _, f := range r.forms {
			if bytes.HasPrefix(rest, f.text) {
				out = append(out, f.with...)
				i += len(f.text)
				continue scan
			}
		}
		out = append(out, b[i])
		i++
	}
	return out, i
}

// A streamRedactor redacts a byte stream that arrives in chunks, so a
// secret split across two writes is still caught: the end of a chunk that
// could begin a secret waits for the next chunk.
type streamRedactor struct {
	secrets *Secrets
	pending []byte
	emit    func([]byte)
}

func newStreamRedactor(s *Secrets, emit func([]byte)) *streamRedactor {
	return &streamRedactor{secrets: s, emit: emit}
}

// Write redacts what can be decided now and emits it.
func (w *streamRedactor) Write(p []byte) (int, error) {
	r := w.secrets.redactor()
	buf := p
	if len(w.pending) > 0 {
		buf = append(w.pending, p...)
	}
	out, n := r.redact(buf, false)
	w.pending = append([]byte(nil), buf[n:]...)
	if len(out) > 0 {
		w.emit(out)
	}
	return len(p), nil
}

// Flush emits what is held back, at the end of the stream.
func (w *streamRedactor) Flush() {
	if len(w.pending) > 0 {
		out, _ := w.secrets.redactor().redact(w.pending, true)
		w.pending = nil
		w.emit(out)
	}
}
