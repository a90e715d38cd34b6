package autoopsreceiver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// probePlan is one probe's plan, with what building its client at start needs.
type probePlan struct {
	probe.Plan
	// cc are confighttp's settings for a probe whose client confighttp builds (the
	// receiver's own keys, the agent's exporter); nil for the agent module's own client.
	cc      *confighttp.ClientConfig
	context diagnose.Context
	// settingsFrom names the agent variables that supplied the probe's settings.
	settingsFrom []string
}

// fileAccess is how planning reads files: bounded, regular files only.
type fileAccess struct {
	read probe.FileReader
	list probe.DirLister
}

var hostFiles = fileAccess{
	read: func(path string) ([]byte, error) { return agentconfig.ReadFile(path, agentconfig.MaxCABundleSize) },
	list: listDir,
}

// planProbes is the one decision of what each enabled probe connects with, from the
// configuration, the agent model and the environment they give: Validate and Start both
// call it (through resolution.plans), and the probes only execute its plans.
func planProbes(ctx context.Context, r *resolution, files fileAccess) ([]probePlan, error) {
	cfg := r.effective
	env := probe.ReadEnvironment(r.lookup)
	from, warnings := r.perProbe()
	system := probe.SystemRoots{Source: probe.RootsSystem}
	if r.model != nil {
		// The agent's environment may move Go's roots (SSL_CERT_FILE, SSL_CERT_DIR).
		system = probe.BuildSystemRoots(r.lookup, files.read, files.list)
	}
	var plans []probePlan
	add := func(p probePlan, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		p.context.AgentFindings = warnings[string(p.Name)]
		if p.Name == probe.Cluster {
			p.context.AgentRefusesLicenseType = r.version.RefusesLicenseTypes()
			p.context.CredentialTrailingNewline = trailingNewline(r, &cfg.Cluster)
		}
		p.settingsFrom = from[string(p.Name)]
		plans = append(plans, p)
		return nil
	}
	if c := &cfg.Cluster; c.Enabled {
		if r.model != nil && r.model.Cluster.Endpoint.Set() {
			// The module's CAs are one bundle for all its hosts: joined once.
			cas := sharedPEM(caPEMOf(r.model.Cluster.CAs))
			for _, host := range moduleHosts(&r.model.Cluster, c.Endpoint) {
				if err := add(planModule(r, host, env, system, cas, files)); err != nil {
					return nil, err
				}
			}
		} else if err := add(planCluster(ctx, c, env)); err != nil {
			return nil, err
		}
	}
	if rc := &cfg.Registration; rc.Enabled {
		regURL := joinBase(rc.Endpoint, probe.RegistrationPath)
		if r.model != nil {
			// The agent concatenates: a trailing / in the variable gives "//api/...".
			regURL = rc.Endpoint + probe.RegistrationPath
		}
		p, err := planConfighttp(ctx, probe.Registration, &rc.ClientConfig, regURL, env)
		p.context = diagnose.Context{AsAgentRegisters: cfg.agentMode()}
		if err == nil && r.model != nil {
			// Go's default client: the system roots of the agent's environment.
			useSystemRoots(&p.Plan, system)
			p.Agent = true
		}
		if err := add(p, err); err != nil {
			return nil, err
		}
	}
	if o := &cfg.OTLP; o.Enabled {
		p, err := planConfighttp(ctx, probe.OTLP, &o.ClientConfig, joinBase(o.ResolvedEndpoint(), probe.OTLPPath), env)
		p.context = diagnose.Context{UnknownRegion: o.Endpoint == "" && o.UnknownRegion()}
		p.Token = probe.Secret(o.Token)
		p.BatchSize, _ = parseBatchSize(o.CheckBatchSize) // validated
		if err == nil && r.model != nil {
			exporterTrust(&p.Plan, &r.model.OTLP, system)
			p.Agent = true
		}
		if err := add(p, err); err != nil {
			return nil, err
		}
	}
	return plans, nil
}

// planConfighttp plans a probe whose client confighttp builds: its TLS configuration is the
// one configtls loads (shared by every probe with the same settings).
func planConfighttp(ctx context.Context, name probe.Name, cc *confighttp.ClientConfig, rawURL string, env probe.Environment) (probePlan, error) {
	p := probePlan{Plan: probe.Plan{Name: name, Timeout: cc.Timeout, Env: env}, cc: cc}
	u, err := url.Parse(rawURL)
	if err != nil {
		return p, fmt.Errorf("endpoint: %w", err)
	}
	p.URL = u
	tlsCfg, caFile, err := loadSharedTLSWithCA(ctx, cc.TLS)
	if err != nil {
		return p, fmt.Errorf("tls: %w", err)
	}
	p.TLS = tlsCfg
	var fixed *url.URL
	if cc.ProxyURL != "" {
		if fixed, err = url.ParseRequestURI(cc.ProxyURL); err != nil {
			return p, fmt.Errorf("proxy_url: %w", err)
		}
	}
	p.Route = probe.RouteFor(u, fixed, env)
	p.Trust = probe.Trust{Source: probe.RootsSystem}
	if cc.TLS.CAFile != "" || cc.TLS.CAPem != "" {
		p.Trust = probe.Trust{Source: probe.RootsCAFile, CustomCA: true, CAPEM: caPEM(cc, caFile), WithSystem: cc.TLS.IncludeSystemCACertsPool}
	}
	return p, nil
}

// planCluster is the cluster probe of the receiver's own keys: Go's strict check unless
// cluster.tls_verification_mode says otherwise.
func planCluster(ctx context.Context, c *ClusterConfig, env probe.Environment) (probePlan, error) {
	p, err := planConfighttp(ctx, probe.Cluster, &c.ClientConfig, c.Endpoint, env)
	if err != nil {
		return p, err
	}
	auth, dc := clusterAuthorization(c)
	p.context = dc
	p.Authorization, p.CheckPrivileges = auth, c.CheckPrivileges
	fp, _ := parseFingerprint(c.CATrustedFingerprint) // validated
	host := p.URL.Hostname()
	if p.TLS.ServerName != "" {
		host = p.TLS.ServerName
	}
	p.Verify = probe.Verification{Mode: c.TLSVerificationMode, Host: host, Fingerprint: fp, Roots: p.TLS.RootCAs}
	if fp != nil && p.Trust.Source == probe.RootsSystem {
		p.Trust.Source = probe.RootsTrustedFingerprint
	}
	p.TLS = p.Verify.Apply(p.TLS)
	return p, nil
}

// useSystemRoots: the probe trusts the copied environment's system roots only.
func useSystemRoots(p *probe.Plan, system probe.SystemRoots) {
	p.Trust = probe.Trust{Source: system.Source, System: &system}
	if system.Pool != nil {
		cfg := p.TLS.Clone()
		cfg.RootCAs = system.Pool
		p.TLS = cfg
	}
}

// exporterTrust is the agent's exporter: configtls, where tls.ca_file (or ca_pem) replaces the
// system roots unless include_system_ca_certs_pool is true.
func exporterTrust(p *probe.Plan, o *agentconfig.OTLP, system probe.SystemRoots) {
	if !o.CAFile.Set() && !o.CAPEM.Set() {
		useSystemRoots(p, system)
		return
	}
	p.Trust.Source, p.Trust.WithSystem = probe.RootsCAFile, o.IncludeSystemCAs
	p.Trust.System = &system
	roots := x509.NewCertPool()
	if o.IncludeSystemCAs {
		sys, _ := p.Trust.SystemPool()
		if sys != nil {
			roots = sys.Clone()
		}
	}
	roots.AppendCertsFromPEM(p.Trust.CAPEM)
	cfg := p.TLS.Clone()
	cfg.RootCAs = roots
	p.TLS = cfg
}

// moduleHosts are the module's hosts as URLs (the first is the model's endpoint, with its
// credentials moved out), each with the agent's default scheme.
func moduleHosts(c *agentconfig.Cluster, first string) []string {
	hosts := []string{first}
	for _, h := range c.Client.Hosts[min(1, len(c.Client.Hosts)):] {
		hosts = append(hosts, agentconfig.HostURL(h.V))
	}
	return hosts
}

// planModule is the cluster probe as the agent's autoops_es module connects: tlscommon's
// checks, its trust, its dialer and HTTP client (contract v5). cas is the module's CAs as
// one bundle (caPEMOf).
func planModule(r *resolution, host string, env probe.Environment, system probe.SystemRoots, cas []byte, files fileAccess) (probePlan, error) {
	c, mc := &r.effective.Cluster, &r.model.Cluster
	p := probePlan{Plan: probe.Plan{
		Name: probe.Cluster, Timeout: c.Timeout, Env: env, Agent: true, AgentModule: true,
		AgentPaths: true, CheckPrivileges: c.CheckPrivileges,
	}}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" {
		return p, fmt.Errorf("%s: %q is not a URL the agent can use", mc.Endpoint.From, probe.RedactURL(host))
	}
	p.URL = u
	auth, dc := clusterAuthorization(c)
	p.context, p.Authorization = dc, auth
	if err := moduleTimeouts(&p.Plan, &mc.Client, c.Timeout); err != nil {
		return p, err
	}
	p.Route = moduleRoute(u, mc, env)
	if err := moduleHeaders(&p.Plan, mc, r.version, files); err != nil {
		return p, err
	}
	if err := moduleTLS(&p.Plan, mc, system, cas, files); err != nil {
		return p, err
	}
	return p, nil
}

// moduleRoute: proxy_disable ignores every proxy; proxy_url proxies every request (loopback
// included); otherwise the environment's, as Go reads it.
func moduleRoute(u *url.URL, mc *agentconfig.Cluster, env probe.Environment) probe.Route {
	if strings.EqualFold(mc.Client.ProxyDisable.V, "true") {
		return probe.Route{Source: probe.SourceProxyDisable}
	}
	var fixed *url.URL
	if mc.Proxy.Set() {
		fixed, _ = url.ParseRequestURI(mc.Proxy.V) // validated
	}
	return probe.RouteFor(u, fixed, env)
}

// caPEMOf joins the module's CAs as one bundle.
func caPEMOf(cas []agentconfig.CA) []byte {
	var pem []byte
	for _, ca := range cas {
		pem = append(pem, ca.PEM...)
		pem = append(pem, '\n')
	}
	return pem
}

// clientTLS is the base TLS configuration of the module's client before its verification.
func clientTLS(mc *agentconfig.Cluster, files fileAccess) (*tls.Config, []string, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13}
	var limits []string
	if v := mc.Client.SupportedProtocols; len(v) > 0 {
		lo, hi, err := supportedProtocols(v)
		if err != nil {
			return nil, nil, err
		}
		cfg.MinVersion, cfg.MaxVersion = lo, hi
		limits = append(limits, "ssl.supported_protocols")
	}
	if v := mc.Client.CipherSuites; len(v) > 0 {
		suites, err := cipherSuites(v)
		if err != nil {
			return nil, nil, err
		}
		cfg.CipherSuites = suites
		limits = append(limits, "ssl.cipher_suites")
	}
	if v := mc.Client.CurveTypes; len(v) > 0 {
		curves, err := curvePreferences(v)
		if err != nil {
			return nil, nil, err
		}
		cfg.CurvePreferences = curves
		limits = append(limits, "ssl.curve_types")
	}
	if mc.ClientCert.Set() || mc.ClientKey.Set() {
		cert, err := moduleKeyPair(mc, files)
		if err != nil {
			return nil, nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, limits, nil
}

// moduleTLS: tlscommon's verification, decided once: the chain against the module's CAs (the
// system roots without), then the host, unless a proxy carries the request (the agent's TLS
// configuration then has no host). No ssl block, or ssl.enabled: false, is tlscommon's
// default check going direct and Go's own through a proxy.
func moduleTLS(p *probe.Plan, mc *agentconfig.Cluster, system probe.SystemRoots, cas []byte, files fileAccess) error {
	viaProxy := p.Route.Proxy != nil
	p.Trust = probe.Trust{Source: system.Source, System: &system}
	p.SSLDisabled = mc.Client.SSLDisabled()
	if !mc.Client.SSLConfigured || p.SSLDisabled {
		p.TLS = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: system.Pool}
		p.Verify = probe.Verification{Mode: probe.VerifyFull, Agent: !viaProxy, Host: p.URL.Hostname(), Roots: system.Pool}
		p.TLS = p.Verify.Apply(p.TLS)
		return nil
	}
	base, limits, err := clientTLS(mc, files)
	if err != nil {
		return err
	}
	p.TLSSettings = limits
	roots := system.Pool
	if len(mc.CAs) > 0 {
		roots = x509.NewCertPool()
		roots.AppendCertsFromPEM(cas)
		p.Trust = probe.Trust{Source: probe.RootsModuleCAs, CustomCA: true, CAPEM: cas, System: &system}
	}
	base.RootCAs = roots
	mode := mc.VerificationMode.V
	if mode == "" {
		mode = probe.VerifyFull
	}
	v := probe.Verification{Mode: mode, Agent: mode == probe.VerifyFull || mode == probe.VerifyCertificate, Roots: roots}
	if !viaProxy {
		v.Host = p.URL.Hostname()
	}
	if mode == probe.VerifyStrict {
		v.Host = p.URL.Hostname()
	}
	if mode != probe.VerifyStrict && mc.CATrustedFingerprint.Set() {
		v.Fingerprint, _ = parseFingerprint(mc.CATrustedFingerprint.V)
		if len(mc.CAs) == 0 {
			p.Trust.Source = probe.RootsTrustedFingerprint
		}
	}
	for _, pin := range mc.Client.CASHA256 {
		b, err := probe.ParsePin(pin.V)
		if err != nil {
			return fmt.Errorf("%s: %w", pin.From, err)
		}
		v.Pins = append(v.Pins, b)
	}
	p.Verify = v
	p.TLS = v.Apply(base)
	return nil
}
