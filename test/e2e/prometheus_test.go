//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real Prometheus server scrapes the distribution's prometheus exporter and answers a
// PromQL query for the probe success series.
func TestPrometheusScrapesProbeSuccess(t *testing.T) {
	promBin, err := exec.LookPath("prometheus")
	needs(t, err == nil, "prometheus is not installed (make deps installs Debian's package)")

	l := newLocalElastic(t)
	exporterPort := freePort(t)
	config := `
receivers:` + l.receiverConfig("", "") + `
exporters:
  prometheus:
    endpoint: 127.0.0.1:` + fmt.Sprint(exporterPort) + `
service:` + quietTelemetry + `
  pipelines:
    metrics:
      receivers: [autoops_probe]
      exporters: [prometheus]
`
	key := base64.StdEncoding.EncodeToString([]byte(apiKeyID + ":" + apiKeySecret))
	startCollector(t, config, []string{"AUTOOPS_ES_API_KEY=" + key})

	dir := t.TempDir()
	promCfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(promCfg, []byte(fmt.Sprintf(`
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: otelcol-autoops
    static_configs: [{targets: ["127.0.0.1:%d"]}]
`, exporterPort)), 0o600))
	promPort := freePort(t)
	prom := exec.Command(promBin, "--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort))
	promOut := &syncBuffer{}
	prom.Stdout, prom.Stderr = promOut, promOut
	require.NoError(t, prom.Start())
	t.Cleanup(func() {
		_ = prom.Process.Signal(syscall.SIGTERM)
		_ = prom.Wait()
		if t.Failed() {
			t.Logf("prometheus output:\n%s", tail(promOut.String(), 3000))
		}
	})

	query := `autoops_probe_success{autoops_probe_name=~"cluster|registration|otlp"}`
	var series []promSeries
	waitFor(t, 60*time.Second, "Prometheus to hold the three success series", func() bool {
		series = promQuery(fmt.Sprintf("http://127.0.0.1:%d", promPort), query)
		return len(series) == 3
	})
	for _, s := range series {
		assert.Equal(t, "1", s.Value[1], "%v", s.Metric)
		assert.Equal(t, "localhost", s.Metric["server_address"])
		assert.NotEmpty(t, s.Metric["server_port"])
	}
}

type promSeries struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func promQuery(base, q string) []promSeries {
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil
	}
	defer func() { _ = resp.Body.Close() }()
	var out struct {
		Data struct {
			Result []promSeries `json:"result"`
		} `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&out) != nil {
		return nil
	}
	return out.Data.Result
}
