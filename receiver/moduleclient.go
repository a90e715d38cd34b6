package autoopsreceiver

import (
	"crypto/tls"
	"net/http"
	"net/url"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// moduleClient is the agent module's HTTP client (Beats' metricbeat/helper/http.go over
// elastic-agent-libs' transport): its own dialer (a connect timeout per address), the TLS
// configuration tlscommon built, HTTP/1.1 only, the proxy rule of the plan with
// proxy_headers on CONNECT, and Go's default redirect policy.
func moduleClient(p *probe.Plan) *http.Client {
	proxy := p.ProxyFunc()
	dialer := probe.AgentDialer{ConnectTimeout: p.ConnectTimeout}
	tr := &http.Transport{
		Proxy:              func(r *http.Request) (*url.URL, error) { return proxy(r.URL) },
		DialContext:        dialer.DialContext,
		TLSClientConfig:    p.TLS.Clone(),
		ProxyConnectHeader: p.ProxyHeaders,
		// A non-nil empty map: no HTTP/2, as the module's custom dialers give.
		TLSNextProto:           map[string]func(string, *tls.Conn) http.RoundTripper{},
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	return &http.Client{Transport: tr}
}
