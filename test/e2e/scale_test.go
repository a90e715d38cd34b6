//go:build e2e && scale

package e2e

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// TestScale (make scale) runs the distribution with 1 and then SCALE_INSTANCES (default 300)
// receiver instances against local TLS servers and reports its resident memory and the
// longest probe duration once runs are spread (after each instance's first run, which all
// make at initial_delay). A measurement, not a timed assertion: the figures go in the README.
func TestScale(t *testing.T) {
	n := 300
	if v, err := strconv.Atoi(os.Getenv("SCALE_INSTANCES")); err == nil && v > 0 {
		n = v
	}
	single := measureScale(t, 1)
	many := measureScale(t, n)
	t.Logf("1 instance: RSS %.1f MiB, longest probe %s", single.rssMiB, single.longest)
	t.Logf("%d instances: RSS %.1f MiB, longest probe %s (%.1fx one instance's)", n, many.rssMiB, many.longest, float64(many.longest)/float64(single.longest))
}

type scaleFigures struct {
	rssMiB  float64
	longest time.Duration
}

func measureScale(t *testing.T, instances int) scaleFigures {
	const interval = 10 * time.Second
	url, caFile := loopbackElastic(t, &testutil.FakeES{})

	var receivers, names []string
	for i := range instances {
		receivers = append(receivers, fmt.Sprintf(`
  autoops_probe/%d:
    collection_interval: %s
    initial_delay: 1s
    cluster: {endpoint: %s, tls: {ca_file: %s}}
    registration: {endpoint: %s, tls: {ca_file: %s}}
    otlp: {endpoint: %s, tls: {ca_file: %s}}`, i, interval, url, caFile, url, caFile, url, caFile))
		names = append(names, fmt.Sprintf("autoops_probe/%d", i))
	}
	sink := newOTLPSink(t)
	config := `
receivers:` + strings.Join(receivers, "") + `
exporters:
  otlp_http: {endpoint: ` + sink.url + `, encoding: json, compression: none}
service:` + quietTelemetry + `
  pipelines:
    metrics: {receivers: [` + strings.Join(names, ", ") + `], exporters: [otlp_http]}
`
	col := startCollector(t, config, nil)
	time.Sleep(1*time.Second + 2*interval + interval/2) // first runs, then two spread intervals
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", col.cmd.Process.Pid))
	require.NoError(t, err)
	col.stop()

	var f scaleFigures
	for _, line := range strings.Split(string(status), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			v, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")))
			f.rssMiB = float64(v) / 1024
		}
	}
	var first time.Time
	type point struct {
		at  time.Time
		dur time.Duration
	}
	var points []point
	sink.mu.Lock()
	for _, md := range sink.metrics {
		forEachDuration(md, func(at time.Time, d time.Duration) {
			if first.IsZero() || at.Before(first) {
				first = at
			}
			points = append(points, point{at, d})
		})
	}
	sink.mu.Unlock()
	spread := 0
	for _, p := range points {
		if p.at.Sub(first) >= interval/2 && p.dur > f.longest {
			f.longest = p.dur
		}
		if p.at.Sub(first) >= interval/2 {
			spread++
		}
	}
	require.Positive(t, spread, "no run after the first ones arrived")
	return f
}

func forEachDuration(md pmetric.Metrics, fn func(time.Time, time.Duration)) {
	for i := range md.ResourceMetrics().Len() {
		sms := md.ResourceMetrics().At(i).ScopeMetrics()
		for j := range sms.Len() {
			ms := sms.At(j).Metrics()
			for k := range ms.Len() {
				if ms.At(k).Name() != "autoops.probe.duration" {
					continue
				}
				dps := ms.At(k).Gauge().DataPoints()
				for d := range dps.Len() {
					fn(dps.At(d).Timestamp().AsTime(), time.Duration(dps.At(d).DoubleValue()*float64(time.Second)))
				}
			}
		}
	}
}

// loopbackElastic serves es and Elastic Cloud's two paths on one loopback HTTPS server named
// localhost, with a CA of its own, until the test ends.
func loopbackElastic(t *testing.T, es http.Handler) (url, caFile string) {
	ca := testutil.NewCA(t, "Scale CA")
	mux := http.NewServeMux()
	mux.Handle("/", es)
	mux.HandleFunc("/v1/logs", testutil.OTLP401)
	mux.HandleFunc("/api/v1/cloud-connected/clusters", testutil.Registration401)
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}}
	srv.Config.ErrorLog = nil
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), ca.WriteFile(t, t.TempDir())
}
