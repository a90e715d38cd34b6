package autoopsreceiver

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// BenchmarkRunWithDroppedPackets: one probe faces dropped packets (a full accept queue), the
// other two answer at once. A run lasts that probe's timeout, not the sum of all: the
// timeouts/op figure is the run's length in multiples of that timeout.
func BenchmarkRunWithDroppedPackets(b *testing.B) {
	const timeout = 100 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(testutil.OTLP401))
	defer srv.Close()
	good, _ := url.Parse(srv.URL)
	dropped, _ := url.Parse("http://" + testutil.DroppingAddr(b))
	// Go's transport finishes a dial in the background after the request gave up (for reuse);
	// a dialer timeout bounds it, as confighttp's 30 s one does in the collector.
	transport := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{Timeout: timeout}).DialContext}
	mk := func(name probe.Name, u *url.URL) check {
		return check{target: &probe.Target{Plan: probe.Plan{Name: name, URL: u, Timeout: timeout}, Client: &http.Client{Transport: transport}}}
	}
	checks := []check{mk(probe.Cluster, good), mk(probe.Registration, dropped), mk(probe.OTLP, good)}
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		results, _ := runChecks(context.Background(), checks, zap.NewNop())
		if results[1].Verdict.ErrorType != "connection_timeout" {
			b.Fatalf("dropped probe: %s", results[1].Verdict.Summary())
		}
	}
	b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(timeout), "timeouts/op")
	time.Sleep(2 * timeout) // let the detached dials end before goleak looks
}
