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
