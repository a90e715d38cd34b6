package autoopsreceiver

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// defaultConfig is the distribution's default configuration as the collector reads it.
func defaultConfig(t *testing.T) *Config {
	t.Helper()
	raw, err := os.ReadFile("../otelcol-autoops.yaml")
	require.NoError(t, err)
	cfg, err := resolveReceiverConfig(t, string(raw))
	require.NoError(t, err)
	return cfg
}

func clearAgentVariables(t *testing.T) {
	for _, name := range agentconfig.VariableNames() {
		t.Setenv(name, "")
		require.NoError(t, os.Unsetenv(name))
	}
}

// The default configuration reads the agent's variables as the module does: AUTOOPS_ES_*
// first, an empty one counting as unset.
func TestDefaultConfigTakesCredentialsAsTheAgent(t *testing.T) {
	clearAgentVariables(t)
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"AUTOOPS_ES_API_KEY before ELASTICSEARCH_READ_API_KEY", map[string]string{"AUTOOPS_ES_API_KEY": "new:key", "ELASTICSEARCH_READ_API_KEY": "old:key"}, "ApiKey " + base64.StdEncoding.EncodeToString([]byte("new:key"))},
		{"an empty AUTOOPS_ES_API_KEY is unset", map[string]string{"AUTOOPS_ES_API_KEY": "", "ELASTICSEARCH_READ_API_KEY": "old:key"}, "ApiKey " + base64.StdEncoding.EncodeToString([]byte("old:key"))},
		{"username and password each on its own", map[string]string{"AUTOOPS_ES_USERNAME": "u", "AUTOOPS_ES_PASSWORD": "", "ELASTICSEARCH_READ_PASSWORD": "p"}, "Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es := httptest.NewServer(&testutil.FakeES{Authorization: tt.want})
			defer es.Close()
			t.Setenv("AUTOOPS_ES_URL", strings.TrimPrefix(es.URL, "http://")) // no scheme: http://, as the agent
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg := defaultConfig(t)
			require.NoError(t, confmap.Validate(cfg))
			assert.Equal(t, "", runClusterOnly(t, cfg))
		})
	}
}

// An API key and a username/password together: the agent's module refuses to start, and so
// does the receiver, in the same words, naming where each came from.
func TestBothAuthRefusedInTheAgentsWords(t *testing.T) {
	clearAgentVariables(t)
	t.Setenv("AUTOOPS_ES_API_KEY", "id:key")
	t.Setenv("ELASTICSEARCH_READ_USERNAME", "u")
	t.Setenv("ELASTICSEARCH_READ_PASSWORD", "p")
	t.Setenv("AUTOOPS_OTEL_URL", "https://otel.example")
	err := confmap.Validate(defaultConfig(t))
	require.Error(t, err)
	want := agentconfig.BothAuthMessage("AUTOOPS_ES_API_KEY (cluster.api_key)", "ELASTICSEARCH_READ_PASSWORD (cluster.password), ELASTICSEARCH_READ_USERNAME (cluster.username)")
	assert.Contains(t, err.Error(), want)
	assert.Contains(t, err.Error(), "refuses to start")

	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Endpoint = "https://otel.example"
	cfg.Cluster.APIKey, cfg.Cluster.Username, cfg.Cluster.Password = "id:key", "u", "p"
	assert.ErrorContains(t, cfg.Validate(), agentconfig.BothAuthMessage("cluster.api_key", "cluster.password, cluster.username"))
}

// A value the agent's variables gave is named by its variable in a refusal, not by a key the
// user never wrote.
func TestRefusalsNameTheVariable(t *testing.T) {
	clearAgentVariables(t)
	t.Setenv("AUTOOPS_ES_URL", "https://es.corp:9200/?pretty")
	t.Setenv("AUTOOPS_OTEL_URL", "ftp://otel.example")
	err := confmap.Validate(defaultConfig(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTOOPS_ES_URL (cluster.endpoint): ")
	assert.Contains(t, err.Error(), "AUTOOPS_OTEL_URL (otlp.endpoint): ")
}

// The agent registers through Go's default client: with the agent's settings, the
// registration probe ignores proxy_url and a CA of its own, and its remedies say so.
func TestRegistrationAsTheAgentRegisters(t *testing.T) {
	clearAgentVariables(t)
	reg := httptest.NewServer(http.HandlerFunc(testutil.Registration401))
	defer reg.Close()
	t.Setenv("ELASTIC_CLOUD_CONNECTED_MODE_API_URL", reg.URL)
	cfg := defaultConfig(t)
	cfg.Registration.ProxyURL = "http://127.0.0.1:1" // nothing listens: used, it would fail
	cfg.Registration.TLS.CAFile = testutil.NewCA(t, "Unused").WriteFile(t, t.TempDir())
	cfg.Cluster.Enabled, cfg.OTLP.Enabled = false, false
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.True(t, results[0].Verdict.Passed, results[0].Verdict.Summary())
	assert.Equal(t, []string{"registration.endpoint from ELASTIC_CLOUD_CONNECTED_MODE_API_URL"}, results[0].SettingsFrom)
	// Beside the agent, not given its whole environment: no registration key says nothing.
	assert.NotContains(t, results[0].Verdict.Warnings, "agent_registration_disabled")

	checks, err := buildChecks(context.Background(), extensionlessHost{}, componenttest.NewNopTelemetrySettings(), cfg)
	require.NoError(t, err)
	assert.Equal(t, diagnose.Context{AsAgentRegisters: true}, checks[0].context)

	// Given the agent's env files as its whole environment, it does.
	cfg.SetAgentEnvFiles([]map[string]string{{"ELASTIC_CLOUD_CONNECTED_MODE_API_URL": reg.URL}})
	cfg.SetAgentEnvWhole(true)
	results, err = RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	assert.Contains(t, results[0].Verdict.Warnings, "agent_registration_disabled")
	assert.False(t, checks[0].target.Trust.CustomCA, "system roots only")
	assert.False(t, checks[0].target.FixedProxy())
}

// The version rules reach the cluster probe's warnings; the license type warning only for
// agents that refuse it.
func TestAgentVersionRules(t *testing.T) {
	clearAgentVariables(t)
	t.Setenv("AUTOOPS_ES_API_KEY", "aWQ6a2V5")
	t.Setenv("AUTOOPS_OTEL_URL", "https://otel.example")
	cfg := defaultConfig(t)
	cfg.AgentVersion = "9.1.2"
	checks, err := buildChecks(context.Background(), extensionlessHost{}, componenttest.NewNopTelemetrySettings(), cfg)
	require.NoError(t, err)
	require.Equal(t, probe.Cluster, checks[0].target.Name)
	assert.Equal(t, []string{agentconfig.WarnAPIKeyDoubleEncoded, agentconfig.WarnAgentIgnoresVariables}, checks[0].context.AgentFindings)
	assert.True(t, checks[0].context.AgentRefusesLicenseType)

	cfg.AgentVersion = "9.2.5"
	require.NoError(t, cfg.Validate(), "a new validation resolves again")
	checks, err = buildChecks(context.Background(), extensionlessHost{}, componenttest.NewNopTelemetrySettings(), cfg)
	require.NoError(t, err)
	assert.Empty(t, checks[0].context.AgentFindings)
	assert.False(t, checks[0].context.AgentRefusesLicenseType)

	cfg.AgentVersion = "nine"
	require.ErrorContains(t, cfg.Validate(), `agent_version: "nine" is not an agent version such as 9.2.5`)
}

// Validate reads the agent's file once; Start probes what Validate read.
func TestValidateAndStartShareOneResolution(t *testing.T) {
	clearAgentVariables(t)
	dir := t.TempDir()
	file := dir + "/elastic-agent.yml"
	raw, err := os.ReadFile(testutil.AgentTestdata(testutil.AgentSamples["9.3.2"]))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, raw, 0o600))
	t.Setenv("AUTOOPS_ES_URL", "https://es.corp:9200")
	t.Setenv("AUTOOPS_OTEL_URL", "https://otel.example")
	cfg := createDefaultConfig().(*Config)
	cfg.AgentConfig = file
	require.NoError(t, cfg.Validate())
	require.NoError(t, os.Remove(file))
	checks, err := buildChecks(context.Background(), extensionlessHost{}, componenttest.NewNopTelemetrySettings(), cfg)
	require.NoError(t, err, "the start uses what Validate resolved")
	assert.Equal(t, "es.corp", checks[0].target.URL.Hostname())
}
