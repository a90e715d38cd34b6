// Package sharedcomponent lets several pipelines share one component instance, as core's
// internal/sharedcomponent does: the work starts with the first pipeline's Start and stops
// after the last one's Shutdown, a failed first Start is returned to every pipeline, and
// status events reach every pipeline's host, the last one replayed to a host that comes later.
package sharedcomponent

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
)

// Map holds one shared component per key.
type Map[K comparable, V component.Component] struct {
	mu         sync.Mutex
	components map[K]*Component[V]
}

// NewMap returns an empty Map.
func NewMap[K comparable, V component.Component]() *Map[K, V] {
	return &Map[K, V]{components: map[K]*Component[V]{}}
}

// LoadOrStore returns the component of key, made by create on first use.
func (m *Map[K, V]) LoadOrStore(key K, create func() V) *Component[V] {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.components[key]; ok {
		return c
	}
	c := &Component[V]{component: create(), hosts: &statusFanout{}}
	c.remove = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.components[key] == c {
			delete(m.components, key)
		}
	}
	m.components[key] = c
	return c
}

// Len is the number of components held, for tests.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.components)
}

// Component is one shared instance; each pipeline gets it as its receiver.
type Component[V component.Component] struct {
	component V
	hosts     *statusFanout
	remove    func()

	mu       sync.Mutex
	starts   int
	started  bool
	startErr error
}

// Unwrap returns the shared work.
func (c *Component[V]) Unwrap() V { return c.component }

// Start is called once per pipeline: the first call starts the work with a host that reaches
// every pipeline's host; later calls add their host and get the first call's result.
func (c *Component[V]) Start(ctx context.Context, host component.Host) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.starts++
	c.hosts.add(host)
	if !c.started {
		c.started = true
		c.startErr = c.component.Start(ctx, c.hosts)
	}
	return c.startErr
}

// Shutdown is called once per pipeline; the last call stops the work. It is safe before
// Start, and after a failed Start (there is no work to stop then).
func (c *Component[V]) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.starts > 1 {
		c.starts--
		return nil
	}
	c.remove()
	if c.starts == 0 {
		return nil
	}
	// A later Start (the collector reloading) starts the work again.
	c.starts, c.started, c.hosts = 0, false, &statusFanout{}
	if err := c.startErr; err != nil {
		c.startErr = nil
		return nil
	}
	return c.component.Shutdown(ctx)
}
