package scrub

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A URL's query or fragment may carry a credential: a parameter named like one, or a value
// that looks generated, never prints; the rest of the URL stays readable.
func TestURLQueryCredentials(t *testing.T) {
	for raw, want := range map[string]string{
		"https://otel.example/v1?token=tok3n-value-0123":                 "https://otel.example/v1?token=" + Redacted,
		"https://otel.example?region=us&api_key=k3y&x=1":                 "https://otel.example?region=us&api_key=" + Redacted + "&x=1",
		"https://h/p?ApiKey=a;password=b;secret=c;auth=d;sig=e;pwd=f":    "https://h/p?ApiKey=" + Redacted + ";password=" + Redacted + ";secret=" + Redacted + ";auth=" + Redacted + ";sig=" + Redacted + ";pwd=" + Redacted,
		"https://h/p?q=aB3dE5fG7hJ9kL1mNp&page=2":                        "https://h/p?q=" + Redacted + "&page=2",
		"https://h/p#access_token=abc&state=1":                           "https://h/p#access_token=" + Redacted + "&state=1",
		"https://h/p?aB3dE5fG7hJ9kL1mNp":                                 "https://h/p?" + Redacted,
		"https://u:pw@h/p?X-Amz-Signature=abc&X-Amz-Credential=AKIA%2Fx": "https://h/p?X-Amz-Signature=" + Redacted + "&X-Amz-Credential=" + Redacted,
		"https://es.corp:9200/path?q=a@b&pretty":                         "https://es.corp:9200/path?q=a@b&pretty",
	} {
		assert.Equal(t, want, RedactURL(raw), raw)
	}
	assert.Equal(t, "https://h/p?token=…&q=…&…", URLWithoutQueryValues("https://u:p@h/p?token=s3cret&q=S3cretPass&flag"))
	assert.Equal(t, `Post "https://otel.example/v1/metrics?token=`+Redacted+`": dial tcp: refused`,
		ScrubUserinfo(`Post "https://otel.example/v1/metrics?token=tok3n-value-0123": dial tcp: refused`), "in a text, as Go's errors quote it")
	assert.Equal(t, "a?token=b is no URL", ScrubUserinfo("a?token=b is no URL"))
}

// What print-config shows of a URL: the username and the host, never the password.
func TestHideURLPassword(t *testing.T) {
	for raw, want := range map[string]string{
		"https://elastic:S3cret@es.corp:9200":      "https://elastic:" + Redacted + "@es.corp:9200",
		"http://u:Pr0xy/P@ss@proxy:3128":           "http://u:" + Redacted + "@proxy:3128",
		"u:Pr0xyPw@proxy:3128":                     "u:" + Redacted + "@proxy:3128",
		"http://t0ken@proxy:3128":                  "http://" + Redacted + "@proxy:3128",
		"https://otel.example?token=T0k3n":         "https://otel.example?token=" + Redacted,
		"alice@corp.example":                       "alice@corp.example",
		"https://es.corp:9200/p?q=a@b":             "https://es.corp:9200/p?q=a@b",
		"http://http://u:Bad%20S3cret@127.0.0.1:1": "http://http://u:" + Redacted + "@127.0.0.1:1",
	} {
		assert.Equal(t, want, HideURLPassword(raw), raw)
	}
}
