package autoopsreceiver

import (
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/scraper/scraperhelper"
	"go.uber.org/goleak"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

func TestMain(m *testing.M) {
	detectContainer = func() bool { return false }
	goleak.VerifyTestMain(m)
}

// endpoints are three local servers standing in for the cluster and Elastic Cloud, counting
// the guide's requests; otlpBody can be switched to make the intake answer like a portal.
type endpoints struct {
	cluster, registration, otlp *httptest.Server
	clusterHits, cloudHits      atomic.Int32
	otlpBody                    atomic.Value
	// otlpHandler, when set, answers in the intake's place.
	otlpHandler atomic.Value
	es          *testutil.FakeES
}

func newEndpoints(t *testing.T) *endpoints {
	e := &endpoints{}
	e.otlpBody.Store(`{"code":16,"message":"no auth provided"}`)
	e.es = &testutil.FakeES{}
	es := e.es
	e.cluster = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			e.clusterHits.Add(1)
		}
		es.ServeHTTP(w, r)
	}))
	e.registration = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.cloudHits.Add(1)
		testutil.Registration401(w, r)
	}))
	e.otlp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := e.otlpHandler.Load().(http.HandlerFunc); ok {
			h(w, r)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(e.otlpBody.Load().(string)))
	}))
	t.Cleanup(func() { e.cluster.Close(); e.registration.Close(); e.otlp.Close() })
	return e
}

func (e *endpoints) config() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.InitialDelay = 0
	cfg.Cluster.Endpoint = e.cluster.URL
	cfg.Registration.Endpoint = e.registration.URL
	cfg.OTLP.Endpoint = e.otlp.URL
	return cfg
}

// statusHost records the component status the receiver reports.
type statusHost struct {
	mu     sync.Mutex
	events []*componentstatus.Event
}

func (*statusHost) GetExtensions() map[component.ID]component.Component { return nil }

func (h *statusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev)
}

func (h *statusHost) statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []componentstatus.Status
	for _, e := range h.events {
		out = append(out, e.Status())
	}
	return out
}

type started struct {
	metrics *consumertest.MetricsSink
	logs    *consumertest.LogsSink
	ticks   chan time.Time
	// host is the metrics pipeline's host, logsHost the logs pipeline's: the collector
	// passes each pipeline's Start its own.
	host, logsHost *statusHost
}

// start creates the receiver in a metrics and a logs pipeline, as the collector does, and
// starts both; the first run happens at once, later runs on each tick sent.
func start(t *testing.T, cfg *Config, id string) started {
	t.Helper()
	s := started{metrics: new(consumertest.MetricsSink), logs: new(consumertest.LogsSink), ticks: make(chan time.Time), host: &statusHost{}, logsHost: &statusHost{}}
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewIDWithName(metadata.Type, id)
	f := NewFactory()
	mr, err := f.CreateMetrics(context.Background(), set, cfg, s.metrics)
	require.NoError(t, err)
	lr, err := f.CreateLogs(context.Background(), set, cfg, s.logs)
	require.NoError(t, err)
	shared(mr).Unwrap().controllerOptions = []scraperhelper.ControllerOption{scraperhelper.WithTickerChannel(s.ticks)}
	require.NoError(t, mr.Start(context.Background(), s.host))
	require.NoError(t, lr.Start(context.Background(), s.logsHost))
	t.Cleanup(func() {
		require.NoError(t, mr.Shutdown(context.Background()))
		require.NoError(t, lr.Shutdown(context.Background()))
	})
	return s
}

func waitRuns(t *testing.T, s started, runs int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(s.metrics.AllMetrics()) >= runs }, 10*time.Second, 10*time.Millisecond)
}

// waitLogs waits for n log records: each pipeline gets a run through its own hand-off, so the
// logs may land after the metrics.
func waitLogs(t *testing.T, s started, n int, why string) {
	t.Helper()
	require.Eventually(t, func() bool { return s.logs.LogRecordCount() == n }, 10*time.Second, 10*time.Millisecond, why)
}

func TestOneRunPerTickFeedsBothPipelines(t *testing.T) {
	e := newEndpoints(t)
	s := start(t, e.config(), "")
	waitRuns(t, s, 1)
	assert.Equal(t, int32(1), e.clusterHits.Load())
	assert.Equal(t, int32(1), e.cloudHits.Load())
	waitLogs(t, s, 3, "one record per probe on the first run")

	s.ticks <- time.Now()
	waitRuns(t, s, 2)
	assert.Equal(t, int32(2), e.clusterHits.Load(), "a receiver in two pipelines probes once per tick")
	assert.Equal(t, int32(2), e.cloudHits.Load())
	assert.Equal(t, 3, s.logs.LogRecordCount(), "on_change: nothing changed, nothing logged")
}

func TestMetricsOfAPassingRun(t *testing.T) {
	e := newEndpoints(t)
	s := start(t, e.config(), "")
	waitRuns(t, s, 1)
	md := s.metrics.AllMetrics()[0]
	res := md.ResourceMetrics().At(0).Resource().Attributes()
	assertAttr(t, res, "elasticsearch.cluster.name", "my-ccm-cluster")
	assertAttr(t, res, "elasticsearch.cluster.uuid", "2O_EjO6kTR6AEVYwL5fPEw")
	assertAttr(t, res, "elasticsearch.cluster.version", "9.1.3")

	points := metricPoints(md)
	for _, name := range []string{"cluster", "registration", "otlp"} {
		assert.Equal(t, int64(1), points["autoops.probe.success"][name].IntValue(), name)
		assert.Positive(t, points["autoops.probe.duration"][name].DoubleValue(), name)
		assert.Contains(t, points["autoops.probe.phase.duration"], name)
		assert.NotContains(t, points["autoops.probe.failure"], name)
	}
	assert.Equal(t, int64(200), points["autoops.probe.http.status_code"]["cluster"].IntValue())
	assert.Equal(t, int64(401), points["autoops.probe.http.status_code"]["otlp"].IntValue())
	dp := points["autoops.probe.success"]["registration"]
	host, _ := dp.Attributes().Get("server.address")
	port, _ := dp.Attributes().Get("server.port")
	assert.Equal(t, "127.0.0.1", host.Str())
	assert.Equal(t, int64(e.registration.Listener.Addr().(*net.TCPAddr).Port), port.Int())
}

func TestAChangeIsLoggedAndReported(t *testing.T) {
	e := newEndpoints(t)
	s := start(t, e.config(), "")
	waitRuns(t, s, 1)
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusOK}, s.host.statuses())

	e.otlpBody.Store(`<html>Sign in to continue</html>`)
	s.ticks <- time.Now()
	waitRuns(t, s, 2)
	waitLogs(t, s, 4, "the change is logged")
	lr := lastRecord(s.logs)
	assert.Equal(t, "autoops.probe.result", lr.EventName())
	assert.Equal(t, plog.SeverityNumberError, lr.SeverityNumber())
	assertAttr(t, lr.Attributes(), "autoops.probe.name", "otlp")
	assertAttr(t, lr.Attributes(), "error.type", "unexpected_response")
	assertAttr(t, lr.Attributes(), "http.response.status_code", int64(401))
	// The page came with 401: the code the agent would give it.
	assertAttr(t, lr.Attributes(), "autoops.agent.error_code", "HTTP_401")
	remedy, ok := lr.Attributes().Get("autoops.probe.remedy")
	require.True(t, ok)
	assert.Contains(t, lr.Body().Str(), remedy.Str())
	assert.Contains(t, lr.Body().Str(), "Sign in to continue", "the body quotes the evidence")

	points := metricPoints(s.metrics.AllMetrics()[1])
	assert.Equal(t, int64(0), points["autoops.probe.success"]["otlp"].IntValue())
	require.Contains(t, points["autoops.probe.failure"], "otlp")
	failure := points["autoops.probe.failure"]["otlp"]
	assertAttr(t, failure.Attributes(), "error.type", "unexpected_response")
	assertAttr(t, failure.Attributes(), "autoops.agent.error_code", "HTTP_401")

	statuses := s.host.statuses()
	require.Len(t, statuses, 2)
	assert.Equal(t, componentstatus.StatusRecoverableError, statuses[1])
	assert.Contains(t, s.host.events[1].Err().Error(), "otlp: unexpected_response")

	s.ticks <- time.Now()
	waitRuns(t, s, 3)
	assert.Len(t, s.host.statuses(), 2, "status is reported only when it changes")
	assert.Equal(t, 4, s.logs.LogRecordCount())
	assert.Equal(t, s.host.statuses(), s.logsHost.statuses(), "both pipelines show the same status")
}

func TestEveryRunLogsEachResult(t *testing.T) {
	e := newEndpoints(t)
	cfg := e.config()
	cfg.Logs.Emit = EmitEveryRun
	s := start(t, cfg, "")
	waitRuns(t, s, 1)
	s.ticks <- time.Now()
	waitRuns(t, s, 2)
	require.Eventually(t, func() bool { return s.logs.LogRecordCount() == 6 }, 5*time.Second, 10*time.Millisecond)
	for _, l := range s.logs.AllLogs() {
		assertAttr(t, l.ResourceLogs().At(0).Resource().Attributes(), "elasticsearch.cluster.name", "my-ccm-cluster")
	}
}

func TestTwoInstancesAreIndependent(t *testing.T) {
	a, b := newEndpoints(t), newEndpoints(t)
	cfgB := b.config()
	cfgB.OTLP.Enabled = false
	sa := start(t, a.config(), "prod")
	sb := start(t, cfgB, "staging")
	waitRuns(t, sa, 1)
	waitRuns(t, sb, 1)
	waitLogs(t, sa, 3, "prod")
	waitLogs(t, sb, 2, "staging has the otlp probe disabled")
	assert.Equal(t, int32(1), a.cloudHits.Load())
	assert.Equal(t, int32(1), b.cloudHits.Load())
}

func TestBothAPIKeyFormsReachTheCluster(t *testing.T) {
	for _, key := range []string{"VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw", base64.StdEncoding.EncodeToString([]byte("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"))} {
		e := newEndpoints(t)
		es := &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"))}
		e.cluster.Config.Handler = es
		cfg := e.config()
		cfg.Cluster.APIKey = configopaque.String(key)
		s := start(t, cfg, "")
		waitRuns(t, s, 1)
		points := metricPoints(s.metrics.AllMetrics()[0])
		assert.Equal(t, int64(1), points["autoops.probe.success"]["cluster"].IntValue(), "key form %q", key[:8])
		for _, l := range s.logs.AllLogs() {
			js, err := (&plog.JSONMarshaler{}).MarshalLogs(l)
			require.NoError(t, err)
			assert.NotContains(t, string(js), "ui2lp2axTNmsyakw9tvNnw")
			assert.NotContains(t, string(js), key)
		}
	}
}

func TestShutdownWhileProbesAreInFlight(t *testing.T) {
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer hang.Close()
	e := newEndpoints(t)
	cfg := e.config()
	cfg.OTLP.Endpoint = hang.URL
	cfg.OTLP.Timeout = time.Minute
	set := receivertest.NewNopSettings(metadata.Type)
	r, err := NewFactory().CreateMetrics(context.Background(), set, cfg, new(consumertest.MetricsSink))
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), &statusHost{}))
	<-arrived
	done := make(chan error)
	go func() { done <- r.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Shutdown waited for a probe with a one-minute timeout")
	}
}

func TestLifecycleEdges(t *testing.T) {
	e := newEndpoints(t)
	cfg := e.config()
	r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	require.NoError(t, r.Shutdown(context.Background()), "Shutdown before Start")
	require.NoError(t, r.Start(context.Background(), &statusHost{}))
	require.NoError(t, r.Shutdown(context.Background()))
	require.NoError(t, r.Start(context.Background(), &statusHost{}), "Start after Shutdown")
	require.NoError(t, r.Shutdown(context.Background()))
}

func metricPoints(md pmetric.Metrics) map[string]map[string]pmetric.NumberDataPoint {
	out := map[string]map[string]pmetric.NumberDataPoint{}
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := range ms.Len() {
		m := ms.At(i)
		out[m.Name()] = map[string]pmetric.NumberDataPoint{}
		dps := m.Gauge().DataPoints()
		for j := range dps.Len() {
			name, _ := dps.At(j).Attributes().Get("autoops.probe.name")
			out[m.Name()][name.Str()] = dps.At(j)
		}
	}
	return out
}

func lastRecord(sink *consumertest.LogsSink) plog.LogRecord {
	all := sink.AllLogs()
	lrs := all[len(all)-1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	return lrs.At(lrs.Len() - 1)
}

func assertAttr(t *testing.T, m pcommon.Map, key string, want any) {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, "attribute %s missing", key)
	assert.Equal(t, want, v.AsRaw(), key)
}
