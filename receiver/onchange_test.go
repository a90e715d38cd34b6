package autoopsreceiver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// guard only keeps a broken build from hanging the test run; no assertion is about time.
const guard = 10 * time.Second

// gatedLogs is a slow logs pipeline: each ConsumeLogs announces its batch on taken, then
// waits for the test's answer (nil: the backend has it; an error: the pipeline refused it)
// and says on finished that it returned.
type gatedLogs struct {
	taken    chan plog.Logs
	answers  chan error
	finished chan struct{}
	backend  consumertest.LogsSink
}

func newGatedLogs() *gatedLogs {
	return &gatedLogs{taken: make(chan plog.Logs), answers: make(chan error), finished: make(chan struct{})}
}

func (g *gatedLogs) consume(ctx context.Context, ld plog.Logs) error {
	select {
	case g.taken <- ld:
	case <-ctx.Done():
		return ctx.Err()
	}
	var err error
	select {
	case err = <-g.answers:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err == nil {
		err = g.backend.ConsumeLogs(ctx, ld)
	}
	select {
	case g.finished <- struct{}{}:
	case <-ctx.Done():
	}
	return err
}

// take waits until the pipeline holds a batch (so the hand-off's slot is free again).
func (g *gatedLogs) take(t *testing.T, why string) {
	t.Helper()
	select {
	case <-g.taken:
	case <-time.After(guard):
		t.Fatalf("the logs pipeline got no batch: %s", why)
	}
}

// answer lets the batch the pipeline holds end with err, and waits until it has.
func (g *gatedLogs) answer(err error) {
	g.answers <- err
	<-g.finished
}

// latest is the backend's last record of each probe: name → autoops.probe.success.
func (g *gatedLogs) latest() map[string]bool {
	out := map[string]bool{}
	for _, ld := range g.backend.AllLogs() {
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := range lrs.Len() {
			name, _ := lrs.At(i).Attributes().Get(attrProbeName)
			ok, _ := lrs.At(i).Attributes().Get(attrSuccess)
			out[name.Str()] = ok.Bool()
		}
	}
	return out
}

// history is the backend's records of one probe, in order: autoops.probe.success of each.
func (g *gatedLogs) history(probeName string) []bool {
	var out []bool
	for _, ld := range g.backend.AllLogs() {
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := range lrs.Len() {
			if name, _ := lrs.At(i).Attributes().Get(attrProbeName); name.Str() == probeName {
				ok, _ := lrs.At(i).Attributes().Get(attrSuccess)
				out = append(out, ok.Bool())
			}
		}
	}
	return out
}

// twoProbes is the otlp and registration probes, each switched between pass and fail; the
// cluster probe is off.
type twoProbes struct {
	e            *endpoints
	registration *httptest.Server
	regFails     atomic.Bool
	cfg          *Config
}

func newTwoProbes(t *testing.T) *twoProbes {
	p := &twoProbes{e: newEndpoints(t)}
	p.registration = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.regFails.Load() {
			_, _ = w.Write([]byte(`<html>Sign in to continue</html>`))
			return
		}
		testutil.Registration401(w, r)
	}))
	t.Cleanup(p.registration.Close)
	p.cfg = p.e.config()
	p.cfg.Cluster.Enabled = false
	p.cfg.Registration.Endpoint = p.registration.URL
	return p
}

// set makes the next run's verdicts.
func (p *twoProbes) set(otlpPasses, registrationPasses bool) {
	body := `{"code":16,"message":"no auth provided"}`
	if !otlpPasses {
		body = `<html>Sign in to continue</html>`
	}
	p.e.otlpBody.Store(body)
	p.regFails.Store(!registrationPasses)
}

// startWith starts the receiver of cfg in a metrics and a logs pipeline whose consumers the
// test gives; ticks drive its runs (the first run is at start).
func startWith(t *testing.T, cfg *Config, metrics consumer.Metrics, logs consumer.Logs) chan time.Time {
	t.Helper()
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	ticks := make(chan time.Time)
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	shared(mr).Unwrap().controllerOptions = []scraperhelper.ControllerOption{scraperhelper.WithTickerChannel(ticks)}
	require.NoError(t, mr.Start(context.Background(), &statusHost{}))
	require.NoError(t, lr.Start(context.Background(), &statusHost{}))
	t.Cleanup(func() {
		require.NoError(t, mr.Shutdown(context.Background()))
		require.NoError(t, lr.Shutdown(context.Background()))
	})
	return ticks
}

// verdicts is a run's autoops.probe.success per probe, as Prometheus sees it.
func verdicts(md pmetric.Metrics) map[string]bool {
	out := map[string]bool{}
	for name, dp := range metricPoints(md)["autoops.probe.success"] {
		out[name] = dp.IntValue() == 1
	}
	return out
}

// on_change with a slow logs pipeline: a record the hand-off drops (the pipeline still holds
// one and another waits) is sent again by the next run, so the backend's last record of each
// probe is the last verdict, as in Prometheus; and no record repeats the one before it.
func TestOnChangeNeverLosesATransition(t *testing.T) {
	type verdict struct{ otlp, registration bool }
	pass, fail := true, false
	for _, c := range []struct {
		name string
		// run 1: the pipeline takes its batch and holds it; run 2's batch waits in the
		// hand-off; run 3's is dropped; the pipeline then takes both; run 4 ends the case.
		runs [4]verdict
	}{
		{
			name: "pass, fail, pass dropped, pass",
			runs: [4]verdict{{pass, pass}, {fail, pass}, {pass, fail}, {pass, fail}},
		},
		{
			name: "pass, failure dropped, still failing",
			runs: [4]verdict{{pass, pass}, {pass, fail}, {fail, fail}, {fail, fail}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newTwoProbes(t)
			logs := newGatedLogs()
			next, err := consumer.NewLogs(logs.consume)
			require.NoError(t, err)
			metrics := new(consumertest.MetricsSink)
			p.set(c.runs[0].otlp, c.runs[0].registration)
			ticks := startWith(t, p.cfg, metrics, next)
			run := func(i int) {
				t.Helper()
				if i > 0 {
					p.set(c.runs[i].otlp, c.runs[i].registration)
					ticks <- time.Now()
				}
				require.Eventually(t, func() bool { return len(metrics.AllMetrics()) > i }, guard, 5*time.Millisecond, "run %d", i+1)
				want := map[string]bool{"otlp": c.runs[i].otlp, "registration": c.runs[i].registration}
				require.Equal(t, want, verdicts(metrics.AllMetrics()[i]), "run %d's verdicts", i+1)
			}

			run(0)
			logs.take(t, "the first records are always sent")
			run(1) // its batch waits in the hand-off
			run(2) // its batch is dropped: the hand-off still has run 2's
			logs.answer(nil)
			logs.take(t, "run 2's batch")
			logs.answer(nil)
			run(3)
			logs.take(t, "run 4 sends again what run 3's dropped batch carried")
			logs.answer(nil)

			assert.Equal(t, verdicts(metrics.AllMetrics()[3]), logs.latest(), "the backend's last record of each probe is the last verdict")
			for _, name := range []string{"otlp", "registration"} {
				h := logs.history(name)
				for i := 1; i < len(h); i++ {
					assert.NotEqual(t, h[i-1], h[i], "%s: on_change sends changes only: %v", name, h)
				}
			}
		})
	}
}

// A record the pipeline took and then refused (an exporter's queue full, a memory limiter)
// never reached the backend: the next run sends it again, the first record of each probe
// included.
func TestOnChangeResendsARefusedRecord(t *testing.T) {
	p := newTwoProbes(t)
	logs := newGatedLogs()
	next, err := consumer.NewLogs(logs.consume)
	require.NoError(t, err)
	metrics := new(consumertest.MetricsSink)
	p.set(true, false)
	ticks := startWith(t, p.cfg, metrics, next)

	logs.take(t, "the first records")
	logs.answer(errors.New("sending queue is full"))
	ticks <- time.Now() // nothing changed, but the backend has nothing yet
	logs.take(t, "the refused records again")
	logs.answer(nil)
	require.Eventually(t, func() bool { return len(metrics.AllMetrics()) == 2 }, guard, 5*time.Millisecond)
	assert.Equal(t, map[string]bool{"otlp": true, "registration": false}, logs.latest())

	p.set(true, true)
	ticks <- time.Now()
	logs.take(t, "registration's recovery")
	logs.answer(nil)
	assert.Equal(t, []bool{false, true}, logs.history("registration"))
	assert.Equal(t, []bool{true}, logs.history("otlp"), "accepted once, not repeated")
}

// The ended reason's 0 (autoops.probe.failure written 0 when the failure ends) is not lost
// with a metrics batch the pipeline drops: every later run writes it again, so Prometheus
// ends the failure on the next batch it gets.
func TestAnEndedReasonSurvivesADroppedMetricsBatch(t *testing.T) {
	p := newTwoProbes(t)
	var (
		mu    sync.Mutex
		calls int // batches the pipeline is done with
	)
	backend := new(consumertest.MetricsSink)
	metrics, err := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 2 {
			return errors.New("sending queue is full") // the batch carrying the reset
		}
		return backend.ConsumeMetrics(ctx, md)
	})
	require.NoError(t, err)
	runs := func() int { mu.Lock(); defer mu.Unlock(); return calls }
	p.set(false, true)
	ticks := startWith(t, p.cfg, metrics, consumertest.NewNop())
	require.Eventually(t, func() bool { return runs() == 1 }, guard, 5*time.Millisecond)

	p.set(true, true)
	for run := 2; run <= 3; run++ {
		ticks <- time.Now()
		require.Eventually(t, func() bool { return runs() == run }, guard, 5*time.Millisecond)
	}
	got := backend.AllMetrics()
	require.Len(t, got, 2, "run 2's batch was refused")
	assert.Equal(t, map[string]int64{"unexpected_response": 1}, reasonValues(got[0], "autoops.probe.failure", "error.type", "otlp"))
	assert.Equal(t, map[string]int64{"unexpected_response": 0}, reasonValues(got[1], "autoops.probe.failure", "error.type", "otlp"),
		"run 3 writes the reset run 2's lost batch carried")
}
