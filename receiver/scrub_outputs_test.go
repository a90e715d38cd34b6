package autoopsreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
