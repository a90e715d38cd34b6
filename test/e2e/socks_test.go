//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

	cases := []struct {
		name, endpoint, proxy, want string
	}{
		{"passes through", registration.URL, fmt.Sprintf("socks5://127.0.0.1:%d", open), ""},
		{"passes through, socks5h", "http://localhost:" + regPort, fmt.Sprintf("socks5h://127.0.0.1:%d", open), ""},
		{"blocked by a rule", "http://" + blocked.Addr().String(), fmt.Sprintf("socks5://127.0.0.1:%d", open), "proxy_blocked"},
		{"destination refuses", "http://127.0.0.1:" + closedPort, fmt.Sprintf("socks5://127.0.0.1:%d", open), "proxy_upstream_error"},
		{"wants a password", registration.URL, fmt.Sprintf("socks5://127.0.0.1:%d", locked), "proxy_auth_required"},
		{"nothing listens", registration.URL, "socks5://127.0.0.1:" + closedPort, "proxy_unreachable"},
	}
	dir := t.TempDir()
	var receivers strings.Builder
	for i, c := range cases {
		fmt.Fprintf(&receivers, `
  autoops_probe/c%d:
    cluster: {enabled: false}
    otlp: {enabled: false}
    registration: {endpoint: %q, proxy_url: %q, timeout: 10s}`, i, c.endpoint, c.proxy)
	}
	config := filepath.Join(dir, "collector.yaml")
	require.NoError(t, os.WriteFile(config, []byte("receivers:"+receivers.String()+"\n"), 0o600))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			cmd := exec.Command(commandBinary(t), "--config", config, "--receiver", fmt.Sprintf("autoops_probe/c%d", i), "--format", "json")
			out, _ := cmd.Output()
			var report struct {
				Results []map[string]any `json:"results"`
			}
			require.NoError(t, json.Unmarshal(out, &report), "%s", out)
			require.Len(t, report.Results, 1)
			r := report.Results[0]
			got, _ := r["error.type"].(string)
			assert.Equal(t, c.want, got, "%v", r["summary"])
			assert.Less(t, time.Since(start), 5*time.Second, "judged at once, not after the 10s timeout")
		})
	}
}
