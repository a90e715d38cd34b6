package autoopsreceiver

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
)

// errPipelineBusy: the pipeline had not taken the previous result when the next one came.
var errPipelineBusy = errors.New("the pipeline has not taken the previous result yet; this one is dropped")

// handoff passes one signal's results to its pipeline without ever waiting on it, so an
// exporter that blocks delays neither the probes, the other pipeline, status reporting, nor
// shutdown. It holds at most one result waiting: one the pipeline cannot take is dropped,
// counted, and logged once. A drop loses nothing for good: on_change logs compare with what
// was handed off, so the next run offers the dropped records again (handedOff), and every
// run's metrics carry every series, ended reasons' 0 included.
type handoff[T any] struct {
	signal  string
	consume func(context.Context, T) error
	logger  *zap.Logger
	ctx     context.Context

	mu      sync.Mutex
	waiting *T   // the one result the pipeline has yet to take
	feeding bool // a goroutine is handing results to the pipeline
	done    sync.WaitGroup
	dropped atomic.Int64
	warned  sync.Once
}

// newHandoff feeds the pipeline until ctx ends; ctx is also what the pipeline's consume gets,
// so a shutdown cancels a blocked export. A goroutine runs only while results wait: between
// runs an instance parks none.
func newHandoff[T any](ctx context.Context, signal string, logger *zap.Logger, consume func(context.Context, T) error) *handoff[T] {
	return &handoff[T]{signal: signal, consume: consume, logger: logger, ctx: ctx}
}

// feed hands the waiting results over, one at a time, until none waits.
func (h *handoff[T]) feed() {
	defer h.done.Done()
	for {
		h.mu.Lock()
		v := h.waiting
		h.waiting = nil
		if v == nil || h.ctx.Err() != nil {
			h.feeding = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		if err := h.consume(h.ctx, *v); err != nil && h.ctx.Err() == nil {
			h.logger.Debug("the pipeline refused a probe result", zap.String("signal", h.signal), zap.Error(err))
		}
	}
}

// offer hands v over, or drops it when the pipeline still has one waiting.
func (h *handoff[T]) offer(v T) error {
	if h.ctx.Err() != nil {
		return nil // shutting down: nothing is delivered any more, and nothing is a drop
	}
	h.mu.Lock()
	if h.waiting == nil {
		h.waiting = &v
		if !h.feeding {
			h.feeding = true
			h.done.Add(1)
			go h.feed()
		}
		h.mu.Unlock()
		return nil
	}
	h.mu.Unlock()
	n := h.dropped.Add(1)
	h.warned.Do(func() {
		h.logger.Warn("a pipeline is not taking probe results: they are dropped (counted as refused in the receiver's own telemetry) until it does; the probes, the other pipelines and status go on",
			zap.String("signal", h.signal), zap.Int64("dropped", n))
	})
	return errPipelineBusy
}

// wait waits, after ctx is cancelled, for a hand-over in progress to end, at most until done
// ends.
func (h *handoff[T]) wait(done <-chan struct{}) {
	finished := make(chan struct{})
	go func() {
		h.done.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-done:
	}
}
