package autoopsreceiver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The benchmarks below measure each probe in the receiver's steady state (clients built once,
// as after Start) interleaved with a bare net/http request in the same loop, so both face the
// same machine at the same moment. They report the probe's wall and CPU time as multiples of
// the bare request's (x-bare-wall, x-bare-cpu); CPU is the whole process's, servers included.

// sideBySide accumulates wall and CPU time of the bare request (0) and the probe (1).
type sideBySide struct{ wall, cpu [2]time.Duration }

func (s *sideBySide) measure(which int, fn func()) {
	cpu0, wall0 := processCPU(), time.Now()
	fn()
	s.wall[which] += time.Since(wall0)
	s.cpu[which] += processCPU() - cpu0
}

// interleave runs bare and probe alternately, each going first every other round so that
// neither always meets a warmer machine, and reports the probe's cost as multiples of bare's.
func interleave(b *testing.B, bare, probe func()) {
	var s sideBySide
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for k := range 2 {
			if (i+k)%2 == 0 {
				s.measure(0, bare)
			} else {
				s.measure(1, probe)
			}
		}
	}
	s.report(b)
}

// otlpOnly is a configuration with only the intake probe, against url.
func otlpOnly(url, caFile string) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Enabled, cfg.Registration.Enabled = false, false
	cfg.OTLP.Endpoint, cfg.OTLP.TLS.CAFile = url, caFile
	return cfg
}

func (s *sideBySide) report(b *testing.B) {
	b.ReportMetric(float64(s.wall[1])/float64(s.wall[0]), "x-bare-wall")
	b.ReportMetric(float64(s.cpu[1])/float64(s.cpu[0]), "x-bare-cpu")
	b.ReportMetric(float64(s.wall[0].Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(s.wall[1].Nanoseconds())/float64(b.N), "probe-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchServer serves h over TLS with a generated CA, written to a file for tls.ca_file.
func benchServer(b testing.TB, h http.Handler) (url, caFile string, roots *x509.CertPool) {
	ca := testutil.NewCA(b, "Bench CA")
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(b, testutil.LeafOptions{})}}
	srv.Config.ErrorLog = nil
	srv.StartTLS()
	b.Cleanup(srv.Close)
	roots = x509.NewCertPool()
	roots.AddCert(ca.Cert)
	return srv.URL, ca.WriteFile(b, b.TempDir()), roots
}

// bareClient is net/http with the same trust and a fresh connection per request.
func bareClient(roots *x509.CertPool) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, DisableKeepAlives: true}}
}

func bareRequest(b *testing.B, client *http.Client, method, url string, header http.Header, body []byte) {
	req, _ := http.NewRequestWithContext(context.Background(), method, url, bytes.NewReader(body))
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func steadyChecks(b *testing.B, cfg *Config) []check {
	checks, err := buildChecks(context.Background(), componenttest.NewNopHost(), componenttest.NewNopTelemetrySettings(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return checks
}

func mustPass(b *testing.B, checks []check) {
	results, err := runChecks(context.Background(), checks, zap.NewNop())
	if err != nil || len(results) != 1 || !results[0].Verdict.Passed {
		b.Fatalf("probe did not pass: %v %+v", err, results)
	}
}

// BenchmarkOTLPProbe: the intake probe against one bare POST of the guide's test 3.
func BenchmarkOTLPProbe(b *testing.B) {
	url, caFile, roots := benchServer(b, http.HandlerFunc(testutil.OTLP401))
	checks := steadyChecks(b, otlpOnly(url, caFile))
	bare := bareClient(roots)
	header := http.Header{"Content-Type": {"application/json"}}
	interleave(b, func() { bareRequest(b, bare, http.MethodPost, url+"/v1/logs", header, []byte{}) }, func() { mustPass(b, checks) })
}

// BenchmarkClusterProbe: a passing cluster probe (root, _license, _authenticate,
// _has_privileges) against ONE bare fresh GET of the cluster's root.
func BenchmarkClusterProbe(b *testing.B) {
	url, caFile, roots := benchServer(b, &testutil.FakeES{Authorization: "ApiKey aWQ6c2VjcmV0"})
	cfg := createDefaultConfig().(*Config)
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	cfg.Cluster.Endpoint = url
	cfg.Cluster.APIKey = "id:secret"
	cfg.Cluster.TLS.CAFile = caFile
	checks := steadyChecks(b, cfg)
	bare := bareClient(roots)
	header := http.Header{"Authorization": {"ApiKey aWQ6c2VjcmV0"}}
	interleave(b, func() { bareRequest(b, bare, http.MethodGet, url, header, nil) }, func() { mustPass(b, checks) })
}

// BenchmarkInstanceHeap: the live heap each started receiver instance holds after a run
// (clients, trust roots, telemetry builders, controller), as B/instance.
func BenchmarkInstanceHeap(b *testing.B) {
	const instances = 100
	mux := http.NewServeMux()
	mux.Handle("/", &testutil.FakeES{})
	mux.HandleFunc("/v1/logs", testutil.OTLP401)
	mux.HandleFunc("/api/v1/cloud-connected/clusters", testutil.Registration401)
	url, caFile, _ := benchServer(b, mux)
	var perInstance float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		started := make([]*instance, 0, instances)
		for i := range instances {
			cfg := createDefaultConfig().(*Config)
			cfg.InitialDelay = time.Hour // the controller stays idle; one run is made below
			cfg.Cluster.Endpoint, cfg.Registration.Endpoint, cfg.OTLP.Endpoint = url, url, url
			cfg.Cluster.TLS.CAFile, cfg.Registration.TLS.CAFile, cfg.OTLP.TLS.CAFile = caFile, caFile, caFile
			set := receivertest.NewNopSettings(metadata.Type)
			set.ID = component.MustNewIDWithName(metadata.Type.String(), fmt.Sprint(i))
			r, err := NewFactory().CreateMetrics(context.Background(), set, cfg, consumertest.NewNop())
			if err != nil {
				b.Fatal(err)
			}
			in := shared(r).Unwrap()
			if err := shared(r).Start(context.Background(), componenttest.NewNopHost()); err != nil {
				b.Fatal(err)
			}
			if _, err := in.scrape(context.Background()); err != nil {
				b.Fatal(err)
			}
			started = append(started, in)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perInstance = float64(after.HeapAlloc-before.HeapAlloc) / instances
		for _, in := range started {
			_ = in.Shutdown(context.Background())
		}
	}
	b.ReportMetric(perInstance, "B/instance")
}
