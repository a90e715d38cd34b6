//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// agentOneShot runs the one-shot on an agent configuration whose one autoops_es module has
// host and the module keys given, and returns its cluster result.
func agentOneShot(t *testing.T, host, keys string) map[string]any {
	t.Helper()
	dir := t.TempDir()
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(keys), "\n") {
		lines = append(lines, "          "+l)
	}
	file := write(t, dir, "elastic-agent.yml", fmt.Sprintf(`receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: [%q]
%s
exporters:
  otlphttp:
    headers: {Authorization: "AutoOpsToken t0ken"}
    endpoint: https://127.0.0.1:1
`, host, strings.Join(lines, "\n")))
	cmd := exec.Command("env", "-i", "PATH="+os.Getenv("PATH"), commandBinary(t), "--agent-config", file, "--agent-version", "9.3.2",
		"--skip", "registration,otlp", "--format", "json")
	out, _ := cmd.Output()
	var report struct {
		Results []map[string]any `json:"results"`
	}
	require.NoError(t, json.Unmarshal(out, &report), "%s", out)
	require.Len(t, report.Results, 1, "%s", out)
	return report.Results[0]
}

func warningsOf(r map[string]any) []string {
	var out []string
	list, _ := r["autoops.probe.warnings"].([]any)
	for _, w := range list {
		out = append(out, fmt.Sprint(w))
	}
	return out
}

// The agent's client against real servers: tlscommon's checks through Debian's tinyproxy, a
// pin that does not match, and a TLS 1.0/1.1-only box (Debian's stunnel) in front of the
// cluster and of the intake.
func TestAgentClientOnRealServers(t *testing.T) {
	dir := t.TempDir()
	ca := testutil.NewCA(t, "Agent Client CA")
	caFile := ca.WriteFile(t, dir)
	es := &testutil.FakeES{}
	cnOnly := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"localhost"}, CommonNameOnly: true}), es)
	misnamed := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"other.example"}}), es)
	port := func(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }
	cas := "ssl.certificate_authorities: [" + caFile + "]"

	r := agentOneShot(t, "https://localhost:"+port(cnOnly), cas)
	assert.Equal(t, true, r["autoops.probe.success"], r["summary"])
	assert.Contains(t, warningsOf(r), "cn_only_certificate")
	assert.Equal(t, "ssl.certificate_authorities", r["autoops.probe.tls.roots.source"])

	proxy := testutil.Tinyproxy(t)
	r = agentOneShot(t, "https://localhost:"+port(misnamed), cas+"\nproxy_url: "+proxy)
	assert.Equal(t, true, r["autoops.probe.success"], r["summary"])
	assert.Contains(t, warningsOf(r), "agent_hostname_unchecked_via_proxy")
	r = agentOneShot(t, "https://localhost:"+port(misnamed), cas+"\nproxy_url: "+proxy+"\nssl.verification_mode: strict")
	assert.Equal(t, "tls_hostname_mismatch", r["error.type"], r["summary"])

	wrong := sha256.Sum256([]byte("not the CA's key"))
	r = agentOneShot(t, "https://localhost:"+port(misnamed), cas+"\nssl.verification_mode: certificate\nssl.ca_sha256: "+base64.StdEncoding.EncodeToString(wrong[:]))
	assert.Equal(t, "tls_pin_mismatch", r["error.type"], r["summary"])
	assert.Equal(t, "HTTP_0", r["autoops.agent.error_code"])

	// stunnel speaking only TLS 1.0 and 1.1 (OpenSSL needs security level 0 for them).
	leaf := ca.Leaf(t, testutil.LeafOptions{})
	certFile, keyFile := testutil.WriteKeyPair(t, dir, "old", leaf)
	backend := testutil.RawServerHTTP(t, es)
	old := freePort(t)
	write(t, dir, "stunnel.conf", fmt.Sprintf(`foreground = yes
pid =
[es]
accept = 127.0.0.1:%d
connect = %s
cert = %s
key = %s
sslVersionMin = TLSv1
sslVersionMax = TLSv1.1
ciphers = DEFAULT@SECLEVEL=0
`, old, backend, certFile, keyFile))
	daemon(t, old, "stunnel4", dir+"/stunnel.conf")
	trust := fmt.Sprintf(", tls: {ca_file: %s}", caFile)
	runOneShotCases(t, []probeCase{
		{name: "cluster behind a TLS 1.0/1.1-only box", endpoint: fmt.Sprintf("https://localhost:%d", old), tls: trust, want: "tls_version_too_old", evidence: []string{"TLS 1.2 and 1.3"}},
	}, func(c probeCase) string {
		return fmt.Sprintf("{registration: {enabled: false}, otlp: {enabled: false}, cluster: {endpoint: %q, timeout: 5s%s}}", c.endpoint, c.tls)
	})
	runOneShotCases(t, []probeCase{
		{name: "intake behind a TLS 1.0/1.1-only inspection box", endpoint: fmt.Sprintf("https://localhost:%d", old), tls: trust, want: "tls_version_too_old", check: func(t *testing.T, r map[string]any) {
			assert.NotContains(t, r["autoops.probe.remedy"], "min_version", "never lower the client's minimum")
			assert.Contains(t, r["autoops.probe.remedy"], "exempt")
		}},
	}, func(c probeCase) string {
		return fmt.Sprintf("{registration: {enabled: false}, cluster: {enabled: false}, otlp: {endpoint: %q, timeout: 5s%s}}", c.endpoint, c.tls)
	})
}
