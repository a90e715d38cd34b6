package autoopsreceiver

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The ticker ticks on its phase and stops with its context, holding no goroutine between ticks.
func TestPhaseTickerTicksAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	before := runtime.NumGoroutine()
	ticks := phaseTicker(ctx, 40*time.Millisecond, 0)
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "no goroutine parked for the ticker")
	for range 2 {
		select {
		case <-ticks:
		case <-time.After(10 * time.Second):
			t.Fatal("no tick")
		}
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-ticks: // one may have been waiting from before the cancel
	default:
	}
	time.Sleep(100 * time.Millisecond)
	select {
	case <-ticks:
		t.Fatal("a tick after the context ended")
	default:
	}
}

// An idle started instance (both pipelines) parks only its controller's goroutine: its
// ticker and hand-offs hold none between runs.
func TestIdleInstancesParkOneGoroutineEach(t *testing.T) {
	url, caFile, _ := steadyServer(t)
	steadyRun(t, startSteadyInstance(t, url, caFile, "warm")) // the process's one-time state
	runtime.GC()
	before := runtime.NumGoroutine()
	const n = 20
	for i := range n {
		steadyRun(t, startSteadyInstance(t, url, caFile, "idle"+itoa(i)))
	}
	extra := 0
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		// Polled here: assert.Eventually runs its condition on goroutines of its own.
		if extra = runtime.NumGoroutine() - before; extra <= n || time.Now().After(deadline) {
			break
		}
	}
	assert.LessOrEqual(t, extra, n)
	t.Logf("%d goroutines for %d idle instances", extra, n)
}
