//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The healthcheckv2 extension shows the receiver's status: RecoverableError naming the
// failed probe and its error.type.
func TestHealthCheckShowsFailedProbes(t *testing.T) {
	l := newLocalElastic(t)
	healthPort := freePort(t)
	closed := testutil.ClosedPort(t)
	config := healthExtension(healthPort) + fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1h
    initial_delay: 0s
    cluster: {enabled: false}
    registration:
      endpoint: %s
      tls: {ca_file: %s}
    otlp:
      endpoint: https://%s
exporters:
  debug: {verbosity: basic}
service:`+quietTelemetry+`
  extensions: [healthcheckv2]
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [debug]}
`, l.registration, l.caFile, closed)
	startCollector(t, config, nil)
	var body string
	var status int
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last health answer %d: %s", status, body)
		}
	})
	waitFor(t, 30*time.Second, "the health endpoint to report the failed probe", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health/status?verbose", healthPort))
		if err != nil {
			return false
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		body, status = string(b), resp.StatusCode
		return strings.Contains(body, "otlp: connection_refused") && status == http.StatusInternalServerError
	})
	assert.Equal(t, http.StatusInternalServerError, status, body)
	assert.Contains(t, body, "StatusRecoverableError")
	assert.NotContains(t, body, "registration:", "the passing probe is not named")
}

// healthExtension is healthcheckv2 serving /health/status on port, counting recoverable errors.
func healthExtension(port int) string {
	return fmt.Sprintf(`
extensions:
  healthcheckv2:
    use_v2: true
    component_health: {include_recoverable_errors: true, recovery_duration: 1s}
    http:
      endpoint: "127.0.0.1:%d"
      status: {enabled: true, path: /health/status}`, port)
}

// Every secret a user can configure stays out of everything the collector prints and
// exports, with debug logging and the most verbose debug exporter.
func TestSecretsNeverLeak(t *testing.T) {
	const password, headerValue, proxyPassword = "Bas1cPassw0rd", "H3aderS3cret", "Pr0xyS3cret"
	es := &testutil.FakeES{Authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte("autoops:"+password))}
	l := newLocalElastic(t)
	cluster := "http://" + testutil.RawServerHTTP(t, es)
	sink := newOTLPSink(t)
	config := fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1s
    initial_delay: 0s
    logs: {emit: every_run}
    cluster:
      endpoint: %s
      username: autoops
      password: ${env:AUTOOPS_ES_PASSWORD}
      headers:
        X-Internal-Token: ${env:HEADER_SECRET}
    registration:
      endpoint: %s
      proxy_url: http://probe:%s@127.0.0.1:%d
    otlp:
      endpoint: %s
      tls: {ca_file: %s}
exporters:
  debug: {verbosity: detailed}
  otlp_http: {endpoint: %s, encoding: json, compression: none}
service:
  telemetry:
    metrics: {level: none}
    logs: {level: debug}
  pipelines:
    metrics: {receivers: [autoops_probe], exporters: [debug, otlp_http]}
    logs: {receivers: [autoops_probe], exporters: [debug, otlp_http]}
`, cluster, l.registration, proxyPassword, freePort(t), l.otlp, l.caFile, sink.url)
	col := startCollector(t, config, []string{"AUTOOPS_ES_PASSWORD=" + password, "HEADER_SECRET=" + headerValue})
	waitFor(t, 30*time.Second, "two runs of every probe", func() bool { return len(sink.records()) >= 6 })
	latest := sink.latest()
	require.Equal(t, true, latest["cluster"].attrs["autoops.probe.success"], latest["cluster"].body)
	require.Equal(t, "proxy_unreachable", latest["registration"].attrs["error.type"], latest["registration"].body)
	col.stop()

	everything := col.output.String() + sink.rawText()
	for _, secret := range []string{password, headerValue, proxyPassword, base64.StdEncoding.EncodeToString([]byte("autoops:" + password))} {
		assert.NotContains(t, everything, secret)
	}
}

// A gateway or WAF that echoes the request's headers in its page brings none of the secrets
// back: not into the collector's logs, the exported log records, nor the one-shot's text and
// JSON, run on the same configuration.
func TestEchoedSecretsNeverLeak(t *testing.T) {
	const apiKey, token, header = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw", "AutoOpsT0ken-s3cret", "H3aderS3cret-echo"
	echo := testutil.EchoHeaders(http.StatusBadGateway)
	cluster, intake := testutil.RawServerHTTP(t, echo), testutil.RawServerHTTP(t, echo)
	sink := newOTLPSink(t)
	config := fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1h
    initial_delay: 0s
    cluster:
      endpoint: http://%s
      api_key: ${env:AUTOOPS_ES_API_KEY}
      headers: {X-Internal: "${env:HEADER_SECRET}"}
    registration: {enabled: false}
    otlp:
      endpoint: http://%s
      token: ${env:AUTOOPS_TOKEN}
exporters:
  debug: {verbosity: detailed}
  otlp_http: {endpoint: %s, encoding: json, compression: none}
service:
  telemetry:
    metrics: {level: none}
    logs: {level: debug}
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [debug, otlp_http]}
`, cluster, intake, sink.url)
	env := []string{"AUTOOPS_ES_API_KEY=" + apiKey, "AUTOOPS_TOKEN=" + token, "HEADER_SECRET=" + header}
	col := startCollector(t, config, env)
	waitFor(t, 30*time.Second, "both probes' records", func() bool { return len(sink.records()) >= 2 })
	col.stop()
	everything := col.output.String() + sink.rawText()
	require.Contains(t, everything, "[REDACTED]", "the echoed page is quoted, scrubbed")

	for _, format := range []string{"text", "json"} {
		cmd := exec.Command(commandBinary(t), "--config", col.configPath, "--format", format)
		cmd.Env = col.env
		out, _ := cmd.CombinedOutput()
		require.Contains(t, string(out), "REDACTED", "the one-shot ran and quoted the scrubbed echo: %s", out)
		everything += string(out)
	}
	for _, secret := range []string{apiKey, "ui2lp2axTNmsyakw9tvNnw", base64.StdEncoding.EncodeToString([]byte(apiKey)), token, header} {
		assert.NotContains(t, everything, secret)
	}
}
