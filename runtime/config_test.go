package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.fnl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigSecretKinds(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	os.WriteFile(file, []byte("from-a-file-value\n"), 0o600)
	t.Setenv("QUIRE_TEST_SECRET", "from-the-environment")
	path := writeConfig(t, `; quire's config: data only
{:secrets {:plain "a plain value"
           :file-one {:file "`+file+`"}
           "env-one" {:env "QUIRE_TEST_SECRET"}
           :escaped "tab\there \"quoted\" \65"}}`)
	s, missing, err := LoadSecrets(path)
	if err != nil || missing {
		t.Fatalf("LoadSecrets = %v, missing %v", err, missing)
	}
	for name, want := range map[string]string{
		"plain":    "a plain value",
		"file-one": "from-a-file-value", // one trailing newline stripped
		"env-one":  "from-the-environment",
		"escaped":  "tab\there \"quoted\" A",
	} {
		if got, err := s.Get(name); err != nil || got != want {
			t.Errorf("secret %s = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestConfigMissingFileMeansNoSecrets(t *testing.T) {
	s, missing, err := LoadSecrets(filepath.Join(t.TempDir(), "absent.fnl"))
	if err != nil || !missing {
		t.Fatalf("err %v, missing %v", err, missing)
	}
	if _, err := s.Get("x"); err == nil {
		t.Error("a secret resolved from no config")
	}
}

func TestConfigSyntaxErrorsHavePositions(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"{:secrets {:a \"x\"}", "1:1: this { is never closed"},
		{"{:secrets\n  {:a (os.getenv \"X\")}}", "2:7: the config is data: calls like ( … ) are not allowed"},
		{"{:secrets {:a \"x}}", "1:15: this string is never closed"},
		{"{:secrets {:a token}}", "1:15: unexpected \"token\""},
		{"{:secrets {:a}}", "1:12: key \"a\" has no value"},
		{"{:secrets {:a \"x\" :a \"y\"}}", "1:19: key \"a\" appears twice"},
	} {
		_, _, err := LoadSecrets(writeConfig(t, tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: error %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
}

func TestEmptyConfigMeansNoSecrets(t *testing.T) {
	for _, src := range []string{"  \n", ";; no secrets yet\n", "{}", "{:secrets {}}"} {
		s, missing, err := LoadSecrets(writeConfig(t, src))
		if err != nil || missing {
			t.Fatalf("config %q: err %v, missing %v", src, err, missing)
		}
		if _, err := s.Get("x"); err == nil {
			t.Errorf("config %q: a secret resolved", src)
		}
	}
}

func TestConfigShapeErrors(t *testing.T) {
	for src, want := range map[string]string{
		`[1 2]`:            "the config must be a table like {:secrets {…}}",
		`{:secrets [:a]}`:  ":secrets must be a table of name to value",
		`{:secrets "abc"}`: ":secrets must be a table of name to value",
	} {
		_, _, err := LoadSecrets(writeConfig(t, src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: error %v, want it to contain %q", src, err, want)
		}
	}
	t.Setenv("QUIRE_TEST_UNSET_SECRET", "")
	os.Unsetenv("QUIRE_TEST_UNSET_SECRET")
	s, _, err := LoadSecrets(writeConfig(t, `{:secrets {:token {:env "QUIRE_TEST_UNSET_SECRET"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("token"); err == nil || !strings.Contains(err.Error(), `secret "token": environment variable QUIRE_TEST_UNSET_SECRET is not set`) {
		t.Errorf("err = %v", err)
	}
}

func TestRelativeSecretFileIsRelativeToTheConfig(t *testing.T) {
	path := writeConfig(t, `{:secrets {:token {:file "token.txt"}}}`)
	os.WriteFile(filepath.Join(filepath.Dir(path), "token.txt"), []byte("relative-secret\n"), 0o600)
	s, _, err := LoadSecrets(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get("token"); err != nil || v != "relative-secret" {
		t.Errorf("token = %q, %v", v, err)
	}
}

func TestConfigBadSecretShapes(t *testing.T) {
	_, _, err := LoadSecrets(writeConfig(t, `{:secrets {:a {:file "x" :env "Y"}}}`))
	if err == nil || !strings.Contains(err.Error(), `secret "a" must be a string, {:file "path"} or {:env "VAR"}`) {
		t.Errorf("err = %v", err)
	}
}

func TestUnreadableSecretFileNamesThePathNotTheValue(t *testing.T) {
	path := writeConfig(t, `{:secrets {:token {:file "/nonexistent/token"}}}`)
	s, _, err := LoadSecrets(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Get("token")
	if err == nil || !strings.Contains(err.Error(), `secret "token": read /nonexistent/token`) {
		t.Errorf("err = %v", err)
	}
}

func TestParseConfigValues(t *testing.T) {
	v, err := parseConfig("c", []byte(`{:n 42 :f 1.5 :t true :nil nil :seq [1 "two" :three] :nested {:k "v"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": 42.0, "f": 1.5, "t": true, "nil": nil, "seq": []any{1.0, "two", "three"}, "nested": map[string]any{"k": "v"}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("got %#v", v)
	}
}

// FuzzConfig: any bytes as the config file give a value or a positioned
// error, never a panic.
func FuzzConfig(f *testing.F) {
	for _, seed := range []string{
		`{:secrets {:a "x" :b {:file "/f"} :c {:env "V"}}}`,
		`{:secrets {:a "\300"}}`, `[1 2 {:k}]`, `{"unterminated`, `;`, "\x00\xff{", `{:a -1.5e3 :b true :c nil}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		v, err := parseConfig("c.fnl", src)
		if err != nil {
			var ce *ConfigError
			if !errorsAs(err, &ce) || ce.Line < 1 || ce.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		_ = v
	})
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
