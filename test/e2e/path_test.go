//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// privoxy runs Debian's privoxy inside the namespace on 127.0.0.1:8118 with the package's own
// templates, and extra lines of configuration.
func (w *world) privoxy(t *testing.T, extra ...string) {
	t.Helper()
	_, err := exec.LookPath("privoxy")
	needs(t, err == nil, "privoxy is not installed (make deps installs it)")
	dir := t.TempDir()
	conf := append([]string{"listen-address 127.0.0.1:8118", "confdir /etc/privoxy", "logdir " + dir, "debug 1"}, extra...)
	confFile := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(confFile, []byte(strings.Join(conf, "\n")+"\n"), 0o644))
	cmd := exec.Command("ip", "netns", "exec", w.ns.name, "privoxy", "--no-daemon", confFile)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("privoxy:\n%s", tail(out.String(), 2000))
		}
	})
	w.waitListening(t, "127.0.0.1:8118", "privoxy")
}

// Debian's privoxy forwarding through a parent proxy that is down: its "503 Connect failed"
// page names the parent's address, which Elastic Cloud's names do not have, so the verdict
// names the parent; the same privoxy without a parent, Elastic Cloud down, stays
// proxy_upstream_error: its page names the destination's own address.
func TestPrivoxyParentDown(t *testing.T) {
	const parent = "192.0.2.10" // TEST-NET-1, on the namespace's lo: nothing listens there
	for _, tc := range []struct {
		name  string
		extra []string
		cloud bool
		want  string
	}{
		{"forwarding through a parent that is down", []string{"forward / " + parent + ":3128"}, true, "proxy_parent_unreachable"},
		{"no parent, Elastic Cloud down", nil, false, "proxy_upstream_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nil)
			w.ns.exec(t, "ip", "addr", "add", parent+"/32", "dev", "lo")
			if tc.cloud {
				w.standard(t)
			} else {
				w.serveHTTP(t, "127.0.0.1:9200", nil, &testutil.FakeES{})
			}
			w.privoxy(t, tc.extra...)
			got, _ := w.run(t, "HTTPS_PROXY=http://127.0.0.1:8118")
			checkVerdicts(t, got, expect{"cluster": "", "registration": tc.want, "otlp": tc.want})
			for _, probe := range []string{"registration", "otlp"} {
				r := got[probe]
				assert.Contains(t, r.body, `"503 Connect failed"`, "privoxy's own reason phrase, not Go's status text")
				assert.Equal(t, "HTTP_0", r.attrs["autoops.agent.error_code"])
				if tc.want == "proxy_parent_unreachable" {
					assert.Equal(t, parent, r.attrs["autoops.probe.proxy.parent"], "%v", r.attrs)
					assert.Contains(t, r.attrs["autoops.probe.remedy"], "parent proxy")
				} else {
					assert.Nil(t, r.attrs["autoops.probe.proxy.parent"])
				}
			}
		})
	}
}
