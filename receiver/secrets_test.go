package autoopsreceiver

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/plog"

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
	cfg.Cluster.Headers.Set("X-Internal", configopaque.String(header))
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
