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

	waiting chan T
	dropped atomic.Int64
	warned  sync.Once
	stopped chan struct{}
}

// newHandoff starts the goroutine that feeds the pipeline until ctx ends; ctx is also what
// the pipeline's consume gets, so a shutdown cancels a blocked export.
func newHandoff[T any](ctx context.Context, signal string, logger *zap.Logger, consume func(context.Context, T) error) *handoff[T] {
	h := &handoff[T]{signal: signal, consume: consume, logger: logger, waiting: make(chan T, 1), stopped: make(chan struct{})}
	go func() {
		defer close(h.stopped)
		for {
			select {
			case <-ctx.Done():
				return
			case v := <-h.waiting:
				if err := consume(ctx, v); err != nil && ctx.Err() == nil {
					logger.Debug("the pipeline refused a probe result", zap.String("signal", signal), zap.Error(err))
				}
			}
		}
	}()
	return h
}

// offer hands v over, or drops it when the pipeline still has one waiting.
func (h *handoff[T]) offer(v T) error {
	select {
	case h.waiting <- v:
		return nil
	default:
	}
	n := h.dropped.Add(1)
	h.warned.Do(func() {
		h.logger.Warn("a pipeline is not taking probe results: they are dropped (counted as refused in the receiver's own telemetry) until it does; the probes, the other pipelines and status go on",
			zap.String("signal", h.signal), zap.Int64("dropped", n))
	})
	return errPipelineBusy
}

// wait waits for the goroutine to end after ctx is cancelled, at most until done ends.
func (h *handoff[T]) wait(done <-chan struct{}) {
	select {
	case <-h.stopped:
	case <-done:
	}
}
