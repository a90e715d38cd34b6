package diagnose

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// privoxy's parent down: the verdict names the parent (autoops.probe.proxy.parent), quotes
// privoxy's own status line, not Go's status text, and says the wizard shows HTTP_0.
func TestProxyParentIsNamed(t *testing.T) {
	v := Diagnose(&privoxyConnectFailed("10.20.0.5", "198.51.100.1").Evidence, Context{})
	assert.Equal(t, ProxyParentUnreachable, v.ErrorType)
	assert.Equal(t, "10.20.0.5", v.Facts.ProxyParent)
	assert.Contains(t, v.Evidence, `"503 Connect failed"`)
	assert.NotContains(t, v.Evidence, "Service Unavailable")
	assert.Contains(t, v.Remedy, "parent proxy")
	assert.NotContains(t, v.Remedy, "allow-list it", "nothing reached the allow-list")

	// Without a parent in the page, no parent is named.
	v = Diagnose(&privoxyConnectFailed("198.51.100.1", "198.51.100.1").Evidence, Context{})
	assert.Equal(t, ProxyUpstreamError, v.ErrorType)
	assert.Empty(t, v.Facts.ProxyParent)
}
