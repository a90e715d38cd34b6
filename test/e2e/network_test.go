//go:build e2e

package e2e

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The default endpoint names, resolved inside each namespace by its own hosts file.
const (
	regHost    = "api.elastic-cloud.com"
	otlpHost   = "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"
	legacyHost = "otel-collector.auto-ops.eu-west-1.aws.cloud.elastic.co"
	// An intake in a region this version does not know (published after its release).
	newRegionHost = "otel-auto-ops.mars-north-1.aws.svc.elastic.cloud"
	probeLimit    = 2 * time.Second
	// cloudIP stands in for Elastic Cloud's public addresses: inside each namespace, on lo, in
	// TEST-NET-2 (a public Elastic name resolving to loopback is a DNS sinkhole, dns_blocked).
	cloudIP  = "198.51.100.1"
	cloudNet = "198.51.100.0/24"
)

// world is one namespace with Elastic Cloud, a cluster and an OTLP sink standing in, and a
// CA that the collector takes for the system roots (SSL_CERT_FILE).
type world struct {
	ns       *netns
	root     *testutil.CA
	rootFile string // the root CA's PEM, which the collector takes for its system roots
	sink     *otlpSink
	env      []string
	tmp      string
	config   probeConfig
	region   string // otlp.region (csp aws)
}

// probeConfig holds extra YAML lines for each probe block.
type probeConfig struct{ cluster, registration, otlp string }

func newWorld(t *testing.T, hosts map[string]string) *world {
	t.Helper()
	all := map[string]string{regHost: cloudIP, otlpHost: cloudIP, legacyHost: cloudIP, newRegionHost: cloudIP, "es.corp": "127.0.0.1"}
	for name, ip := range hosts {
		if ip == "" {
			delete(all, name)
		} else {
			all[name] = ip
		}
	}
	ns := newNetns(t, all, "127.0.0.53")
	ns.exec(t, "ip", "addr", "add", cloudNet, "dev", "lo")
	w := &world{ns: ns, root: testutil.NewCA(t, "Elastic Test Root CA"), tmp: t.TempDir(), region: "eu-west-1"}
	w.rootFile = w.root.WriteFile(t, w.tmp)
	w.env = []string{"SSL_CERT_FILE=" + w.rootFile, "SSL_CERT_DIR=/nonexistent"}
	w.sink = newOTLPSinkOn(t, ns.listen(t, "127.0.0.1:4318"))
	// Names not in the hosts file get NXDOMAIN from a resolver inside the namespace.
	testutil.ServeDNS(t, ns.listenUDP(t, "127.0.0.53:53"), nil)
	return w
}

// serveHTTP serves h on addr inside the namespace; tlsCA signs its certificate when set.
func (w *world) serveHTTP(t *testing.T, addr string, tlsCA *testutil.CA, h http.Handler) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = w.ns.listen(t, addr)
	srv.Config.ErrorLog = nil
	if tlsCA == nil {
		srv.Start()
	} else {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{tlsCA.Leaf(t, cloudNames(testutil.LeafOptions{}))}}
		srv.StartTLS()
	}
	t.Cleanup(srv.Close)
}

// cloudNames makes a leaf valid for every name the namespaces stand in for.
func cloudNames(o testutil.LeafOptions) testutil.LeafOptions {
	o.DNSNames, o.IPs = []string{regHost, otlpHost, legacyHost, newRegionHost, "localhost"}, []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(cloudIP)}
	return o
}

// serveTLSLeaf serves h over TLS with leaf on addr inside the namespace.
func (w *world) serveTLSLeaf(t *testing.T, addr string, leaf tls.Certificate, h http.Handler) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = w.ns.listen(t, addr)
	srv.Config.ErrorLog = nil
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
}

// withDate makes h answer with the server's clock at offset from this machine's.
func withDate(offset time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Date", time.Now().Add(offset).UTC().Format(http.TimeFormat))
		h.ServeHTTP(rw, r)
	})
}

// elasticCloud answers both cloud paths as Elastic Cloud does without credentials.
func elasticCloud() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/cloud-connected/clusters", testutil.Registration401)
	mux.HandleFunc("/v1/logs", testutil.OTLP401)
	return mux
}

// standard: the cloud on cloudIP:443 with a trusted certificate, a cluster on 127.0.0.1:9200.
func (w *world) standard(t *testing.T) { w.standardWith(t, elasticCloud()) }

// standardWith is standard with cloud answering for Elastic Cloud.
func (w *world) standardWith(t *testing.T, cloud http.Handler) {
	w.serveHTTP(t, cloudIP+":443", w.root, cloud)
	w.serveHTTP(t, "127.0.0.1:9200", nil, &testutil.FakeES{})
}

// run starts the collector in the namespace and returns the first result of each probe.
func (w *world) run(t *testing.T, env ...string) (map[string]record, *collector) {
	t.Helper()
	config := fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1h
    initial_delay: 0s
    logs: {emit: every_run}
    cluster:
      timeout: %[1]s
%[2]s
    registration:
      timeout: %[1]s
%[3]s
    otlp:
      region: %[5]s
      csp: aws
      timeout: %[1]s
%[4]s
exporters:
  otlp_http:
    endpoint: http://127.0.0.1:4318
    encoding: json
    compression: none
service:`+quietTelemetry+`
  pipelines:
    metrics: {receivers: [autoops_probe], exporters: [otlp_http]}
    logs: {receivers: [autoops_probe], exporters: [otlp_http]}
`, probeLimit, indentLines(w.config.cluster), indentLines(w.config.registration), indentLines(w.config.otlp), w.region)
	col := startCollector(t, config, append(append([]string{}, w.env...), env...), w.ns.prefix()...)
	waitFor(t, 30*time.Second, "a result from every probe", func() bool { return len(w.sink.latest()) == 3 })
	got := w.sink.latest()

	// The one-shot command, on the same YAML in the same namespace, reaches the same verdicts.
	verdicts, report := runCommand(t, col, w.ns.prefix()...)
	for name, r := range got {
		et, _ := r.attrs["error.type"].(string)
		assert.Equal(t, et, verdicts[name], "autoops-probe disagrees with the receiver on %s:\n%s", name, report)
	}
	return got, col
}

func indentLines(s string) string {
	if s == "" {
		return ""
	}
	return "      " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n      ")
}

// tinyproxy runs Debian's tinyproxy inside the namespace on 127.0.0.1:8888.
func (w *world) tinyproxy(t *testing.T, basicAuth string, filter ...string) {
	t.Helper()
	_, err := exec.LookPath("tinyproxy")
	needs(t, err == nil, "tinyproxy is not installed (make deps installs it)")
	dir, err := os.MkdirTemp("", "tinyproxy")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	conf := []string{"Port 8888", "Listen 127.0.0.1", "Timeout 5", "MaxClients 20", "Allow 127.0.0.1", "LogLevel Info", "ConnectPort 443"}
	if basicAuth != "" {
		conf = append(conf, "BasicAuth "+strings.Replace(basicAuth, ":", " ", 1))
	}
	if len(filter) > 0 {
		f := filepath.Join(dir, "filter")
		require.NoError(t, os.WriteFile(f, []byte(strings.Join(filter, "\n")+"\n"), 0o644))
		conf = append(conf, `Filter "`+f+`"`, "FilterType ere", "FilterURLs Off")
	}
	confFile := filepath.Join(dir, "tinyproxy.conf")
	require.NoError(t, os.WriteFile(confFile, []byte(strings.Join(conf, "\n")+"\n"), 0o644))
	w.runInNetns(t, "127.0.0.1:8888", "tinyproxy", "-d", "-c", confFile)
}

// runInNetns runs a Debian daemon in the foreground inside the test's namespace until the test
// ends, and waits for it to listen on addr; its output is logged when the test fails.
func (w *world) runInNetns(t *testing.T, addr, name string, args ...string) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", w.ns.name, name}, args...)...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s:\n%s", name, tail(out.String(), 2000))
		}
	})
	w.waitListening(t, addr, name)
}

// silentHandler reads the request and answers nothing while the probe waits.
func silentHandler() http.Handler {
	return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice when the client leaves
		select {
		case <-r.Context().Done():
		case <-time.After(3 * probeLimit):
		}
	})
}

// resetAfterRequest reads the request and cuts the connection with a TCP reset.
func (w *world) resetServer(t *testing.T, addr string) {
	ln := w.ns.listen(t, addr)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		}
	}()
}

type expect map[string]string // probe name → error.type, "" for passed

func checkVerdicts(t *testing.T, got map[string]record, want expect) {
	t.Helper()
	for probe, errorType := range want {
		r, ok := got[probe]
		require.True(t, ok, "no result for %s", probe)
		if errorType == "" {
			assert.Equal(t, true, r.attrs["autoops.probe.success"], "%s should pass: %s", probe, r.body)
			continue
		}
		assert.Equal(t, errorType, r.attrs["error.type"], "%s: %s", probe, r.body)
		assert.Equal(t, "ERROR", r.severity, probe)
		assert.NotEmpty(t, r.attrs["autoops.probe.remedy"], probe)
	}
}

func TestNetworkMatrix(t *testing.T) {
	if ok, why := canUseNetns(); !ok {
		needs(t, false, why)
	}
	standard := func(t *testing.T, w *world) { w.standard(t) }
	// A cluster at es.corp, and a proxy in the proxy variables that refuses es.corp.
	clusterBehindFilteringProxy := func(t *testing.T, w *world) {
		w.standard(t)
		w.tinyproxy(t, "", `es\.corp`)
		w.config.cluster = "endpoint: http://es.corp:9200"
	}
	cases := []struct {
		name  string
		hosts map[string]string
		setup func(t *testing.T, w *world)
		env   []string
		want  expect
		check func(t *testing.T, w *world, got map[string]record, col *collector)
	}{
		{
			name: "all reachable", setup: standard,
			want: expect{"cluster": "", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				for _, r := range got {
					assert.NotContains(t, r.attrs, "autoops.probe.proxy", "direct requests carry no proxy")
				}
			},
		},
		{
			name: "names that do not exist", hosts: map[string]string{regHost: "", otlpHost: ""}, setup: standard,
			want: expect{"cluster": "", "registration": "dns_not_found", "otlp": "dns_not_found"},
		},
		{
			name: "no resolver", hosts: map[string]string{regHost: "", otlpHost: ""},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				require.NoError(t, os.WriteFile(filepath.Join("/etc/netns", w.ns.name, "resolv.conf"), []byte("nameserver 127.0.0.9\noptions timeout:1 attempts:1\n"), 0o644))
			},
			want: expect{"registration": "dns_error", "otlp": "dns_error"},
		},
		{
			name: "resolver never answers", hosts: map[string]string{regHost: "", otlpHost: ""},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				silent := w.ns.listenUDP(t, "127.0.0.54:53")
				t.Cleanup(func() { _ = silent.Close() })
				go func() {
					buf := make([]byte, 1500)
					for {
						if _, _, err := silent.ReadFrom(buf); err != nil {
							return
						}
					}
				}()
				require.NoError(t, os.WriteFile(filepath.Join("/etc/netns", w.ns.name, "resolv.conf"), []byte("nameserver 127.0.0.54\noptions timeout:1 attempts:1\n"), 0o644))
			},
			want: expect{"cluster": "", "registration": "dns_error", "otlp": "dns_error"},
		},
		{
			name: "firewall drops packets", hosts: map[string]string{regHost: "198.51.100.2", otlpHost: "198.51.100.2"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.ns.iptables(t, "-p", "tcp", "-d", "198.51.100.2", "--dport", "443", "-j", "DROP")
			},
			want:  expect{"cluster": "", "registration": "connection_timeout", "otlp": "connection_timeout"},
			check: func(t *testing.T, _ *world, _ map[string]record, _ *collector) {},
		},
		{
			name: "firewall rejects with a reset", hosts: map[string]string{regHost: "198.51.100.3"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.ns.iptables(t, "-p", "tcp", "-d", "198.51.100.3", "--dport", "443", "-j", "REJECT", "--reject-with", "tcp-reset")
			},
			want: expect{"registration": "connection_refused", "otlp": ""},
		},
		{
			name: "firewall answers ICMP unreachable", hosts: map[string]string{otlpHost: "198.51.100.4"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.ns.iptables(t, "-p", "tcp", "-d", "198.51.100.4", "--dport", "443", "-j", "REJECT", "--reject-with", "icmp-net-unreachable")
			},
			want: expect{"registration": "", "otlp": "network_unreachable"},
		},
		{
			name: "connection cut after the request", hosts: map[string]string{otlpHost: "198.51.100.5"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.resetServer(t, "198.51.100.5:443")
			},
			want: expect{"otlp": "connection_reset"},
		},
		{
			name: "no response in time", hosts: map[string]string{regHost: "198.51.100.6"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.serveHTTP(t, "198.51.100.6:443", w.root, silentHandler())
			},
			want: expect{"registration": "response_timeout", "otlp": ""},
		},
		{
			name: "TLS inspection", setup: func(t *testing.T, w *world) {
				w.serveHTTP(t, cloudIP+":443", testutil.NewCA(t, "Corp SSL Inspection CA"), elasticCloud())
				w.serveHTTP(t, "127.0.0.1:9200", nil, &testutil.FakeES{})
			},
			want: expect{"cluster": "", "registration": "tls_intercepted", "otlp": "tls_intercepted"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["registration"].body, "Corp SSL Inspection CA")
				assert.Contains(t, got["registration"].attrs["tls.server.issuer"], "Corp SSL Inspection CA")
				assert.NotContains(t, got["registration"].body, "no CA bundle")
				assert.Contains(t, got["registration"].attrs["autoops.probe.remedy"], "exempt the Elastic Cloud URLs from TLS inspection")
			},
		},
		{
			name: "no CA bundle at all", setup: standard, env: []string{"SSL_CERT_FILE=/nonexistent/ca.pem"},
			want: expect{"registration": "tls_intercepted", "otlp": "tls_intercepted"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].body, "no CA bundle")
				assert.Contains(t, got["otlp"].attrs["autoops.probe.remedy"], "install the system CA certificates")
			},
		},
		{
			name: "a portal answers 401 with its own page", hosts: map[string]string{regHost: "198.51.100.7"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.serveHTTP(t, "198.51.100.7:443", w.root, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
					rw.WriteHeader(http.StatusUnauthorized)
					_, _ = rw.Write([]byte("<html><h1>Network login required</h1></html>"))
				}))
			},
			want: expect{"registration": "unexpected_response"},
		},
		{
			name: "a gateway answers 200", hosts: map[string]string{otlpHost: "198.51.100.8"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.serveHTTP(t, "198.51.100.8:443", w.root, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { _, _ = rw.Write([]byte("ok")) }))
			},
			want: expect{"otlp": "unexpected_status"},
		},
		{
			name: "proxy unreachable", setup: standard, env: []string{"HTTPS_PROXY=http://127.0.0.1:3999"},
			want: expect{"cluster": "", "registration": "proxy_unreachable", "otlp": "proxy_unreachable"},
		},
		{
			name: "the route and its source, with tinyproxy",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.tinyproxy(t, "")
			},
			env:  []string{"HTTPS_PROXY=http://127.0.0.1:8888", "https_proxy=http://127.0.0.1:3999", "HTTP_PROXY=http://127.0.0.1:8888", "NO_PROXY=" + otlpHost},
			want: expect{"cluster": "", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, col *collector) {
				assert.Equal(t, "loopback", got["cluster"].attrs["autoops.probe.proxy.source"])
				assert.Contains(t, got["cluster"].body, "HTTP_PROXY is set, but Go never proxies localhost")
				assert.Equal(t, "HTTPS_PROXY", got["registration"].attrs["autoops.probe.proxy.source"], "the upper-case one, as Go")
				assert.Equal(t, "http://127.0.0.1:8888", got["registration"].attrs["autoops.probe.proxy"])
				assert.Contains(t, got["registration"].attrs["autoops.probe.warnings"], "proxy_env_conflict")
				assert.Equal(t, "NO_PROXY", got["otlp"].attrs["autoops.probe.proxy.source"])
				assert.Contains(t, got["otlp"].body, `the NO_PROXY entry "`+otlpHost+`" covers `+otlpHost)
				report := runText(t, col, w.ns.prefix()...)
				assert.Contains(t, report, "route     through proxy http://127.0.0.1:8888 (HTTPS_PROXY)")
				assert.Contains(t, report, `route     direct: the NO_PROXY entry "`+otlpHost+`"`)
				assert.Contains(t, report, "route     direct: Go never proxies localhost or loopback addresses (HTTP_PROXY is set)")
			},
		},
		{
			name: "ALL_PROXY alone, and NO_PROXY with squid",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.squid(t)
			},
			env:  []string{"ALL_PROXY=http://127.0.0.1:3128", "https_proxy=http://127.0.0.1:3128", "no_proxy=.elastic-cloud.com"},
			want: expect{"cluster": "", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Equal(t, "none", got["cluster"].attrs["autoops.probe.proxy.source"])
				assert.Contains(t, got["cluster"].attrs["autoops.probe.warnings"], "all_proxy_ignored", "curl would take ALL_PROXY for the cluster; Go does not")
				assert.Equal(t, "NO_PROXY", got["registration"].attrs["autoops.probe.proxy.source"])
				assert.Contains(t, got["registration"].body, `https_proxy is set, and the NO_PROXY entry ".elastic-cloud.com" covers `+regHost)
				assert.NotContains(t, fmt.Sprint(got["registration"].attrs["autoops.probe.warnings"]), "all_proxy_ignored", "a variable Go reads applies")
				assert.Equal(t, "https_proxy", got["otlp"].attrs["autoops.probe.proxy.source"])
				assert.Equal(t, "http://127.0.0.1:3128", got["otlp"].attrs["autoops.probe.proxy"])
			},
		},
		{
			name: "proxy wants credentials",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.tinyproxy(t, "probe:Pr0xyPass")
			},
			env:  []string{"HTTPS_PROXY=http://127.0.0.1:8888"},
			want: expect{"registration": "proxy_auth_required", "otlp": "proxy_auth_required"},
		},
		{
			name: "proxy with credentials passes",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.tinyproxy(t, "probe:Pr0xyPass")
			},
			env:  []string{"HTTPS_PROXY=http://probe:Pr0xyPass@127.0.0.1:8888"},
			want: expect{"cluster": "", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, col *collector) {
				assert.Equal(t, "http://127.0.0.1:8888", got["registration"].attrs["autoops.probe.proxy"])
				assert.Equal(t, "http://127.0.0.1:8888", got["otlp"].attrs["autoops.probe.proxy"])
				assert.NotContains(t, got["cluster"].attrs, "autoops.probe.proxy")
				assert.Equal(t, "none", got["cluster"].attrs["autoops.probe.proxy.source"], "HTTPS_PROXY does not apply to http://")
				assert.NotContains(t, got["cluster"].body, "NO_PROXY", "NO_PROXY is unset: no sentence may claim it")
				assert.Equal(t, "HTTPS_PROXY", got["otlp"].attrs["autoops.probe.proxy.source"])
				col.stop()
				assert.NotContains(t, col.output.String(), "Pr0xyPass")
			},
		},
		{
			name: "proxy filters the destination",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.tinyproxy(t, "", `api\.elastic-cloud\.com`)
			},
			env:  []string{"HTTPS_PROXY=http://127.0.0.1:8888"},
			want: expect{"registration": "proxy_blocked", "otlp": ""},
		},
		{
			name: "proxy cannot reach the destination", hosts: map[string]string{otlpHost: "198.51.100.9"},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.tinyproxy(t, "")
			},
			env:  []string{"HTTPS_PROXY=http://127.0.0.1:8888"},
			want: expect{"registration": "", "otlp": "proxy_upstream_error"},
		},
		{
			name: "HTTP_PROXY without HTTPS_PROXY", setup: standard, env: []string{"HTTP_PROXY=http://127.0.0.1:3999"},
			want: expect{"cluster": "", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Equal(t, []any{"https_proxy_missing"}, got["registration"].attrs["autoops.probe.warnings"])
				// The cluster is http://127.0.0.1: HTTP_PROXY was the one to apply, and Go never
				// proxies loopback; HTTPS_PROXY would change nothing, so the warning does not fit.
				assert.Nil(t, got["cluster"].attrs["autoops.probe.warnings"])
				assert.Equal(t, "WARN", got["otlp"].severity)
			},
		},
		{
			name:  "cluster behind a proxy that blocks it",
			setup: clusterBehindFilteringProxy,
			env:   []string{"HTTP_PROXY=http://127.0.0.1:8888", "HTTPS_PROXY=http://127.0.0.1:8888"},
			want:  expect{"cluster": "proxy_blocked", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["cluster"].body, "NO_PROXY is not set, so the request went through the proxy http://127.0.0.1:8888 (HTTP_PROXY)")
				assert.Contains(t, got["cluster"].attrs["autoops.probe.remedy"], "NO_PROXY")
			},
		},
		{
			name:  "cluster exempted by NO_PROXY",
			setup: clusterBehindFilteringProxy,
			env:   []string{"HTTP_PROXY=http://127.0.0.1:8888", "HTTPS_PROXY=http://127.0.0.1:8888", "NO_PROXY=es.corp"},
			want:  expect{"cluster": "", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["cluster"].body, `HTTP_PROXY is set, and the NO_PROXY entry "es.corp" covers es.corp: the request went direct`)
			},
		},
		{
			name: "proxy_url with credentials",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.tinyproxy(t, "probe:Pr0xyPass")
				w.config.registration = "proxy_url: http://probe:Pr0xyPass@127.0.0.1:8888"
			},
			env:  []string{"NO_PROXY=api.elastic-cloud.com"},
			want: expect{"registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, col *collector) {
				assert.Equal(t, "http://127.0.0.1:8888", got["registration"].attrs["autoops.probe.proxy"], "proxy_url ignores NO_PROXY")
				assert.NotContains(t, got["otlp"].attrs, "autoops.probe.proxy", "proxy_url is per probe")
				col.stop()
				assert.NotContains(t, col.output.String()+w.sink.rawText(), "Pr0xyPass")
			},
		},
		{
			name: "cluster CA file the system roots make unnecessary",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.serveHTTP(t, "127.0.0.1:9243", w.root, &testutil.FakeES{})
				w.config.cluster = "endpoint: https://localhost:9243\ntls: {ca_file: " + w.rootFile + "}"
			},
			want: expect{"cluster": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Equal(t, []any{"ca_not_needed"}, got["cluster"].attrs["autoops.probe.warnings"])
				assert.Equal(t, "WARN", got["cluster"].severity)
			},
		},
		{
			name: "retired intake host",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.config.otlp = "endpoint: https://" + legacyHost + ":443"
			},
			want: expect{"otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Equal(t, []any{"legacy_otlp_host"}, got["otlp"].attrs["autoops.probe.warnings"])
			},
		},
		{
			name: "squid's default rules refuse CONNECT to the cluster's port 9200",
			setup: func(t *testing.T, w *world) {
				w.serveHTTP(t, cloudIP+":443", w.root, elasticCloud())
				w.serveHTTP(t, "127.0.0.1:9200", w.root, &testutil.FakeES{})
				w.config.cluster = "endpoint: https://es.corp:9200"
				w.squid(t)
			},
			env:  []string{"HTTP_PROXY=http://127.0.0.1:3128", "HTTPS_PROXY=http://127.0.0.1:3128"},
			want: expect{"cluster": "proxy_blocked", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["cluster"].body, "ERR_ACCESS_DENIED")
				assert.Contains(t, got["cluster"].attrs["autoops.probe.remedy"], "NO_PROXY")
			},
		},
		{
			// Debian's squid 5.7 answers a name its DNS does not know with ERR_CANNOT_FORWARD,
			// not ERR_DNS_FAIL (its cache.log shows the NXDOMAIN): the evidence quotes its code.
			name: "squid cannot resolve the intake", hosts: map[string]string{otlpHost: ""},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.squid(t)
			},
			env:  []string{"HTTPS_PROXY=http://127.0.0.1:3128"},
			want: expect{"cluster": "", "registration": "", "otlp": "proxy_upstream_error"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].body, "(squid: ERR_CANNOT_FORWARD")
			},
		},
		{
			name: "a proxy that offers only NTLM and Negotiate",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.ntlmProxy(t, "127.0.0.1:8080")
			},
			env:  []string{"HTTPS_PROXY=http://probe:Pr0xyPass@127.0.0.1:8080"},
			want: expect{"cluster": "", "registration": "proxy_auth_unsupported", "otlp": "proxy_auth_unsupported"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].body, "NTLM, Negotiate")
			},
		},
		{
			name: "HTTPS_PROXY=https:// for a proxy that speaks plain HTTP",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.tinyproxy(t, "")
			},
			env:  []string{"HTTPS_PROXY=https://127.0.0.1:8888"},
			want: expect{"cluster": "", "registration": "proxy_scheme_mismatch", "otlp": "proxy_scheme_mismatch"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].attrs["autoops.probe.remedy"], "HTTPS_PROXY=http://")
			},
		},
		{
			name: "a squid speaking TLS on its port, given as an http proxy URL",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				dir := t.TempDir()
				require.NoError(t, os.Chmod(dir, 0o755))
				cert, key := testutil.WriteKeyPair(t, dir, "squid", w.root.Leaf(t, testutil.LeafOptions{}))
				require.NoError(t, os.Chmod(cert, 0o644))
				require.NoError(t, os.Chmod(key, 0o644)) // squid drops to its own user
				w.squid(t, "https_port 127.0.0.1:3129 tls-cert="+cert+" tls-key="+key)
				w.waitListening(t, "127.0.0.1:3129", "squid's https_port")
			},
			env:  []string{"HTTPS_PROXY=http://127.0.0.1:3129"},
			want: expect{"cluster": "", "registration": "proxy_scheme_mismatch", "otlp": "proxy_scheme_mismatch"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].body, "speaks TLS")
			},
		},
		{
			name:  "NO_PROXY lists a CIDR for a cluster given by name",
			setup: clusterBehindFilteringProxy,
			env:   []string{"HTTP_PROXY=http://127.0.0.1:8888", "HTTPS_PROXY=http://127.0.0.1:8888", "NO_PROXY=127.0.0.0/8"},
			want:  expect{"cluster": "proxy_blocked", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Equal(t, []any{"no_proxy_ignored"}, got["cluster"].attrs["autoops.probe.warnings"])
				assert.Contains(t, got["cluster"].body, `NO_PROXY lists "127.0.0.0/8"`)
			},
		},
		{
			name: "a firewall resets TLS naming the registration host (iptables string match)",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.ns.iptables(t, "-p", "tcp", "--dport", "443", "-m", "string", "--string", regHost, "--algo", "bm", "-j", "REJECT", "--reject-with", "tcp-reset")
			},
			want: expect{"cluster": "", "registration": "tls_blocked", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["registration"].body, "naming no host got the server's reply")
			},
		},
		{
			name: "a firewall drops TLS naming the intake host (iptables string match)",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.ns.iptables(t, "-p", "tcp", "--dport", "443", "-m", "string", "--string", otlpHost, "--algo", "bm", "-j", "DROP")
			},
			want: expect{"cluster": "", "registration": "", "otlp": "tls_blocked"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].body, "got no answer")
				assert.Less(t, durationOf(w, "otlp"), probeLimit.Seconds()+0.5, "the verdict comes within the probe's timeout")
			},
		},
		{
			name: "a path that drops large packets (iptables length match)",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				// An Ethernet-sized link that sends each segment as a packet of its own (no
				// offloaded super-packets), and a hop after it that drops packets above 1000 bytes.
				w.ns.exec(t, "ip", "link", "set", "lo", "mtu", "1500", "gso_max_segs", "1")
				w.ns.iptables(t, "-p", "tcp", "--sport", "443", "-m", "length", "--length", "1000:65535", "-j", "DROP")
			},
			want: expect{"cluster": "", "registration": "path_mtu_blackhole", "otlp": "path_mtu_blackhole"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].body, "536-byte segments completed")
				assert.Less(t, durationOf(w, "registration"), probeLimit.Seconds()+0.5, "the verdict comes within the probe's timeout")
			},
		},
		{
			name: "a DNS filter sinkholes the Elastic Cloud names", hosts: map[string]string{regHost: "0.0.0.0", otlpHost: "127.0.0.1"},
			setup: standard,
			want:  expect{"cluster": "", "registration": "dns_blocked", "otlp": "dns_blocked"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["registration"].body, "resolved to 0.0.0.0")
				assert.Equal(t, "127.0.0.1", got["otlp"].attrs["network.peer.address"])
			},
		},
		{
			name: "a search domain's wildcard record catches the registration host (ndots:5)", hosts: map[string]string{regHost: ""},
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				testutil.ServeDNS(t, w.ns.listenUDP(t, "127.0.0.55:53"), map[string]string{regHost: cloudIP, "*.corp.example": "198.51.100.66"})
				require.NoError(t, os.WriteFile(filepath.Join("/etc/netns", w.ns.name, "resolv.conf"),
					[]byte("nameserver 127.0.0.55\nsearch corp.example\noptions ndots:5 timeout:1 attempts:1\n"), 0o644))
			},
			want: expect{"cluster": "", "registration": "dns_search_domain"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				body := got["registration"].body
				for _, s := range []string{regHost + ".corp.example", "198.51.100.66", cloudIP} {
					assert.Contains(t, body, s)
				}
				assert.Equal(t, "198.51.100.66", got["registration"].attrs["network.peer.address"])
			},
		},
		{
			name: "a cluster user without read_slm and view_index_metadata",
			setup: func(t *testing.T, w *world) {
				w.serveHTTP(t, cloudIP+":443", w.root, elasticCloud())
				w.serveHTTP(t, "127.0.0.1:9200", nil, &testutil.FakeES{Missing: []string{"cluster:read_slm", "indices[*]:view_index_metadata"}})
				w.config.cluster = "endpoint: http://es.corp:9200\nusername: autoops\npassword: ${env:AUTOOPS_ES_PASSWORD}"
			},
			env:  []string{"AUTOOPS_ES_PASSWORD=Pr1vS3cret"},
			want: expect{"cluster": "insufficient_privileges", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, col *collector) {
				role := `POST /_security/role/autoops_missing_privileges {"cluster":["read_slm"],"indices":[{"allow_restricted_indices":true,"names":["*"],"privileges":["view_index_metadata"]}]}`
				assert.Equal(t, role, got["cluster"].attrs["autoops.probe.role_definition"])
				assert.Contains(t, got["cluster"].body, role, "the log's remedy gives it too")
				report := runText(t, col, w.ns.prefix()...)
				assert.Contains(t, report, "  role      "+role+"\n", "the one-shot report prints it on a line of its own")
			},
		},
		{
			name: "this machine's clock is a day behind",
			setup: func(t *testing.T, w *world) {
				// A certificate valid from tomorrow, served by a machine whose clock says so.
				leaf := w.root.Leaf(t, cloudNames(testutil.LeafOptions{NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour)}))
				w.serveTLSLeaf(t, cloudIP+":443", leaf, withDate(25*time.Hour, elasticCloud()))
				w.serveHTTP(t, "127.0.0.1:9200", nil, &testutil.FakeES{})
			},
			want: expect{"cluster": "", "registration": "clock_skew", "otlp": "clock_skew"},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Contains(t, got["otlp"].body, "the server's clock says")
				assert.Contains(t, got["otlp"].attrs["autoops.probe.warnings"], "clock_skew")
			},
		},
		{
			name: "a clock ten minutes off",
			setup: func(t *testing.T, w *world) {
				w.standardWith(t, withDate(-10*time.Minute, elasticCloud()))
			},
			want: expect{"cluster": "", "registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Equal(t, []any{"clock_skew"}, got["registration"].attrs["autoops.probe.warnings"])
				assert.Equal(t, "WARN", got["otlp"].severity)
			},
		},
		{
			name: "a region published after this release",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.region = "mars-north-1"
			},
			want: expect{"otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, _ *collector) {
				assert.Equal(t, []any{"unknown_region"}, got["otlp"].attrs["autoops.probe.warnings"])
				assert.Equal(t, "https://"+newRegionHost+"/v1/logs", got["otlp"].attrs["url.full"])
			},
		},
		{
			name: "the intake accepts the agent's token",
			setup: func(t *testing.T, w *world) {
				w.standardWith(t, tokenIntake())
				w.config.otlp = "token: ${env:AUTOOPS_TOKEN}"
			},
			env:  []string{"AUTOOPS_TOKEN=" + goodToken},
			want: expect{"registration": "", "otlp": ""},
			check: func(t *testing.T, w *world, got map[string]record, col *collector) {
				assert.Equal(t, int64(415), got["otlp"].attrs["http.response.status_code"])
				col.stop()
				assert.NotContains(t, col.output.String()+w.sink.rawText(), goodToken)
			},
		},
		{
			name: "the intake refuses the agent's token",
			setup: func(t *testing.T, w *world) {
				w.standardWith(t, tokenIntake())
				w.config.otlp = "token: ${env:AUTOOPS_TOKEN}"
			},
			env:  []string{"AUTOOPS_TOKEN=AOT-revoked-S3cretT0ken"},
			want: expect{"registration": "", "otlp": "token_rejected"},
			check: func(t *testing.T, w *world, got map[string]record, col *collector) {
				col.stop()
				assert.NotContains(t, col.output.String()+w.sink.rawText(), "S3cretT0ken")
			},
		},
		{
			name: "Kibana at the cluster URL",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.serveHTTP(t, "127.0.0.1:5601", nil, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
					rw.Header().Set("kbn-name", "kibana")
					rw.Header().Set("kbn-license-sig", "3ea6b9d2c4f1")
					http.Redirect(rw, r, "/spaces/enter", http.StatusFound)
				}))
				w.config.cluster = "endpoint: http://es.corp:5601\napi_key: id:k3y"
			},
			want:  expect{"cluster": "not_elasticsearch"},
			check: answeredBy("kibana"),
		},
		{
			name: "OpenSearch at the cluster URL",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.serveHTTP(t, "127.0.0.1:9201", nil, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
					rw.Header().Set("Content-Type", "application/json")
					_, _ = rw.Write([]byte(`{"name":"n1","cluster_name":"search","cluster_uuid":"Xq1","version":{"distribution":"opensearch","number":"2.17.0"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`))
				}))
				w.config.cluster = "endpoint: http://es.corp:9201"
			},
			want:  expect{"cluster": "not_elasticsearch"},
			check: answeredBy("opensearch"),
		},
		{
			name: "Elasticsearch's transport port at the cluster URL",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.transportPort(t, "127.0.0.1:9300")
				w.config.cluster = "endpoint: http://es.corp:9300"
			},
			want: expect{"cluster": "not_elasticsearch"},
			check: func(t *testing.T, w *world, got map[string]record, col *collector) {
				answeredBy("transport_port")(t, w, got, col)
				assert.Contains(t, got["cluster"].attrs["autoops.probe.remedy"], "9200")
			},
		},
		{
			name: "a WAF page in front of the cluster",
			setup: func(t *testing.T, w *world) {
				w.standard(t)
				w.serveHTTP(t, "127.0.0.1:8443", w.root, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
					rw.Header().Set("Content-Type", "text/html; charset=utf-8")
					rw.WriteHeader(http.StatusForbidden)
					_, _ = rw.Write([]byte("<html><body><h1>Access denied</h1>Request blocked by the web application firewall. Incident ID 4711</body></html>"))
				}))
				w.config.cluster = "endpoint: https://localhost:8443\napi_key: id:k3y"
			},
			want:  expect{"cluster": "not_elasticsearch"},
			check: answeredBy("web_server"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.hosts)
			tc.setup(t, w)
			got, col := w.run(t, tc.env...)
			checkVerdicts(t, got, tc.want)
			if tc.check != nil {
				tc.check(t, w, got, col)
			}
		})
	}
}

// squid runs Debian's squid inside the namespace on 127.0.0.1:3128, with the package's own
// access rules (CONNECT only to port 443, localhost allowed) read from its default config,
// and extra lines of configuration.
func (w *world) squid(t *testing.T, extra ...string) {
	t.Helper()
	_, err := exec.LookPath("squid")
	needs(t, err == nil, "squid is not installed (make deps installs it)")
	defaults, err := os.ReadFile("/etc/squid/squid.conf")
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "squid")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777)) // squid drops to its own user
	var conf []string
	for _, line := range strings.Split(string(defaults), "\n") {
		if strings.HasPrefix(line, "acl ") || strings.HasPrefix(line, "http_access ") {
			conf = append(conf, line)
		}
	}
	conf = append(conf, "http_port 127.0.0.1:3128", "pid_filename "+dir+"/squid.pid", "cache_log "+dir+"/cache.log",
		"access_log "+dir+"/access.log", "cache deny all", "shutdown_lifetime 0 seconds")
	conf = append(conf, extra...)
	confFile := filepath.Join(dir, "squid.conf")
	require.NoError(t, os.WriteFile(confFile, []byte(strings.Join(conf, "\n")+"\n"), 0o644))
	cmd := exec.Command("ip", "netns", "exec", w.ns.name, "squid", "-N", "-f", confFile)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "cache.log"))
			t.Logf("squid:\n%s\n%s", tail(out.String(), 1000), tail(string(log), 2000))
		}
	})
	w.waitListening(t, "127.0.0.1:3128", "squid")
}

// waitListening waits until addr inside the namespace accepts connections.
func (w *world) waitListening(t *testing.T, addr, what string) {
	t.Helper()
	waitFor(t, 20*time.Second, what+" to listen", func() bool {
		var err error
		w.ns.do(t, func() {
			var c net.Conn
			if c, err = net.DialTimeout("tcp", addr, time.Second); err == nil {
				_ = c.Close()
			}
		})
		return err == nil
	})
}

// ntlmProxy answers every request as a proxy that accepts only NTLM or Kerberos does.
func (w *world) ntlmProxy(t *testing.T, addr string) {
	w.serveHTTP(t, addr, nil, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Add("Proxy-Authenticate", "NTLM")
		rw.Header().Add("Proxy-Authenticate", "Negotiate")
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusProxyAuthRequired)
		_, _ = rw.Write([]byte("<html>Access denied: authentication required</html>"))
	}))
}

// durationOf is the last autoops.probe.duration of a probe, in seconds.
func durationOf(w *world, probe string) float64 {
	var d float64
	for _, p := range w.sink.points()["autoops.probe.duration"] {
		if p["autoops.probe.name"] == probe {
			d = p["value"].(float64)
		}
	}
	return d
}

const goodToken = "AOT-good-S3cretT0ken"

// tokenIntake answers as Elastic Cloud does, and as the intake does to a token: 415 for the
// good one (it refuses only the empty body), the intake's JSON 401 for any other.
func tokenIntake() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/cloud-connected/clusters", testutil.Registration401)
	mux.HandleFunc("/v1/logs", func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") {
		case "":
			testutil.OTLP401(w, r)
		case "AutoOpsToken " + goodToken:
			w.WriteHeader(http.StatusUnsupportedMediaType)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":16,"message":"invalid token"}`))
		}
	})
	return mux
}

// transportPort answers like Elasticsearch's transport port: a line of text, then close.
func (w *world) transportPort(t *testing.T, addr string) {
	ln := w.ns.listen(t, addr)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte("This is not an HTTP port"))
			_ = c.Close()
		}
	}()
}

func answeredBy(who string) func(*testing.T, *world, map[string]record, *collector) {
	return func(t *testing.T, _ *world, got map[string]record, _ *collector) {
		assert.Equal(t, who, got["cluster"].attrs["autoops.probe.answered_by"], got["cluster"].body)
		assert.NotEmpty(t, got["cluster"].attrs["network.peer.address"])
	}
}

// A probe facing dropped packets ends at its own timeout; the other probes are not held up.
func TestDroppedPacketsDoNotDelayOtherProbes(t *testing.T) {
	w := newWorld(t, map[string]string{regHost: "198.51.100.2"})
	w.standard(t)
	w.ns.iptables(t, "-p", "tcp", "-d", "198.51.100.2", "--dport", "443", "-j", "DROP")
	w.run(t)
	durations := map[any]float64{}
	for _, p := range w.sink.points()["autoops.probe.duration"] {
		durations[p["autoops.probe.name"]] = p["value"].(float64)
	}
	limit := probeLimit.Seconds()
	// The first request has 80% of the timeout; the rest is kept for follow-up checks.
	assert.GreaterOrEqual(t, durations["registration"], limit*0.75, "the dropped probe waits for its timeout")
	assert.Less(t, durations["registration"], limit+2, "and no longer")
	assert.Less(t, durations["otlp"], limit*0.5, "the other probes are not delayed")
	assert.Less(t, durations["cluster"], limit*0.5)
}
