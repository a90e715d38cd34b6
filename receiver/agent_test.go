package autoopsreceiver

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// agent_config: a collector beside the agent probes what the agent's file connects with, and
// the file's mistakes are warnings of the probe they affect.
func TestAgentConfigDrivesTheProbes(t *testing.T) {
	es := httptest.NewServer(&testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte("id:key"))})
	defer es.Close()
	reg := httptest.NewServer(http.HandlerFunc(testutil.Registration401))
	defer reg.Close()
	intake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "AutoOpsToken t0ken" {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		testutil.OTLP401(w, r)
	}))
	defer intake.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, testutil.NewCA(t, "Agent CA").PEM, 0o600))
	file := filepath.Join(dir, "elastic-agent.yml")
	require.NoError(t, os.WriteFile(file, []byte(`receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: ${env:AUTOOPS_ES_URL}
          api_key: ${env:ELASTICSEARCH_READ_API_KEY}
          ssl.certificate_authorities: ["${env:AUTOOPS_CA_CERT}"]
        - module: autoops_es
          hosts: ${env:AUTOOPS_ES_URL}
          api_key: ${env:ELASTICSEARCH_READ_API_KEY}
exporters:
  otlphttp:
    headers: {Authorization: "AutoOpsToken ${env:AUTOOPS_TOKEN}"}
    endpoint: ${env:AUTOOPS_OTEL_URL}
`), 0o600))
	t.Setenv("AUTOOPS_ES_URL", es.URL)
	t.Setenv("ELASTICSEARCH_READ_API_KEY", "id:key")
	t.Setenv("AUTOOPS_CA_CERT", ca)
	t.Setenv("AUTOOPS_TOKEN", "t0ken")
	t.Setenv("AUTOOPS_OTEL_URL", intake.URL)
	t.Setenv("ELASTIC_CLOUD_CONNECTED_MODE_API_URL", reg.URL)
	t.Setenv("ELASTIC_CLOUD_CONNECTED_MODE_API_KEY", "ccm-key") // else agent_registration_disabled

	cfg := createDefaultConfig().(*Config)
	cfg.AgentConfig = file
	require.NoError(t, confmap.Validate(cfg), "the agent's settings make a valid configuration")
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 3)
	for _, r := range results {
		assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
		want := []string(nil)
		if r.Evidence.Probe == probe.Cluster {
			want = []string{"agent_ca_on_some_modules"}
		}
		assert.Equal(t, want, slices.DeleteFunc(slices.Clone(r.Verdict.Warnings), func(w string) bool { return w == "ca_not_needed" }), r.Evidence.Probe)
	}
	assert.True(t, results[2].Evidence.TokenSent, "the exporter's token is checked")

	cfg.AgentConfig = filepath.Join(dir, "missing.yml")
	require.ErrorContains(t, confmap.Validate(cfg), "agent_config")
}
