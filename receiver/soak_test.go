//go:build soak

package autoopsreceiver

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// Each run's servers behave in one of these ways, in turn.
const (
	modePass = iota
	modePortal
	modeServerError
	modeHang
	modeReset
	modeNoCredentials
	modeRedirect
	modeCount
)

func flappingHandler(mode *atomic.Int32, es http.Handler, cloud http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load() {
		case modePass:
			if es != nil {
				es.ServeHTTP(w, r)
			} else {
				cloud(w, r)
			}
		case modePortal:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("<html>login</html>"))
		case modeServerError:
			w.WriteHeader(http.StatusBadGateway)
		case modeHang:
			select {
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
		case modeReset:
			c, _, _ := w.(http.Hijacker).Hijack()
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		case modeNoCredentials:
			w.WriteHeader(http.StatusUnauthorized)
		case modeRedirect:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}
	}
}

// countingHost takes status reports without keeping them: the soak measures the receiver.
type countingHost struct{}

func (countingHost) GetExtensions() map[component.ID]component.Component { return nil }
func (countingHost) Report(*componentstatus.Event)                       {}

// TestSoak drives many runs through the real controller against servers that flap between
// passing and each failure kind, and checks that goroutines and heap stay flat.
func TestSoak(t *testing.T) {
	runs := 10000
	if n, err := strconv.Atoi(os.Getenv("SOAK_RUNS")); err == nil {
		runs = n
	}
	var mode atomic.Int32
	es := httptest.NewServer(flappingHandler(&mode, &testutil.FakeES{}, nil))
	reg := httptest.NewServer(flappingHandler(&mode, nil, testutil.Registration401))
	otlp := httptest.NewServer(flappingHandler(&mode, nil, testutil.OTLP401))
	defer es.Close()
	defer reg.Close()
	defer otlp.Close()

	cfg := createDefaultConfig().(*Config)
	cfg.InitialDelay = time.Hour // only the test's ticks run the probes
	cfg.Cluster.Endpoint, cfg.Registration.Endpoint, cfg.OTLP.Endpoint = es.URL, reg.URL, otlp.URL
	for _, cc := range []*time.Duration{&cfg.Cluster.Timeout, &cfg.Registration.Timeout, &cfg.OTLP.Timeout} {
		*cc = 50 * time.Millisecond
	}
	ticks := make(chan time.Time)
	set := receivertest.NewNopSettings(metadata.Type)
	logs := new(consumertest.LogsSink)
	r, err := NewFactory().CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	shared(r).Unwrap().controllerOptions = []scraperhelper.ControllerOption{scraperhelper.WithTickerChannel(ticks)}
	cfg.InitialDelay = 0
	require.NoError(t, r.Start(context.Background(), countingHost{}))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	measure := func() (int, uint64) {
		time.Sleep(1500 * time.Millisecond) // the test servers' own hung handlers end within 1 s
		logs.Reset()                        // the sink is the test's memory, not the receiver's
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return runtime.NumGoroutine(), ms.HeapAlloc
	}
	tick := func(i int) {
		mode.Store(int32(i % modeCount))
		ticks <- time.Now()
	}
	warmup := runs / 20
	for i := range warmup {
		tick(i)
	}
	g0, h0 := measure()
	start := time.Now()
	for i := warmup; i < runs; i++ {
		tick(i)
		if i%1000 == 0 {
			logs.Reset()
		}
	}
	tick(runs) // waits for the last measured run to finish
	g1, h1 := measure()
	if path := os.Getenv("SOAK_HEAPPROFILE"); path != "" {
		f, err := os.Create(path)
		require.NoError(t, err)
		require.NoError(t, pprof.WriteHeapProfile(f))
		require.NoError(t, f.Close())
	}
	t.Logf("%d runs in %s (%.1f ms/run); goroutines %d -> %d; heap %.2f MiB -> %.2f MiB",
		runs-warmup, time.Since(start).Round(time.Second), float64(time.Since(start).Milliseconds())/float64(runs-warmup), g0, g1, float64(h0)/(1<<20), float64(h1)/(1<<20))
	assert.LessOrEqual(t, g1, g0+5, "goroutines grew")
	assert.Less(t, float64(h1), float64(h0)+1<<20, "heap grew by more than 1 MiB")
}
