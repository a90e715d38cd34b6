package autoopsreceiver

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/collector/scraper"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/elastic/autoops-probe/internal/metadata"
)

// instance is one receiver instance, shared by its metrics and logs pipelines: one
// scraperhelper controller ticks, each tick runs the probes once and feeds both signals.
type instance struct {
	cfg *Config
	set receiver.Settings
	// controllerOptions lets tests drive ticks (scraperhelper.WithTickerChannel).
	controllerOptions []scraperhelper.ControllerOption

	mu         sync.Mutex
	metrics    consumer.Metrics
	logs       consumer.Logs
	started    bool
	controller receiver.Metrics
	stopProbes context.CancelFunc
	life       context.Context

	// Used only by the controller's goroutine, one run at a time.
	host      component.Host
	checks    []check
	telemetry *telemetry
	obsLogs   *receiverhelper.ObsReport
}

var (
	instancesMu sync.Mutex
	instances   = map[*Config]*instance{}
)

// sharedInstance returns the instance of cfg, creating it on first use: a receiver in both a
// metrics and a logs pipeline gets the same instance, and probes once per tick.
func sharedInstance(cfg *Config, set receiver.Settings) *instance {
	instancesMu.Lock()
	defer instancesMu.Unlock()
	if in, ok := instances[cfg]; ok {
		return in
	}
	in := &instance{cfg: cfg, set: set}
	instances[cfg] = in
	return in
}

func (in *instance) Start(ctx context.Context, host component.Host) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.started {
		return nil
	}
	checks, err := buildChecks(ctx, host, in.set.TelemetrySettings, in.cfg)
	if err != nil {
		return err
	}
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{ReceiverID: in.set.ID, Transport: "http", ReceiverCreateSettings: in.set})
	if err != nil {
		return err
	}
	s, err := scraper.NewMetrics(in.scrape)
	if err != nil {
		return err
	}
	in.host, in.checks, in.obsLogs = host, checks, obs
	in.telemetry = newTelemetry(in.cfg, in.set)
	in.life, in.stopProbes = context.WithCancel(context.Background())
	next := in.metrics
	if next == nil {
		// Only in a logs pipeline: the controller still ticks, its metrics go nowhere.
		next, _ = consumer.NewMetrics(func(context.Context, pmetric.Metrics) error { return nil })
	}
	opts := append([]scraperhelper.ControllerOption{scraperhelper.AddMetricsScraper(metadata.Type, s)}, in.controllerOptions...)
	ctrl, err := scraperhelper.NewMetricsController(&in.cfg.ControllerConfig, in.set, next, opts...)
	if err != nil {
		in.stopProbes()
		return err
	}
	if err := ctrl.Start(ctx, host); err != nil {
		in.stopProbes()
		return errors.Join(err, ctrl.Shutdown(ctx))
	}
	in.controller, in.started = ctrl, true
	return nil
}

// Shutdown stops probes in flight first, so it returns promptly; it is safe before Start.
func (in *instance) Shutdown(ctx context.Context) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	instancesMu.Lock()
	if instances[in.cfg] == in {
		delete(instances, in.cfg)
	}
	instancesMu.Unlock()
	if !in.started {
		return nil
	}
	in.started = false
	in.stopProbes()
	return in.controller.Shutdown(ctx)
}

// scrape is one tick: run the probes once, hand the logs to the logs pipeline and return the
// metrics to the controller.
func (in *instance) scrape(ctx context.Context) (pmetric.Metrics, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(in.life, cancel)()

	results := runChecks(runCtx, in.checks, in.set.Logger)
	now := time.Now()
	in.telemetry.rememberCluster(results)
	if in.logs != nil {
		logs := in.telemetry.logs(results, now)
		if n := logs.LogRecordCount(); n > 0 {
			logCtx := in.obsLogs.StartLogsOp(ctx)
			err := in.logs.ConsumeLogs(logCtx, logs)
			in.obsLogs.EndLogsOp(logCtx, metadata.Type.String(), n, err)
		}
	}
	in.telemetry.reportStatus(in.host, results)
	return in.telemetry.metrics(results, now), nil
}
