// Package autoopsreceiver is the autoops_probe receiver: it runs the three connectivity tests
// of Elastic AutoOps' firewall troubleshooting guide on a schedule and emits their verdicts
// as metrics and logs.
package autoopsreceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
)

// NewFactory returns the factory of the autoops_probe receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	in := sharedInstance(cfg.(*Config), set)
	in.Unwrap().setMetrics(next)
	return in, nil
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	in := sharedInstance(cfg.(*Config), set)
	in.Unwrap().setLogs(next)
	return in, nil
}
