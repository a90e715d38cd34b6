//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// Stopping the collector while probes wait out a firewall that drops packets and an intake
// that never answers: the last thing exported is still the timeouts' verdicts, never the
// cancellation's.
func TestStoppingMidRunKeepsTheLastRealVerdict(t *testing.T) {
	w := newWorld(t, nil)
	w.serveHTTP(t, cloudIP+":443", w.root, elasticCloud())
	w.serveHTTP(t, "127.0.0.1:9200", nil, &testutil.FakeES{})
	w.ns.iptables(t, "-p", "tcp", "--dport", "9200", "-j", "DROP")
	var arrivals atomic.Int32
	w.serveHTTP(t, "127.0.0.1:8080", nil, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	config := `
receivers:
  autoops_probe:
    collection_interval: 4s
    initial_delay: 0s
    logs: {emit: every_run}
    cluster: {endpoint: "http://es.corp:9200", timeout: 1500ms}
    registration: {timeout: 1500ms}
    otlp: {endpoint: "http://127.0.0.1:8080", timeout: 1500ms}
exporters:
  otlp_http: {endpoint: "http://127.0.0.1:4318", encoding: json, compression: none}
service:` + quietTelemetry + `
  pipelines:
    metrics: {receivers: [autoops_probe], exporters: [otlp_http]}
    logs: {receivers: [autoops_probe], exporters: [otlp_http]}
`
	col := startCollector(t, config, w.env, w.ns.prefix()...)
	waitFor(t, 30*time.Second, "the first run's verdicts", func() bool { return len(w.sink.latest()) == 3 })
	waitFor(t, 30*time.Second, "the second run to reach the intake", func() bool { return arrivals.Load() >= 2 })
	time.Sleep(300 * time.Millisecond) // both probes of the second run are waiting now
	col.stop()

	want := map[string]string{"cluster": "connection_timeout", "otlp": "response_timeout"}
	checkVerdicts(t, w.sink.latest(), expect{"cluster": want["cluster"], "registration": "", "otlp": want["otlp"]})
	for _, r := range w.sink.records() {
		if et, ok := r.attrs["error.type"]; ok {
			name := fmt.Sprint(r.attrs["autoops.probe.name"])
			assert.Equal(t, want[name], et, "a record of %s with another reason: %s", name, r.body)
		}
	}
	for _, p := range w.sink.points()["autoops.probe.failure"] {
		if p["value"] == int64(1) {
			assert.Equal(t, want[fmt.Sprint(p["autoops.probe.name"])], p["error.type"], "%v", p)
		}
	}
	assert.NotContains(t, w.sink.rawText(), "context canceled")
}

// healthcheckv2 with the receiver in a metrics and a logs pipeline shows the same status
// under both: in error, and again after recovery.
func TestHealthIsTheSameUnderEveryPipeline(t *testing.T) {
	var portal atomic.Bool
	portal.Store(true)
	intake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if portal.Load() {
			_, _ = w.Write([]byte(`<html>Sign in to the network</html>`))
			return
		}
		testutil.OTLP401(w, r)
	}))
	t.Cleanup(intake.Close)
	registration := httptest.NewServer(http.HandlerFunc(testutil.Registration401))
	t.Cleanup(registration.Close)
	healthPort := freePort(t)
	config := healthExtension(healthPort) + fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1s
    initial_delay: 0s
    cluster: {enabled: false}
    registration: {endpoint: %s}
    otlp: {endpoint: %s}
exporters:
  debug: {verbosity: basic}
service:`+quietTelemetry+`
  extensions: [healthcheckv2]
  pipelines:
    metrics: {receivers: [autoops_probe], exporters: [debug]}
    logs: {receivers: [autoops_probe], exporters: [debug]}
`, registration.URL, intake.URL)
	startCollector(t, config, nil)

	var last map[string]string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last receiver status per pipeline: %v", last)
		}
	})
	underEveryPipeline := func(status string) func() bool {
		return func() bool {
			last = receiverStatusPerPipeline(healthPort)
			return len(last) == 2 && last["pipeline:metrics"] == status && last["pipeline:logs"] == status
		}
	}
	waitFor(t, 30*time.Second, "StatusRecoverableError under both pipelines", underEveryPipeline("StatusRecoverableError"))
	portal.Store(false)
	waitFor(t, 30*time.Second, "StatusOK under both pipelines after recovery", underEveryPipeline("StatusOK"))
}

// receiverStatusPerPipeline reads healthcheckv2's verbose status: the autoops_probe
// receiver's status under each pipeline.
func receiverStatusPerPipeline(port int) map[string]string {
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health/status?verbose", port))
	if err != nil {
		return nil
	}
	defer func() { _ = resp.Body.Close() }()
	type node struct {
		Status     string          `json:"status"`
		Components map[string]node `json:"components"`
	}
	var root node
	if json.NewDecoder(resp.Body).Decode(&root) != nil {
		return nil
	}
	out := map[string]string{}
	for name, pipeline := range root.Components {
		if r, ok := pipeline.Components["receiver:autoops_probe"]; ok && strings.HasPrefix(name, "pipeline:") {
			out[name] = r.Status
		}
	}
	return out
}

// A cluster that is down, then comes up, read through the prometheus exporter with its
// default settings: success 1, and the ended reason's series at 0 at once.
func TestAnEndedReasonReadsZeroInPrometheus(t *testing.T) {
	// Not 127.0.0.1: refused there, from inside a container, is the guide's --network host case.
	clusterAddr := fmt.Sprintf("127.0.0.2:%d", freePort(t))
	registration := httptest.NewServer(http.HandlerFunc(testutil.Registration401))
	t.Cleanup(registration.Close)
	exporterPort := freePort(t)
	config := fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1s
    initial_delay: 0s
    cluster: {endpoint: "http://%s"}
    registration: {endpoint: %s}
    otlp: {enabled: false}
exporters:
  prometheus: {endpoint: "127.0.0.1:%d"}
service:`+quietTelemetry+`
  pipelines:
    metrics: {receivers: [autoops_probe], exporters: [prometheus]}
`, clusterAddr, registration.URL, exporterPort)
	startCollector(t, config, nil)
	scrape := func() string {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", exporterPort))
		if err != nil {
			return ""
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	refused := func(text string) string {
		return sample(text, "autoops_probe_failure", map[string]string{"autoops_probe_name": "cluster", "error_type": "connection_refused"})
	}
	success := func(text string) string {
		return sample(text, "autoops_probe_success", map[string]string{"autoops_probe_name": "cluster"})
	}
	var text string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last scrape:\n%s", text)
		}
	})
	waitFor(t, 30*time.Second, "the refused cluster in Prometheus", func() bool {
		text = scrape()
		return refused(text) == "1" && success(text) == "0"
	})

	ln, err := net.Listen("tcp", clusterAddr)
	require.NoError(t, err)
	srv := &http.Server{Handler: &testutil.FakeES{}, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	waitFor(t, 30*time.Second, "the cluster up in Prometheus", func() bool {
		text = scrape()
		return success(text) == "1"
	})
	assert.Equal(t, "0", refused(text), "the ended reason reads 0 at once, not 1 until metric_expiration")
}

// sample finds the value of metric's sample whose labels include all of want in the
// Prometheus text exposition; "" when there is none.
func sample(text, metric string, want map[string]string) string {
	line := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$`)
	label := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
	for _, l := range strings.Split(text, "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil || m[1] != metric {
			continue
		}
		labels := map[string]string{}
		for _, kv := range label.FindAllStringSubmatch(m[2], -1) {
			labels[kv[1]] = kv[2]
		}
		matches := true
		for k, v := range want {
			matches = matches && labels[k] == v
		}
		if matches {
			return m[3]
		}
	}
	return ""
}
