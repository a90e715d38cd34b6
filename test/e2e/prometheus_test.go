//go:build e2e

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
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

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A real Prometheus server scrapes the distribution's prometheus exporter and answers a
// PromQL query for the probe success series.
func TestPrometheusScrapesProbeSuccess(t *testing.T) {
	promBin, err := exec.LookPath("prometheus")
	needs(t, err == nil, "prometheus is not installed (make deps installs Debian's package)")

	l := newLocalElastic(t)
	exporterPort := freePort(t)
	// A second instance whose registration endpoint refuses (not on 127.0.0.1, which from a
	// container is the guide's --network host case): the failure series exists too.
	broken := l
	_, closedPort, _ := net.SplitHostPort(testutil.ClosedPort(t))
	broken.registration = "https://127.0.0.2:" + closedPort
	config := `
receivers:` + l.receiverConfig("", "") + broken.receiverConfig("/broken", "") + `
exporters:
  prometheus:
    endpoint: 127.0.0.1:` + fmt.Sprint(exporterPort) + `
service:` + quietTelemetry + `
  pipelines:
    metrics:
      receivers: [autoops_probe, autoops_probe/broken]
      exporters: [prometheus]
`
	key := base64.StdEncoding.EncodeToString([]byte(apiKeyID + ":" + apiKeySecret))
	startCollector(t, config, []string{"AUTOOPS_ES_API_KEY=" + key})

	dir := t.TempDir()
	rulesFile, err := filepath.Abs("../../deploy/prometheus/autoops-probe-rules.yaml")
	require.NoError(t, err)
	promCfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(promCfg, []byte(fmt.Sprintf(`
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [%q]
scrape_configs:
  - job_name: otelcol-autoops
    static_configs: [{targets: ["127.0.0.1:%d"]}]
`, rulesFile, exporterPort)), 0o600))
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

	api := fmt.Sprintf("http://127.0.0.1:%d", promPort)
	query := `autoops_probe_success{autoops_probe_name=~"cluster|registration|otlp"}`
	var series []promSeries
	// The two instances share cluster and intake; autoops_probe_instance keeps their series
	// apart, so the failing one is named.
	waitFor(t, 60*time.Second, "Prometheus to hold the six success series", func() bool {
		series = promQuery(api, query)
		return len(series) == 6
	})
	for _, s := range series {
		want := "1"
		if s.Metric["autoops_probe_instance"] == "autoops_probe/broken" && s.Metric["autoops_probe_name"] == "registration" {
			want = "0"
		}
		assert.Equal(t, want, s.Value[1], "%v", s.Metric)
		assert.NotEmpty(t, s.Metric["server_port"])
		assert.Contains(t, []string{"autoops_probe", "autoops_probe/broken"}, s.Metric["autoops_probe_instance"])
	}
	// Grouped by instance, as the alert rules and the dashboard do.
	waitFor(t, 30*time.Second, "the failing instance alone in a grouped query", func() bool {
		failing := promQuery(api, `min by (autoops_probe_instance) (autoops_probe_success) == 0`)
		return len(failing) == 1 && failing[0].Metric["autoops_probe_instance"] == "autoops_probe/broken"
	})

	// Every query of the Grafana dashboard answers with data from the receiver.
	for _, q := range dashboardQueries(t) {
		var got []promSeries
		waitFor(t, 30*time.Second, "data for the dashboard query "+q, func() bool {
			got = promQuery(api, q)
			return len(got) > 0
		})
	}
	// The alert rules load and evaluate: the failing probe is pending or firing.
	waitFor(t, 30*time.Second, "the AutoOpsProbeFailing alert", func() bool {
		return len(promQuery(api, `ALERTS{alertname="AutoOpsProbeFailing",autoops_probe_name="registration",error_type="connection_refused"}`)) > 0
	})
}

// dashboardQueries reads every PromQL expression of the committed Grafana dashboard.
func dashboardQueries(t *testing.T) []string {
	raw, err := os.ReadFile("../../deploy/grafana/autoops-probe-dashboard.json")
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &dash))
	var queries []string
	for _, p := range dash.Panels {
		require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		for _, target := range p.Targets {
			queries = append(queries, target.Expr)
		}
	}
	require.GreaterOrEqual(t, len(queries), 6)
	return queries
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
