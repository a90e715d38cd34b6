package autoopsreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// An endpoint whose query holds a credential (the intake's token as ?token=, or any value
// there) is refused by validation without quoting it: the collector's validate and the
// one-shot print these messages as they are.
func TestValidationQuotesNoQueryValue(t *testing.T) {
	const token, other = "T0k3n-autoops-v4lue", "plainvalue"
	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Endpoint = "https://otel.example/v1?token=" + token + "&q=" + other
	cfg.Registration.Endpoint = "ftp://reg.example?key=" + token
	err := cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "otlp.endpoint")
	assert.Contains(t, err.Error(), "https://otel.example/v1?token=…&q=…", "the URL's shape stays readable")
	assert.Contains(t, err.Error(), "registration.endpoint")
	for _, s := range []string{token, other} {
		assert.NotContains(t, err.Error(), s)
	}
}

// A log body quotes the evidence, which quotes others' text (a certificate's issuer, an
// error): its control bytes arrive escaped, for whoever reads the log in a terminal.
func TestLogBodyEscapesControlBytes(t *testing.T) {
	r := Result{}
	r.Verdict.Probe = probe.Cluster
	r.Verdict.ErrorType = "tls_incomplete_chain"
	r.Verdict.Evidence = "the cluster sent only its own certificate, issued by CN=Evil\x1b[2J\x07\u009b31m CA"
	lr := plog.NewLogRecord()
	fillLogRecord(lr, &r, 0, "autoops_probe")
	body := lr.Body().Str()
	assert.Contains(t, body, `CN=Evil\u001B[2J\u0007\u009B31m CA`)
	assert.NotContains(t, body, "\x1b")
	assert.NotContains(t, body, "\x07")
	assert.NotContains(t, body, "\u009b")
}
