package autoopsreceiver

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"net/http"
	"reflect"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configtls"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// tlsConfigs holds one loaded TLS configuration per distinct tls setting in the process:
// every probe and instance naming the same ca_file (and the rest) shares its trust roots
// instead of loading, and copying, them again.
var tlsConfigs sync.Map // tlsKey → *tls.Config

// loadSharedTLS returns the process's TLS configuration for settings, loading it on first use.
// include_system_ca_certs_pool without a CA of its own is the system roots themselves: nil
// RootCAs uses Go's one process-wide pool, where configtls would copy it per probe.
func loadSharedTLS(ctx context.Context, settings configtls.ClientConfig) (*tls.Config, error) {
	cfg, _, err := loadSharedTLSWithCA(ctx, settings)
	return cfg, err
}

// loadSharedTLSWithCA is loadSharedTLS that also returns what ca_file held when the key was
// made (nil without one, or unreadable): the planner keeps that text rather than read it again.
func loadSharedTLSWithCA(ctx context.Context, settings configtls.ClientConfig) (*tls.Config, []byte, error) {
	if settings.CAFile == "" && settings.CAPem == "" {
		settings.IncludeSystemCACertsPool = false
	}
	key, ca := tlsKeyOf(&settings)
	if cfg, ok := tlsConfigs.Load(key); ok {
		return cfg.(*tls.Config), ca, nil
	}
	// A failure is not kept: the file may be there when the collector next starts the probe.
	cfg, err := settings.LoadTLSConfig(ctx)
	if err != nil {
		return nil, nil, err
	}
	shared, _ := tlsConfigs.LoadOrStore(key, cfg)
	return shared.(*tls.Config), ca, nil
}

// tlsKey identifies a tls setting, and the content of each file it names (a CA rotated in
// place with the same size and time is another setting), without keeping its secrets (PEM
// keys, TPM passwords) in the process's map. A test checks that it reads every field configtls
// has.
func tlsKey(c *configtls.ClientConfig) string {
	key, _ := tlsKeyOf(c)
	return key
}

// tlsKeyOf is tlsKey, with the ca_file text it read (nil without one, or unreadable).
func tlsKeyOf(c *configtls.ClientConfig) (key string, ca []byte) {
	h := sha256.New()
	for i, f := range []string{c.CAFile, c.CertFile, c.KeyFile} {
		if f == "" {
			continue
		}
		if raw, err := agentconfig.ReadFile(f, agentconfig.MaxCABundleSize); err == nil {
			_, _ = h.Write(raw)
			_, _ = h.Write([]byte{0})
			if i == 0 {
				ca = raw
			}
		}
	}
	_, _ = fmt.Fprintf(h, "%t|%t|%q|%q|%q|%q|%q|%q|%q|%q|%q|%q|%t|%q|%t|%s|%t|%q|%q|%q",
		c.Insecure, c.InsecureSkipVerify, c.ServerName,
		c.CAFile, string(c.CAPem), c.CertFile, string(c.CertPem), c.KeyFile, string(c.KeyPem),
		c.MinVersion, c.MaxVersion, c.CipherSuites, c.IncludeInsecureCipherSuites, c.CurvePreferences,
		c.IncludeSystemCACertsPool, c.ReloadInterval,
		c.TPMConfig.Enabled, c.TPMConfig.Path, c.TPMConfig.Auth, c.TPMConfig.OwnerAuth)
	return string(h.Sum(nil)), ca
}

// maxResponseHeaderBytes bounds the headers of every answer the probes' clients read.
const maxResponseHeaderBytes = 256 << 10

// probeClient builds a probe's client with confighttp (proxy, headers, auth, timeouts as for
// any component), with tlsCfg shared rather than loaded again. The probes send exactly the
// guide's requests, so no otelhttp instrumentation (spans, trace headers) wraps them.
// bare reports that the client's transport is net/http's own, which the probe may tune.
func probeClient(ctx context.Context, host component.Host, set component.TelemetrySettings, cc *confighttp.ClientConfig, tlsCfg *tls.Config) (client *http.Client, bare *http.Transport, err error) {
	settings := component.TelemetrySettings{Logger: set.Logger}
	light := *cc
	light.TLS = configtls.ClientConfig{} // nothing to load: the shared configuration goes in below
	client, err = light.ToClient(ctx, host.GetExtensions(), settings)
	if err != nil {
		return nil, nil, err
	}
	if tr, ok := client.Transport.(*http.Transport); ok {
		// A clone per transport: net/http adds "h2" to the NextProtos of the one it holds.
		tr.TLSClientConfig = tlsCfg.Clone()
		// Go's default (10 MB) lets a flooding proxy or server grow each run's memory by as
		// much; no answer the probes expect has headers near this.
		tr.MaxResponseHeaderBytes = maxResponseHeaderBytes
		return client, tr, nil
	}
	// Headers, auth, compression or middlewares wrap the transport where the TLS settings
	// cannot be handed in: confighttp loads them itself.
	client, err = cc.ToClient(ctx, host.GetExtensions(), settings)
	return client, nil, err
}

// transports holds the transports of probes that open a fresh connection for every request
// (keep-alive off: the cloud probes, by default). Such a transport keeps no connection
// between requests, so every probe in the process with the same settings can use one: a
// thousand instances keep a few transports (and their HTTP/2 pools), not two thousand.
var transports struct {
	sync.Mutex
	shared []sharedTransport
}

type sharedTransport struct {
	settings confighttp.ClientConfig // without endpoint and timeout, which are not the transport's
	tls      *tls.Config             // the process's one configuration for those tls settings
	env      probe.Environment       // the proxy variables the transport's Proxy reads
	tr       *http.Transport
}

// shareTransport returns the transport of a probe with the same settings, or makes tr that
// transport.
func shareTransport(tr *http.Transport, cc *confighttp.ClientConfig, tlsCfg *tls.Config, env probe.Environment) *http.Transport {
	settings := *cc
	settings.Endpoint, settings.Timeout = "", 0
	transports.Lock()
	defer transports.Unlock()
	for _, s := range transports.shared {
		if s.tls == tlsCfg && reflect.DeepEqual(s.env, env) && reflect.DeepEqual(s.settings, settings) {
			return s.tr
		}
	}
	transports.shared = append(transports.shared, sharedTransport{settings: settings, tls: tlsCfg, env: env, tr: tr})
	return tr
}
