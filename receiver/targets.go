package autoopsreceiver

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// check is one enabled probe: where it goes and what its diagnosis needs to know.
type check struct {
	target  *probe.Target
	context diagnose.Context
	// settingsFrom names the agent variables that supplied the probe's settings.
	settingsFrom []string
}

// detectContainer is a variable so tests can place the collector inside or outside a container.
var detectContainer = probe.DetectContainer

// buildChecks turns the configuration, with what the agent model gives, into probe targets;
// the HTTP clients come from confighttp, so proxy_url, tls, headers, auth and the proxy
// variables apply as usual.
func buildChecks(ctx context.Context, host component.Host, set component.TelemetrySettings, cfg *Config) ([]check, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	from, warnings := r.perProbe()
	cfg = r.effective
	env := probe.ReadEnvironment(r.lookup)
	inContainer := detectContainer()
	redactor := newRedactor(cfg, env)
	var checks []check
	add := func(name probe.Name, cc *confighttp.ClientConfig, rawURL string, dc diagnose.Context) (*probe.Target, error) {
		t, err := newTarget(ctx, host, set, name, cc, rawURL, env, r.caFiles)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		t.InContainer, t.Redactor = inContainer, redactor
		dc.AgentFindings = warnings[string(name)]
		checks = append(checks, check{target: t, context: dc, settingsFrom: from[string(name)]})
		return t, nil
	}
	if c := &cfg.Cluster; c.Enabled {
		auth, dc := clusterAuthorization(c)
		dc.CredentialTrailingNewline = trailingNewline(r, c)
		dc.AgentRefusesLicenseType = r.version.RefusesLicenseTypes()
		t, err := add(probe.Cluster, &c.ClientConfig, c.Endpoint, dc)
		if err != nil {
			return nil, err
		}
		t.Authorization, t.CheckPrivileges = auth, c.CheckPrivileges
		t.TLS = withVerification(t.TLS, c.TLSVerificationMode, c.CATrustedFingerprint, t.URL.Hostname())
		if tr, ok := t.Client.Transport.(*http.Transport); ok {
			tr.TLSClientConfig = t.TLS.Clone()
		} else if t.TLS.InsecureSkipVerify {
			return nil, errors.New("cluster: tls_verification_mode and ca_trusted_fingerprint cannot be combined with headers, auth or compression settings that wrap the transport")
		}
	}
	if r := &cfg.Registration; r.Enabled {
		if _, err := add(probe.Registration, &r.ClientConfig, joinBase(r.Endpoint, probe.RegistrationPath), diagnose.Context{AsAgentRegisters: cfg.agentMode()}); err != nil {
			return nil, err
		}
	}
	if o := &cfg.OTLP; o.Enabled {
		t, err := add(probe.OTLP, &o.ClientConfig, joinBase(o.ResolvedEndpoint(), probe.OTLPPath), diagnose.Context{UnknownRegion: o.Endpoint == "" && o.UnknownRegion()})
		if err != nil {
			return nil, err
		}
		t.Token = probe.Secret(o.Token)
	}
	return checks, nil
}

func newTarget(ctx context.Context, host component.Host, set component.TelemetrySettings, name probe.Name, cc *confighttp.ClientConfig, rawURL string, env probe.Environment, caFiles map[string][]byte) (*probe.Target, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("endpoint: %w", err)
	}
	// One TLS load per distinct setting in the process, for the client and for the
	// diagnostic handshake alike.
	tlsCfg, err := loadSharedTLS(ctx, cc.TLS)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	client, bare, err := probeClient(ctx, host, set, cc, tlsCfg)
	if err != nil {
		return nil, err
	}
	probe.StopAtRedirects(client)
	proxy, err := probe.ProxyRule(cc.ProxyURL, env)
	if err != nil {
		return nil, fmt.Errorf("proxy_url: %w", err)
	}
	var fixed *url.URL
	if cc.ProxyURL != "" {
		fixed, _ = url.Parse(cc.ProxyURL) // validated
	}
	route := probe.RouteFor(u, fixed, env)
	if bare != nil && cc.ProxyURL == "" {
		// The proxy variables of the agent's environment (its env files too), where net/http
		// would read this process's once.
		bare.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	}
	t := &probe.Target{
		Name: name, URL: u, Client: client, Proxy: proxy, FixedProxy: cc.ProxyURL != "", TLS: tlsCfg, Timeout: cc.Timeout, Env: env, Route: route,
		CustomCA: cc.TLS.CAFile != "" || cc.TLS.CAPem != "",
		CAPEM:    caPEM(cc, caFiles),
	}
	if name == probe.Cluster && bare != nil && !cc.Keepalive.HasValue() {
		// The cluster probe's follow-up requests reuse the run's one connection; the probe
		// closes it when the run ends, so every run still tests DNS, connect and TLS.
		bare.DisableKeepAlives = false
		t.OneConnectionPerRun = true
	}
	if bare != nil && bare.DisableKeepAlives {
		client.Transport = shareTransport(bare, cc, tlsCfg, env)
	}
	return t, nil
}

// clusterAuthorization builds the Authorization header the real agent sends: an API key with
// a colon is the decoded id:api_key form and gets encoded; one without is used as is.
func clusterAuthorization(c *ClusterConfig) (probe.Secret, diagnose.Context) {
	switch {
	case c.APIKey != "":
		key := string(c.APIKey)
		if strings.Contains(key, ":") {
			return probe.Secret("ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))), diagnose.Context{Credentials: diagnose.CredentialsAPIKey}
		}
		return probe.Secret("ApiKey " + key), diagnose.Context{Credentials: diagnose.CredentialsAPIKey, APIKeyEncoded: true}
	case c.Username != "":
		basic := base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + string(c.Password)))
		return probe.Secret("Basic " + basic), diagnose.Context{Credentials: diagnose.CredentialsBasic}
	}
	return "", diagnose.Context{}
}

func joinBase(base, path string) string { return strings.TrimSuffix(base, "/") + path }

// newRedactor holds every secret the configuration sends anywhere, in every form, so that no
// answer echoing a request brings one into the evidence: the cluster's Authorization (the API
// key and the username:password pair decode from it; the id and the username alone are not
// secret), the password and the token as configured, the configured headers that carry a
// credential (probe.CredentialHeader, probe.CredentialShaped), and the proxies' credentials.
func newRedactor(cfg *Config, env probe.Environment) *probe.Redactor {
	auth, _ := clusterAuthorization(&cfg.Cluster)
	s := probe.Secrets{
		Values:         []string{string(cfg.OTLP.Token), string(cfg.Cluster.Password)},
		Authorizations: []string{string(auth)},
		ProxyURLs:      []string{env.HTTPProxy, env.HTTPSProxy},
	}
	for _, cc := range []*confighttp.ClientConfig{&cfg.Cluster.ClientConfig, &cfg.Registration.ClientConfig, &cfg.OTLP.ClientConfig} {
		for name, v := range cc.Headers.Iter {
			s.Headers = append(s.Headers, [2]string{name, string(v)})
		}
		s.ProxyURLs = append(s.ProxyURLs, cc.ProxyURL)
	}
	return probe.NewRedactor(s)
}

// caPEM is what tls.ca_file (or ca_pem) holds, for the subjects the diagnosis may ask for:
// validation has read the file already.
func caPEM(cc *confighttp.ClientConfig, read map[string][]byte) []byte {
	if cc.TLS.CAFile == "" {
		return []byte(cc.TLS.CAPem)
	}
	if raw, ok := read[cc.TLS.CAFile]; ok {
		return raw
	}
	raw, _ := agentconfig.ReadFile(cc.TLS.CAFile, agentconfig.MaxCABundleSize)
	return raw
}

// trailingNewline names the source of the credential sent whose value ends with a newline.
func trailingNewline(r *resolution, c *ClusterConfig) string {
	keys := map[string]string{"cluster.username": c.Username, "cluster.password": string(c.Password)}
	if c.APIKey != "" {
		keys = map[string]string{"cluster.api_key": string(c.APIKey)}
	}
	for _, key := range []string{"cluster.api_key", "cluster.username", "cluster.password"} {
		if v, ok := keys[key]; ok && strings.HasSuffix(v, "\n") {
			return r.sourceOf(key)
		}
	}
	return ""
}
