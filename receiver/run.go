package autoopsreceiver

import (
	"context"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/elastic/autoops-probe/internal/diagnose"
	"github.com/elastic/autoops-probe/internal/probe"
)

// Result is one probe's evidence and verdict from one run.
type Result struct {
	Evidence probe.Evidence
	Verdict  diagnose.Verdict
}

// runChecks runs every check in parallel, so a run lasts as long as its slowest probe.
// Results keep the order of checks; a probe that panics is logged and left out.
func runChecks(ctx context.Context, checks []check, logger *zap.Logger) []Result {
	out := make([]*Result, len(checks))
	var wg sync.WaitGroup
	for i := range checks {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					logger.Error("probe panicked; its result is skipped this run", zap.String("probe", string(checks[i].target.Name)), zap.String("panic", fmt.Sprint(r)))
				}
			}()
			ev := probe.Run(ctx, checks[i].target)
			out[i] = &Result{Evidence: ev, Verdict: diagnose.Diagnose(&ev, checks[i].context)}
		})
	}
	wg.Wait()
	results := make([]Result, 0, len(out))
	for _, r := range out {
		if r != nil {
			results = append(results, *r)
		}
	}
	return results
}
