package autoopsreceiver

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
)

// readmeYAML is the first YAML block after heading in the README.
func readmeYAML(t *testing.T, heading string) string {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	readme := string(raw)
	i := strings.Index(readme, heading)
	require.GreaterOrEqual(t, i, 0, heading)
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(readme[i:])
	require.NotNil(t, m, "no YAML block after %s", heading)
	return m[1]
}

// resolveReceiver reads the autoops_probe receiver of a collector config as the collector
// would, ${env:...} included, and validates it.
func resolveReceiver(t *testing.T, yaml string) error {
	t.Helper()
	cfg, err := resolveReceiverConfig(t, yaml)
	if err != nil {
		return err
	}
	return confmap.Validate(cfg)
}

// resolveReceiverConfig reads the autoops_probe receiver of a collector config as the
// collector would, ${env:...} included.
func resolveReceiverConfig(t *testing.T, yaml string) (*Config, error) {
	t.Helper()
	resolver, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{"yaml:" + yaml},
		ProviderFactories: []confmap.ProviderFactory{envprovider.NewFactory(), yamlprovider.NewFactory()},
		DefaultScheme:     "env",
	})
	require.NoError(t, err)
	conf, err := resolver.Resolve(context.Background())
	require.NoError(t, err)
	sub, err := conf.Sub("receivers::autoops_probe")
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	return cfg, sub.Unmarshal(cfg)
}

// The README's examples validate as written.
func TestREADMEExamplesValidate(t *testing.T) {
	require.NoError(t, resolveReceiver(t, readmeYAML(t, "## Configuration")), "the Configuration block")

	add := readmeYAML(t, "## Add it to a collector you already run")
	t.Setenv("AUTOOPS_ES_URL", "https://es.corp.example:9200")
	t.Setenv("AUTOOPS_ES_API_KEY", "id:key")
	t.Setenv("AUTOOPS_OTEL_URL", "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud")
	require.NoError(t, resolveReceiver(t, add), "the Add it block, variables set")

	// What the README says happens when AUTOOPS_ES_URL is unset.
	t.Setenv("AUTOOPS_ES_URL", "")
	err := resolveReceiver(t, add)
	require.ErrorContains(t, err, `cluster.endpoint: empty: set it (an unset ${env:...} variable reads as "")`)
	raw, _ := os.ReadFile("../README.md")
	require.Contains(t, string(raw), `cluster.endpoint: empty: set it (an unset ${env:...} variable reads as "")`)
}
