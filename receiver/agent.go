package autoopsreceiver

import (
	"os"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// ApplyAgentSettings makes cfg probe what the agent connects with: its cluster host,
// credentials, CA list, verification and client certificate, its exporter's endpoint, token,
// TLS and proxy, and the registration URL of its environment. Timeouts and the rest stay.
func ApplyAgentSettings(cfg *Config, s *agentconfig.Settings) {
	c := &cfg.Cluster
	c.Endpoint, c.APIKey, c.Username, c.Password = s.ClusterURL, configopaque.String(s.APIKey), s.Username, configopaque.String(s.Password)
	c.ProxyURL, c.TLS.CertFile, c.TLS.KeyFile = s.ClusterProxy, s.ClientCert, s.ClientKey
	var pem []byte
	for _, f := range s.CAFiles {
		if b, err := os.ReadFile(f); err == nil {
			pem = append(pem, b...)
		}
	}
	// The agent trusts the whole list; one ca_file would hold the first only.
	c.TLS.CAFile, c.TLS.CAPem = "", configopaque.String(pem)
	c.TLS.InsecureSkipVerify = s.VerificationMode == "none"
	cfg.Registration.Endpoint = s.RegistrationURL
	o := &cfg.OTLP
	o.Endpoint, o.Token, o.ProxyURL = s.OTLPEndpoint, configopaque.String(s.Token), s.OTLPProxy
	o.TLS.CAFile, o.TLS.InsecureSkipVerify, o.TLS.CertFile, o.TLS.KeyFile = s.OTLPCAFile, s.OTLPInsecureSkipVerify, s.OTLPCertFile, s.OTLPKeyFile
}

// AgentWarningPrefix turns a finding into the warning of the probe it affects
// (ca_on_some_modules becomes agent_ca_on_some_modules).
const AgentWarningPrefix = "agent_"

// agentWarnings are the findings as warnings of the probe each affects: the modules' keys
// belong to the cluster probe, the exporter's to the otlp probe.
func agentWarnings(findings []agentconfig.Finding) map[probe.Name][]string {
	out := map[probe.Name][]string{}
	for _, f := range findings {
		name := probe.Cluster
		if strings.HasPrefix(f.Key, "exporters.") {
			name = probe.OTLP
		}
		w := AgentWarningPrefix + f.Finding
		if !slices.Contains(out[name], w) {
			out[name] = append(out[name], w)
		}
	}
	return out
}
