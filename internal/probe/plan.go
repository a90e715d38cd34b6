package probe

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Plan is what one probe connects with, decided once per start by one pure function (the
// receiver's planProbes) from the configuration, the agent model and the environment: the
// probe executes it and decides nothing of it again.
type Plan struct {
	Name Name
	// URL is the cluster endpoint exactly as given, or a cloud base URL with its path.
	URL *url.URL
	// Timeout bounds a whole run; ConnectTimeout each address's connect (0: the run's).
	Timeout, ConnectTimeout time.Duration

	// Route is the way the request goes, and why: the one proxy decision.
	Route Route
	// Env holds the proxy variables of the environment the probe copies (the agent's).
	Env Environment
	// ProxyHeaders go on CONNECT only (the module's proxy_headers).
	ProxyHeaders http.Header

	// TLS is the loaded TLS configuration (roots, client certificate, versions, ciphers),
	// with Verify applied.
	TLS    *tls.Config
	Verify Verification
	Trust  Trust

	// Header is sent on every request: the agent module's User-Agent, origin and headers.
	Header http.Header
	// Authorization is the cluster's credential; Token the intake's (sent to it only).
	Authorization Secret
	Token         Secret
	// CheckPrivileges asks the cluster what the credentials may do.
	CheckPrivileges bool
	// BatchSize, when positive, is the size of a POST like the agent's batches the intake
	// probe also sends, without credentials (otlp.check_batch_size).
	BatchSize int64
	// AgentPaths: request URLs are the host URL and the path concatenated, as the agent's
	// module does ("…/" + "/_license" is "…//_license").
	AgentPaths bool
	// Agent: the plan copies the agent's client; AgentModule: the cluster module's own
	// client (tlscommon, its dialer), not confighttp.
	Agent, AgentModule bool
	// SSLDisabled: the module's ssl.enabled is false, so its ssl block is dropped.
	SSLDisabled bool
	// TLSSettings names the ssl settings that limit the handshake (supported_protocols,
	// cipher_suites), for the evidence of a handshake they refuse.
	TLSSettings []string
}

// Trust says where a probe's roots came from (autoops.probe.tls.roots.source).
type Trust struct {
	Source string
	// CustomCA: a CA of the probe's own setting is among the roots; WithSystem: the system
	// roots are too (include_system_ca_certs_pool).
	CustomCA, WithSystem bool
	// CAPEM is what that setting holds: the subjects tell a missing intermediate from an
	// unknown CA, read only when a run's verification fails.
	CAPEM []byte
	// System are the system roots as the copied environment builds them (SSL_CERT_FILE,
	// SSL_CERT_DIR); nil: this process's.
	System *SystemRoots
}

// Values of autoops.probe.tls.roots.source besides the variables'.
const (
	RootsSystem             = "system"
	RootsModuleCAs          = "ssl.certificate_authorities"
	RootsCAFile             = "tls.ca_file" // the receiver's own, or the agent exporter's
	RootsTrustedFingerprint = "ca_trusted_fingerprint"
)

// FixedProxy: proxy_url is set, so the proxy variables do not apply.
func (p *Plan) FixedProxy() bool { return p.Route.Source == SourceProxyURL }

// ProxyFunc is the plan's route as a transport's Proxy rule: the fixed proxy, none when the
// module disables proxies, or the environment's variables with Go's NO_PROXY and loopback
// rules (a redirect may lead elsewhere).
func (p *Plan) ProxyFunc() func(*url.URL) (*url.URL, error) {
	switch p.Route.Source {
	case SourceProxyURL:
		fixed := p.Route.Proxy
		return func(*url.URL) (*url.URL, error) { return fixed, nil }
	case SourceProxyDisable:
		return func(*url.URL) (*url.URL, error) { return nil, nil }
	}
	cfg := httpproxy.Config{HTTPProxy: p.Env.HTTPProxy, HTTPSProxy: p.Env.HTTPSProxy, NoProxy: p.Env.NoProxy}
	return cfg.ProxyFunc()
}

// RequestURL is the URL of a request for path: concatenated as the agent's module does, or
// the base's path with path in place of any trailing slash.
func (p *Plan) RequestURL(path string) string {
	if p.AgentPaths {
		u := *p.URL
		u.RawQuery = ""
		return strings.TrimSuffix(u.String(), "?") + path
	}
	return joinPath(p.URL, path)
}
