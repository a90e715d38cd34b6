package agentconfig

import (
	"fmt"
	"slices"
	"strings"
)

// Inputs are everything the model reads. Nothing else is consulted: no process environment,
// no file system but through ReadFile, and nothing is changed.
type Inputs struct {
	// Environ looks a variable up in the process environment (os.LookupEnv).
	Environ Lookup
	// EnvFiles are the agent's env files, read with ParseEnvFile: a later file wins over an
	// earlier one, and every file over Environ.
	EnvFiles []map[string]string
	// EnvFindings are the findings of reading the env files (systemd's ignored assignments).
	EnvFindings []Finding
	// WholeEnvironment: the env files are the agent's whole environment (its service's
	// drop-ins, a docker env dump), so a variable missing there is missing for the agent.
	// Elsewhere (a deployment beside the agent, which is never given the registration key)
	// the absence of ELASTIC_CLOUD_CONNECTED_MODE_API_KEY says nothing.
	WholeEnvironment bool
	// ConfigPath is the agent's elastic-agent.yml; "" models the agent as Elastic's sample
	// runs it, from its variables alone.
	ConfigPath string
	// Version is the agent's version, when known.
	Version Version
	// ReadFile reads a file (when nil, the bounded ReadFile of this package: a regular file
	// only, at most MaxFileSize for the configuration and MaxCABundleSize for a CA).
	ReadFile func(path string) ([]byte, error)
}

// Value is one setting with where it came from: a variable's name, a key path of the agent's
// configuration file, or "" when nothing set it.
type Value struct {
	V    string
	From string
}

// Set reports whether anything gave the setting a value.
func (v Value) Set() bool { return v.V != "" }

// CA is one certificate authority the agent's module trusts: a file or PEM text.
type CA struct {
	PEM []byte
	// Path is the file it was read from; "" for PEM text given inline.
	Path string
	From string
}

// Model is what the agent connects with, for each of the three probes, with the source of
// every value and the findings about how it is configured.
type Model struct {
	Cluster      Cluster
	Registration Registration
	OTLP         OTLP
	// Lookup is the environment the agent sees: its env files over the process environment.
	// The probes read their proxy variables from it.
	Lookup   Lookup
	Version  Version
	Findings []Finding
	// FromFile: the model was built from the agent's configuration file.
	FromFile bool
	// wholeEnvironment is Inputs.WholeEnvironment.
	wholeEnvironment bool
}

// Cluster is what the agent's autoops_es module connects to the cluster with.
type Cluster struct {
	Endpoint                   Value
	APIKey, Username, Password Value
	CAs                        []CA
	// VerificationMode is full, strict, certificate or none ("" reads as full).
	VerificationMode      Value
	CATrustedFingerprint  Value
	ClientCert, ClientKey Value
	Proxy                 Value
	// Client is the rest of what the module's client reads (contract v5).
	Client ModuleClient
}

// Registration is how the agent registers: through Go's default client, with the proxy from
// the environment and the system's roots; only the base URL is configurable.
type Registration struct {
	Endpoint Value
	// APIKey is ELASTIC_CLOUD_CONNECTED_MODE_API_KEY, else the first module's ccm.api_key:
	// without it the agent makes no registration call.
	APIKey Value
	// SkippedBy is the first of DEPLOYMENT_ID, PROJECT_ID, RESOURCE_ID that is set: the agent
	// then skips registration ("" when none is).
	SkippedBy string
}

// OTLP is the agent's OTLP/HTTP exporter.
type OTLP struct {
	Endpoint, Token           Value
	CAFile, CertFile, KeyFile Value
	InsecureSkipVerify        bool
	Proxy                     Value
	// CAPEM is tls.ca_pem; IncludeSystemCAs is tls.include_system_ca_certs_pool.
	CAPEM            Value
	IncludeSystemCAs bool
}

// Resolve builds the model from its inputs. An error means the agent's configuration file
// cannot be used at all (missing, not YAML, not the agent's shape); everything else is a
// finding, and the model holds what could be derived.
func Resolve(in Inputs) (*Model, error) {
	read := ReadFile
	if in.ReadFile != nil {
		read = func(path string, _ int64) ([]byte, error) { return in.ReadFile(path) }
	}
	if in.Environ == nil {
		in.Environ = func(string) (string, bool) { return "", false }
	}
	m := &Model{Lookup: layered(in.EnvFiles, in.Environ), Version: in.Version, wholeEnvironment: in.WholeEnvironment}
	d := &deriver{lookup: m.Lookup, read: read}
	d.findings = append(d.findings, in.EnvFindings...)
	m.Registration.Endpoint = Value{DefaultRegistrationURL, ""}
	if v := d.variable(namesOf("registration.endpoint")...); v.Set() {
		m.Registration.Endpoint = v
	}
	if in.ConfigPath == "" {
		d.fromVariables(m)
	} else {
		m.FromFile = true
		if err := d.fromFile(m, in.ConfigPath); err != nil {
			return nil, err
		}
	}
	d.credentialsFromVariables(&m.Cluster)
	d.registration(&m.Registration)
	if c := &m.Cluster; c.APIKey.Set() && (c.Username.Set() || c.Password.Set()) {
		d.find(BothAuth, bothAuthKey(c), "%s", BothAuthMessage(c.APIKey.From, basicFrom(c)))
	}
	d.trailingNewlines(m)
	m.Findings = Sorted(d.findings)
	return m, nil
}

// layered: later env files win over earlier ones, and every file over the environment.
func layered(files []map[string]string, environ Lookup) Lookup {
	return func(name string) (string, bool) {
		for i := len(files) - 1; i >= 0; i-- {
			if v, ok := files[i][name]; ok {
				return v, true
			}
		}
		return environ(name)
	}
}

// variable is the first of names that is set and not empty, as the agent's module reads its
// variables.
func (d *deriver) variable(names ...string) Value {
	for _, n := range names {
		if v, ok := d.lookup(n); ok && v != "" {
			return Value{v, n}
		}
	}
	return Value{}
}

// fromVariables models the agent running Elastic's sample: the cluster's host from
// AUTOOPS_ES_URL, the intake from AUTOOPS_OTEL_URL with AUTOOPS_TOKEN, and the CA a user adds
// from AUTOOPS_CA_CERT (the custom-certificate guide) or AUTOOPS_ES_CA (the ssl sample).
func (d *deriver) fromVariables(m *Model) {
	m.Cluster.Endpoint = d.variable(namesOf("cluster.endpoint")...)
	if ca := d.variable(namesOf("cluster.tls.ca")...); ca.Set() {
		m.Cluster.CAs = d.certificateAuthority(ca.From, ca.V, m.Cluster.CAs)
	}
	// Elastic's ssl sample loads its CA through an ssl block; the plain sample has none.
	m.Cluster.Client.SSLConfigured = len(m.Cluster.CAs) > 0
	m.OTLP.Endpoint = d.variable(namesOf("otlp.endpoint")...)
	m.OTLP.Token = d.variable(namesOf("otlp.token")...)
	d.normalizeHost(&m.Cluster)
}

// credentialsFromVariables fills what the module's own keys and its host's user:password@
// do not set, each on its own, as the module does (metricbeat/module/elasticsearch's getEnv
// defaults): AUTOOPS_ES_* first, ELASTICSEARCH_READ_* when that is unset or empty.
func (d *deriver) credentialsFromVariables(c *Cluster) {
	for _, f := range []struct {
		dst   *Value
		names []string
	}{
		{&c.APIKey, namesOf("cluster.api_key")},
		{&c.Username, namesOf("cluster.username")},
		{&c.Password, namesOf("cluster.password")},
	} {
		if f.dst.From == "" { // a module key, even one that resolved empty, wins
			*f.dst = d.variable(f.names...)
		}
	}
}

// BothAuthMessage is the one sentence for an API key and a username/password set together,
// in the one-shot's finding and the receiver's refusal alike.
func BothAuthMessage(apiKeyFrom, basicFrom string) string {
	return fmt.Sprintf("an API key (%s) and a username/password (%s) are both set: the agent's module refuses to start with both (\"cannot set both api_key and username/password\"); choose one type of authentication only",
		apiKeyFrom, basicFrom)
}

func basicFrom(c *Cluster) string {
	var from []string
	for _, v := range []Value{c.Username, c.Password} {
		if v.Set() && !slices.Contains(from, v.From) {
			from = append(from, v.From)
		}
	}
	return strings.Join(from, ", ")
}

func bothAuthKey(c *Cluster) string {
	if strings.HasPrefix(c.APIKey.From, modulesPath) {
		return c.APIKey.From
	}
	return "environment"
}

// normalizeHost gives a host without a scheme the agent's default, http://, and moves
// user:password@ into the credentials, over the module's keys.
func (d *deriver) normalizeHost(c *Cluster) {
	if strings.TrimSpace(c.Endpoint.V) == "" {
		return
	}
	h, userinfo, hasUser := splitHost(c.Endpoint.V)
	if hasUser {
		// Beats' SetURLUser: what the URL holds wins over the configured or default user.
		user, pass, hasPass := strings.Cut(userinfo, ":")
		from := c.Endpoint.From + " (user:password@)"
		if user != "" {
			c.Username = Value{unescape(user), from}
		}
		if hasPass {
			c.Password = Value{unescape(pass), from}
		}
	}
	c.Endpoint.V = h
}

// SettingsFrom names, per probe, where each setting of the model came from ("cluster.api_key
// from AUTOOPS_ES_API_KEY"): names and key paths only, never values.
func (m *Model) SettingsFrom() map[string][]string {
	out := map[string][]string{}
	add := func(probe, key string, v Value) {
		if v.Set() && v.From != "" {
			out[probe] = append(out[probe], key+" from "+v.From)
		}
	}
	c := &m.Cluster
	add("cluster", "cluster.endpoint", c.Endpoint)
	add("cluster", "cluster.api_key", c.APIKey)
	add("cluster", "cluster.username", c.Username)
	add("cluster", "cluster.password", c.Password)
	for _, ca := range c.CAs {
		add("cluster", "cluster.tls.ca", Value{"x", ca.From})
	}
	add("cluster", "cluster.tls_verification_mode", c.VerificationMode)
	add("cluster", "cluster.ca_trusted_fingerprint", c.CATrustedFingerprint)
	add("cluster", "cluster.tls.cert_file", c.ClientCert)
	add("cluster", "cluster.tls.key_file", c.ClientKey)
	add("cluster", "cluster.proxy_url", c.Proxy)
	add("registration", "registration.endpoint", m.Registration.Endpoint)
	add("registration", "registration.api_key", m.Registration.APIKey)
	if by := m.Registration.SkippedBy; by != "" {
		out["registration"] = append(out["registration"], "registration skipped by the agent: "+by+" is set")
	}
	o := &m.OTLP
	add("otlp", "otlp.endpoint", o.Endpoint)
	add("otlp", "otlp.token", o.Token)
	add("otlp", "otlp.tls.ca_file", o.CAFile)
	add("otlp", "otlp.tls.cert_file", o.CertFile)
	add("otlp", "otlp.tls.key_file", o.KeyFile)
	add("otlp", "otlp.proxy_url", o.Proxy)
	return out
}

// Warning values of registration's own conditions (contract v5).
const (
	WarnAgentRegistrationSkipped  = "agent_registration_skipped"
	WarnAgentRegistrationDisabled = "agent_registration_disabled"
)

// Warning values the version rules give (contract v4).
const (
	WarnAPIKeyDoubleEncoded     = "api_key_double_encoded"
	WarnAgentIgnoresVariables   = "agent_ignores_variables"
	WarnAgentVersionUnsupported = "agent_version_unsupported"
)

// FindingWarningPrefix turns a finding into the warning of the probe it affects
// (ca_on_some_modules becomes agent_ca_on_some_modules).
const FindingWarningPrefix = "agent_"

// Warnings are, per probe, the findings as warnings of the probe they affect (the modules'
// keys and the cluster's variables belong to the cluster probe, the exporter's to the otlp
// probe) and the warnings of the version rules.
func (m *Model) Warnings() map[string][]string {
	out := map[string][]string{}
	add := func(probe, w string) {
		if !slices.Contains(out[probe], w) {
			out[probe] = append(out[probe], w)
		}
	}
	for _, f := range m.Findings {
		if f.Finding == AgentConfigInvalid {
			continue // a refusal (Refusals), never a warning of a run
		}
		probe := "cluster"
		if strings.HasPrefix(f.Key, "exporters.") || f.Key == VarOTelURL || f.Key == VarToken {
			probe = "otlp"
		}
		add(probe, FindingWarningPrefix+f.Finding)
	}
	if m.Registration.SkippedBy != "" {
		add("registration", WarnAgentRegistrationSkipped)
	}
	if !m.Registration.APIKey.Set() && m.wholeEnvironment {
		add("registration", WarnAgentRegistrationDisabled)
	}
	c := &m.Cluster
	for _, w := range VersionWarnings(m.Version, c.APIKey.V, onlyNewNames(c) && !m.readVariablesSet()) {
		add("cluster", w)
	}
	return out
}

// VersionWarnings are the cluster probe's warnings of the version rules (contract v4): an
// agent without the module; for 9.1.0 to 9.1.3, a key without a colon (encoded again) and
// credentials only in the AUTOOPS_ES_* variables (not read).
func VersionWarnings(v Version, apiKey string, credentialsOnlyInNewNames bool) []string {
	var w []string
	if v.LacksAutoOpsModule() {
		w = append(w, WarnAgentVersionUnsupported)
	}
	if v.ReadsOnlyReadVariables() {
		if apiKey != "" && !strings.Contains(apiKey, ":") {
			w = append(w, WarnAPIKeyDoubleEncoded)
		}
		if credentialsOnlyInNewNames {
			w = append(w, WarnAgentIgnoresVariables)
		}
	}
	return w
}

// onlyNewNames: the cluster's credentials come from AUTOOPS_ES_* variables alone, which agents
// 9.1.0 to 9.1.3 do not read.
func onlyNewNames(c *Cluster) bool {
	any := false
	for _, v := range []Value{c.APIKey, c.Username, c.Password} {
		if !v.Set() {
			continue
		}
		if !strings.HasPrefix(v.From, "AUTOOPS_ES_") {
			return false
		}
		any = true
	}
	return any
}

// readVariablesSet: one of ELASTICSEARCH_READ_* is set and not empty where the agent runs.
func (m *Model) readVariablesSet() bool {
	for _, n := range []string{VarReadAPIKey, VarReadUsername, VarReadPassword} {
		if v, ok := m.Lookup(n); ok && v != "" {
			return true
		}
	}
	return false
}
