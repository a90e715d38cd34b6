package autoopsreceiver

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// defaultConfigWith resolves the distribution's default configuration on env alone.
func defaultConfigWith(t *testing.T, env map[string]string) *Config {
	t.Helper()
	for _, name := range AgentVariableNames() {
		t.Setenv(name, env[name]) // restored after the test
		if env[name] == "" {
			require.NoError(t, os.Unsetenv(name))
		}
	}
	defaultConfig, err := os.ReadFile("../otelcol-autoops.yaml")
	require.NoError(t, err)
	cfg, err := resolveReceiverConfig(t, string(defaultConfig))
	require.NoError(t, err)
	return cfg
}

// The default configuration reads the agent's variables with the agent's precedence, and the
// variables that supplied each setting are named.
func TestDefaultConfigFollowsTheAgentsVariables(t *testing.T) {
	cfg := defaultConfigWith(t, map[string]string{
		"ELASTICSEARCH_READ_API_KEY": "wizard:key", "AUTOOPS_ES_API_KEY": "guide:key",
		"AUTOOPS_CA_CERT": "../testdata/es-ca.pem", "AUTOOPS_ES_CA": "/nowhere.pem",
	})
	assert.Equal(t, "wizard:key", string(cfg.Cluster.APIKey), "ELASTICSEARCH_READ_* before AUTOOPS_ES_*")
	assert.Equal(t, "../testdata/es-ca.pem", cfg.Cluster.TLS.CAFile, "AUTOOPS_CA_CERT before AUTOOPS_ES_CA")
	assert.Equal(t, []string{"cluster.api_key from ELASTICSEARCH_READ_API_KEY", "cluster.tls.ca_file from AUTOOPS_CA_CERT"}, settingsFromEnvironment(cfg)[probe.Cluster])

	cfg = defaultConfigWith(t, map[string]string{"ELASTICSEARCH_READ_USERNAME": "autoops", "AUTOOPS_ES_PASSWORD": "s3cret"})
	assert.Equal(t, "autoops", cfg.Cluster.Username)
	assert.Equal(t, "s3cret", string(cfg.Cluster.Password))
	assert.Equal(t, []string{"cluster.username from ELASTICSEARCH_READ_USERNAME", "cluster.password from AUTOOPS_ES_PASSWORD"}, settingsFromEnvironment(cfg)[probe.Cluster])

	cfg = defaultConfigWith(t, map[string]string{"AUTOOPS_ES_API_KEY": "guide:key", "AUTOOPS_TOKEN": "t0ken", "AUTOOPS_OTEL_URL": "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"})
	from := settingsFromEnvironment(cfg)
	assert.Equal(t, []string{"cluster.api_key from AUTOOPS_ES_API_KEY"}, from[probe.Cluster])
	assert.Equal(t, []string{"otlp.endpoint from AUTOOPS_OTEL_URL", "otlp.token from AUTOOPS_TOKEN"}, from[probe.OTLP])
	for _, s := range append(from[probe.Cluster], from[probe.OTLP]...) {
		assert.NotContains(t, s, "guide:key")
		assert.NotContains(t, s, "t0ken")
	}
}

// A setting that does not hold the variable's value (set in the file, or by a flag) names none.
func TestSettingsFromOnlyWhatTheVariableSupplied(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.APIKey = "from:file"
	env := map[string]string{"ELASTICSEARCH_READ_API_KEY": "other:key", "AUTOOPS_ES_API_KEY": "from:file"}
	assert.Empty(t, settingsFrom(cfg, func(n string) string { return env[n] })[probe.Cluster], "the agent would use ELASTICSEARCH_READ_API_KEY, which this setting does not hold")
}
