package scrub

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const (
	testAPIKey = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"
	testToken  = "tok3n-value-0123"
)

var b64 = base64.StdEncoding.EncodeToString

func testSecrets() Secrets {
	return Secrets{
		Values:         []string{testToken, "S3cretPass"},
		Authorizations: []string{"ApiKey " + b64([]byte(testAPIKey)), "Basic " + b64([]byte("autoops:S3cretPass"))},
		Headers:        [][2]string{{"X-Api-Key", "hdr-S3cret~1"}},
		ProxyURLs: []string{
			"http://probe:Pr0xy/Pass@proxy.corp:3128", // unescaped /: Go cannot parse it
			"probe2:Pr0xyPass2@proxy2:3128",           // no scheme: Go prefixes http://
			"http://probe3:Pr%2FoxyPass3@proxy3:3128", // escaped as it should be
			"",
		},
	}
}

// Each secret, in each form an echo may carry it: as sent, re-encoded, and escaped by JSON,
// URL or HTML, in either case.
func TestRedactorCoversEveryForm(t *testing.T) {
	r := NewRedactor(testSecrets())
	secrets := []string{
		testAPIKey, "ui2lp2axTNmsyakw9tvNnw", b64([]byte(testAPIKey)),
		b64([]byte("autoops:S3cretPass")), "autoops:S3cretPass", "S3cretPass", testToken, "hdr-S3cret~1",
		"Pr0xy/Pass", "probe:Pr0xy/Pass", b64([]byte("probe:Pr0xy/Pass")),
		"Pr0xyPass2", b64([]byte("probe2:Pr0xyPass2")),
		"Pr/oxyPass3", "Pr%2FoxyPass3", b64([]byte("probe3:Pr/oxyPass3")),
	}
	echoes := map[string]func(string) string{
		"as is":            func(s string) string { return s },
		"JSON \\/":         func(s string) string { return strings.ReplaceAll(s, "/", `\/`) },
		"JSON \\u00XX":     func(s string) string { return each(s, "\\u%04x") },
		"JSON \\u00XX mix": func(s string) string { return each(s[:3], "\\u%04X") + s[3:] },
		"URL %2F":          url.QueryEscape,
		"URL %2f":          func(s string) string { return lowerEscapes(url.QueryEscape(s)) },
		"URL every byte":   func(s string) string { return each(s, "%%%02x") },
		"HTML &#NN;":       func(s string) string { return each(s, "&#%d;") },
		"JSON of URL":      func(s string) string { return strings.ReplaceAll(url.PathEscape(s), "%", `\u0025`) },
		"RFC 4514 \\+":     func(s string) string { return strings.NewReplacer("+", `\+`, "=", `\=`, ",", `\,`).Replace(s) },
	}
	for _, secret := range secrets {
		for name, echo := range echoes {
			e := echo(secret)
			out := r.Redact("echo: [" + e + "]")
			assert.Equal(t, "echo: ["+Redacted+"]", out, "%s of %q", name, secret)
		}
	}
	// Base64 as sent, echoed unpadded or in the URL-safe alphabet.
	for _, sent := range []string{b64([]byte(testAPIKey)), b64([]byte("autoops:S3cretPass")), b64([]byte("probe:Pr0xy/Pass"))} {
		for _, echo := range []string{strings.TrimRight(sent, "="), strings.NewReplacer("+", "-", "/", "_").Replace(sent)} {
			assert.Equal(t, "<"+Redacted+">", r.Redact("<"+echo+">"), sent)
		}
	}
	// A short secret that is base64 itself (below Fragment bytes, no run of it is matched).
	short := b64([]byte("???~")) // "Pz8/fg=="
	r2 := NewRedactor(Secrets{Values: []string{short}})
	assert.Equal(t, "<"+Redacted+"> <"+Redacted+">", r2.Redact("<Pz8_fg> <Pz8/fg>"))
	// The base64 of each secret, in each alphabet, padded or not.
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		for _, s := range []string{testToken, "S3cretPass", "Pr0xy/Pass", "ui2lp2axTNmsyakw9tvNnw"} {
			assert.Equal(t, "<"+Redacted+">", r.Redact("<"+enc.EncodeToString([]byte(s))+">"))
		}
	}
	assert.Equal(t, "nothing secret here", r.Redact("nothing secret here"))
	var none *Redactor
	assert.Equal(t, "as is", none.Redact("as is"))
}

func each(s, format string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, format, c)
	}
	return b.String()
}

func lowerEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString(strings.ToLower(s[i : i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// The id of an API key and a username are not secrets: answers quote them (_authenticate).
func TestIdentifiersStayReadable(t *testing.T) {
	r := NewRedactor(testSecrets())
	const text = `{"username":"autoops","api_key":{"id":"VuaCfGcBCdbkQm-e5aOx"},"proxy_user":"probe"}`
	assert.Equal(t, text, r.Redact(text))
}

// Only credentials are secrets: an ordinary header's value is never scrubbed from the
// evidence, unless it looks generated.
func TestOrdinaryHeaderValuesAreNotSecrets(t *testing.T) {
	r := NewRedactor(Secrets{Headers: [][2]string{
		{"X-Forwarded-Proto", "https"},
		{"X-Tag", "x"},
		{"Accept", "application/json"},
		{"X-Forwarded-Host", "es-prod-01.internal.corp"},
		{"User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AutoOps/9.1.0"},
	}})
	const text = "exchange over https with es-prod-01.internal.corp: application/json, Mozilla/5.0 (X11; Linux x86_64) AutoOps/9.1.0"
	assert.Equal(t, text, r.Redact(text))

	r = NewRedactor(Secrets{Headers: [][2]string{{"X-Tenant", "aB3dE5fG7hJ9kL1mNp"}, {"X-Auth", "k3y"}, {"Cookie", "sid=Zq81kLm0; theme=dark"}}})
	assert.Equal(t, "tenant "+Redacted+", "+Redacted+", session "+Redacted+", theme "+Redacted+", darkness",
		r.Redact("tenant aB3dE5fG7hJ9kL1mNp, k3y, session Zq81kLm0, theme dark, darkness"),
		"a generated-looking value, a credential header's value and each cookie are secrets")
}

// A secret shorter than MinSubstring is removed only where it stands alone, never from
// inside a word.
func TestShortSecretsAreMatchedAlone(t *testing.T) {
	r := NewRedactor(Secrets{Values: []string{"x", "pw1"}})
	assert.Equal(t, "exchange "+Redacted+"-pack: "+Redacted+", apw1b, "+Redacted+".", r.Redact("exchange x-pack: pw1, apw1b, x."))
	r = NewRedactor(Secrets{Values: []string{"Passw0rd"}})
	assert.Equal(t, "my"+Redacted+"s", r.Redact("myPassw0rds"), "from MinSubstring bytes on, inside words too")
}

// A secret cut short by whoever echoed it loses every run of Fragment bytes.
func TestSecretFragmentsAreRemoved(t *testing.T) {
	r := NewRedactor(testSecrets())
	key := b64([]byte(testAPIKey))
	assert.Equal(t, "Authorization: ApiKey "+Redacted+"...", r.Redact("Authorization: ApiKey "+key[:20]+"..."))
	assert.Equal(t, "token="+Redacted+"…", r.Redact("token="+testToken[:Fragment]+"…"))
	assert.Equal(t, "ends "+key[:Fragment-1], r.Redact("ends "+key[:Fragment-1]), "below Fragment bytes, a run is not told from text")
}

// The whole buffer is scrubbed before the cut: a secret across it leaves nothing of itself.
func TestCutScrubsTheWholeBufferFirst(t *testing.T) {
	r := NewRedactor(testSecrets())
	key := b64([]byte(testAPIKey))
	const limit = 100
	for at := limit - len(key) - 1; at < limit; at++ {
		body := []byte(strings.Repeat("x", at) + key + strings.Repeat("y", 50))
		out, truncated := r.Cut(body, limit)
		assert.True(t, truncated)
		assert.LessOrEqual(t, len(out), limit)
		assert.NotContains(t, string(out), key[:min(4, limit-at)], "secret at %d", at)
	}
	out, truncated := r.Cut([]byte("short "+key), limit)
	assert.Equal(t, "short "+Redacted, string(out))
	assert.False(t, truncated)
	out, _ = (*Redactor)(nil).Cut([]byte(strings.Repeat("é", limit)), limit+1)
	assert.Len(t, out, limit, "cut at a character boundary")
}

// Credentials in a URL of every form Go accepts never print.
func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"http://bob:hunter2@proxy:3128":                    "http://proxy:3128",
		"http://user:S3cret/Pw@proxy:3128":                 "http://proxy:3128",
		"http://http://user:S3cret/Pw@proxy:3128":          "http://http://proxy:3128", // as Go reads the one above
		"http://us/er:p@ss@proxy:3128/":                    "http://proxy:3128/",
		"user:pass@host:3128":                              "host:3128",
		"socks5h://u:p%40ss@proxy:1080":                    "socks5h://proxy:1080",
		"https://es.corp:9200/path?q=a@b":                  "https://es.corp:9200/path?q=a@b",
		"https://es.corp:9200":                             "https://es.corp:9200",
		"http://http://probe:Bad%20S3cret@127.0.0.1:8888":  "http://http://127.0.0.1:8888",
		"%%bob:hunter2@proxy":                              "proxy",
		"https://login.corp/?next=https://u:pw@other/x#id": "https://login.corp/?next=https://other/x#id",
	} {
		assert.Equal(t, want, RedactURL(raw), raw)
	}
	assert.Equal(t, `invalid proxy address "http://proxy:3128": bad`, ScrubUserinfo(`invalid proxy address "http://user:S3cret/Pw@proxy:3128": bad`))
}
