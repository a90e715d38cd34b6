//go:build e2e

package e2e

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
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

// daemon runs a Debian server in the foreground until the test ends, and waits for its port.
func daemon(t *testing.T, port int, name string, args ...string) {
	t.Helper()
	bin, err := exec.LookPath(name)
	needs(t, err == nil, name+" is not installed (make deps installs it)")
	cmd := exec.Command(bin, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, tail(out.String(), 2000))
		}
	})
	waitFor(t, 10*time.Second, name+" to listen", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
}

// nginxConf writes an nginx configuration that runs in the foreground out of dir, with servers
// (its server blocks) in the http block, as dir/nginx.conf.
func nginxConf(t *testing.T, dir, servers string) {
	t.Helper()
	write(t, dir, "nginx.conf", fmt.Sprintf(`master_process off;
daemon off;
error_log stderr;
pid %[1]s/nginx.pid;
events {}
http {
  access_log off;
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
%[2]s}
`, dir, servers))
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// probeCase is one cluster endpoint the one-shot probes, and what it must say.
type probeCase struct {
	name, endpoint, tls string
	proxy               string // a proxy URL, for cases that need one
	want                string
	evidence            []string
	check               func(t *testing.T, r map[string]any)
}

// runClusterCases probes each case's endpoint with the one-shot, as its own receiver.
func runClusterCases(t *testing.T, cases []probeCase) {
	runOneShotCases(t, cases, func(c probeCase) string {
		return fmt.Sprintf("{registration: {enabled: false}, otlp: {enabled: false}, cluster: {endpoint: %q, timeout: 5s%s}}", c.endpoint, c.tls)
	})
}

// runOneShotCases runs the one-shot once per case, each as its own receiver (receiver gives
// its settings as flow YAML), and checks its one result.
func runOneShotCases(t *testing.T, cases []probeCase, receiver func(probeCase) string) {
	dir := t.TempDir()
	var receivers strings.Builder
	for i, c := range cases {
		fmt.Fprintf(&receivers, "\n  autoops_probe/c%d: %s", i, receiver(c))
	}
	config := write(t, dir, "collector.yaml", "receivers:"+receivers.String()+"\n")
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(commandBinary(t), "--config", config, "--receiver", fmt.Sprintf("autoops_probe/c%d", i), "--format", "json")
			out, _ := cmd.Output()
			var report struct {
				Results []map[string]any `json:"results"`
			}
			require.NoError(t, json.Unmarshal(out, &report), "%s", out)
			require.Len(t, report.Results, 1)
			r := report.Results[0]
			got, _ := r["error.type"].(string)
			summary, _ := r["summary"].(string)
			assert.Equal(t, c.want, got, summary)
			for _, e := range c.evidence {
				assert.Contains(t, summary, e)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// Reverse proxies and load balancers in front of the cluster, and servers that want a client
// certificate: Debian's nginx, haproxy and stunnel.
func TestGatewaysAndMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testutil.NewCA(t, "Gateway Test CA")
	caFile := ca.WriteFile(t, dir)
	certFile, keyFile := testutil.WriteKeyPair(t, dir, "server", ca.Leaf(t, testutil.LeafOptions{}))
	_, closedPort, _ := net.SplitHostPort(testutil.ClosedPort(t))
	es := testutil.RawServerHTTP(t, &testutil.FakeES{})
	_, esPort, _ := net.SplitHostPort(es)

	down, stalled, mtls := freePort(t), freePort(t), freePort(t)
	nginxConf(t, dir, fmt.Sprintf(`  server { listen 127.0.0.1:%[2]d; location / { proxy_pass http://127.0.0.1:%[3]s; } }
  server { listen 127.0.0.1:%[4]d; location / { proxy_pass http://%[5]s; proxy_read_timeout 1s; } }
  server {
    listen 127.0.0.1:%[6]d ssl;
    ssl_certificate %[7]s; ssl_certificate_key %[8]s;
    ssl_client_certificate %[9]s; ssl_verify_client on;
    location / { proxy_pass http://%[10]s; }
  }
`, dir, down, closedPort, stalled, blackHole(t), mtls, certFile, keyFile, caFile, es))
	daemon(t, mtls, "nginx", "-c", filepath.Join(dir, "nginx.conf"), "-p", dir)

	balancer := freePort(t)
	write(t, dir, "haproxy.cfg", fmt.Sprintf(`defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:%d
  default_backend es
backend es
  server es1 127.0.0.1:%s check inter 200ms fall 1 rise 1
`, balancer, closedPort))
	daemon(t, balancer, "haproxy", "-f", filepath.Join(dir, "haproxy.cfg"), "-db")

	tls12 := freePort(t)
	write(t, dir, "stunnel.conf", fmt.Sprintf(`foreground = yes
pid =
[es]
accept = 127.0.0.1:%d
connect = 127.0.0.1:%s
cert = %s
key = %s
CAfile = %s
requireCert = yes
verifyChain = yes
sslVersionMax = TLSv1.2
`, tls12, esPort, certFile, keyFile, caFile))
	daemon(t, tls12, "stunnel4", filepath.Join(dir, "stunnel.conf"))

	trust := fmt.Sprintf(", tls: {ca_file: %s}", caFile)
	unavailable := testutil.RawServerHTTP(t, &testutil.FakeES{Unavailable: testutil.NoMaster})
	runClusterCases(t, []probeCase{
		{name: "nginx, cluster down", endpoint: fmt.Sprintf("http://127.0.0.1:%d", down), want: "gateway_upstream_error", evidence: []string{"502", `Server: "nginx`}},
		{name: "nginx, cluster too slow", endpoint: fmt.Sprintf("http://127.0.0.1:%d", stalled), want: "gateway_upstream_error", evidence: []string{"504"}},
		{name: "haproxy, no server", endpoint: fmt.Sprintf("http://127.0.0.1:%d", balancer), want: "gateway_upstream_error", evidence: []string{"503"}},
		{name: "nginx wants a client certificate", endpoint: fmt.Sprintf("https://localhost:%d", mtls), tls: trust, want: "tls_client_certificate_required", evidence: []string{"No required SSL certificate was sent"}},
		{name: "stunnel, TLS 1.2, wants a client certificate", endpoint: fmt.Sprintf("https://localhost:%d", tls12), tls: trust, want: "tls_client_certificate_required", evidence: []string{"asked for a client certificate"}},
		{name: "Elasticsearch without a master", endpoint: "http://" + unavailable, want: "elasticsearch_unavailable", evidence: []string{"503", "master_not_discovered_exception"}},
	})
}

// Certificates the tests issue: a chain without its intermediate, a host only in the Common
// Name, an intermediate that expires before the leaf.
func TestCertificateChains(t *testing.T) {
	dir := t.TempDir()
	root := testutil.NewCA(t, "Chain Test Root")
	rootFile := root.WriteFile(t, dir)
	inter := root.Intermediate(t, "Chain Test Issuing CA", time.Now().Add(3*24*time.Hour))
	es := &testutil.FakeES{}
	serve := func(c tls.Certificate) string {
		return "https://localhost:" + strings.Split(testutil.ServeTLSLikeElasticsearch(t, c, es), ":")[1]
	}
	leafOnly := inter.Leaf(t, testutil.LeafOptions{})
	withAIA := inter.Leaf(t, testutil.LeafOptions{IssuingCertificateURL: []string{"http://pki.test.invalid/issuing.crt"}})
	full := testutil.WithChain(inter.Leaf(t, testutil.LeafOptions{NotAfter: time.Now().Add(300 * 24 * time.Hour)}), inter)
	cnOnly := root.Leaf(t, testutil.LeafOptions{DNSNames: []string{"localhost"}, CommonNameOnly: true})
	trust := fmt.Sprintf(", tls: {ca_file: %s}", rootFile)
	runClusterCases(t, []probeCase{
		{name: "leaf without its intermediate, CA file holds the root", endpoint: serve(leafOnly), tls: trust, want: "tls_incomplete_chain", evidence: []string{"Chain Test Issuing CA", "Chain Test Root"}},
		{name: "leaf without its intermediate, AIA names it", endpoint: serve(withAIA), want: "tls_incomplete_chain", evidence: []string{"http://pki.test.invalid/issuing.crt"}},
		{name: "leaf without its intermediate, no signal", endpoint: serve(leafOnly), want: "tls_unknown_authority"},
		{name: "host only in the Common Name", endpoint: serve(cnOnly), tls: trust, want: "tls_hostname_mismatch", evidence: []string{"Common Name"}, check: func(t *testing.T, r map[string]any) {
			assert.Contains(t, r["autoops.probe.remedy"], "server_name_override cannot help")
		}},
		{name: "the intermediate expires first", endpoint: serve(full), tls: trust, want: "", check: func(t *testing.T, r map[string]any) {
			assert.Equal(t, inter.Cert.Subject.String(), r["autoops.probe.tls.earliest_expiry.subject"])
		}},
	})
}
