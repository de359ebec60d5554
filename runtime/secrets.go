package runtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
)

// DefaultConfig is where the binary looks for its config when --config is
// not given.
const DefaultConfig = "/var/quire/config.fnl"

// minRedactLen is the shortest secret value that is redacted: shorter ones
// would match ordinary text too often to be worth hiding, and are warned
// about instead.
const minRedactLen = 8

// Secrets are the configured secrets of a run. Values are resolved on first
// use; every value resolved is redacted from what the run writes.
type Secrets struct {
	defs map[string]secretDef

	mu       sync.Mutex
	resolved map[string]string
	warn     func(string)
	red      *redactor // for the values resolved so far; nil when stale
}

type secretDef struct {
	plain, file, env string
	kind             string // "plain", "file" or "env"
}

// NoSecrets is an empty set of secrets: any (secret name) fails.
func NoSecrets() *Secrets {
	return &Secrets{defs: map[string]secretDef{}, resolved: map[string]string{}}
}

// LoadSecrets reads the config file. A missing file means no secrets (and
// missing is reported so the caller can warn); a malformed one is an error
// with its line and column.
func LoadSecrets(path string) (s *Secrets, missing bool, err error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NoSecrets(), true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read config: %w", err)
	}
	v, err := parseConfig(path, src)
	if err != nil {
		return nil, false, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, false, fmt.Errorf("%s: the config must be a table like {:secrets {…}}", path)
	}
	s = NoSecrets()
	raw, ok := top["secrets"]
	if !ok || raw == nil {
		return s, false, nil
	}
	defs, ok := raw.(map[string]any)
	if !ok {
		return nil, false, fmt.Errorf("%s: :secrets must be a table of name to value", path)
	}
	for name, d := range defs {
		switch d := d.(type) {
		case string:
			s.defs[name] = secretDef{kind: "plain", plain: d}
		case map[string]any:
			f, hasFile := d["file"].(string)
			e, hasEnv := d["env"].(string)
			switch {
			case hasFile && !hasEnv && len(d) == 1:
				s.defs[name] = secretDef{kind: "file", file: f}
			case hasEnv && !hasFile && len(d) == 1:
				s.defs[name] = secretDef{kind: "env", env: e}
			default:
				return nil, false, fmt.Errorf("%s: secret %q must be a string, {:file \"path\"} or {:env \"VAR\"}", path, name)
			}
		default:
			return nil, false, fmt.Errorf("%s: secret %q must be a string, {:file \"path\"} or {:env \"VAR\"}", path, name)
		}
	}
	return s, false, nil
}

// OnWarning sets where warnings go (values too short to redact).
func (s *Secrets) OnWarning(warn func(string)) { s.warn = warn }

// Get resolves the secret called name.
func (s *Secrets) Get(name string) (string, error) {
	if s == nil {
		return "", fmt.Errorf("unknown secret: %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.resolved[name]; ok {
		return v, nil
	}
	d, ok := s.defs[name]
	if !ok {
		return "", fmt.Errorf("unknown secret: %q", name)
	}
	var v string
	switch d.kind {
	case "plain":
		v = d.plain
	case "file":
		b, err := os.ReadFile(d.file)
		if err != nil {
			// The path is configuration, not the secret: safe to show.
			return "", fmt.Errorf("secret %q: read %s: %w", name, d.file, errors.Unwrap(err))
		}
		v = strings.TrimSuffix(string(b), "\n")
	case "env":
		var ok bool
		v, ok = os.LookupEnv(d.env)
		if !ok {
			return "", fmt.Errorf("secret %q: environment variable %s is not set", name, d.env)
		}
	}
	s.resolved[name] = v
	s.red = nil
	if len(v) < minRedactLen && s.warn != nil {
		s.warn(fmt.Sprintf("secret %q is shorter than %d bytes, so it is not redacted from logs", name, minRedactLen))
	}
	return v, nil
}

// alsoRedact hides a value derived from secrets (an Authorization header
// built from a token) under the name "auth-header".
func (s *Secrets) alsoRedact(v string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resolved["auth-header"] != v {
		s.resolved["auth-header"] = v
		s.red = nil
	}
}

// Redact replaces every resolved secret value of 8 bytes or more, and its
// base64 and URL-encoded forms, with {{ name }}.
func (s *Secrets) Redact(text string) string {
	out, _ := s.redactor().redact([]byte(text), true)
	return string(out)
}

// redactor returns the redactor for the secrets resolved so far.
func (s *Secrets) redactor() *redactor {
	if s == nil {
		return &redactor{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.red == nil {
		s.red = newRedactor(s.resolved)
	}
	return s.red
}

// secretForms lists the encodings of v that redaction hides.
func secretForms(v string) []string {
	forms := []string{v}
	for _, f := range []string{
		base64.StdEncoding.EncodeToString([]byte(v)),
		base64.RawStdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)),
		base64.RawURLEncoding.EncodeToString([]byte(v)),
		url.QueryEscape(v),
		url.PathEscape(v),
	} {
		if f != v {
			forms = append(forms, f)
		}
	}
	return forms
}
