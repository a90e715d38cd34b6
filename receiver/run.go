package autoopsreceiver

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// Result is one probe's evidence and verdict from one run.
type Result struct {
	Evidence probe.Evidence
	Verdict  diagnose.Verdict
	// SettingsFrom names the agent variables that supplied the probe's settings.
	SettingsFrom []string
}

// ErrRunCutShort: the run's context ended (the collector stopping, an interrupt) before its
// probes did. Such a run has no verdict: a probe stopped from outside proves nothing about
// the network, and diagnosing its error would replace the last real verdict with a false one.
var ErrRunCutShort = errors.New("the run was cut short before its probes finished; no verdict")

// runChecks runs every check in parallel, so a run lasts as long as its slowest probe. Each
// check remembers how its run ended for the next run of the same checks (an instance's).
// Results keep the order of checks; a probe that panics is logged and left out. When ctx
// ends before the probes do, nothing is diagnosed and the error is ErrRunCutShort; a probe's
// own timeout is a deadline inside the probe, not ctx's, and still gets its verdict.
func runChecks(ctx context.Context, checks []check, logger *zap.Logger) ([]Result, error) {
	evidence := make([]*probe.Evidence, len(checks))
	var wg sync.WaitGroup
	for i := range checks {
		wg.Go(func() {
			defer recoverProbe(logger, checks[i].target.Name)
			ev := probe.Run(ctx, checks[i].target)
			evidence[i] = &ev
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: %w", ErrRunCutShort, context.Cause(ctx))
	}
	results := make([]Result, 0, len(evidence))
	for i, ev := range evidence {
		if ev == nil {
			continue
		}
		func() {
			defer recoverProbe(logger, ev.Probe)
			c := &checks[i]
			dc := c.context
			dc.PreviousSilence = c.lastSilence
			c.lastSilence = diagnose.ClosedSilence(ev)
			results = append(results, Result{Evidence: *ev, Verdict: diagnose.Diagnose(ev, dc), SettingsFrom: c.settingsFrom})
		}()
	}
	return results, nil
}

// recoverProbe keeps one probe's panic (in its network work or its diagnosis) from taking
// the run, or the collector, down with it.
func recoverProbe(logger *zap.Logger, name probe.Name) {
	if r := recover(); r != nil {
		logger.Error("probe panicked; its result is skipped this run", zap.String("probe", string(name)), zap.String("panic", fmt.Sprint(r)))
	}
}
