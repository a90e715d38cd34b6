//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// startDante runs Debian's dante-server on a loopback port with socksmethod and a rule that
// blocks 127.0.0.9, and returns its port.
func startDante(t *testing.T, socksmethod string) int {
	t.Helper()
	needs(t, os.Geteuid() == 0, "danted switches to its unprivileged user: run as root")
	port := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "danted.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`logoutput: stderr
internal: 127.0.0.1 port = %d
external: 127.0.0.1
clientmethod: none
socksmethod: %s
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
socks block { from: 0.0.0.0/0 to: 127.0.0.9/32 }
socks pass { from: 0.0.0.0/0 to: 127.0.0.0/8 }
`, port, socksmethod)), 0o600))
	daemon(t, port, "danted", "-f", conf, "-N", "1", "-p", filepath.Join(dir, "danted.pid"))
	return port
}

// A real SOCKS server's refusals are judged as an HTTP proxy's, each within a moment, not
// after the probe's whole timeout.
func TestSOCKSProxyFailures(t *testing.T) {
	open := startDante(t, "none")
	locked := startDante(t, "username")
	registration := httptest.NewServer(http.HandlerFunc(testutil.Registration401))
	t.Cleanup(registration.Close)
	_, regPort, _ := net.SplitHostPort(strings.TrimPrefix(registration.URL, "http://"))
	_, closedPort, _ := net.SplitHostPort(testutil.ClosedPort(t))
	blocked, err := net.Listen("tcp", "127.0.0.9:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = blocked.Close() })

	judgedAtOnce := func(t *testing.T, r map[string]any) {
		assert.Less(t, r["autoops.probe.duration"], 5.0, "judged at once, not after the 10s timeout")
	}
	socks := func(port int) string { return fmt.Sprintf("socks5://127.0.0.1:%d", port) }
	runOneShotCases(t, []probeCase{
		{name: "passes through", endpoint: registration.URL, proxy: socks(open), check: judgedAtOnce},
		{name: "passes through, socks5h", endpoint: "http://localhost:" + regPort, proxy: "socks5h://127.0.0.1:" + fmt.Sprint(open), check: judgedAtOnce},
		{name: "blocked by a rule", endpoint: "http://" + blocked.Addr().String(), proxy: socks(open), want: "proxy_blocked", check: judgedAtOnce},
		{name: "destination refuses", endpoint: "http://127.0.0.1:" + closedPort, proxy: socks(open), want: "proxy_upstream_error", check: judgedAtOnce},
		{name: "wants a password", endpoint: registration.URL, proxy: socks(locked), want: "proxy_auth_required", evidence: []string{"asks for a username and password"}, check: judgedAtOnce},
		{name: "nothing listens", endpoint: registration.URL, proxy: "socks5://127.0.0.1:" + closedPort, want: "proxy_unreachable", check: judgedAtOnce},
	}, func(c probeCase) string {
		return fmt.Sprintf("{cluster: {enabled: false}, otlp: {enabled: false}, registration: {endpoint: %q, proxy_url: %q, timeout: 10s}}", c.endpoint, c.proxy)
	})
}
