package runtime

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
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
	derived  map[string]string // value -> name, for values made from secrets (a mirror's header): redacted, never returned
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
				// A relative path is relative to the config file.
				if !filepath.IsAbs(f) {
					f = filepath.Join(filepath.Dir(path), f)
				}
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
	if v, ok := s.resolved[name]; ok {
		s.mu.Unlock()
		return v, nil
	}
	v, err := s.resolve(name)
	warn := s.warn
	s.mu.Unlock()
	// The warning is written through the console, which redacts, which
	// takes s.mu: call it only after letting go.
	if err == nil && len(v) < minRedactLen && warn != nil {
		warn(fmt.Sprintf("secret %q is shorter than %d bytes, so it is not redacted from logs", name, minRedactLen))
	}
	return v, err
}

// resolve reads the secret called name; s.mu is held.
func (s *Secrets) resolve(name string) (string, error) {
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
	return v, nil
}

// EnvNames lists the environment variables that hold secrets ({:env …}).
// They are removed from the environment jobs run with: a secret is had
// through (secret name), which redacts it, not by running env.
func (s *Secrets) EnvNames() []string {
	if s == nil {
		return nil
	}
	var names []string
	for _, d := range s.defs {
		if d.kind == "env" {
			names = append(names, d.env)
		}
	}
	return names
}

// alsoRedact hides v, a value made from secrets (the Authorization header
// a mirror builds from its token, whose base64 does not contain the
// token's), as {{ name }}. It is only redacted: (secret name) does not
// return it.
func (s *Secrets) alsoRedact(name, v string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.derived == nil {
		s.derived = map[string]string{}
	}
	if s.derived[v] != name {
		s.derived[v] = name
		s.red = nil
	}
}

// Redact replaces every resolved secret value of 8 bytes or more, and its
// base64 and URL-encoded forms, with {{ name }}.
func (s *Secrets) Redact(text string) string {
	r := s.redactor()
	if len(r.forms) == 0 {
		return text // nothing to hide yet: no copies
	}
	out, _ := r.redact([]byte(text), true)
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
		s.red = newRedactor(s.resolved, s.derived)
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
