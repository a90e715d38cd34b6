package sharedcomponent

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// work counts its starts and stops and reports a status event when it starts.
type work struct {
	startErr      error
	starts, stops int
}

func (w *work) Start(_ context.Context, host component.Host) error {
	w.starts++
	if w.startErr != nil {
		return w.startErr
	}
	componentstatus.ReportStatus(host, componentstatus.NewEvent(componentstatus.StatusOK))
	return nil
}

func (w *work) Shutdown(context.Context) error { w.stops++; return nil }

// host records the status events it gets.
type host struct {
	mu     sync.Mutex
	events []componentstatus.Status
}

func (h *host) GetExtensions() map[component.ID]component.Component { return nil }

func (h *host) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev.Status())
}

func TestOneWorkForEveryPipeline(t *testing.T) {
	m := NewMap[string, *work]()
	w := &work{}
	first := m.LoadOrStore("a", func() *work { return w })
	second := m.LoadOrStore("a", func() *work { return &work{} })
	require.Same(t, first, second)

	metricsHost, logsHost := &host{}, &host{}
	require.NoError(t, first.Start(context.Background(), metricsHost))
	require.NoError(t, second.Start(context.Background(), logsHost))
	assert.Equal(t, 1, w.starts, "the work starts once")
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusOK}, logsHost.events, "the last event is replayed to a host that comes later")

	require.NoError(t, first.Shutdown(context.Background()))
	assert.Equal(t, 0, w.stops, "one pipeline still runs")
	require.NoError(t, second.Shutdown(context.Background()))
	assert.Equal(t, 1, w.stops, "the last Shutdown stops the work")
	assert.Equal(t, 0, m.Len())
}

func TestAFailedStartIsReturnedToEveryPipeline(t *testing.T) {
	m := NewMap[string, *work]()
	w := &work{startErr: errors.New("cluster: tls: no such file")}
	c := m.LoadOrStore("a", func() *work { return w })
	require.ErrorIs(t, c.Start(context.Background(), &host{}), w.startErr)
	require.ErrorIs(t, c.Start(context.Background(), &host{}), w.startErr, "the second pipeline gets the same error")
	assert.Equal(t, 1, w.starts)
	require.NoError(t, c.Shutdown(context.Background()))
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Equal(t, 0, w.stops, "nothing started, nothing to stop")
}

func TestShutdownBeforeStartAndRestart(t *testing.T) {
	m := NewMap[string, *work]()
	w := &work{}
	c := m.LoadOrStore("a", func() *work { return w })
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Equal(t, 0, w.stops)
	require.NoError(t, c.Start(context.Background(), &host{}))
	require.NoError(t, c.Shutdown(context.Background()))
	require.NoError(t, c.Start(context.Background(), &host{}), "started again after its last Shutdown")
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Equal(t, 2, w.starts)
	assert.Equal(t, 2, w.stops)
}
