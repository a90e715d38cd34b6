//go:build e2e

package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// What users meet on the path (contract v5, "Diagnosis v5"), made by the real Debian boxes.

// esOn443And9243 serves a cluster for es.corp on both 9243 and 443, as an Elastic Cloud
// deployment does, with the cloud standing in beside it.
func esOn443And9243(t *testing.T, w *world) {
	w.serveHTTP(t, cloudIP+":443", w.root, elasticCloud())
	leaf := w.root.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.corp"}})
	w.serveTLSLeaf(t, "127.0.0.1:9243", leaf, &testutil.FakeES{})
	w.serveTLSLeaf(t, "127.0.0.1:443", leaf, &testutil.FakeES{})
}

// Debian's squid with its own rules (CONNECT only to SSL_ports, 443) in front of a cluster on
// 9243: the port is refused and 443 of the same host tunnels, so the verdict says the port,
// and the same squid passes the same cluster on 443, as the remedy says it would.
func TestSquidRefusesTheClusterPort(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, want string
	}{
		{"on 9243", "https://es.corp:9243", "proxy_port_refused"},
		{"on 443, as the remedy says", "https://es.corp:443", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nil)
			esOn443And9243(t, w)
			w.config.cluster = "endpoint: " + tc.endpoint
			w.squid(t)
			got, _ := w.run(t, "HTTPS_PROXY=http://127.0.0.1:3128")
			checkVerdicts(t, got, expect{"cluster": tc.want, "registration": "", "otlp": ""})
			if tc.want == "" {
				return
			}
			c := got["cluster"]
			assert.Contains(t, c.body, "ERR_ACCESS_DENIED", "squid's own words are quoted")
			assert.Contains(t, c.body, "refuses port 9243, not the host")
			assert.Contains(t, c.attrs["autoops.probe.remedy"], "SSL_ports")
			assert.Equal(t, "HTTP_0", c.attrs["autoops.agent.error_code"])
		})
	}
}
