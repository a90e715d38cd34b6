//go:build e2e

package e2e

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The default configuration, given only the names Elastic's wizard, Linux installer and Helm
// chart set (ELASTICSEARCH_READ_*, AUTOOPS_CA_CERT), authenticates as the agent does.
func TestDefaultConfigWithTheWizardsNames(t *testing.T) {
	l := newLocalElastic(t)
	raw, err := os.ReadFile("../../otelcol-autoops.yaml")
	require.NoError(t, err)
	promPort := freePort(t)
	startCollector(t, string(raw), []string{
		"AUTOOPS_ES_URL=" + l.cluster,
		"ELASTICSEARCH_READ_API_KEY=" + apiKeyID + ":" + apiKeySecret,
		"AUTOOPS_CA_CERT=" + l.caFile,
		"ELASTIC_CLOUD_CONNECTED_MODE_API_URL=" + l.registration,
		"AUTOOPS_OTEL_URL=" + l.otlp,
		"SSL_CERT_FILE=" + l.caFile,
		fmt.Sprintf("AUTOOPS_PROBE_PROMETHEUS_ENDPOINT=127.0.0.1:%d", promPort),
		fmt.Sprintf("AUTOOPS_PROBE_HEALTH_ENDPOINT=127.0.0.1:%d", freePort(t)),
	})
	waitFor(t, 30*time.Second, "the cluster passing on the prometheus endpoint", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", promPort))
		if err != nil {
			return false
		}
		defer func() { _ = resp.Body.Close() }()
		text, _ := io.ReadAll(resp.Body)
		return sample(string(text), "autoops_probe_success", map[string]string{"autoops_probe_name": "cluster"}) == "1"
	})
}

// agentSample is Elastic's autoops_es.yml sample, with the CA on both modules as the
// custom-certificate guide says, and the intake's CA on the exporter.
const agentSample = `receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: ${env:AUTOOPS_ES_URL}
          period: 10s
          api_key: ${env:ELASTICSEARCH_READ_API_KEY}
          metricsets: [cat_shards, cluster_health, cluster_settings, license, node_stats, tasks_management]
          ssl.certificate_authorities:
            - ${env:AUTOOPS_CA_CERT}
        - module: autoops_es
          hosts: ${env:AUTOOPS_ES_URL}
          period: 24h
          api_key: ${env:ELASTICSEARCH_READ_API_KEY}
          metricsets: [cat_template, component_template, index_template]
          ssl.certificate_authorities:
            - ${env:AUTOOPS_CA_CERT}
    processors:
      - add_fields: {target: autoops_es, fields: {temp_resource_id: "${env:AUTOOPS_TEMP_RESOURCE_ID}", token: "${env:AUTOOPS_TOKEN}"}}
    output: {otelconsumer: }
    telemetry_types: ["logs"]
exporters:
  otlphttp:
    headers:
      Authorization: "AutoOpsToken ${env:AUTOOPS_TOKEN}"
    endpoint: ${env:AUTOOPS_OTEL_URL}
    tls: {ca_file: "${env:AUTOOPS_CA_CERT}"}
    sending_queue: {enabled: true, block_on_overflow: true, sizer: bytes, queue_size: 52428800}
service:
  pipelines:
    logs: {receivers: [metricbeatreceiver], exporters: [otlphttp]}
`

// The one-shot run on the agent's own file and systemd drop-in, with an empty environment
// (env -i): it probes all three targets with the CA of ssl.certificate_authorities and the
// exporter's token, and no secret appears in what it prints.
func TestOneShotOnTheAgentsConfiguration(t *testing.T) {
	const token = "AutoOpsT0ken-agent-e2e"
	dir := t.TempDir()
	ca := testutil.NewCA(t, "Agent E2E CA")
	caFile := ca.WriteFile(t, dir)
	leaf := ca.Leaf(t, testutil.LeafOptions{})
	key := apiKeyID + ":" + apiKeySecret
	es := &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))}
	cluster := "https://" + strings.Replace(testutil.ServeTLSLikeElasticsearch(t, leaf, es), "127.0.0.1", "localhost", 1)
	serve := func(h http.HandlerFunc) string {
		srv := httptest.NewUnstartedServer(h)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	}
	registration := serve(testutil.Registration401)
	intake := serve(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "AutoOpsToken "+token {
			w.WriteHeader(http.StatusUnsupportedMediaType) // accepted the token, refused the empty body
			return
		}
		testutil.OTLP401(w, r)
	})
	agentFile := write(t, dir, "elastic-agent.yml", agentSample)
	dropIn := write(t, dir, "autoops-env.conf", fmt.Sprintf(`[Service]
Environment="AUTOOPS_ES_URL=%s"
Environment="ELASTICSEARCH_READ_API_KEY=%s"
Environment="AUTOOPS_CA_CERT=%s"
Environment="AUTOOPS_OTEL_URL=%s" "AUTOOPS_TOKEN=%s"
Environment="AUTOOPS_TEMP_RESOURCE_ID=wizard-1"
Environment="ELASTIC_CLOUD_CONNECTED_MODE_API_URL=%s"
`, cluster, key, caFile, intake, token, registration))

	run := func(file string, format string) (string, map[string]any) {
		// The agent registers trusting the system store: here, SSL_CERT_FILE of the process.
		cmd := exec.Command("env", "-i", "PATH="+os.Getenv("PATH"), "SSL_CERT_FILE="+caFile, commandBinary(t), "--agent-config", file, "--agent-env", dropIn, "--format", format)
		out, _ := cmd.CombinedOutput()
		for _, secret := range []string{token, key, apiKeySecret, base64.StdEncoding.EncodeToString([]byte(key))} {
			assert.NotContains(t, string(out), secret)
		}
		if format != "json" {
			return string(out), nil
		}
		var doc map[string]any
		require.NoError(t, json.Unmarshal(out, &doc), "%s", out)
		return string(out), doc
	}
	_, doc := run(agentFile, "json")
	results := doc["results"].([]any)
	require.Len(t, results, 3)
	for _, r := range results {
		res := r.(map[string]any)
		assert.Equal(t, true, res["autoops.probe.success"], res["summary"])
	}
	assert.Nil(t, doc["config_findings"], "a correct file has no findings")
	cluster0 := results[0].(map[string]any)
	assert.Contains(t, cluster0["autoops.probe.settings_from"], "cluster.api_key from receivers.metricbeatreceiver.metricbeat.modules[0].api_key", "the module's own key wins over the variables")
	assert.Contains(t, results[2].(map[string]any)["summary"], "accepts the token")

	// The same file with the CA written as a string on one module and missing on the other.
	broken := write(t, dir, "broken.yml", strings.Replace(strings.Replace(agentSample,
		"          ssl.certificate_authorities:\n            - ${env:AUTOOPS_CA_CERT}\n        - module", "          ssl.certificate_authorities: ${env:AUTOOPS_CA_CERT}\n        - module", 1),
		"          metricsets: [cat_template, component_template, index_template]\n          ssl.certificate_authorities:\n            - ${env:AUTOOPS_CA_CERT}\n", "          metricsets: [cat_template, component_template, index_template]\n", 1))
	_, doc = run(broken, "json")
	var findings []string
	for _, f := range doc["config_findings"].([]any) {
		findings = append(findings, f.(map[string]any)["finding"].(string))
	}
	// A scalar CA is a one-item list, as the agent reads it (ca_not_a_list is retired).
	assert.ElementsMatch(t, []string{"ca_on_some_modules"}, findings)
	text, _ := run(broken, "text")
	assert.Less(t, strings.Index(text, "[CONFIG] ca_on_some_modules"), strings.Index(text, "AutoOps connectivity:"), "findings come before the probes' results")
}
