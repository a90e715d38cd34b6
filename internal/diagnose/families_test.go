package diagnose

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// A pass on the fallback family warns and names what was given up; a pass after an address of
// the same family failed is no fallback.
func TestDualStackFallbackWarning(t *testing.T) {
	fallback := recorded(probe.Registration, "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters").answered(401, regRefusal).with(func(ev *probe.Evidence) {
		ev.Main.PeerAddress, ev.Main.FailedAddresses = "192.0.2.5", []string{"2001:db8::5", "2001:db8::6"}
		ev.Main.Progress.Connected = true
	})
	v := Diagnose(&fallback.Evidence, Context{})
	assert.True(t, v.Passed, v.Summary())
	assert.Contains(t, v.Warnings, WarnDualStackFallback)
	assert.Contains(t, v.Evidence, "only after giving up 2001:db8::5, 2001:db8::6")
	assert.Contains(t, v.Remedy, "300 ms")

	sameFamily := recorded(probe.Registration, "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters").answered(401, regRefusal).with(func(ev *probe.Evidence) {
		ev.Main.PeerAddress, ev.Main.FailedAddresses = "192.0.2.5", []string{"192.0.2.4"}
		ev.Main.Progress.Connected = true
	})
	v = Diagnose(&sameFamily.Evidence, Context{})
	assert.NotContains(t, v.Warnings, WarnDualStackFallback)
}
