package probe

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The agent's dialer resolves and dials by itself; each address it tried still reaches the
// evidence (autoops.probe.dial.failed_addresses), as Go's own dialer's do.
func TestFailedAddressesOfEachDialer(t *testing.T) {
	_, port, _ := net.SplitHostPort(testutil.ClosedPort(t))
	for name, dial := range map[string]func(context.Context, string, string) (net.Conn, error){
		"Go's":        (&net.Dialer{}).DialContext,
		"the agent's": AgentDialer{ConnectTimeout: time.Second}.DialContext,
	} {
		client := &http.Client{Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
		ex, _ := exchange(context.Background(), client, request{method: http.MethodGet, url: "http://localhost:" + port + "/"})
		assert.Error(t, ex.Err, name)
		assert.Equal(t, []string{"127.0.0.1"}, ex.FailedAddresses, name)
		assert.Equal(t, []string{"127.0.0.1"}, ex.ResolvedAddresses, name)
	}
}

func TestFamilyOf(t *testing.T) {
	for addr, want := range map[string]string{"192.0.2.1": FamilyIPv4, "::ffff:192.0.2.1": FamilyIPv4, "2001:db8::1": FamilyIPv6, "example.com": ""} {
		assert.Equal(t, want, FamilyOf(addr), addr)
	}
}
