//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// blackHole accepts connections and never answers, as a stuck backend behind a firewall.
func blackHole(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range held {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// A logs pipeline whose otlp_http exporter (no queue) points at a listener that never answers
// blinds nothing: the Prometheus exporter gets every run, /health/status shows the failing
// probes, and SIGTERM ends the collector well within its shutdown deadline.
func TestABlockedLogsPipelineBlindsNothing(t *testing.T) {
	registration := httptest.NewServer(http.HandlerFunc(testutil.Registration401))
	t.Cleanup(registration.Close)
	closed := testutil.ClosedPort(t)
	exporterPort, healthPort := freePort(t), freePort(t)
	config := healthExtension(healthPort) + fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1s
    initial_delay: 0s
    logs: {emit: every_run}
    cluster: {endpoint: "http://127.0.0.2:%s"}
    registration: {endpoint: %s}
    otlp: {endpoint: "http://%s"}
exporters:
  prometheus: {endpoint: "127.0.0.1:%d"}
  otlp_http:
    endpoint: http://%s
    sending_queue: {enabled: false}
    retry_on_failure: {enabled: false}
    timeout: 10m
service:`+quietTelemetry+`
  extensions: [healthcheckv2]
  pipelines:
    metrics: {receivers: [autoops_probe], exporters: [prometheus]}
    logs: {receivers: [autoops_probe], exporters: [otlp_http]}
`, strings.Split(closed, ":")[1], registration.URL, closed, exporterPort, blackHole(t))
	col := startCollector(t, config, nil)

	get := func(url string) (string, int) {
		resp, err := http.Get(url)
		if err != nil {
			return "", 0
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp.StatusCode
	}
	var text string
	waitFor(t, 20*time.Second, "the failing probes in Prometheus", func() bool {
		text, _ = get(fmt.Sprintf("http://127.0.0.1:%d/metrics", exporterPort))
		return sample(text, "autoops_probe_failure", map[string]string{"autoops_probe_name": "otlp", "error_type": "connection_refused"}) == "1"
	})
	// The logs pipeline holds one result, one waits; from the third run on they are dropped.
	waitFor(t, 20*time.Second, "the drop to be logged", func() bool {
		return strings.Contains(col.output.String(), "not taking probe results")
	})
	first := sample(text, "autoops_probe_duration_seconds", map[string]string{"autoops_probe_name": "registration"})
	waitFor(t, 20*time.Second, "later runs in Prometheus", func() bool {
		text, _ = get(fmt.Sprintf("http://127.0.0.1:%d/metrics", exporterPort))
		return sample(text, "autoops_probe_duration_seconds", map[string]string{"autoops_probe_name": "registration"}) != first
	})
	waitFor(t, 20*time.Second, "the health endpoint to report the failing probes", func() bool {
		body, status := get(fmt.Sprintf("http://127.0.0.1:%d/health/status?verbose", healthPort))
		return status == http.StatusInternalServerError && strings.Contains(body, "otlp: connection_refused")
	})

	start := time.Now()
	col.stop()
	assert.Less(t, time.Since(start), 12*time.Second, "SIGTERM ends the collector promptly")
	assert.Equal(t, 1, strings.Count(col.output.String(), "not taking probe results"), "the drop is logged once")
}
