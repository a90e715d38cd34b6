//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed default config (what `make run` uses) reads the AutoOps agent's variables,
// prints results on the console, serves Prometheus metrics and health.
func TestDefaultConfigReadsTheAgentsVariables(t *testing.T) {
	l := newLocalElastic(t)
	raw, err := os.ReadFile("../../otelcol-autoops.yaml")
	require.NoError(t, err)
	promPort, healthPort := freePort(t), freePort(t)
	col := startCollector(t, string(raw), []string{
		"AUTOOPS_ES_URL=" + l.cluster,
		"AUTOOPS_ES_API_KEY=" + base64.StdEncoding.EncodeToString([]byte(apiKeyID+":"+apiKeySecret)),
		"AUTOOPS_ES_CA=" + l.caFile,
		"ELASTIC_CLOUD_CONNECTED_MODE_API_URL=" + l.registration,
		"AUTOOPS_OTEL_URL=" + l.otlp,
		"SSL_CERT_FILE=" + l.caFile, // the test CA stands in for the system roots of the cloud probes
		fmt.Sprintf("AUTOOPS_PROBE_PROMETHEUS_ENDPOINT=127.0.0.1:%d", promPort),
		fmt.Sprintf("AUTOOPS_PROBE_HEALTH_ENDPOINT=127.0.0.1:%d", healthPort),
	})
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, ""
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var metrics string
	waitFor(t, 30*time.Second, "the three success series on the prometheus endpoint", func() bool {
		_, metrics = get(fmt.Sprintf("http://127.0.0.1:%d/metrics", promPort))
		return strings.Count(metrics, "autoops_probe_success{") == 3
	})
	for _, name := range []string{"cluster", "registration", "otlp"} {
		assert.Regexp(t, `autoops_probe_success\{[^}]*autoops_probe_name="`+name+`"[^}]*\} 1`, metrics)
	}
	assert.Contains(t, metrics, `autoops_probe_warning{`, "AUTOOPS_ES_CA is set but the (test) system roots already trust the cluster")
	assert.Contains(t, metrics, `autoops_probe_warning="ca_not_needed"`)

	code, health := get(fmt.Sprintf("http://127.0.0.1:%d/health/status", healthPort))
	assert.Equal(t, http.StatusOK, code, health)
	waitFor(t, 10*time.Second, "the console to show each result", func() bool {
		out := col.output.String()
		return strings.Contains(out, "Elasticsearch cluster (test 1) passed") &&
			strings.Contains(out, "Elastic Cloud registration (test 2) passed") && strings.Contains(out, "AutoOps OTLP intake (test 3) passed")
	})
}
