package sharedcomponent

import (
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
)

// statusFanout is the host the shared instance works with, as core's sharedcomponent does:
// each pipeline's Start passes its own host, and every status event goes to all of them, so
// healthcheckv2 shows the same status under every pipeline. A host that arrives later gets
// the last event at once.
type statusFanout struct {
	mu    sync.Mutex
	hosts []component.Host
	last  *componentstatus.Event
}

var (
	_ component.Host           = (*statusFanout)(nil)
	_ componentstatus.Reporter = (*statusFanout)(nil)
)

// GetExtensions: every pipeline's host sees the same extensions; the first one answers.
func (f *statusFanout) GetExtensions() map[component.ID]component.Component {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.hosts) == 0 {
		return nil
	}
	return f.hosts[0].GetExtensions()
}

// Report sends ev to every host that started the instance.
func (f *statusFanout) Report(ev *componentstatus.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = ev
	for _, h := range f.hosts {
		componentstatus.ReportStatus(h, ev)
	}
}

// add keeps host and replays the last event to it.
func (f *statusFanout) add(host component.Host) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hosts = append(f.hosts, host)
	if f.last != nil {
		componentstatus.ReportStatus(host, f.last)
	}
}
