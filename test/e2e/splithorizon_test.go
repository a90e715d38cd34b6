//go:build e2e

package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A private DNS zone answers the public Elastic Cloud names with private addresses: a real DNS
// answer from a resolver inside the namespace, an internal web server with the corporate CA's
// certificate at the registration's address, nothing at the intake's.
func TestDNSSplitHorizon(t *testing.T) {
	w := newWorld(t, map[string]string{regHost: "", otlpHost: ""})
	w.standard(t)
	testutil.ServeDNS(t, w.ns.listenUDP(t, "127.0.0.54:53"), map[string]string{regHost: "10.20.0.1", otlpHost: "100.64.0.1"})
	require.NoError(t, os.WriteFile(filepath.Join("/etc/netns", w.ns.name, "resolv.conf"), []byte("nameserver 127.0.0.54\noptions timeout:1 attempts:1\n"), 0o644))
	w.ns.exec(t, "ip", "addr", "add", "10.20.0.1/32", "dev", "lo")
	w.ns.exec(t, "ip", "addr", "add", "100.64.0.1/32", "dev", "lo")
	w.serveHTTP(t, "10.20.0.1:443", testutil.NewCA(t, "Corp Internal CA"), http.NotFoundHandler())

	got, _ := w.run(t)
	checkVerdicts(t, got, expect{"cluster": "", "registration": "dns_split_horizon", "otlp": "dns_split_horizon"})
	assert.Contains(t, got["registration"].body, "resolved here to 10.20.0.1")
	assert.Contains(t, got["registration"].body, "Corp Internal CA", "what failed there is quoted after it")
	assert.Contains(t, got["otlp"].body, "100.64.0.1")
	assert.Contains(t, got["otlp"].attrs["autoops.probe.remedy"], "private DNS zone")
}
