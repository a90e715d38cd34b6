//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// Debian's haproxy in front of the cluster deleting Authorization (a rule users meet in
// gateways that authenticate themselves): Elasticsearch says the request carried no
// credentials, and the verdict says the header was removed, not that the key is wrong.
// The same haproxy without the rule, with a wrong key, is still auth_failed.
func TestHaproxyRemovesAuthorization(t *testing.T) {
	dir := t.TempDir()
	const key = "id:secret"
	es := testutil.RawServerHTTP(t, &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))})
	_, esPort, _ := net.SplitHostPort(es)
	stripping, passing := freePort(t), freePort(t)
	write(t, dir, "haproxy.cfg", fmt.Sprintf(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend stripping
  bind 127.0.0.1:%d
  http-request del-header Authorization
  default_backend es
frontend passing
  bind 127.0.0.1:%d
  default_backend es
backend es
  server es1 127.0.0.1:%s
`, stripping, passing, esPort))
	daemon(t, passing, "haproxy", "-f", filepath.Join(dir, "haproxy.cfg"), "-db")

	wizardCode := func(want string) func(*testing.T, map[string]any) {
		return func(t *testing.T, r map[string]any) {
			assert.Equal(t, want, r["autoops.agent.error_code"])
			assert.NotContains(t, fmt.Sprint(r), "c2VjcmV0", "the key never prints")
		}
	}
	runClusterCases(t, []probeCase{
		{
			name: "haproxy deletes Authorization", endpoint: fmt.Sprintf("http://127.0.0.1:%d", stripping), tls: fmt.Sprintf(", api_key: %q", key),
			want: "auth_header_stripped", evidence: []string{"missing authentication credentials", "removed the header"}, check: wizardCode("HTTP_401"),
		},
		{
			name: "haproxy passes a wrong key", endpoint: fmt.Sprintf("http://127.0.0.1:%d", passing), tls: `, api_key: "id:wrong"`,
			want: "auth_failed", check: wizardCode("HTTP_401"),
		},
	})
}
