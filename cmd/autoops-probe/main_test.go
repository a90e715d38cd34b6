package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const key = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"

func servers(t *testing.T) (es, reg, otlp string) {
	t.Helper()
	serve := func(h http.Handler) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return s.URL
	}
	return serve(&testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))}),
		serve(http.HandlerFunc(testutil.Registration401)), serve(http.HandlerFunc(testutil.OTLP401))
}

func runCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestFromTheAgentsVariables(t *testing.T) {
	es, reg, otlp := servers(t)
	t.Setenv("AUTOOPS_ES_URL", es)
	t.Setenv("AUTOOPS_ES_API_KEY", key)
	t.Setenv("ELASTIC_CLOUD_CONNECTED_MODE_API_URL", reg)
	t.Setenv("AUTOOPS_OTEL_URL", otlp)
	t.Setenv("ELASTIC_CLOUD_CONNECTED_MODE_API_KEY", "ccm-key") // else agent_registration_disabled
	code, out, _ := runCommand(t)
	assert.Equal(t, exitPassed, code, out)
	assert.Contains(t, out, "3 passed")
	assert.NotContains(t, out, "ui2lp2axTNmsyakw9tvNnw")

	code, out, _ = runCommand(t, "--format", "json", "--skip", "otlp")
	assert.Equal(t, exitWarned, code, "a skipped probe")
	var report struct {
		Results    []map[string]any `json:"results"`
		ExitStatus int              `json:"exit_status"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &report))
	require.Len(t, report.Results, 2)
	assert.Equal(t, "cluster", report.Results[0]["autoops.probe.name"])
	assert.Equal(t, true, report.Results[0]["autoops.probe.success"])
	assert.EqualValues(t, 401, report.Results[1]["http.response.status_code"])
	assert.Equal(t, exitWarned, report.ExitStatus)
	assert.NotContains(t, out, "ui2lp2axTNmsyakw9tvNnw")
}

func TestFromACollectorConfig(t *testing.T) {
	es, reg, otlp := servers(t)
	cfg := filepath.Join(t.TempDir(), "collector.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(`
receivers:
  autoops_probe/prod:
    cluster: {endpoint: `+es+`, api_key: "id:wrong"}
    registration: {endpoint: `+reg+`}
    otlp: {endpoint: `+otlp+`}
  otlp:
    protocols: {grpc: {}}
`), 0o600))
	code, out, _ := runCommand(t, "--config", cfg, "--receiver", "autoops_probe/prod")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, "[FAIL] Elasticsearch cluster (test 1): auth_failed")
	assert.Contains(t, out, "[PASS] Elastic Cloud registration")
	assert.NotContains(t, out, "id:wrong")

	code, _, errOut := runCommand(t, "--config", cfg, "--receiver", "autoops_probe/staging")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, `no receiver "autoops_probe/staging"`)
	assert.Contains(t, errOut, "autoops_probe/prod")
}

func TestBadInputNamesTheSetting(t *testing.T) {
	t.Setenv("AUTOOPS_ES_USERNAME", "elastic")
	t.Setenv("AUTOOPS_ES_PASSWORD", "Sup3rSecret")
	t.Setenv("AUTOOPS_ES_API_KEY", "id:key")
	code, _, errOut := runCommand(t)
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "choose one type of authentication only")
	assert.NotContains(t, errOut, "Sup3rSecret")

	code, _, errOut = runCommand(t, "--format", "yaml")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "--format")
	code, _, errOut = runCommand(t, "--skip", "dns")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "--skip")
}

func TestVersion(t *testing.T) {
	code, out, _ := runCommand(t, "--version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "autoops-probe version "+version+"\n", out)
}

func TestAgentVersionFlag(t *testing.T) {
	code, _, errOut := runCommand(t, "--agent-version", "nine")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `--agent-version: "nine" is not an agent version such as 9.2.5`)
}

// The agent's version changes the warnings, and the report names it.
func TestAgentVersionRulesInTheReport(t *testing.T) {
	es, reg, otlp := servers(t)
	t.Setenv("AUTOOPS_ES_URL", es)
	t.Setenv("AUTOOPS_ES_API_KEY", base64.StdEncoding.EncodeToString([]byte(key))) // encoded, no colon
	t.Setenv("ELASTIC_CLOUD_CONNECTED_MODE_API_URL", reg)
	t.Setenv("AUTOOPS_OTEL_URL", otlp)
	code, out, _ := runCommand(t, "--agent-version", "9.1.2")
	assert.Equal(t, exitWarned, code, out)
	assert.Contains(t, out, "Agent version: 9.1.2 (--agent-version)")
	assert.Contains(t, out, "api_key_double_encoded")
	assert.Contains(t, out, "agent_ignores_variables")

	_, out, _ = runCommand(t, "--agent-version", "9.2.5")
	assert.NotContains(t, out, "api_key_double_encoded", "9.1.4 and later send an encoded key as is")
	assert.NotContains(t, out, "agent_ignores_variables")
}
