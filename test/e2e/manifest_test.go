//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The README's "add it to your own manifest", done as a user with a clone does it: a manifest
// outside the repository that pulls the receiver in by its module path, with replaces to the
// checkout, built with ocb, then run.
func TestUserManifestBuildsAndRuns(t *testing.T) {
	ocb := os.Getenv("OCB_BIN")
	if ocb == "" {
		ocb, _ = exec.LookPath("builder")
	}
	_, err := os.Stat(ocb)
	needs(t, ocb != "" && err == nil, "ocb is not installed (make build installs it)")
	checkout, err := filepath.Abs("../..")
	require.NoError(t, err)

	dir := t.TempDir()
	manifest := filepath.Join(dir, "my-manifest.yaml")
	require.NoError(t, os.WriteFile(manifest, []byte(`
dist:
  name: my-otelcol
  module: example.com/my-otelcol
  description: Someone's own collector, with the autoops_probe receiver added
  output_path: `+filepath.Join(dir, "build")+`
  version: 1.2.3
receivers:
  - gomod: github.com/autoopsprobe/autoops-probe v0.1.0
    name: autoopsprobe
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter v0.165.0
providers:
  - gomod: go.opentelemetry.io/collector/confmap/provider/envprovider v1.71.0
  - gomod: go.opentelemetry.io/collector/confmap/provider/fileprovider v1.71.0
replaces:
  - github.com/autoopsprobe/autoops-probe => `+checkout+`
`), 0o600))
	build := exec.Command(ocb, "--config", manifest)
	build.Dir = dir
	out, err := build.CombinedOutput()
	require.NoError(t, err, "ocb: %s", tail(string(out), 3000))

	es := "http://" + testutil.RawServerHTTP(t, &testutil.FakeES{})
	cloud := "http://" + testutil.RawServerHTTP(t, elasticCloud())
	config := fmt.Sprintf(`
receivers:
  autoops_probe:
    initial_delay: 0s
    cluster: {endpoint: %q}
    registration: {endpoint: %q}
    otlp: {endpoint: %q}
exporters:
  debug: {verbosity: detailed}
service:`+quietTelemetry+`
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [debug]}
`, es, cloud, cloud)
	t.Setenv("OTELCOL_BIN", filepath.Join(dir, "build", "my-otelcol"))
	col := startCollector(t, config, nil)
	waitFor(t, 60*time.Second, "the user's collector to log three passing results", func() bool {
		return strings.Count(col.output.String(), "autoops.probe.success: Bool(true)") == 3
	})
}
