package diagnose

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// privoxyPage is the shape of privoxy's answer when its parent proxy is down.
const privoxyPage = `<!DOCTYPE html><html><head><title>503 - Connect failed (Privoxy@localhost)</title>` +
	`<style>h1 { color: red }</style></head><body><h1>This is <a href="https://www.privoxy.org/">Privoxy</a> 3.0.34 on localhost, port 8118</h1>` +
	`<h2>Connect failed</h2><p>Your request for <b>api.elastic-cloud.com:443</b> could not be fulfilled, because the connection to ` +
	`<b>parent.corp:8080</b> (parent.corp:8080) could not be established.</p></body></html>`

// pageProxy answers every CONNECT with statusLine and page, as a proxy that refuses the tunnel
// with its own words.
func pageProxy(t *testing.T, statusLine, page string) string {
	return rawProxy(t, statusLine, []string{"Content-Type: text/html"}, page)
}

// Every proxy verdict quotes the proxy's own status line and page: privoxy's "503 Connect
// failed" naming its parent, not Go's "Service Unavailable".
func TestProxyVerdictsQuoteTheProxysWords(t *testing.T) {
	const dest = "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters"
	for _, tc := range []struct {
		statusLine, page, errorType string
		want                        []string
	}{
		{"503 Connect failed", privoxyPage, ProxyUpstreamError, []string{`"503 Connect failed"`, "parent.corp:8080", "could not be established"}},
		{"403 Request blocked by policy", "<html><body>Elastic Cloud is not on the allow-list</body></html>", ProxyBlocked, []string{`"403 Request blocked by policy"`, "not on the allow-list"}},
		{"407 Login first", "<html><body>Sign in to the proxy</body></html>", ProxyAuthRequired, []string{`"407 Login first"`, "Sign in to the proxy"}},
		{"502 ", "", ProxyUpstreamError, []string{`"502"`}},
	} {
		v, _ := run(t, setup{name: probe.Registration, url: dest, proxy: "http://" + pageProxy(t, tc.statusLine, tc.page)})
		assertFailed(t, v, tc.errorType, tc.want...)
		for _, goText := range []string{"Service Unavailable", "Forbidden", "Proxy Authentication Required", "Bad Gateway"} {
			assert.NotContains(t, v.Summary(), goText, "Go's status text, not the proxy's")
		}
		assert.NotContains(t, v.Summary(), "<", "the page's text, without its markup")
		assert.Equal(t, CodeHTTP0, v.AgentErrorCode, "Go gives the agent a refused CONNECT as an error")
	}
}

// What a proxy says is scrubbed and bounded: a reason phrase echoing a secret loses it, and a
// long page is cut.
func TestProxyWordsAreScrubbedAndBounded(t *testing.T) {
	const dest = "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters"
	secret := "c2VjcmV0OmtleQ=="
	proxy := pageProxy(t, "403 Denied ApiKey "+secret, "<p>"+strings.Repeat("blocked ", 500)+"</p>")
	v, _ := run(t, setup{name: probe.Registration, url: dest, proxy: "http://" + proxy, secrets: &probe.Secrets{Values: []string{secret}}})
	assertFailed(t, v, ProxyBlocked, `"403 Denied ApiKey`)
	assert.NotContains(t, v.Summary(), secret)
	assert.Less(t, len(v.Evidence), 700, v.Evidence)
}
