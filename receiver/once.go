package autoopsreceiver

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// RunOnce validates cfg and runs its enabled probes once, in parallel, with the same clients,
// probes and diagnosis as the receiver: the one-shot command's way in. When ctx ends first
// (an interrupt), the error wraps ErrRunCutShort and there are no results.
func RunOnce(ctx context.Context, cfg *Config, set component.TelemetrySettings) ([]Result, error) {
	if err := confmap.Validate(cfg); err != nil {
		return nil, err
	}
	checks, err := buildChecks(ctx, extensionlessHost{}, set, cfg)
	if err != nil {
		return nil, err
	}
	return runChecks(ctx, checks, set.Logger)
}

// extensionlessHost stands in for a collector host outside a collector: auth extensions are
// not available there, and ToClient says so when the config asks for one.
type extensionlessHost struct{}

func (extensionlessHost) GetExtensions() map[component.ID]component.Component { return nil }

// ResultAttributes are the attributes of the result's log record, under the contract's names.
func ResultAttributes(r *Result) map[string]any {
	lr := plog.NewLogRecord()
	fillLogRecord(lr, r, pcommon.NewTimestampFromTime(time.Now()), "")
	return lr.Attributes().AsRaw()
}
