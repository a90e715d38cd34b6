package autoopsreceiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/sharedcomponent"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// pipelines creates the receiver of cfg in a metrics and a logs pipeline without starting
// them, so a test can start and stop each with its own host, in its own order.
type pipelines struct {
	metrics, logs         *sharedcomponent.Component[*instance]
	metricsSink           *consumertest.MetricsSink
	logsSink              *consumertest.LogsSink
	ticks                 chan time.Time
	metricsHost, logsHost *statusHost
}

func newPipelines(t *testing.T, cfg *Config) *pipelines {
	t.Helper()
	p := &pipelines{
		metricsSink: new(consumertest.MetricsSink), logsSink: new(consumertest.LogsSink),
		ticks: make(chan time.Time), metricsHost: &statusHost{}, logsHost: &statusHost{},
	}
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type) // autoops.probe.instance is "autoops_probe"
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, p.metricsSink)
	require.NoError(t, err)
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, p.logsSink)
	require.NoError(t, err)
	p.metrics, p.logs = shared(mr), shared(lr)
	require.Same(t, p.metrics, p.logs, "one instance per config")
	p.metrics.Unwrap().controllerOptions = []scraperhelper.ControllerOption{scraperhelper.WithTickerChannel(p.ticks)}
	t.Cleanup(func() {
		_ = p.metrics.Shutdown(context.Background())
		_ = p.logs.Shutdown(context.Background())
	})
	return p
}

func (p *pipelines) runs() int { return len(p.metricsSink.AllMetrics()) }

func (p *pipelines) tick(t *testing.T) {
	t.Helper()
	before := p.runs()
	p.ticks <- time.Now()
	require.Eventually(t, func() bool { return p.runs() > before }, 10*time.Second, 5*time.Millisecond)
}

func (h *statusHost) last() componentstatus.Status {
	st := h.statuses()
	if len(st) == 0 {
		return componentstatus.StatusNone
	}
	return st[len(st)-1]
}

// Each pipeline passes its own host; both see every event, and the pipeline that starts
// after a failure was reported gets that failure at once.
func TestStatusReachesEveryPipeline(t *testing.T) {
	e := newEndpoints(t)
	e.otlpBody.Store(`<html>portal</html>`)
	p := newPipelines(t, e.config())

	require.NoError(t, p.metrics.Start(context.Background(), p.metricsHost))
	require.Eventually(t, func() bool { return p.metricsHost.last() == componentstatus.StatusRecoverableError }, 10*time.Second, 5*time.Millisecond)
	// The status comes before the run's metrics: wait for the run to end before counting ticks.
	require.Eventually(t, func() bool { return p.runs() == 1 }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, p.logs.Start(context.Background(), p.logsHost))
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, p.logsHost.statuses(), "the last event is replayed to the later host")
	assert.Contains(t, p.logsHost.events[0].Err().Error(), "otlp: unexpected_response")

	e.otlpBody.Store(`{"code":16,"message":"no auth provided"}`)
	p.tick(t)
	for name, h := range map[string]*statusHost{"metrics": p.metricsHost, "logs": p.logsHost} {
		assert.Equal(t, componentstatus.StatusOK, h.last(), "%s pipeline sees the recovery", name)
	}
	assert.Equal(t, int32(2), e.cloudHits.Load(), "two pipelines, one run per tick")
}

// The work is shared: it goes on until the last pipeline shuts down, and stops then.
func TestSharedWorkStopsAfterTheLastShutdown(t *testing.T) {
	e := newEndpoints(t)
	p := newPipelines(t, e.config())
	require.NoError(t, p.metrics.Start(context.Background(), p.metricsHost))
	require.NoError(t, p.logs.Start(context.Background(), p.logsHost))
	require.Eventually(t, func() bool { return p.runs() == 1 }, 10*time.Second, 5*time.Millisecond)

	require.NoError(t, p.metrics.Shutdown(context.Background()))
	p.tick(t) // still ticking for the logs pipeline
	assert.Equal(t, int32(2), e.clusterHits.Load())

	require.NoError(t, p.logs.Shutdown(context.Background()))
	select {
	case p.ticks <- time.Now():
		t.Fatal("the controller still ticks after the last Shutdown")
	case <-time.After(200 * time.Millisecond):
	}
	assert.Equal(t, int32(2), e.clusterHits.Load())
	require.NoError(t, p.logs.Shutdown(context.Background()), "a further Shutdown is harmless")
}

// report_status: false reports OK at start and nothing after, however the probes fare.
func TestReportStatusFalse(t *testing.T) {
	e := newEndpoints(t)
	e.otlpBody.Store(`<html>portal</html>`)
	cfg := e.config()
	cfg.ReportStatus = false
	s := start(t, cfg, "")
	waitRuns(t, s, 1)
	s.ticks <- time.Now()
	waitRuns(t, s, 2)
	for _, h := range []*statusHost{s.host, s.logsHost} {
		assert.Equal(t, []componentstatus.Status{componentstatus.StatusOK}, h.statuses())
	}
	points := metricPoints(s.metrics.AllMetrics()[1])
	assert.Equal(t, int64(0), points["autoops.probe.success"]["otlp"].IntValue(), "metrics still tell the failure")
}

// A run cut short by Shutdown emits nothing: the backend keeps the last real verdict.
func TestARunCutShortEmitsNothing(t *testing.T) {
	arrived := make(chan struct{}, 1)
	var hold atomic.Bool
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold.Load() {
			select {
			case arrived <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		testutil.OTLP401(w, r)
	}))
	defer hang.Close()
	e := newEndpoints(t)
	cfg := e.config()
	cfg.OTLP.Endpoint = hang.URL
	cfg.OTLP.Timeout = time.Minute
	p := newPipelines(t, cfg)
	require.NoError(t, p.metrics.Start(context.Background(), p.metricsHost))
	require.NoError(t, p.logs.Start(context.Background(), p.logsHost))
	require.Eventually(t, func() bool { return p.runs() == 1 }, 10*time.Second, 5*time.Millisecond)
	logsBefore, statusBefore := p.logsSink.LogRecordCount(), p.metricsHost.statuses()

	hold.Store(true)
	p.ticks <- time.Now()
	<-arrived
	require.NoError(t, p.metrics.Shutdown(context.Background()))
	require.NoError(t, p.logs.Shutdown(context.Background()))

	assert.Equal(t, logsBefore, p.logsSink.LogRecordCount(), "no log record from the run cut short")
	assert.Equal(t, statusBefore, p.metricsHost.statuses(), "no status event from the run cut short")
	assert.Equal(t, statusBefore, p.logsHost.statuses())
	for _, md := range p.metricsSink.AllMetrics()[1:] {
		assert.Zero(t, md.DataPointCount(), "no data point from the run cut short")
	}
}

// A probe's own timeout is a verdict; the run's context ending is not.
func TestOwnTimeoutIsAVerdictCancellationIsNot(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Enabled, cfg.Registration.Enabled = false, false
	cfg.OTLP.Endpoint = hang.URL
	cfg.OTLP.Timeout = 200 * time.Millisecond
	set := componenttest.NewNopTelemetrySettings()

	results, err := RunOnce(context.Background(), cfg, set)
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, "response_timeout", results[0].Verdict.ErrorType)

	cfg.OTLP.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	results, err = RunOnce(ctx, cfg, set)
	require.ErrorIs(t, err, ErrRunCutShort)
	assert.Empty(t, results)
}

// reasonValues gives, for one probe, the value of each series of a reason metric
// (autoops.probe.failure by error.type, autoops.probe.warning by warning).
func reasonValues(md pmetric.Metrics, metric, attr, probeName string) map[string]int64 {
	out := map[string]int64{}
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := range ms.Len() {
		if ms.At(i).Name() != metric {
			continue
		}
		dps := ms.At(i).Gauge().DataPoints()
		for j := range dps.Len() {
			name, _ := dps.At(j).Attributes().Get("autoops.probe.name")
			reason, _ := dps.At(j).Attributes().Get(attr)
			if name.Str() == probeName {
				out[reason.Str()] = dps.At(j).IntValue()
			}
		}
	}
	return out
}

// A reason that ends is written as 0 in every later run, so no backend keeps it alive.
func TestEndedReasonsAreWrittenAsZero(t *testing.T) {
	e := newEndpoints(t)
	var es atomic.Pointer[testutil.FakeES]
	es.Store(&testutil.FakeES{Roles: []string{"superuser"}})
	e.cluster.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { es.Load().ServeHTTP(w, r) })
	cfg := e.config()
	cfg.Cluster.APIKey = "id:secret-key"
	e.otlpBody.Store(`<html>portal</html>`)
	s := start(t, cfg, "")
	waitRuns(t, s, 1)
	failures := func(run int) map[string]int64 {
		return reasonValues(s.metrics.AllMetrics()[run], "autoops.probe.failure", "error.type", "otlp")
	}
	warnings := func(run int) map[string]int64 {
		return reasonValues(s.metrics.AllMetrics()[run], "autoops.probe.warning", "autoops.probe.warning", "cluster")
	}
	assert.Equal(t, map[string]int64{"unexpected_response": 1}, failures(0))
	assert.Equal(t, map[string]int64{"superuser_credentials": 1}, warnings(0))

	e.otlpBody.Store(`{"code":16,"message":"no auth provided"}`)
	es.Store(&testutil.FakeES{})
	s.ticks <- time.Now()
	waitRuns(t, s, 2)
	assert.Equal(t, map[string]int64{"unexpected_response": 0}, failures(1), "the ended reason is written as 0")
	assert.Equal(t, map[string]int64{"superuser_credentials": 0}, warnings(1))
	assert.Equal(t, int64(1), metricPoints(s.metrics.AllMetrics()[1])["autoops.probe.success"]["otlp"].IntValue())

	s.ticks <- time.Now()
	waitRuns(t, s, 3)
	assert.Equal(t, map[string]int64{"unexpected_response": 0}, failures(2), "and in every later run")
	assert.Empty(t, reasonValues(s.metrics.AllMetrics()[2], "autoops.probe.failure", "error.type", "registration"), "a probe that never failed writes no failure series")
}

// shared is the shared instance behind a receiver the factory made.
func shared(r component.Component) *sharedcomponent.Component[*instance] {
	return r.(*sharedcomponent.Component[*instance])
}
