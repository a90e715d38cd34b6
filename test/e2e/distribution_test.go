//go:build e2e

package e2e

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

const apiKeyID, apiKeySecret = "VuaCfGcBCdbkQm-e5aOx", "ui2lp2axTNmsyakw9tvNnw"

// localElastic is a cluster over TLS with a generated CA, and both cloud endpoints over TLS
// answering the 401s the guide expects.
type localElastic struct {
	caFile, cluster, registration, otlp string
}

func newLocalElastic(t *testing.T) localElastic {
	ca := testutil.NewCA(t, "AutoOps E2E Test CA")
	leaf := ca.Leaf(t, testutil.LeafOptions{})
	es := &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(apiKeyID+":"+apiKeySecret))}
	cloud := func(h http.HandlerFunc) string {
		srv := httptest.NewUnstartedServer(h)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	}
	return localElastic{
		caFile:       ca.WriteFile(t, t.TempDir()),
		cluster:      "https://" + strings.Replace(testutil.ServeTLSLikeElasticsearch(t, leaf, es), "127.0.0.1", "localhost", 1),
		registration: cloud(testutil.Registration401),
		otlp:         cloud(testutil.OTLP401),
	}
}

func (l localElastic) receiverConfig(name, extra string) string {
	return fmt.Sprintf(`
  autoops_probe%s:
    collection_interval: 1s
    initial_delay: 100ms
    logs: {emit: every_run}
    cluster:
      endpoint: %s
      api_key: ${env:AUTOOPS_ES_API_KEY}
      tls: {ca_file: %s}
    registration:
      endpoint: %s
      tls: {ca_file: %s}
    otlp:
      endpoint: %s
      tls: {ca_file: %s}
%s`, name, l.cluster, l.caFile, l.registration, l.caFile, l.otlp, l.caFile, extra)
}

const quietTelemetry = `
  telemetry:
    metrics: {level: none}
`

func TestDistributionExportsEveryProbeThroughOTLP(t *testing.T) {
	l := newLocalElastic(t)
	sink := newOTLPSink(t)
	encodedKey := base64.StdEncoding.EncodeToString([]byte(apiKeyID + ":" + apiKeySecret))
	config := `
receivers:` + l.receiverConfig("", "") + `
  autoops_probe/broken:
    collection_interval: 1s
    initial_delay: 100ms
    cluster: {enabled: false}
    registration: {enabled: false}
    otlp:
      endpoint: https://localhost:` + fmt.Sprint(freePort(t)) + `
exporters:
  otlp_http:
    endpoint: ` + sink.url + `
    encoding: json
    compression: none
service:` + quietTelemetry + `
  pipelines:
    metrics:
      receivers: [autoops_probe, autoops_probe/broken]
      exporters: [otlp_http]
    logs:
      receivers: [autoops_probe, autoops_probe/broken]
      exporters: [otlp_http]
`
	col := startCollector(t, config, []string{"AUTOOPS_ES_API_KEY=" + encodedKey})
	waitFor(t, 30*time.Second, "records of all three probes", func() bool { return len(sink.latest()) == 3 && len(sink.points()["autoops.probe.failure"]) > 0 })

	latest := sink.latest()
	for _, name := range []string{"cluster", "registration"} {
		r := latest[name]
		assert.Equal(t, true, r.attrs["autoops.probe.success"], "%s: %s", name, r.body)
		assert.NotEmpty(t, r.attrs["url.full"])
		assert.Equal(t, "localhost", r.attrs["server.address"])
		assert.EqualValues(t, 401, latest["registration"].attrs["http.response.status_code"])
		assert.Contains(t, r.attrs["tls.server.issuer"], "AutoOps E2E Test CA")
	}
	cluster := latest["cluster"]
	assert.Equal(t, "WARN", cluster.severity, "the key was given base64-encoded: %s", cluster.body)
	assert.Equal(t, []any{"api_key_encoded_form"}, cluster.attrs["autoops.probe.warnings"])
	assert.Equal(t, "my-ccm-cluster", cluster.resource["elasticsearch.cluster.name"])
	assert.Equal(t, "9.1.3", cluster.resource["elasticsearch.cluster.version"])

	var sawOK, sawBroken bool
	for _, r := range sink.records() {
		if r.attrs["autoops.probe.name"] != "otlp" {
			continue
		}
		if r.attrs["autoops.probe.success"] == true {
			sawOK = r.severity == "INFO"
		} else {
			sawBroken = r.severity == "ERROR" && r.attrs["error.type"] == "connection_refused" && r.attrs["autoops.probe.remedy"] != nil
		}
	}
	assert.True(t, sawOK, "the otlp probe of autoops_probe passed")
	assert.True(t, sawBroken, "the otlp probe of autoops_probe/broken failed with connection_refused")

	points := sink.points()
	for _, m := range []string{
		"autoops.probe.success", "autoops.probe.failure", "autoops.probe.duration", "autoops.probe.phase.duration",
		"autoops.probe.http.status_code", "autoops.probe.tls.cert.remaining", "autoops.probe.warning",
	} {
		require.NotEmpty(t, points[m], "metric %s never arrived", m)
		for _, p := range points[m] {
			assert.Contains(t, p, "autoops.probe.name", m)
			assert.Contains(t, p, "server.address", m)
			assert.Contains(t, p, "server.port", m)
		}
	}
	phases := map[any]bool{}
	for _, p := range points["autoops.probe.phase.duration"] {
		phases[p["autoops.probe.phase"]] = true
	}
	for _, ph := range []string{"dns", "connect", "tls", "request", "transfer"} {
		assert.True(t, phases[ph], "phase %s", ph)
	}
	for _, p := range points["autoops.probe.failure"] {
		assert.Equal(t, "connection_refused", p["error.type"])
	}
	for _, p := range points["autoops.probe.tls.cert.remaining"] {
		assert.Greater(t, p["value"], int64(3600), "the test certificate is valid for hours")
	}

	// The key, in either form, never leaves the collector.
	col.stop()
	everything := col.output.String() + sink.rawText()
	for _, secret := range []string{apiKeySecret, encodedKey} {
		assert.NotContains(t, everything, secret)
	}
}
