package diagnose

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// A pass on the fallback family warns and names what was given up; a pass after an address of
// the same family failed is no fallback.
func TestDualStackFallbackWarning(t *testing.T) {
	fallback := recorded(probe.Registration, "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters").answered(401, regRefusal).with(func(ev *probe.Evidence) {
		ev.Main.PeerAddress, ev.Main.FailedAddresses = "192.0.2.5", []string{"2001:db8::5", "2001:db8::6"}
		ev.Main.Progress.Connected, ev.Main.ConnectedAfter = true, 301*time.Millisecond
	})
	v := Diagnose(&fallback.Evidence, Context{})
	assert.True(t, v.Passed, v.Summary())
	assert.Contains(t, v.Warnings, WarnDualStackFallback)
	assert.Contains(t, v.Evidence, "only after giving up 2001:db8::5, 2001:db8::6")
	assert.Contains(t, v.Remedy, "300 ms")

	// localhost's ::1 refusing at once, 127.0.0.1 answering: no wait, no black hole.
	refusedAtOnce := recorded(probe.Cluster, "http://localhost:9200").answered(200, esRoot, elastic).with(license("active")).with(func(ev *probe.Evidence) {
		ev.Main.PeerAddress, ev.Main.FailedAddresses = "127.0.0.1", []string{"::1"}
		ev.Main.Progress.Connected, ev.Main.ConnectedAfter = true, time.Millisecond
	})
	v = Diagnose(&refusedAtOnce.Evidence, Context{})
	assert.True(t, v.Passed, v.Summary())
	assert.NotContains(t, v.Warnings, WarnDualStackFallback)

	// Through a proxy the addresses are the proxy's: not the name's families.
	viaProxyFallback := *fallback
	viaProxyFallback.Proxy = "http://proxy.corp:3128"
	v = Diagnose(&viaProxyFallback.Evidence, Context{})
	assert.NotContains(t, v.Warnings, WarnDualStackFallback)

	sameFamily := recorded(probe.Registration, "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters").answered(401, regRefusal).with(func(ev *probe.Evidence) {
		ev.Main.PeerAddress, ev.Main.FailedAddresses = "192.0.2.5", []string{"192.0.2.4"}
		ev.Main.Progress.Connected, ev.Main.ConnectedAfter = true, 2*time.Second
	})
	v = Diagnose(&sameFamily.Evidence, Context{})
	assert.NotContains(t, v.Warnings, WarnDualStackFallback)
}
