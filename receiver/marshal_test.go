package autoopsreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/xconfmap"
	"gopkg.in/yaml.v3"
)

// What the collector keeps of each instance's configuration (it marshals every component's
// and holds the result) leaves out the generated blocks' defaults, and reads back as the same
// configuration.
func TestMarshaledConfigIsSmallAndRoundTrips(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Endpoint = "https://otel.example"
	marshaled := confmap.New()
	require.NoError(t, marshaled.Marshal(cfg, xconfmap.WithUnredacted()))
	out, err := yaml.Marshal(marshaled.ToStringMap())
	require.NoError(t, err)
	assert.NotContains(t, string(out), "aggregation_strategy", "the default metrics settings are left out")
	assert.NotContains(t, string(out), "metrics_include")
	assert.Less(t, len(marshaled.AllKeys()), 40, "%s", out)

	back := createDefaultConfig().(*Config)
	require.NoError(t, marshaled.Unmarshal(back))
	assert.Equal(t, cfg.MetricsBuilderConfig, back.MetricsBuilderConfig)
	assert.Equal(t, cfg.Events, back.Events)

	// A setting that differs is kept, and read back.
	user := confmap.NewFromStringMap(map[string]any{
		"otlp":                map[string]any{"endpoint": "https://otel.example"},
		"metrics":             map[string]any{"autoops.probe.phase.duration": map[string]any{"enabled": false}},
		"resource_attributes": map[string]any{"elasticsearch.cluster.uuid": map[string]any{"enabled": false}},
		"events":              map[string]any{"autoops.probe.result": map[string]any{"enabled": false}},
	})
	cfg = createDefaultConfig().(*Config)
	require.NoError(t, user.Unmarshal(cfg))
	marshaled = confmap.New()
	require.NoError(t, marshaled.Marshal(cfg, xconfmap.WithUnredacted()))
	back = createDefaultConfig().(*Config)
	require.NoError(t, marshaled.Unmarshal(back))
	assert.False(t, back.Metrics.AutoopsProbePhaseDuration.Enabled)
	assert.True(t, back.Metrics.AutoopsProbeSuccess.Enabled)
	assert.False(t, back.ResourceAttributes.ElasticsearchClusterUUID.Enabled)
	assert.False(t, back.Events.AutoopsProbeResult.Enabled)
	assert.Equal(t, cfg.MetricsBuilderConfig, back.MetricsBuilderConfig)
}

// Marshaled, a configuration keeps every setting that differs from the defaults, reads back
// the same, and leaves its secrets to the collector's encoder: redacted by default (the
// snapshot, print-config), shown with print-config --mode unredacted.
func TestMarshalKeepsSettingsAndSecretsMode(t *testing.T) {
	user := confmap.NewFromStringMap(map[string]any{
		"collection_interval": "30s",
		"cluster": map[string]any{
			"endpoint": "https://es.corp:9200", "api_key": "id:S3cretKey", "check_privileges": false,
			"headers": map[string]any{"X-Trace": "T0kenHeader"}, "proxy_url": "http://u:Pr0xyPw@proxy:3128",
			"keepalive": map[string]any{}, "tls_verification_mode": "certificate",
		},
		"registration":  map[string]any{"enabled": false},
		"otlp":          map[string]any{"endpoint": "https://otel.example", "token": "AutoOpsT0ken", "timeout": "3s"},
		"agent_version": "9.2.5",
	})
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, user.Unmarshal(cfg))

	redacted := confmap.New()
	require.NoError(t, redacted.Marshal(cfg))
	text, err := yaml.Marshal(redacted.ToStringMap())
	require.NoError(t, err)
	for _, secret := range []string{"S3cretKey", "T0kenHeader", "Pr0xyPw", "AutoOpsT0ken"} {
		assert.NotContains(t, string(text), secret)
	}
	assert.Contains(t, string(text), "api_key: '[REDACTED]'")

	unredacted := confmap.New()
	require.NoError(t, unredacted.Marshal(cfg, xconfmap.WithUnredacted()))
	text, err = yaml.Marshal(unredacted.ToStringMap())
	require.NoError(t, err)
	for _, secret := range []string{"id:S3cretKey", "T0kenHeader", "AutoOpsT0ken"} {
		assert.Contains(t, string(text), secret, "print-config --mode unredacted shows it")
	}
	assert.Contains(t, string(text), "http://u:[REDACTED]@proxy:3128", "a URL's password shows in no mode")
	assert.NotContains(t, string(text), "Pr0xyPw")
	assert.NotContains(t, string(text), "force_attempt_http2", "a default left out")

	back := createDefaultConfig().(*Config)
	require.NoError(t, unredacted.Unmarshal(back))
	cfg.resolved, back.resolved = nil, nil
	cfg.Cluster.ProxyURL, cfg.Cluster.MaskedProxyURL = "http://u:[REDACTED]@proxy:3128", "http://u:[REDACTED]@proxy:3128"
	assert.Equal(t, cfg, back, "read back, the same configuration but for the URL's password")
}
