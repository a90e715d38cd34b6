package autoopsreceiver

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// check is one enabled probe: where it goes and what its diagnosis needs to know.
type check struct {
	target  *probe.Target
	context diagnose.Context
	// settingsFrom names the agent variables that supplied the probe's settings.
	settingsFrom []string
	// lastSilence is the instance's memory of the previous run: how long it stayed silent
	// before its connection was closed without an answer (diagnose.ClosedSilence).
	lastSilence time.Duration
}

// detectContainer is a variable so tests can place the collector inside or outside a container.
var detectContainer = probe.DetectContainer

// buildChecks turns the plans of the last resolution into probe targets: each plan gets the
// client that executes it (confighttp's, so that proxy_url, tls, headers and auth apply as
// for any component, or the agent module's own).
func buildChecks(ctx context.Context, host component.Host, set component.TelemetrySettings, cfg *Config) ([]check, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	plans, err := r.planned(ctx)
	if err != nil {
		return nil, err
	}
	// The targets hold their plans from here: the resolution need not keep a second copy
	// for the collector's whole run (a reload validates, and so plans, again).
	r.plans = nil
	inContainer := detectContainer()
	redactor := newRedactor(r.effective, probe.ReadEnvironment(r.lookup), plans)
	checks := make([]check, 0, len(plans))
	for i := range plans {
		p := &plans[i]
		t, err := newTarget(ctx, host, set, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		t.InContainer, t.Redactor = inContainer, redactor
		checks = append(checks, check{target: t, context: p.context, settingsFrom: p.settingsFrom})
	}
	return checks, nil
}

// newTarget builds the client that executes p.
func newTarget(ctx context.Context, host component.Host, set component.TelemetrySettings, p *probePlan) (*probe.Target, error) {
	t := &probe.Target{Plan: p.Plan}
	if p.cc == nil {
		t.Client = moduleClient(&t.Plan)
		t.OneConnectionPerRun = true
		return t, nil
	}
	cc := p.cc
	client, bare, err := probeClient(ctx, host, set, cc, p.TLS)
	if err != nil {
		return nil, err
	}
	probe.StopAtRedirects(client)
	t.Client = client
	if bare != nil && cc.ProxyURL == "" {
		// The proxy variables of the agent's environment (its env files too), where net/http
		// would read this process's once.
		proxy := t.ProxyFunc()
		bare.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	}
	if p.Name == probe.Cluster && bare != nil && !cc.Keepalive.HasValue() {
		// The cluster probe's follow-up requests reuse the run's one connection; the probe
		// closes it when the run ends, so every run still tests DNS, connect and TLS.
		bare.DisableKeepAlives = false
		t.OneConnectionPerRun = true
	}
	if bare != nil && bare.DisableKeepAlives {
		client.Transport = shareTransport(bare, cc, p.TLS, p.Env)
	} else if bare == nil && p.TLS.InsecureSkipVerify && !cc.TLS.InsecureSkipVerify {
		// confighttp loads its own TLS settings for a wrapped transport: the plan's check
		// cannot go in.
		return nil, errors.New("tls_verification_mode and ca_trusted_fingerprint cannot be combined with headers, auth or compression settings that wrap the transport")
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
// credential (scrub.CredentialHeader, scrub.CredentialShaped), and the proxies' credentials.
func newRedactor(cfg *Config, env probe.Environment, plans []probePlan) *probe.Redactor {
	auth, _ := clusterAuthorization(&cfg.Cluster)
	s := probe.Secrets{
		Values:         []string{string(cfg.OTLP.Token), string(cfg.Cluster.Password)},
		Authorizations: []string{string(auth)},
		ProxyURLs:      []string{env.HTTPProxy, env.HTTPSProxy},
	}
	for _, p := range plans {
		// The agent module's headers and bearer token are its secrets too.
		s.Authorizations = append(s.Authorizations, string(p.Authorization))
		for name, values := range p.Header {
			for _, v := range values {
				s.Headers = append(s.Headers, [2]string{name, v})
			}
		}
		for name, values := range p.ProxyHeaders {
			for _, v := range values {
				s.Headers = append(s.Headers, [2]string{name, v})
			}
		}
		if p.Route.Proxy != nil {
			s.ProxyURLs = append(s.ProxyURLs, p.Route.Proxy.String())
		}
	}
	for _, cc := range []*confighttp.ClientConfig{&cfg.Cluster.ClientConfig, &cfg.Registration.ClientConfig, &cfg.OTLP.ClientConfig} {
		for name, v := range cc.Headers.Iter {
			s.Headers = append(s.Headers, [2]string{name, string(v)})
		}
		s.ProxyURLs = append(s.ProxyURLs, cc.ProxyURL)
	}
	return sharedRedactor(s)
}

// redactors holds one Redactor per distinct set of secrets, keyed by their sha256: instances
// sending the same credentials share its expanded forms (a few KiB each) instead of each
// building its own. A Redactor is not changed after NewRedactor.
var redactors sharedByHash[*probe.Redactor]

func sharedRedactor(s probe.Secrets) *probe.Redactor {
	h := sha256.New()
	field := func(v string) { _, _ = fmt.Fprintf(h, "%d:%s", len(v), v) }
	for _, list := range [][]string{s.Values, s.Authorizations, s.ProxyURLs} {
		for _, v := range list {
			field(v)
		}
		_, _ = h.Write([]byte{0xff}) // no length prefix starts with it
	}
	for _, kv := range s.Headers {
		field(kv[0])
		field(kv[1])
	}
	return redactors.get([sha256.Size]byte(h.Sum(nil)), func() *probe.Redactor { return probe.NewRedactor(s) })
}

// sharedByHash is a process-wide map of values by the sha256 of what makes them, for
// instances to share. Past maxShared values it starts again, so that a collector reloading
// rotated credentials or CAs for months does not keep every old one: an instance keeps what
// it took, only sharing pauses.
type sharedByHash[V any] struct {
	mu     sync.Mutex
	values map[[sha256.Size]byte]V
}

const maxShared = 256

func (c *sharedByHash[V]) get(key [sha256.Size]byte, build func() V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.values[key]; ok {
		return v
	}
	if c.values == nil || len(c.values) >= maxShared {
		c.values = map[[sha256.Size]byte]V{}
	}
	v := build()
	c.values[key] = v
	return v
}

// caPEM is what tls.ca_file (or ca_pem) holds, for the subjects the diagnosis may ask for:
// caFile is the file's text as tlsKeyOf read it, not read again. One copy per distinct text
// in the process (sharedPEM).
func caPEM(cc *confighttp.ClientConfig, caFile []byte) []byte {
	if cc.TLS.CAFile == "" {
		return sharedPEM([]byte(cc.TLS.CAPem))
	}
	return sharedPEM(caFile)
}

// pemTexts holds each distinct CA text the probes keep, as tlsConfigs holds each distinct TLS
// setting: a thousand instances naming one CA file keep one copy of it, not three thousand
// (the text is only read, for CASubjects).
var pemTexts sharedByHash[[]byte]

func sharedPEM(raw []byte) []byte {
	if len(raw) == 0 {
		return raw
	}
	return pemTexts.get(sha256.Sum256(raw), func() []byte { return raw })
}

// trailingNewline names the source of the credential sent whose value ends with a newline.
func trailingNewline(r *resolution, c *ClusterConfig) string {
	// An API key is sent alone; otherwise the username, then the password.
	switch {
	case c.APIKey != "":
		if strings.HasSuffix(string(c.APIKey), "\n") {
			return r.sourceOf("cluster.api_key")
		}
	case strings.HasSuffix(c.Username, "\n"):
		return r.sourceOf("cluster.username")
	case strings.HasSuffix(string(c.Password), "\n"):
		return r.sourceOf("cluster.password")
	}
	return ""
}
