package autoopsreceiver

import (
	"os"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// agentVariables are the AutoOps agent's variables for each setting, in the agent's
// precedence (contract v3): the first one set wins.
var agentVariables = []struct {
	probe probe.Name
	key   string
	names []string
	value func(*Config) string
}{
	{probe.Cluster, "cluster.endpoint", []string{"AUTOOPS_ES_URL"}, func(c *Config) string { return c.Cluster.Endpoint }},
	{probe.Cluster, "cluster.api_key", []string{"ELASTICSEARCH_READ_API_KEY", "AUTOOPS_ES_API_KEY"}, func(c *Config) string { return string(c.Cluster.APIKey) }},
	{probe.Cluster, "cluster.username", []string{"ELASTICSEARCH_READ_USERNAME", "AUTOOPS_ES_USERNAME"}, func(c *Config) string { return c.Cluster.Username }},
	{probe.Cluster, "cluster.password", []string{"ELASTICSEARCH_READ_PASSWORD", "AUTOOPS_ES_PASSWORD"}, func(c *Config) string { return string(c.Cluster.Password) }},
	{probe.Cluster, "cluster.tls.ca_file", []string{"AUTOOPS_CA_CERT", "AUTOOPS_ES_CA"}, func(c *Config) string { return c.Cluster.TLS.CAFile }},
	{probe.Registration, "registration.endpoint", []string{"ELASTIC_CLOUD_CONNECTED_MODE_API_URL"}, func(c *Config) string { return c.Registration.Endpoint }},
	{probe.OTLP, "otlp.endpoint", []string{"AUTOOPS_OTEL_URL"}, func(c *Config) string { return c.OTLP.Endpoint }},
	{probe.OTLP, "otlp.token", []string{"AUTOOPS_TOKEN"}, func(c *Config) string { return string(c.OTLP.Token) }},
}

// settingsFrom names, per probe, the agent variable that supplied each of its settings
// ("cluster.api_key from ELASTICSEARCH_READ_API_KEY"): the first variable in the agent's order
// that is set is the one the agent uses, and the setting holds its value. Names only: values
// are compared here and never leave.
func settingsFrom(cfg *Config, getenv func(string) string) map[probe.Name][]string {
	out := map[probe.Name][]string{}
	for _, v := range agentVariables {
		value := v.value(cfg)
		if value == "" {
			continue
		}
		for _, name := range v.names {
			if env := getenv(name); env != "" {
				if env == value {
					out[v.probe] = append(out[v.probe], v.key+" from "+name)
				}
				break
			}
		}
	}
	return out
}

// settingsFromEnvironment is settingsFrom on this process's environment.
func settingsFromEnvironment(cfg *Config) map[probe.Name][]string {
	return settingsFrom(cfg, os.Getenv)
}

// AgentVariableNames are the agent's variables the default configuration reads for the probes.
func AgentVariableNames() []string {
	var names []string
	for _, v := range agentVariables {
		names = append(names, v.names...)
	}
	return names
}
