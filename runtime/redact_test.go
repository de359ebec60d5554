package runtime

import (
	"bytes"
	"encoding/base64"
	"math/rand"
	"net/url"
	"strings"
	"testing"
)

// secretsWith returns secrets with the given values already resolved.
func secretsWith(t *testing.T, values map[string]string) *Secrets {
	t.Helper()
	s := NoSecrets()
	for name, v := range values {
		s.defs[name] = secretDef{kind: "plain", plain: v}
		if _, err := s.Get(name); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestRedactHidesValueAndEncodings(t *testing.T) {
	const token = "ghp_s3cr3t-t0ken/with+chars"
	s := secretsWith(t, map[string]string{"github_token": token})
	for _, form := range []string{
		token,
		base64.StdEncoding.EncodeToString([]byte(token)),
		base64.URLEncoding.EncodeToString([]byte(token)),
		url.QueryEscape(token),
		url.PathEscape(token),
	} {
		got := s.Redact("before " + form + " after")
		if got != "before {{ github_token }} after" {
			t.Errorf("Redact(%q) = %q", form, got)
		}
	}
}

func TestShortSecretsAreNotRedactedButWarned(t *testing.T) {
	s := NoSecrets()
	s.defs["pin"] = secretDef{kind: "plain", plain: "1234"}
	var warned string
	s.OnWarning(func(msg string) { warned = msg })
	if _, err := s.Get("pin"); err != nil {
		t.Fatal(err)
	}
	if got := s.Redact("pin 1234"); got != "pin 1234" {
		t.Errorf("a 4-byte secret was redacted: %q", got)
	}
	if !strings.Contains(warned, `secret "pin" is shorter than 8 bytes`) {
		t.Errorf("warning = %q", warned)
	}
}

func TestUnknownSecret(t *testing.T) {
	if _, err := NoSecrets().Get("nope"); err == nil || err.Error() != `unknown secret: "nope"` {
		t.Errorf("err = %v", err)
	}
}

const noise = "abcdefgh{} \n=%_-+/"

// randomText mixes secret forms, their fragments and noise.
func randomText(rng *rand.Rand, forms []string) string {
	var b strings.Builder
	for i := rng.Intn(12); i >= 0; i-- {
		switch rng.Intn(4) {
		case 0:
			b.WriteString(forms[rng.Intn(len(forms))])
		case 1:
			f := forms[rng.Intn(len(forms))]
			b.WriteString(f[:rng.Intn(len(f))])
		default:
			n := rng.Intn(20)
			for j := 0; j < n; j++ {
				b.WriteByte(noise[rng.Intn(len(noise))])
			}
		}
	}
	return b.String()
}

// TestRedactionProperties: redacted text never contains a secret value
// (or encoded form) and redacting twice changes nothing, however the text
// is cut into chunks on its way through the stream redactor.
func TestRedactionProperties(t *testing.T) {
	values := map[string]string{"a": "abcdefgh12", "b": "gh12xyzzy!", "long": "abcdefgh12-and-more"}
	s := secretsWith(t, values)
	var forms []string
	for _, v := range values {
		forms = append(forms, secretForms(v)...)
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		text := randomText(rng, forms)
		whole := s.Redact(text)
		for _, f := range forms {
			if strings.Contains(whole, f) {
				t.Fatalf("Redact(%q) = %q still contains %q", text, whole, f)
			}
		}
		if again := s.Redact(whole); again != whole {
			t.Fatalf("not idempotent: %q -> %q -> %q", text, whole, again)
		}
		var streamed bytes.Buffer
		w := newStreamRedactor(s, func(b []byte) { streamed.Write(b) })
		for rest := []byte(text); len(rest) > 0; {
			n := 1 + rng.Intn(len(rest))
			w.Write(rest[:n])
			rest = rest[n:]
		}
		w.Flush()
		if streamed.String() != whole {
			t.Fatalf("streaming in chunks gave %q, whole text %q (input %q)", streamed.String(), whole, text)
		}
	}
}

// TestDerivedValueIsRedactedButNotASecret: the header a mirror builds from
// its token is hidden like a secret, yet (secret :auth-header) does not
// hand it out.
func TestDerivedValueIsRedactedButNotASecret(t *testing.T) {
	s := secretsWith(t, map[string]string{"token": "tok-0123456789"})
	header := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:tok-0123456789"))
	s.alsoRedact("auth-header", header)
	if got := s.Redact("sent " + header); got != "sent {{ auth-header }}" {
		t.Errorf("Redact = %q", got)
	}
	if v, err := s.Get("auth-header"); err == nil {
		t.Errorf("(secret :auth-header) returned %q; a derived value is not a secret", v)
	}
	// Two mirrors' headers at once: the second does not unhide the first.
	other := "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:other-0123456789"))
	s.alsoRedact("auth-header", other)
	if got := s.Redact(header + " " + other); got != "{{ auth-header }} {{ auth-header }}" {
		t.Errorf("with two derived values, Redact = %q", got)
	}
}
