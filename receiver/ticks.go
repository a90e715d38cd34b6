package autoopsreceiver

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
)

// phaseOffset is where in each interval the runs of the instance id fall: stable across
// restarts, and spread across instances, so that hundreds of them started together do not
// all probe in the same second (and measure the collector's own queue, not the network).
func phaseOffset(id component.ID, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(id.String()))
	return time.Duration(h.Sum64() % uint64(interval))
}

// nextPhase is the first moment after now, at least half an interval away (the run at
// initial_delay has just happened), that falls at offset within the interval.
func nextPhase(now time.Time, interval, offset time.Duration) time.Time {
	next := now.Truncate(interval).Add(offset)
	for next.Sub(now) < interval/2 {
		next = next.Add(interval)
	}
	return next
}

// phaseTicker ticks every interval at the instance's offset until ctx ends. A tick that finds
// the previous run still going is dropped, as time.Ticker does. It holds no goroutine between
// ticks (a timer's function runs only when it fires): a thousand instances keep a thousand
// timers, not a thousand parked stacks.
func phaseTicker(ctx context.Context, interval, offset time.Duration) <-chan time.Time {
	if interval <= 0 {
		return nil // refused by the controller's own validation
	}
	ticks := make(chan time.Time, 1)
	var (
		mu      sync.Mutex
		next    = nextPhase(time.Now(), interval, offset)
		timer   *time.Timer
		stopped bool
	)
	fire := func() {
		now := time.Now()
		select {
		case ticks <- now:
		default:
		}
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		next = next.Add(interval)
		for !next.After(now) { // a fire delayed past the next phase skips it, as a ticker does
			next = next.Add(interval)
		}
		timer.Reset(time.Until(next))
	}
	mu.Lock()
	timer = time.AfterFunc(time.Until(next), fire)
	mu.Unlock()
	context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		timer.Stop()
	})
	return ticks
}
