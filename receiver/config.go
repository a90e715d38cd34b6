package autoopsreceiver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/scraper/scraperhelper"
	"golang.org/x/net/http/httpguts"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// Emit modes of logs.emit.
const (
	EmitOnChange = "on_change"
	EmitEveryRun = "every_run"
)

const (
	defaultClusterEndpoint      = "http://localhost:9200"
	defaultRegistrationEndpoint = "https://api.elastic-cloud.com"
	defaultProbeTimeout         = 10 * time.Second
)

// PublishedRegions lists, per CSP token, the regions where AutoOps runs (autoops-facts.md).
var PublishedRegions = map[string][]string{
	"aws": {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-northeast-1", "ap-southeast-1", "ap-south-1"},
	"gcp": {"europe-west1", "europe-west2", "europe-west3", "europe-west4", "us-central1", "us-east1", "us-east4", "us-west1"},
}

// Config is the configuration of one autoops_probe receiver instance. Keys whose zero value
// is their default are omitempty: the collector keeps every component's marshaled
// configuration while it runs, and a thousand instances' empty keys add up.
type Config struct {
	// The scraperhelper controller's settings, under its keys; held here rather than embedded
	// so that every validation message names the YAML key.
	CollectionInterval time.Duration `mapstructure:"collection_interval"`
	InitialDelay       time.Duration `mapstructure:"initial_delay"`
	// Timeout, when set, ends a whole run; it must outlast every probe's timeout.
	Timeout                       time.Duration `mapstructure:"timeout,omitempty"`
	metadata.MetricsBuilderConfig `mapstructure:",squash"`
	// Events turns the autoops.probe.result log records on or off (documentation.md).
	Events metadata.EventsConfig `mapstructure:"events"`

	// ReportStatus reports failures as component status (RecoverableError). With false the
	// receiver reports OK at start and nothing after: for deployments whose liveness check
	// reads the health endpoint, where a restart would mend no firewall.
	ReportStatus bool `mapstructure:"report_status"`

	Logs LogsConfig `mapstructure:"logs"`
	// Cluster is test 1 of the guide: the agent reaching Elasticsearch.
	Cluster ClusterConfig `mapstructure:"cluster"`
	// Registration is test 2: the Cloud Connect registration API.
	Registration RegistrationConfig `mapstructure:"registration"`
	// OTLP is test 3: the AutoOps OTLP intake.
	OTLP OTLPConfig `mapstructure:"otlp"`

	// AgentConfig is the path of the AutoOps agent's elastic-agent.yml, for a collector that
	// runs beside the agent: the probes then use what the agent connects with, and the mistakes
	// found in the file become warnings of the probe they affect.
	AgentConfig string `mapstructure:"agent_config,omitempty"`
	// AgentEnvironment: the probes take what the agent takes from its variables in this
	// collector's environment, as the agent reads them (AUTOOPS_ES_API_KEY before
	// ELASTICSEARCH_READ_API_KEY, an empty variable counting as unset), as if the agent ran
	// Elastic's sample configuration here. A variable that is set replaces the key it feeds.
	AgentEnvironment bool `mapstructure:"agent_environment,omitempty"`
	// AgentVersion is the AutoOps agent's version (9.2.5), when known: some warnings depend
	// on it. With agent_config or agent_environment and no version given, the probe reads it
	// where the agent's installation records it.
	AgentVersion string `mapstructure:"agent_version,omitempty"`

	// resolved is the agent model and the configuration it gives, built by Validate and
	// reused by Start.
	resolved *resolution
	// agentEnvFiles are the one-shot's --agent-env assignments.
	agentEnvFiles []map[string]string
	// agentEnvFindings are the findings of reading them (systemd's ignored assignments).
	agentEnvFindings []agentconfig.Finding
	// agentEnvWhole: those files are the agent's whole environment.
	agentEnvWhole bool

	// prevent unkeyed literal initialization
	_ struct{}
}

// LogsConfig says when a probe result becomes a log record.
type LogsConfig struct {
	// Emit is on_change (first run and each change of outcome) or every_run.
	Emit string `mapstructure:"emit"`
}

// ClusterConfig configures the Elasticsearch probe.
type ClusterConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
	ProxyURLMask            `mapstructure:",squash"`
	Enabled                 bool `mapstructure:"enabled"`
	// APIKey is "id:api_key" or its base64 form, like AUTOOPS_ES_API_KEY.
	APIKey   configopaque.String `mapstructure:"api_key,omitempty"`
	Username string              `mapstructure:"username,omitempty"`
	Password configopaque.String `mapstructure:"password,omitempty"`
	// CheckPrivileges asks Elasticsearch whether the credentials hold what AutoOps needs.
	CheckPrivileges bool `mapstructure:"check_privileges"`
	// TLSVerificationMode is the agent module's ssl.verification_mode: full (the chain and
	// the host name), certificate (the chain, not the host name) or none (nothing).
	TLSVerificationMode string `mapstructure:"tls_verification_mode"`
	// CATrustedFingerprint is the agent module's ssl.ca_trusted_fingerprint: the hex SHA-256
	// of a CA certificate the server presents, which is then trusted.
	CATrustedFingerprint string `mapstructure:"ca_trusted_fingerprint,omitempty"`
}

// ProxyURLMask holds proxy_url a second time, as an opaque string: confighttp keeps it as a
// plain one, and print-config would show the proxy's password. Both fields read the same
// key; marshaled, this one (later in the struct) wins, so only print-config --mode
// unredacted shows it. The probes use confighttp's.
type ProxyURLMask struct {
	MaskedProxyURL configopaque.String `mapstructure:"proxy_url,omitempty"`
}

// Verification modes of cluster.tls_verification_mode.
const (
	VerifyFull        = "full"
	VerifyCertificate = "certificate"
	VerifyNone        = "none"
)

// RegistrationConfig configures the Elastic Cloud registration probe.
type RegistrationConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
	ProxyURLMask            `mapstructure:",squash"`
	Enabled                 bool `mapstructure:"enabled"`
}

// OTLPConfig configures the AutoOps OTLP intake probe.
type OTLPConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
	ProxyURLMask            `mapstructure:",squash"`
	Enabled                 bool `mapstructure:"enabled"`
	// Region and CSP build the endpoint when Endpoint is empty.
	Region string `mapstructure:"region,omitempty"`
	CSP    string `mapstructure:"csp,omitempty"`
	// Token is the agent's AutoOps token (AUTOOPS_TOKEN): when set, the probe sends it as
	// Elastic's own connectivity check does, and the intake must accept it. It goes to the
	// intake only.
	Token configopaque.String `mapstructure:"token,omitempty"`
	// CheckBatchSize, when set (a size such as 4MiB), makes each run also POST that many
	// incompressible bytes, labelled gzip and without credentials, as the agent's batches
	// are: a box in the path with a smaller body limit refuses them (request_body_too_large).
	CheckBatchSize string `mapstructure:"check_batch_size,omitempty"`
}

var _ component.Config = (*Config)(nil)

func defaultClientConfig(endpoint string) confighttp.ClientConfig {
	cc := confighttp.NewDefaultClientConfig()
	cc.Endpoint = endpoint
	cc.Timeout = defaultProbeTimeout
	// A probe must open a fresh connection each run, or DNS, connect and TLS go untested.
	cc.Keepalive = configoptional.None[confighttp.KeepaliveClientConfig]()
	return cc
}

func createDefaultConfig() component.Config {
	return &Config{
		CollectionInterval:   scraperhelper.NewDefaultControllerConfig().CollectionInterval,
		InitialDelay:         scraperhelper.NewDefaultControllerConfig().InitialDelay,
		MetricsBuilderConfig: metadata.NewDefaultMetricsBuilderConfig(),
		Events:               metadata.DefaultEventsConfig(),
		ReportStatus:         true,
		Logs:                 LogsConfig{Emit: EmitOnChange},
		Cluster: ClusterConfig{
			ClientConfig:        defaultClientConfig(defaultClusterEndpoint),
			Enabled:             true,
			CheckPrivileges:     true,
			TLSVerificationMode: VerifyFull,
		},
		Registration: RegistrationConfig{
			ClientConfig: defaultCloudClientConfig(defaultRegistrationEndpoint),
			Enabled:      true,
		},
		OTLP: OTLPConfig{
			ClientConfig: defaultCloudClientConfig(""),
			Enabled:      true,
		},
	}
}

// defaultCloudClientConfig: a cloud probe trusts the system roots plus its tls.ca_file (say,
// an inspecting proxy's CA), not the file alone as confighttp would by default.
func defaultCloudClientConfig(endpoint string) confighttp.ClientConfig {
	cc := defaultClientConfig(endpoint)
	cc.TLS.IncludeSystemCACertsPool = true
	return cc
}

// Validate reports every problem at once, each naming its YAML key, or the variable or agent
// key that gave the value. It builds the agent model once: Start probes what it validated.
func (cfg *Config) Validate() error {
	cfg.resolved = nil
	r, err := cfg.resolve()
	if err != nil {
		return err
	}
	if err := errors.Join(r.effective.validate(r)...); err != nil {
		return err
	}
	// What the probes connect with is decided here as at start, by the same function.
	_, err = r.planned(context.Background())
	return err
}

func (cfg *Config) validate(r *resolution) []error {
	var errs []error
	if cfg.Logs.Emit != EmitOnChange && cfg.Logs.Emit != EmitEveryRun {
		errs = append(errs, fmt.Errorf("logs.emit: %q is not one of %q, %q", cfg.Logs.Emit, EmitOnChange, EmitEveryRun))
	}
	if r.model != nil {
		// The agent's collector refuses the whole file: nothing of it is probed.
		for _, why := range r.model.Refusals() {
			errs = append(errs, errors.New("agent_config: "+why))
		}
	}
	errs = append(errs, cfg.Cluster.validate(r)...)
	if cfg.Registration.Enabled {
		errs = append(errs, validateBaseURL(r.sourceOf("registration.endpoint"), cfg.Registration.Endpoint))
	}
	errs = append(errs, cfg.OTLP.validate(r)...)
	errs = append(errs, cfg.validateDurations()...)
	errs = append(errs, cfg.validateRunTimeout())
	errs = append(errs, validateFiles(r, "cluster.tls", &cfg.Cluster.ClientConfig), validateFiles(r, "registration.tls", &cfg.Registration.ClientConfig), validateFiles(r, "otlp.tls", &cfg.OTLP.ClientConfig))
	errs = append(errs, validatePEMs(r, "cluster.tls", &cfg.Cluster.ClientConfig), validatePEMs(r, "registration.tls", &cfg.Registration.ClientConfig), validatePEMs(r, "otlp.tls", &cfg.OTLP.ClientConfig))
	errs = append(errs, validateHeaders(r, "cluster.headers", &cfg.Cluster.ClientConfig), validateHeaders(r, "registration.headers", &cfg.Registration.ClientConfig), validateHeaders(r, "otlp.headers", &cfg.OTLP.ClientConfig))
	errs = append(errs,
		validateHeaderValue(r.sourceOf("cluster.api_key"), string(cfg.Cluster.APIKey)),
		validateHeaderValue(r.sourceOf("cluster.username"), cfg.Cluster.Username),
		validateHeaderValue(r.sourceOf("cluster.password"), string(cfg.Cluster.Password)),
		validateHeaderValue(r.sourceOf("otlp.token"), string(cfg.OTLP.Token)))
	errs = append(errs, validateProxyVariables(r)...)
	errs = append(errs,
		validateProxyURL(r.sourceOf("cluster.proxy_url"), cfg.Cluster.ProxyURL),
		validateProxyURL(r.sourceOf("registration.proxy_url"), cfg.Registration.ProxyURL),
		validateProxyURL(r.sourceOf("otlp.proxy_url"), cfg.OTLP.ProxyURL))
	return errs
}

// minInterval: a bare number is read as nanoseconds (collection_interval: 60 is 60ns), which
// would flood the endpoints; nothing needs probing more than once a second.
const minInterval = time.Second

// controllerConfig is what the scraperhelper controller runs on.
func (cfg *Config) controllerConfig() *scraperhelper.ControllerConfig {
	cc := scraperhelper.NewDefaultControllerConfig()
	cc.CollectionInterval, cc.InitialDelay, cc.Timeout = cfg.CollectionInterval, cfg.InitialDelay, cfg.Timeout
	return &cc
}

func (cfg *Config) validateDurations() []error {
	var errs []error
	if cfg.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: %s is negative; leave it unset (no limit on a run) or give a positive duration", cfg.Timeout))
	}
	if cfg.CollectionInterval < minInterval {
		errs = append(errs, fmt.Errorf("collection_interval: %s is below %s; durations need a unit (60s, 5m): a bare number is nanoseconds", cfg.CollectionInterval, minInterval))
	}
	for _, p := range cfg.probeTimeouts() {
		if p.enabled && p.timeout <= 0 {
			errs = append(errs, fmt.Errorf("%s: %s is not a timeout; give a positive duration with a unit, such as 10s", p.key, p.timeout))
		}
	}
	return errs
}

type probeTimeout struct {
	key     string
	enabled bool
	timeout time.Duration
}

func (cfg *Config) probeTimeouts() []probeTimeout {
	return []probeTimeout{
		{"cluster.timeout", cfg.Cluster.Enabled, cfg.Cluster.Timeout},
		{"registration.timeout", cfg.Registration.Enabled, cfg.Registration.Timeout},
		{"otlp.timeout", cfg.OTLP.Enabled, cfg.OTLP.Timeout},
	}
}

// slowProbes names the probe timeouts longer than collection_interval: allowed (a run then
// delays the next tick), but worth a warning at start.
func (cfg *Config) slowProbes() []string {
	var keys []string
	for _, p := range cfg.probeTimeouts() {
		if p.enabled && p.timeout > cfg.CollectionInterval {
			keys = append(keys, fmt.Sprintf("%s (%s)", p.key, p.timeout))
		}
	}
	return keys
}

// validateHeaderValue: a control character cannot go into a header; every run would fail.
// A single newline at the end passes (contract v5): a Kubernetes Secret made from a file has
// one, the agent sends it as part of the credential, and the probe does as the agent does.
func validateHeaderValue(key, value string) error {
	for _, r := range strings.TrimSuffix(value, "\n") {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s: holds a control character (a newline or tab, often from a copied file); it cannot be sent in a header", key)
		}
	}
	return nil
}

// validateRunTimeout: the controller's timeout ends the whole run, and a run cut short has no
// verdict; shorter than a probe's own timeout, it would hide every timeout verdict.
func (cfg *Config) validateRunTimeout() error {
	if cfg.Timeout <= 0 {
		return nil
	}
	for _, p := range cfg.probeTimeouts() {
		if p.enabled && p.timeout >= cfg.Timeout {
			return fmt.Errorf("timeout: %s ends every run before %s (%s) can report a timeout; leave timeout unset or make it longer", cfg.Timeout, p.key, p.timeout)
		}
	}
	return nil
}

// validateProxyURL refuses what confighttp could not parse, before its error (which quotes
// the URL, credentials and all) can reach a log; and schemes neither Go nor the agent speak.
func validateProxyURL(key, raw string) error {
	if raw == "" {
		return nil
	}
	// The value is never quoted: it may hold a password.
	if !strings.Contains(raw, "://") {
		// confighttp reads proxy_url as it is: without a scheme, user:password@ would be taken
		// for one.
		return fmt.Errorf("%s: give the scheme, as in http://proxy.example.com:3128", key)
	}
	if problem := probe.ProxyURLProblem(raw); problem != "" {
		return fmt.Errorf("%s: %s", key, problem)
	}
	u, err := url.ParseRequestURI(raw)
	switch {
	case !strings.Contains(raw, "://"):
		return fmt.Errorf("%s: not an absolute URL: give the scheme, as http://proxy.example.com:3128 (the value is not shown)", key)
	case (err != nil || u.Host == "") && strings.Contains(raw, "@"):
		return fmt.Errorf("%s: not a URL Go can read (the value is not shown): in a username or password, write / as %%2F, @ as %%40, : as %%3A and %% as %%25, as in http://user:pa%%2Fss@proxy.example.com:3128", key)
	case err != nil || u.Host == "":
		return fmt.Errorf("%s: not an absolute URL such as http://proxy.example.com:3128", key)
	}
	if !slices.Contains([]string{"http", "https", "socks5", "socks5h"}, u.Scheme) {
		return fmt.Errorf("%s: scheme %q is not one of http, https, socks5, socks5h", key, u.Scheme)
	}
	return nil
}

// validateProxyVariables: a proxy variable Go would read as another host, or not at all, is
// refused naming the variable (never its value): every request of the collector would take
// the wrong way.
func validateProxyVariables(r *resolution) []error {
	var errs []error
	env := probe.ReadEnvironment(r.lookup)
	for _, v := range []struct{ name, value string }{{env.HTTPSProxyVar, env.HTTPSProxy}, {env.HTTPProxyVar, env.HTTPProxy}} {
		if v.value == "" {
			continue
		}
		if problem := probe.ProxyURLProblem(v.value); problem != "" {
			errs = append(errs, fmt.Errorf("%s: %s", v.name, problem))
		}
	}
	return errs
}

func (c *ClusterConfig) validate(r *resolution) []error {
	var errs []error
	if c.Enabled {
		errs = append(errs, validateBaseURL(r.sourceOf("cluster.endpoint"), c.Endpoint))
	}
	var basic []string
	for key, v := range map[string]string{"cluster.username": c.Username, "cluster.password": string(c.Password)} {
		if v != "" {
			basic = append(basic, r.sourceOf(key))
		}
	}
	slices.Sort(basic)
	if c.APIKey != "" && len(basic) > 0 {
		errs = append(errs, errors.New(agentconfig.BothAuthMessage(r.sourceOf("cluster.api_key"), strings.Join(basic, ", "))))
	}
	if c.Username != "" && c.Password == "" {
		errs = append(errs, fmt.Errorf("cluster.password: must be set when %s is set", r.sourceOf("cluster.username")))
	}
	if c.Password != "" && c.Username == "" {
		errs = append(errs, fmt.Errorf("cluster.username: must be set when %s is set", r.sourceOf("cluster.password")))
	}
	switch c.TLSVerificationMode {
	case VerifyFull, VerifyCertificate, VerifyNone:
	default:
		errs = append(errs, fmt.Errorf("%s: %q is not one of %s, %s, %s", r.sourceOf("cluster.tls_verification_mode"), c.TLSVerificationMode, VerifyFull, VerifyCertificate, VerifyNone))
	}
	if c.CATrustedFingerprint != "" {
		if _, err := parseFingerprint(c.CATrustedFingerprint); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.sourceOf("cluster.ca_trusted_fingerprint"), err))
		}
	}
	return errs
}

func (o *OTLPConfig) validate(r *resolution) []error {
	var errs []error
	if o.CSP != "" && (!dnsLabel.MatchString(o.CSP) || len(o.CSP) > maxLabel) {
		errs = append(errs, fmt.Errorf("otlp.csp: %q cannot be part of a host name (at most 63 lowercase letters, digits and inner dashes; aws or gcp)", o.CSP))
	}
	if o.Region != "" && (!dnsLabel.MatchString(o.Region) || len(o.Region) > maxLabel) {
		errs = append(errs, fmt.Errorf("otlp.region: %q cannot be part of a host name (at most 63 lowercase letters, digits and inner dashes, such as eu-west-1)", o.Region))
	}
	if _, err := parseBatchSize(o.CheckBatchSize); err != nil {
		errs = append(errs, fmt.Errorf("otlp.check_batch_size: %w", err))
	}
	if !o.Enabled {
		return errs
	}
	switch {
	case o.Endpoint != "":
		errs = append(errs, validateBaseURL(r.sourceOf("otlp.endpoint"), o.Endpoint))
	case o.Region == "" || o.CSP == "":
		errs = append(errs, errors.New("otlp.endpoint: set it (like AUTOOPS_OTEL_URL), or set both otlp.region and otlp.csp"))
	}
	return errs
}

// Host name limits (RFC 1035): a longer name fails later as "does not exist".
const (
	maxLabel    = 63
	maxHostName = 253
)

// dnsLabel is what a region or CSP must be to stand in the intake's host name.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// UnknownRegion reports a region or CSP that is well formed but not on the published list:
// regions are published faster than releases, so the probe runs and warns.
func (o *OTLPConfig) UnknownRegion() bool {
	if o.Region == "" && o.CSP == "" {
		return false
	}
	if o.CSP == "" {
		return !slices.Contains(PublishedRegions["aws"], o.Region) && !slices.Contains(PublishedRegions["gcp"], o.Region)
	}
	regions, ok := PublishedRegions[o.CSP]
	return !ok || (o.Region != "" && !slices.Contains(regions, o.Region))
}

// ResolvedEndpoint is the intake base URL: the endpoint, or the one region and CSP name.
func (o *OTLPConfig) ResolvedEndpoint() string {
	if o.Endpoint != "" {
		return o.Endpoint
	}
	return fmt.Sprintf("https://otel-auto-ops.%s.%s.svc.elastic.cloud", o.Region, o.CSP)
}

func validateBaseURL(key, raw string) error {
	if raw == "" {
		return fmt.Errorf(`%s: empty: set it (an unset ${env:...} variable reads as "")`, key)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an absolute http(s) URL", key, scrub.URLWithoutQueryValues(raw))
	}
	if u.User != nil {
		return fmt.Errorf("%s: put credentials in the probe's settings, not in the URL", key)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("%s: %q has a query or fragment; give the base URL only", key, scrub.URLWithoutQueryValues(raw))
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	if len(host) > maxHostName {
		return fmt.Errorf("%s: the host name is %d characters long; at most %d fit in DNS", key, len(host), maxHostName)
	}
	for _, label := range strings.Split(host, ".") {
		if len(label) > maxLabel {
			return fmt.Errorf("%s: the host name label %q is longer than %d characters", key, label[:20]+"...", maxLabel)
		}
	}
	return nil
}

// validateFiles: a TLS file that is missing, unreadable, a directory or no PEM of the right
// kind is refused now, naming the key and the path, not at start with the collector's whole
// pipeline.
func validateFiles(r *resolution, prefix string, cc *confighttp.ClientConfig) error {
	var errs []error
	for _, f := range []struct{ key, path, kind string }{
		{"ca_file", cc.TLS.CAFile, "CERTIFICATE"},
		{"cert_file", cc.TLS.CertFile, "CERTIFICATE"},
		{"key_file", cc.TLS.KeyFile, "PRIVATE KEY"},
	} {
		if f.path == "" {
			continue
		}
		key := r.sourceOf(prefix + "." + f.key)
		shown, ok := pathShown(f.path)
		switch {
		case agentconfig.IsPEM(f.path) || strings.Contains(f.path, "-----BEGIN"):
			pemKey := prefix + "." + strings.TrimSuffix(f.key, "_file") + "_pem"
			errs = append(errs, fmt.Errorf("%s: holds PEM text (%d bytes, not shown), not a path: give PEM text as %s", key, len(f.path), pemKey))
		default:
			_, err := agentconfig.ReadPEMFile(f.path, f.kind)
			switch {
			case err != nil && !ok:
				errs = append(errs, fmt.Errorf("%s: the value (%d bytes, not shown: it does not look like a file path) %w", key, len(f.path), err))
			case err != nil:
				errs = append(errs, fmt.Errorf("%s: %s: %w", key, shown, err))
			}
		}
	}
	return errors.Join(errs...)
}

// validatePEMs: PEM text given in place of a file (ca_pem, cert_pem, key_pem) that holds no
// block of the right kind is refused now, as validateFiles refuses the file. The message
// names the key only: the text may be a private key.
func validatePEMs(r *resolution, prefix string, cc *confighttp.ClientConfig) error {
	var errs []error
	for _, f := range []struct {
		key  string
		text configopaque.String
		kind string
	}{
		{"ca_pem", cc.TLS.CAPem, "CERTIFICATE"},
		{"cert_pem", cc.TLS.CertPem, "CERTIFICATE"},
		{"key_pem", cc.TLS.KeyPem, "PRIVATE KEY"},
	} {
		if f.text == "" {
			continue
		}
		if err := agentconfig.PEMText(string(f.text), f.kind); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.sourceOf(prefix+"."+f.key), err))
		}
	}
	return errors.Join(errs...)
}

// validateHeaders: net/http refuses to send a header whose name is not an HTTP token or whose
// value holds a control character, so every run would fail as _OTHER. The message names the
// header, never its value (it may be a credential).
func validateHeaders(r *resolution, prefix string, cc *confighttp.ClientConfig) error {
	var errs []error
	for name, value := range cc.Headers.Iter {
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			errs = append(errs, fmt.Errorf("%s: %q is not a valid header name (letters, digits and !#$%%&'*+-.^_`|~ only: no spaces, colons or control characters)", r.sourceOf(prefix), name))
		case !httpguts.ValidHeaderFieldValue(string(value)):
			errs = append(errs, fmt.Errorf("%s: the value holds a control character (a newline, often from a copied file); it cannot be sent in a header", r.sourceOf(prefix+"."+name)))
		}
	}
	return errors.Join(errs...)
}

// pathShown: a file key's value is quoted in a message only when it looks like a path, so that
// key material given where a path goes (PEM text through ${env:...}, a key's base64, the
// agent's ssl.key) is never printed: one line without control characters, at most PATH_MAX
// bytes and NAME_MAX per part, rooted (/, ./, ../, ~, C:\) or holding a dot (an extension).
// Base64 has no dot, and DER keys' base64 starts with "MI".
func pathShown(v string) (string, bool) {
	if v == "" || len(v) > 4096 || strings.ContainsFunc(v, unicode.IsControl) {
		return "", false
	}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == '/' || r == '\\' }) {
		if len(part) > 255 {
			return "", false
		}
	}
	rooted := strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, "~") ||
		len(v) > 2 && v[1] == ':' && (v[2] == '\\' || v[2] == '/')
	if !rooted && !strings.Contains(v, ".") {
		return "", false
	}
	return v, true
}
