package autoopsreceiver

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/collector/scraper"
	"go.opentelemetry.io/collector/scraper/scraperhelper"
	"go.uber.org/zap"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/sharedcomponent"
)

// instance is the work of one receiver instance, shared by its metrics and logs pipelines
// (sharedcomponent): one scraperhelper controller ticks, each tick runs the probes once and
// feeds both signals.
type instance struct {
	cfg *Config
	set receiver.Settings
	// controllerOptions lets tests drive ticks (scraperhelper.WithTickerChannel).
	controllerOptions []scraperhelper.ControllerOption

	// consumersMu is its own lock: a run reads logs while Shutdown waits for the run.
	consumersMu sync.Mutex
	metrics     consumer.Metrics
	logs        consumer.Logs

	controller receiver.Metrics
	stopProbes context.CancelFunc
	life       context.Context
	// Each pipeline gets its results through its own handoff, never waited on.
	metricsOut *handoff[pmetric.Metrics]
	logsOut    *handoff[logsBatch]

	// Used only by the controller's goroutine, one run at a time.
	checks    []check
	telemetry *telemetry
	obsLogs   *receiverhelper.ObsReport
}

// instances: a receiver in both a metrics and a logs pipeline gets the same instance, and
// probes once per tick.
var instances = sharedcomponent.NewMap[*Config, *instance]()

func sharedInstance(cfg *Config, set receiver.Settings) *sharedcomponent.Component[*instance] {
	return instances.LoadOrStore(cfg, func() *instance { return &instance{cfg: cfg, set: set} })
}

func (in *instance) setMetrics(next consumer.Metrics) {
	in.consumersMu.Lock()
	defer in.consumersMu.Unlock()
	in.metrics = next
}

func (in *instance) setLogs(next consumer.Logs) {
	in.consumersMu.Lock()
	defer in.consumersMu.Unlock()
	in.logs = next
}

func (in *instance) consumers() (consumer.Metrics, consumer.Logs) {
	in.consumersMu.Lock()
	defer in.consumersMu.Unlock()
	return in.metrics, in.logs
}

// Start starts the work; host reaches every pipeline's host.
func (in *instance) Start(ctx context.Context, host component.Host) error {
	if slow := in.cfg.slowProbes(); len(slow) > 0 {
		in.set.Logger.Warn("a probe timeout is longer than collection_interval: a run that waits for it delays the next tick",
			zap.String("collection_interval", in.cfg.CollectionInterval.String()), zap.Strings("timeouts", slow))
	}
	if err := in.startWork(ctx, host); err != nil {
		return err
	}
	if !in.cfg.ReportStatus {
		// The only event: a deployment whose liveness check reads the health endpoint must
		// not restart the collector over a firewall.
		componentstatus.ReportStatus(host, componentstatus.NewEvent(componentstatus.StatusOK))
	}
	return nil
}

func (in *instance) startWork(ctx context.Context, host component.Host) error {
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
	in.checks, in.obsLogs = checks, obs
	in.telemetry = newTelemetry(in.cfg, in.set, host)
	in.life, in.stopProbes = context.WithCancel(context.Background())
	metricsNext, logsNext := in.consumers()
	// Only in a logs pipeline: the controller still ticks, its metrics go nowhere.
	next, _ := consumer.NewMetrics(func(context.Context, pmetric.Metrics) error { return nil })
	if metricsNext != nil {
		in.metricsOut = newHandoff(in.life, "metrics", in.set.Logger, metricsNext.ConsumeMetrics)
		// The controller counts a dropped result as refused points.
		next, _ = consumer.NewMetrics(func(_ context.Context, md pmetric.Metrics) error { return in.metricsOut.offer(md) })
	}
	if logsNext != nil {
		sent := in.telemetry.handedOffState // this start's, read by the handoff's goroutine
		in.logsOut = newHandoff(in.life, "logs", in.set.Logger, func(ctx context.Context, b logsBatch) error {
			logCtx := in.obsLogs.StartLogsOp(ctx)
			err := logsNext.ConsumeLogs(logCtx, b.logs)
			in.obsLogs.EndLogsOp(logCtx, metadata.Type.String(), b.logs.LogRecordCount(), err)
			if err != nil {
				sent.forget(b) // the next run sends it again
			}
			return err
		})
	}
	ticks := phaseTicker(in.life, in.cfg.CollectionInterval, phaseOffset(in.set.ID, in.cfg.CollectionInterval))
	opts := append([]scraperhelper.ControllerOption{
		scraperhelper.AddMetricsScraper(metadata.Type, s),
		scraperhelper.WithTickerChannel(ticks),
	}, in.controllerOptions...)
	ctrl, err := scraperhelper.NewMetricsController(in.cfg.controllerConfig(), in.set, next, opts...)
	if err != nil {
		in.stopProbes()
		return err
	}
	if err := ctrl.Start(ctx, host); err != nil {
		in.stopProbes()
		return errors.Join(err, ctrl.Shutdown(ctx))
	}
	in.controller = ctrl
	return nil
}

// Shutdown stops probes in flight and cancels exports in flight first (so it returns
// promptly), then the controller; it waits for the pipelines' handoffs only until ctx ends.
func (in *instance) Shutdown(ctx context.Context) error {
	if in.controller == nil {
		return nil
	}
	in.stopProbes()
	err := in.controller.Shutdown(ctx)
	if in.metricsOut != nil {
		in.metricsOut.wait(ctx.Done())
	}
	if in.logsOut != nil {
		in.logsOut.wait(ctx.Done())
	}
	return err
}

// scrape is one tick: run the probes once, hand the logs to the logs pipeline and return the
// metrics to the controller. A run cut short emits nothing at all.
func (in *instance) scrape(ctx context.Context) (pmetric.Metrics, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(in.life, cancel)()

	results, err := runChecks(runCtx, in.checks, in.set.Logger)
	if err != nil {
		in.set.Logger.Debug("probe run ended without a verdict", zap.Error(err))
		return pmetric.NewMetrics(), nil
	}
	now := time.Now()
	in.telemetry.rememberCluster(results)
	if in.logsOut != nil {
		b := in.telemetry.logs(results, now)
		if n := b.logs.LogRecordCount(); n > 0 {
			// A batch dropped here is not remembered: the next run offers its records again.
			if err := in.telemetry.handedOffState.handOff(b, in.logsOut.offer); err != nil {
				obsCtx := in.obsLogs.StartLogsOp(ctx)
				in.obsLogs.EndLogsOp(obsCtx, metadata.Type.String(), n, err)
			}
		}
	}
	if in.cfg.ReportStatus {
		in.telemetry.reportStatus(results)
	}
	return in.telemetry.metrics(results, now), nil
}
