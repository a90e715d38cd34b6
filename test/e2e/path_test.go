//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
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
	w.runInNetns(t, "127.0.0.1:8118", "privoxy", "--no-daemon", confFile)
}

// Debian's privoxy forwarding through a parent proxy that is down: its "503 Connect failed"
// page names the parent's address, which Elastic Cloud's names do not have, so the verdict
// names the parent; the same privoxy without a parent, Elastic Cloud down, stays
// proxy_upstream_error: its page names the destination's own address.
func TestPrivoxyParentDown(t *testing.T) {
	const parent = "10.20.0.5" // an internal address on the namespace's lo: nothing listens there
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

// Debian's nginx with its default client_max_body_size (1m) in front of the intake: the
// guide's small POST passes, a POST the size of the agent's batches gets nginx's 413. Without
// the check, or with a batch size under the limit, or straight to the intake (which answers
// the missing credentials before the body), the verdict stays a pass.
func TestNginxBodyLimitBeforeTheIntake(t *testing.T) {
	dir := t.TempDir()
	intake := testutil.RawServerHTTP(t, http.HandlerFunc(testutil.OTLP401))
	front := freePort(t)
	nginxConf(t, dir, fmt.Sprintf(`  server { listen 127.0.0.1:%[2]d; location / { proxy_pass http://%[3]s; } }
`, dir, front, intake))
	daemon(t, front, "nginx", "-c", filepath.Join(dir, "nginx.conf"), "-p", dir)

	viaNginx, direct := fmt.Sprintf("http://127.0.0.1:%d", front), "http://"+intake
	// Each case's otlp settings: its endpoint, and the batch size checked ("": no check).
	settings := map[string][2]string{
		"nginx, 4MiB": {viaNginx, "4MiB"}, "nginx, no check": {viaNginx, ""},
		"nginx, 512KiB": {viaNginx, "512KiB"}, "the intake itself, 4MiB": {direct, "4MiB"},
	}
	cases := []probeCase{
		{
			name: "nginx, 4MiB", want: "request_body_too_large", evidence: []string{"413 Request Entity Too Large", `Server: "nginx`},
			check: func(t *testing.T, r map[string]any) {
				assert.EqualValues(t, 4<<20, r["autoops.probe.request.body_size"])
				assert.Equal(t, "HTTP_413", r["autoops.agent.error_code"])
				assert.Contains(t, r["autoops.probe.remedy"], "client_max_body_size")
			},
		},
		{name: "nginx, no check", want: ""},
		{name: "nginx, 512KiB", want: ""},
		{name: "the intake itself, 4MiB", want: ""},
	}
	runOneShotCases(t, cases, func(c probeCase) string {
		endpoint, size := settings[c.name][0], settings[c.name][1]
		extra := ""
		if size != "" {
			extra = ", check_batch_size: " + size
		}
		return fmt.Sprintf("{cluster: {enabled: false}, registration: {enabled: false}, otlp: {endpoint: %q, timeout: 5s%s}}", endpoint, extra)
	})
}

// Debian's haproxy in tcp mode (a layer-4 load balancer) with idle timeouts of 1 s in front
// of a cluster that answers after 3 s: every run is closed without an answer after the same
// second of silence. The first run has nothing to compare with and stays connection_reset;
// the next names the idle timeout. The collector keeps the memory from run to run.
func TestHaproxyIdleTimeoutShorterThanTheAnswer(t *testing.T) {
	dir := t.TempDir()
	slow := testutil.RawServerHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
			(&testutil.FakeES{}).ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	}))
	front := freePort(t)
	write(t, dir, "haproxy.cfg", fmt.Sprintf(`defaults
  mode tcp
  timeout connect 1s
  timeout client 1s
  timeout server 1s
frontend fe
  bind 127.0.0.1:%d
  default_backend es
backend es
  server es1 %s
`, front, slow))
	daemon(t, front, "haproxy", "-f", filepath.Join(dir, "haproxy.cfg"), "-db")

	sink := newOTLPSink(t)
	startCollector(t, fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1s
    initial_delay: 0s
    logs: {emit: every_run}
    cluster: {endpoint: "http://127.0.0.1:%d", timeout: 5s}
    registration: {enabled: false}
    otlp: {enabled: false}
exporters:
  otlp_http:
    endpoint: %s
    encoding: json
    compression: none
service:`+quietTelemetry+`
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [otlp_http]}
`, front, sink.url), nil)
	var runs []record
	waitFor(t, 40*time.Second, "two runs of the cluster probe", func() bool {
		runs = sink.records()
		return len(runs) >= 2
	})
	assert.Equal(t, "connection_reset", runs[0].attrs["error.type"], runs[0].body)
	second := runs[1]
	assert.Equal(t, "connection_closed_idle", second.attrs["error.type"], second.body)
	assert.Contains(t, second.body, "closed without any answer 1.")
	assert.Contains(t, second.attrs["autoops.probe.remedy"], "timeout server")
	assert.Equal(t, "HTTP_0", second.attrs["autoops.agent.error_code"])
}

// Debian's squid forwarding through a parent (cache_peer, never_direct) that is down answers
// 500 ERR_CANNOT_FORWARD, whose page names no parent and no address: nothing shows which hop
// failed, so the verdict stays proxy_upstream_error, quoting squid.
func TestSquidParentDownStaysUpstreamError(t *testing.T) {
	const parent = "10.20.0.5"
	w := newWorld(t, nil)
	w.ns.exec(t, "ip", "addr", "add", parent+"/32", "dev", "lo")
	w.standard(t)
	w.squid(t, "cache_peer "+parent+" parent 3128 0 no-query default", "never_direct allow all")
	got, _ := w.run(t, "HTTPS_PROXY=http://127.0.0.1:3128")
	checkVerdicts(t, got, expect{"cluster": "", "registration": "proxy_upstream_error", "otlp": "proxy_upstream_error"})
	for _, probe := range []string{"registration", "otlp"} {
		assert.Contains(t, got[probe].body, "ERR_CANNOT_FORWARD")
		assert.Nil(t, got[probe].attrs["autoops.probe.proxy.parent"])
	}
}
