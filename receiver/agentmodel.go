package autoopsreceiver

import (
	"context"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
)

// resolution is what one start probes: the configuration with the agent's settings applied,
// the agent model it came from (nil when the receiver's own keys are all there is), and the
// receiver key each model value landed in, with its source.
type resolution struct {
	effective *Config
	model     *agentconfig.Model
	version   agentconfig.Version
	// versionFrom is the file the agent's version was read from ("" when given or unknown).
	versionFrom string
	sources     map[string]string
	// plans are what each probe connects with (planProbes), made once per resolution.
	plans []probePlan
}

// planned is the resolution's plans, made on first use: by Validate, else by Start.
func (r *resolution) planned(ctx context.Context) ([]probePlan, error) {
	if r.plans != nil {
		return r.plans, nil
	}
	plans, err := planProbes(ctx, r, hostFiles)
	if err != nil {
		return nil, err
	}
	r.plans = plans
	return plans, nil
}

// detectVersion reads the agent's version where its installation records it; a variable so
// that tests do not depend on this machine's /opt.
var detectVersion = func() (agentconfig.Version, string) {
	read := func(path string) ([]byte, error) { return agentconfig.ReadFile(path, agentconfig.MaxFileSize) }
	return agentconfig.DetectVersion(read, listDir, os.Readlink)
}

func listDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

// AgentVersionUsed is the agent version the probes judged with, and the file it was read from
// ("" when given by agent_version); unknown before Validate.
func (cfg *Config) AgentVersionUsed() (agentconfig.Version, string) {
	if cfg.resolved == nil {
		return agentconfig.Version{}, ""
	}
	return cfg.resolved.version, cfg.resolved.versionFrom
}

// agentMode: the probes take what the agent connects with, from its configuration file or
// its variables.
func (cfg *Config) agentMode() bool { return cfg.AgentConfig != "" || cfg.AgentEnvironment }

// SetAgentEnvFiles gives the agent's env files (ParseEnvFile's assignments, later files
// winning) to the agent model: the one-shot's --agent-env, without touching this process's
// environment.
func (cfg *Config) SetAgentEnvFiles(files []map[string]string) {
	cfg.agentEnvFiles = files
	cfg.resolved = nil
}

// SetAgentEnvFindings gives the findings of reading the agent's env files (a drop-in line
// systemd ignores) to the agent model, beside its own.
func (cfg *Config) SetAgentEnvFindings(findings []agentconfig.Finding) {
	cfg.agentEnvFindings = findings
	cfg.resolved = nil
}

// SetAgentEnvWhole says the env files given are the agent's whole environment (the one-shot's
// --agent-env): what is missing there is missing for the agent (agent_registration_disabled).
func (cfg *Config) SetAgentEnvWhole(whole bool) {
	cfg.agentEnvWhole = whole
	cfg.resolved = nil
}

// AgentFindings are the findings about the agent's configuration of the last resolution
// (Validate), sorted; none outside agent mode.
func (cfg *Config) AgentFindings() []agentconfig.Finding {
	if cfg.resolved == nil || cfg.resolved.model == nil {
		return nil
	}
	return cfg.resolved.model.Findings
}

// resolve builds the resolution once per Validate: Start reuses it, so each file is read once.
func (cfg *Config) resolve() (*resolution, error) {
	if cfg.resolved != nil {
		return cfg.resolved, nil
	}
	version, err := agentconfig.ParseVersion(cfg.AgentVersion)
	if err != nil {
		return nil, fmt.Errorf("agent_version: %w", err)
	}
	r := &resolution{effective: cfg, version: version}
	if cfg.agentMode() && !version.Known() {
		r.version, r.versionFrom = detectVersion()
	}
	if cfg.agentMode() {
		m, err := agentconfig.Resolve(agentconfig.Inputs{
			Environ: os.LookupEnv, EnvFiles: cfg.agentEnvFiles, EnvFindings: cfg.agentEnvFindings, WholeEnvironment: cfg.agentEnvWhole, ConfigPath: cfg.AgentConfig, Version: r.version,
		})
		if err != nil {
			return nil, fmt.Errorf("agent_config: %w", err)
		}
		r.model = m
		r.effective, r.sources = cfg.withModel(m)
	}
	cfg.resolved = r
	return r, nil
}

// withModel is a copy of cfg with every setting the agent model gives; the rest (timeouts,
// region, the receiver's other keys) stays.
func (cfg *Config) withModel(m *agentconfig.Model) (*Config, map[string]string) {
	d := *cfg
	d.resolved = nil
	sources := map[string]string{}
	set := func(key string, dst *string, v agentconfig.Value) {
		if v.Set() {
			*dst = v.V
			sources[key] = v.From
		}
	}
	setOpaque := func(key string, dst *configopaque.String, v agentconfig.Value) {
		if v.Set() {
			*dst = configopaque.String(v.V)
			sources[key] = v.From
		}
	}
	c, mc := &d.Cluster, &m.Cluster
	set("cluster.endpoint", &c.Endpoint, mc.Endpoint)
	setOpaque("cluster.api_key", &c.APIKey, mc.APIKey)
	set("cluster.username", &c.Username, mc.Username)
	setOpaque("cluster.password", &c.Password, mc.Password)
	if len(mc.CAs) > 0 {
		// The agent trusts the whole list; one ca_file would hold the first only.
		var from []string
		for _, ca := range mc.CAs {
			from = append(from, ca.From)
		}
		c.TLS.CAFile, c.TLS.CAPem = "", configopaque.String(caPEMOf(mc.CAs))
		sources["cluster.tls.ca_pem"] = strings.Join(from, ", ")
	}
	if mode := mc.VerificationMode; mode.Set() {
		// strict is full checked by Go itself, which the probe always does.
		c.TLSVerificationMode = strings.Replace(mode.V, "strict", VerifyFull, 1)
		sources["cluster.tls_verification_mode"] = mode.From
	}
	set("cluster.ca_trusted_fingerprint", &c.CATrustedFingerprint, mc.CATrustedFingerprint)
	setFile(&c.TLS, "cluster.tls", mc.ClientCert, mc.ClientKey, sources)
	set("cluster.proxy_url", &c.ProxyURL, mc.Proxy)

	set("registration.endpoint", &d.Registration.Endpoint, m.Registration.Endpoint)
	// The agent registers through Go's default client: the environment's proxy and the
	// system's roots, never the module's or the exporter's settings.
	d.Registration.ProxyURL = ""
	d.Registration.TLS = defaultCloudClientConfig("").TLS

	o, mo := &d.OTLP, &m.OTLP
	set("otlp.endpoint", &o.Endpoint, mo.Endpoint)
	setOpaque("otlp.token", &o.Token, mo.Token)
	set("otlp.tls.ca_file", &o.TLS.CAFile, mo.CAFile)
	if mo.CAPEM.Set() {
		o.TLS.CAPem = configopaque.String(mo.CAPEM.V)
		sources["otlp.tls.ca_pem"] = mo.CAPEM.From
	}
	setFile(&o.TLS, "otlp.tls", mo.CertFile, mo.KeyFile, sources)
	if mo.InsecureSkipVerify {
		o.TLS.InsecureSkipVerify = true
	}
	set("otlp.proxy_url", &o.ProxyURL, mo.Proxy)
	return &d, sources
}

// setFile sets a client certificate and key given as paths or as PEM text (Beats takes both).
func setFile(tls *configtls.ClientConfig, prefix string, cert, key agentconfig.Value, sources map[string]string) {
	for _, f := range []struct {
		v    agentconfig.Value
		file *string
		pem  *configopaque.String
		kind string
	}{
		{cert, &tls.CertFile, &tls.CertPem, "cert"},
		{key, &tls.KeyFile, &tls.KeyPem, "key"},
	} {
		switch {
		case !f.v.Set():
		case agentconfig.IsPEM(f.v.V):
			*f.file, *f.pem = "", configopaque.String(f.v.V)
			sources[prefix+"."+f.kind+"_pem"] = f.v.From
		default:
			*f.file = f.v.V
			sources[prefix+"."+f.kind+"_file"] = f.v.From
		}
	}
}

// sourceOf names a key for messages: the variable or agent key that set it, with the key.
func (r *resolution) sourceOf(key string) string {
	if r == nil {
		return key
	}
	if from, ok := r.sources[key]; ok {
		return from + " (" + key + ")"
	}
	return key
}

// lookup is the environment the probes read their proxy variables from: the agent's (its env
// files over this process's), or this process's.
func (r *resolution) lookup(name string) string {
	if r.model != nil {
		v, _ := r.model.Lookup(name)
		return v
	}
	return os.Getenv(name)
}

// perProbe is what the agent model says of each probe: where its settings came from (names
// and key paths only) and the warnings of the agent's configuration and version.
func (r *resolution) perProbe() (settingsFrom, warnings map[string][]string) {
	if r.model != nil {
		return r.model.SettingsFrom(), r.model.Warnings()
	}
	return nil, map[string][]string{"cluster": agentconfig.VersionWarnings(r.version, string(r.effective.Cluster.APIKey), false)}
}
