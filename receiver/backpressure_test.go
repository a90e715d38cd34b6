package autoopsreceiver

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/collector/scraper/scraperhelper"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
)

// A logs pipeline that never takes a result (an exporter that accepts and never answers)
// blinds nothing: every run's metrics still arrive, status follows the probes, the drop is
// logged once, and Shutdown returns within its deadline.
func TestABlockedPipelineBlindsNothing(t *testing.T) {
	e := newEndpoints(t)
	cfg := e.config()
	cfg.Logs.Emit = EmitEveryRun
	var blocked atomic.Int32
	logs, err := consumer.NewLogs(func(ctx context.Context, _ plog.Logs) error {
		blocked.Add(1)
		<-ctx.Done() // only a shutdown lets it go
		return ctx.Err()
	})
	require.NoError(t, err)
	metrics := new(consumertest.MetricsSink)
	core, seen := observer.New(zap.WarnLevel)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	ticks := make(chan time.Time)
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	shared(mr).Unwrap().controllerOptions = []scraperhelper.ControllerOption{scraperhelper.WithTickerChannel(ticks)}
	host := &statusHost{}
	require.NoError(t, mr.Start(context.Background(), host))
	require.NoError(t, lr.Start(context.Background(), host))

	for run := 1; run <= 4; run++ {
		if run == 3 {
			e.otlpBody.Store(`not the intake`) // the otlp probe starts failing
		}
		ticks <- time.Now()
		require.Eventually(t, func() bool { return len(metrics.AllMetrics()) >= run }, 10*time.Second, 5*time.Millisecond, "run %d's metrics", run)
	}
	require.Eventually(t, func() bool { return host.last() == componentstatus.StatusRecoverableError }, 10*time.Second, 5*time.Millisecond,
		"status follows the probes though the logs pipeline is stuck")
	assert.Equal(t, int32(1), blocked.Load(), "the stuck pipeline got one result; the others were dropped, not queued")
	assert.Equal(t, 1, seen.FilterMessageSnippet("not taking probe results").Len(), "the drop is logged once")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, mr.Shutdown(ctx))
	require.NoError(t, lr.Shutdown(ctx))
	assert.Less(t, time.Since(start), 5*time.Second, "Shutdown is not held by the stuck export")
}

// Shutdown never waits past its own deadline for an export that ignores cancellation.
func TestShutdownDoesNotOutwaitItsDeadline(t *testing.T) {
	release := make(chan struct{})
	life, stop := context.WithCancel(context.Background())
	h := newHandoff(life, "logs", zap.NewNop(), func(context.Context, int) error { <-release; return nil })
	defer func() { stop(); close(release); h.done.Wait() }()
	require.NoError(t, h.offer(1))
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	h.wait(ctx.Done())
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
}
