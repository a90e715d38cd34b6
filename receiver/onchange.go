package autoopsreceiver

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// logsBatch is one run's log records, with what on_change learns once the logs pipeline's
// hand-off takes them.
type logsBatch struct {
	logs plog.Logs
	id   uint64
	// outcomes holds the outcome of each probe that has a record in the batch.
	outcomes map[resultKey]string
	// named are the probes whose record names the variables behind their settings.
	named []resultKey
}

// resultKey tells a probe's results apart: the probe and its endpoint (the cluster probe runs
// once per host of the agent's module).
type resultKey struct {
	name probe.Name
	host string
	port int
}

func keyOf(ev *probe.Evidence) resultKey {
	return resultKey{name: ev.Probe, host: ev.ServerAddress, port: ev.ServerPort}
}

// handedOff is what on_change compares a run with: per probe, the last record the logs
// hand-off took, not the last run. A record the hand-off drops (the pipeline busy) never
// counts, and one the pipeline takes and then refuses is forgotten, so the next run's record
// of the probe is sent again. Nothing here waits on the pipeline: the run writes under mu
// only around a non-blocking offer, the hand-off's goroutine only to forget.
type handedOff struct {
	mu      sync.Mutex
	batches uint64
	// last: the outcome of the probe's last record handed off, and its batch.
	last map[resultKey]sentOutcome
	// named: the batch whose record of the probe named its settings.
	named map[resultKey]uint64
}

type sentOutcome struct {
	outcome string
	batch   uint64
}

func newHandedOff() *handedOff {
	return &handedOff{last: map[resultKey]sentOutcome{}, named: map[resultKey]uint64{}}
}

// newBatch starts the next batch.
func (h *handedOff) newBatch() logsBatch {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.batches++
	return logsBatch{id: h.batches, outcomes: map[resultKey]string{}}
}

// changed: no record of the probe was handed off yet, or the last one had another outcome.
func (h *handedOff) changed(name resultKey, outcome string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	last, ok := h.last[name]
	return !ok || last.outcome != outcome
}

// settingsNamed: a record handed off named the probe's settings.
func (h *handedOff) settingsNamed(name resultKey) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.named[name]
	return ok
}

// handOff offers b with offer (which must not block) and, when it is taken, remembers what b
// carries. The lock spans both, so a refusal of b (forget) always comes after.
func (h *handedOff) handOff(b logsBatch, offer func(logsBatch) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := offer(b); err != nil {
		return err
	}
	for name, outcome := range b.outcomes {
		h.last[name] = sentOutcome{outcome: outcome, batch: b.id}
	}
	for _, name := range b.named {
		h.named[name] = b.id
	}
	return nil
}

// forget: the pipeline refused b. What b was the latest record of is no longer known to the
// backend, so the next run sends it again; a later batch already taken stands.
func (h *handedOff) forget(b logsBatch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name := range b.outcomes {
		if h.last[name].batch == b.id {
			delete(h.last, name)
		}
	}
	for _, name := range b.named {
		if h.named[name] == b.id {
			delete(h.named, name)
		}
	}
}
