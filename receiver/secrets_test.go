package autoopsreceiver

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// No quote of an answer carries a configured secret, in any of its forms: the log body, its
// attributes, the one-shot's results.
func TestEchoedSecretsNeverReachTheResults(t *testing.T) {
	cluster := httptest.NewServer(testutil.EchoHeaders(http.StatusUnauthorized))
	defer cluster.Close()
	intake := httptest.NewServer(testutil.EchoHeaders(http.StatusBadGateway))
	defer intake.Close()
	const apiKey, token, header = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw", "s3cret-autoops-token", "H3ader-S3cret"
	secrets := []string{apiKey, "ui2lp2axTNmsyakw9tvNnw", base64.StdEncoding.EncodeToString([]byte(apiKey)), token, header}

	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Endpoint, cfg.Cluster.APIKey = cluster.URL, apiKey
	cfg.Cluster.Headers.Set("X-Auth-Token", configopaque.String(header))
	cfg.Registration.Enabled = false
	cfg.OTLP.Endpoint, cfg.OTLP.Token = intake.URL, token
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 2)
	for _, r := range results {
		require.False(t, r.Verdict.Passed)
		lr := plog.NewLogRecord()
		fillLogRecord(lr, &r, 0, "autoops_probe")
		text := lr.Body().Str() + r.Verdict.Summary()
		for _, v := range lr.Attributes().All() {
			text += v.AsString()
		}
		assert.Contains(t, text, "[REDACTED]", "the echo is quoted, scrubbed")
		for _, s := range secrets {
			assert.NotContains(t, text, s)
		}
	}
}

// What the cluster's answer and its certificate say reaches the resource and the record
// scrubbed: elasticsearch.cluster.name from a \u00XX-escaped cluster_name, tls.server.subject
// and autoops.probe.tls.earliest_expiry.subject from a subject carrying the echoed header.
func TestAnswerFactsReachTelemetryScrubbed(t *testing.T) {
	const apiKey = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"
	auth := "ApiKey " + base64.StdEncoding.EncodeToString([]byte(apiKey))
	var escaped strings.Builder
	for _, c := range []byte("ui2lp2axTNmsyakw9tvNnw") {
		fmt.Fprintf(&escaped, `\u%04X`, c)
	}
	ca := testutil.NewCA(t, "Telemetry Scrub CA")
	cert := ca.Leaf(t, testutil.LeafOptions{Organization: []string{"Echo " + auth}})
	es := &testutil.FakeES{Authorization: auth, Root: `{"name":"n","cluster_name":"` + escaped.String() + `","cluster_uuid":"u","version":{"number":"9.1.3"}}`}
	addr := testutil.ServeTLSLikeElasticsearch(t, cert, es)

	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Endpoint, cfg.Cluster.APIKey = "https://"+addr, apiKey
	cfg.Cluster.TLS.CAFile = ca.WriteFile(t, t.TempDir())
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 1)
	require.True(t, results[0].Verdict.Passed, results[0].Verdict.Summary())

	tel := &telemetry{resourceAttrs: cfg.ResourceAttributes}
	tel.rememberCluster(results)
	name, ok := tel.resource().Attributes().Get("elasticsearch.cluster.name")
	require.True(t, ok)
	assert.Equal(t, "[REDACTED]", name.Str())

	attrs := ResultAttributes(&results[0])
	assert.Equal(t, "CN=localhost,O=Echo [REDACTED]", attrs["tls.server.subject"])
	assert.Equal(t, "CN=localhost,O=Echo [REDACTED]", attrs["autoops.probe.tls.earliest_expiry.subject"])
	text := fmt.Sprint(attrs) + results[0].Verdict.Summary()
	for _, s := range []string{"ui2lp2axTNmsyakw9tvNnw", strings.TrimPrefix(auth, "ApiKey ")[:12]} {
		assert.NotContains(t, text, s)
	}
}

// Only credentials are secrets: the configured headers' ordinary values are never scrubbed.
func TestOrdinaryHeadersAreNotScrubbed(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Token = "s3cret-autoops-token"
	cfg.OTLP.Headers.Set("X-Forwarded-Proto", "https")
	cfg.OTLP.Headers.Set("X-Tag", "x")
	cfg.OTLP.Headers.Set("X-Auth-Token", "H3ader-S3cret")
	r := newRedactor(cfg, probe.Environment{HTTPSProxy: "user:Pr0xy/S3cret@proxy.corp:3128"}, nil)
	assert.Equal(t, "exchange over https", r.Redact("exchange over https"))
	assert.Equal(t, "[REDACTED] [REDACTED] [REDACTED]", r.Redact("s3cret-autoops-token H3ader-S3cret Pr0xy/S3cret"))
}

// Credentials in a proxy variable Go reads without a scheme never reach the report, its JSON or
// the exported record (autoops.probe.proxy), even from a proxy whose refusal quotes them.
func TestSchemelessProxyCredentialsNeverPrint(t *testing.T) {
	const pass = "Pr0xyS3cret"
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("Proxy-Authorization: " + r.Header.Get("Proxy-Authorization") + " refused"))
	}))
	defer proxy.Close()
	t.Setenv("HTTPS_PROXY", "probe:"+pass+"@"+strings.TrimPrefix(proxy.URL, "http://"))
	t.Setenv("https_proxy", "")
	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Endpoint = "https://es.example:9200"
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 1)
	r := results[0]
	require.NotEmpty(t, r.Evidence.Proxy, "the request went through the proxy")
	text := fmt.Sprint(ResultAttributes(&r)) + r.Verdict.Summary() + r.Verdict.FullRemedy() + r.Evidence.Proxy
	assert.Contains(t, text, "Proxy-Authorization: Basic [REDACTED]", "the refusal is quoted, scrubbed")
	assert.NotContains(t, text, pass)
	assert.NotContains(t, text, base64.StdEncoding.EncodeToString([]byte("probe:" + pass))[:12])
}
