package autoopsreceiver

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// steadyServer answers the three probes' paths on one loopback HTTPS server.
func steadyServer(tb testing.TB) (url, caFile string, roots *x509.CertPool) {
	mux := http.NewServeMux()
	mux.Handle("/", &testutil.FakeES{Authorization: "ApiKey aWQ6c2VjcmV0"})
	mux.HandleFunc("/v1/logs", testutil.OTLP401)
	mux.HandleFunc("/api/v1/cloud-connected/clusters", testutil.Registration401)
	return benchServer(tb, mux)
}

// startSteadyInstance starts one receiver instance in a metrics and a logs pipeline, as a
// collector does, with its controller idle: the caller makes its runs with scrape.
func startSteadyInstance(tb testing.TB, url, caFile, name string) *instance {
	cfg := createDefaultConfig().(*Config)
	cfg.CollectionInterval, cfg.InitialDelay = time.Hour, time.Hour
	cfg.Cluster.Endpoint, cfg.Registration.Endpoint, cfg.OTLP.Endpoint = url, url, url
	cfg.Cluster.APIKey = "id:secret"
	cfg.Cluster.TLS.CAFile, cfg.Registration.TLS.CAFile, cfg.OTLP.TLS.CAFile = caFile, caFile, caFile
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.MustNewIDWithName(metadata.Type.String(), name)
	m, err := NewFactory().CreateMetrics(context.Background(), set, cfg, consumertest.NewNop())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := NewFactory().CreateLogs(context.Background(), set, cfg, consumertest.NewNop()); err != nil {
		tb.Fatal(err)
	}
	if err := shared(m).Start(context.Background(), componenttest.NewNopHost()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = shared(m).Shutdown(context.Background()) })
	return shared(m).Unwrap()
}

func steadyRun(tb testing.TB, in *instance) {
	md, err := in.scrape(context.Background())
	if err != nil || md.DataPointCount() == 0 {
		tb.Fatalf("run failed: %v", err)
	}
}

// bareRun is what the run does, in plain net/http: three fresh connections in parallel, the
// cluster's four requests over one of them, one POST to each cloud path.
func bareRun(tb testing.TB, url string, cluster *http.Transport, cloud *http.Client) {
	var wg sync.WaitGroup
	wg.Go(func() {
		c := &http.Client{Transport: cluster}
		for _, r := range []struct{ method, path, body string }{
			{http.MethodGet, "/", ""},
			{http.MethodGet, "/_license", ""},
			{http.MethodGet, "/_security/_authenticate", ""},
			{http.MethodPost, "/_security/user/_has_privileges", `{"cluster":["monitor","read_ilm","read_slm"],"index":[{"names":["*"],"privileges":["monitor","view_index_metadata"],"allow_restricted_indices":true}]}`},
		} {
			req, _ := http.NewRequestWithContext(context.Background(), r.method, url+r.path, strings.NewReader(r.body))
			req.Header.Set("Authorization", "ApiKey aWQ6c2VjcmV0")
			drain(tb, c, req)
		}
		cluster.CloseIdleConnections()
	})
	for _, path := range []string{"/api/v1/cloud-connected/clusters", "/v1/logs"} {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url+path, bytes.NewReader([]byte("{}")))
			req.Header.Set("Content-Type", "application/json")
			drain(tb, cloud, req)
		})
	}
	wg.Wait()
}

func drain(tb testing.TB, c *http.Client, req *http.Request) {
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// BenchmarkSteadyRun: one run of a started instance (three probes, metrics and logs built and
// handed off) interleaved with the same connections and requests in bare net/http; x-bare-cpu
// is the run's CPU as a multiple of bare Go's (the loopback server's share included in both).
func BenchmarkSteadyRun(b *testing.B) {
	url, caFile, roots := steadyServer(b)
	in := startSteadyInstance(b, url, caFile, "bench")
	cluster := bareClient(roots).Transport.(*http.Transport).Clone()
	cluster.DisableKeepAlives = false
	cloud := bareClient(roots)
	interleave(b, func() { bareRun(b, url, cluster, cloud) }, func() { steadyRun(b, in) })
}

// runCost is what one steady run allocates, the loopback server's share included.
func runCost(tb testing.TB, runs int) (allocs, bytes float64) {
	url, caFile, _ := steadyServer(tb)
	in := startSteadyInstance(tb, url, caFile, "cost")
	for range 5 {
		steadyRun(tb, in) // warm: TLS session state, pools, first-run records
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		steadyRun(tb, in)
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(runs), float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)
}

// instanceCost is the memory each started instance holds after a run: its live heap and the
// stacks of its goroutines.
func instanceCost(tb testing.TB, instances int) float64 {
	url, caFile, _ := steadyServer(tb)
	startSteadyInstance(tb, url, caFile, "warm") // the process's shared state: system roots, TLS loads
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range instances {
		steadyRun(tb, startSteadyInstance(tb, url, caFile, "i"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+itoa(i)))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) + (int64(after.StackInuse) - int64(before.StackInuse))
	return float64(held) / float64(instances)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// BenchmarkInstanceCost reports the steady run's allocations and the memory per instance as
// the cost guard (TestCostStaysWithinTheRecord) measures them.
func BenchmarkInstanceCost(b *testing.B) {
	var allocs, bytes, perInstance float64
	for b.Loop() {
		allocs, bytes = runCost(b, 50)
		perInstance = instanceCost(b, 100)
	}
	b.ReportMetric(allocs, "allocs/run")
	b.ReportMetric(bytes, "B/run")
	b.ReportMetric(perInstance, "B/instance")
}

// BenchmarkOneShotOTLPProbe: the one-shot's intake probe with its client built for the call,
// as autoops-probe builds it (the configuration validated once, as the command does), against
// a bare POST with a client built for it.
func BenchmarkOneShotOTLPProbe(b *testing.B) {
	url, caFile, roots := benchServer(b, http.HandlerFunc(testutil.OTLP401))
	cfg := otlpOnly(url, caFile)
	if err := confmap.Validate(cfg); err != nil {
		b.Fatal(err)
	}
	header := http.Header{"Content-Type": {"application/json"}}
	interleave(b, func() { bareRequest(b, bareClient(roots), http.MethodPost, url+"/v1/logs", header, []byte{}) }, func() {
		checks, err := buildChecks(context.Background(), extensionlessHost{}, componenttest.NewNopTelemetrySettings(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		mustPass(b, checks)
	})
}
