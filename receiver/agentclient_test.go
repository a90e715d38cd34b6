package autoopsreceiver

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/youmark/pkcs8"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// agentModule runs the cluster probe as the agent's autoops_es module with the module keys
// given (YAML lines under the module), against host, and returns its results.
func agentModule(t *testing.T, host, keys string) []Result {
	t.Helper()
	results, err := agentModuleRun(t, host, keys)
	require.NoError(t, err)
	return results
}

func agentModuleRun(t *testing.T, host, keys string) ([]Result, error) {
	t.Helper()
	return agentModulesRun(t, []string{host}, keys)
}

func agentModulesRun(t *testing.T, hosts []string, keys string) ([]Result, error) {
	t.Helper()
	quoted := make([]string, len(hosts))
	for i, h := range hosts {
		quoted[i] = strconv.Quote(h)
	}
	var indented []string
	for _, l := range strings.Split(strings.TrimSpace(keys), "\n") {
		if l != "" {
			indented = append(indented, "          "+l)
		}
	}
	file := writeAgentConfig(t, strings.Join(quoted, ", "), strings.Join(indented, "\n")+"\n", "127.0.0.1:1", "")
	cfg := createDefaultConfig().(*Config)
	cfg.AgentConfig, cfg.AgentVersion = file, "9.3.2"
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	if err := confmap.Validate(cfg); err != nil {
		return nil, err
	}
	return RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
}

// writeAgentConfig writes an elastic-agent.yml: the autoops_es module on hosts (a YAML list's
// items) with its keys (indented lines, each ending in a newline), and the otlphttp exporter
// to intake with exporterKeys appended, and returns its path.
func writeAgentConfig(t *testing.T, hosts, moduleKeys, intake, exporterKeys string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "elastic-agent.yml")
	require.NoError(t, os.WriteFile(file, []byte(`receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: [`+hosts+`]
`+moduleKeys+`exporters:
  otlphttp:
    headers: {Authorization: "AutoOpsToken t0ken"}
    endpoint: https://`+intake+`
`+exporterKeys), 0o600))
	return file
}

func caFile(t *testing.T, ca *testutil.CA) string {
	t.Helper()
	return ca.WriteFile(t, t.TempDir())
}

func tlsServer(t *testing.T, cfg *tls.Config, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func localhostURL(addr string) string {
	return "https://localhost:" + addr[strings.LastIndex(addr, ":")+1:]
}

// tlscommon's full check: the Common Name when there is no DNS SAN, and no host at all
// through a proxy; strict is Go's own; the chain before the name.
func TestAgentModuleTLSAsTLSCommon(t *testing.T) {
	ca := testutil.NewCA(t, "Module CA")
	cas := "ssl.certificate_authorities: [" + caFile(t, ca) + "]"

	cnOnly := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"localhost"}, CommonNameOnly: true}), &testutil.FakeES{})
	r := agentModule(t, localhostURL(cnOnly), cas)[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	assert.Contains(t, r.Verdict.Warnings, "cn_only_certificate")
	assert.Contains(t, r.Verdict.Remedy, "subjectAltName")
	r = agentModule(t, localhostURL(cnOnly), cas+"\nssl.verification_mode: strict")[0]
	assert.Equal(t, "tls_hostname_mismatch", r.Verdict.ErrorType, "strict is Go's check: SAN only")

	misnamed := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"other.example"}}), &testutil.FakeES{})
	r = agentModule(t, localhostURL(misnamed), cas)[0]
	assert.Equal(t, "tls_hostname_mismatch", r.Verdict.ErrorType, "direct, the host is checked")

	proxy := testutil.Tinyproxy(t)
	r = agentModule(t, localhostURL(misnamed), cas+"\nproxy_url: "+proxy)[0]
	assert.True(t, r.Verdict.Passed, "through a proxy the agent checks the chain only: %s", r.Verdict.Summary())
	assert.Contains(t, r.Verdict.Warnings, "agent_hostname_unchecked_via_proxy")
	assert.Equal(t, "proxy_url", r.Evidence.ProxySource)
	r = agentModule(t, localhostURL(misnamed), cas+"\nproxy_url: "+proxy+"\nssl.verification_mode: strict")[0]
	assert.Equal(t, "tls_hostname_mismatch", r.Verdict.ErrorType, "strict through a proxy checks the host")

	// No ssl block: tlscommon's default check going direct (the Common Name accepted), Go's own
	// through a proxy (the host checked), both against the system roots of the agent's
	// environment.
	t.Setenv("SSL_CERT_FILE", caFile(t, ca))
	r = agentModule(t, localhostURL(cnOnly), "")[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	assert.Equal(t, "SSL_CERT_FILE", r.Evidence.Client.RootsSource)
	r = agentModule(t, localhostURL(misnamed), "proxy_url: "+proxy)[0]
	assert.Equal(t, "tls_hostname_mismatch", r.Verdict.ErrorType, "without an ssl block, Go's check through a proxy")

	// Unknown CA and a wrong name: the agent meets the chain first.
	stranger := testutil.NewCA(t, "Stranger CA")
	selfSigned := tls.Certificate{Certificate: [][]byte{stranger.Cert.Raw}, PrivateKey: stranger.Key}
	both := testutil.ServeTLSLikeElasticsearch(t, selfSigned, &testutil.FakeES{})
	r = agentModule(t, localhostURL(both), cas)[0]
	assert.Equal(t, "tls_unknown_authority", r.Verdict.ErrorType)
	assert.Contains(t, r.Verdict.Evidence, "does not name localhost either")
	assert.Equal(t, "ssl.certificate_authorities", r.Evidence.Client.RootsSource)
}

// The receiver's own keys keep Go's strict check: a CN-only certificate, or a name and a CA
// both wrong, are judged as before.
func TestReceiverKeysKeepGosCheck(t *testing.T) {
	ca := testutil.NewCA(t, "Receiver CA")
	cnOnly := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"localhost"}, CommonNameOnly: true}), &testutil.FakeES{})
	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Endpoint = localhostURL(cnOnly)
	cfg.Cluster.TLS.CAFile = caFile(t, ca)
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	require.NoError(t, confmap.Validate(cfg))
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	assert.Equal(t, "tls_hostname_mismatch", results[0].Verdict.ErrorType)
	assert.Equal(t, "tls.ca_file", results[0].Evidence.Client.RootsSource)
}

// strict never consults ca_trusted_fingerprint; full and certificate trust the CA it names.
func TestAgentModuleFingerprintAndPins(t *testing.T) {
	ca := testutil.NewCA(t, "Pinned CA")
	leaf := testutil.WithChain(ca.Leaf(t, testutil.LeafOptions{}), ca)
	addr := testutil.ServeTLSLikeElasticsearch(t, leaf, &testutil.FakeES{})
	sum := sha256.Sum256(ca.Cert.Raw)
	fp := "ssl.ca_trusted_fingerprint: " + hex.EncodeToString(sum[:])
	r := agentModule(t, "https://"+addr, fp)[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	assert.Equal(t, "ca_trusted_fingerprint", r.Evidence.Client.RootsSource)
	r = agentModule(t, "https://"+addr, fp+"\nssl.verification_mode: strict")[0]
	assert.Equal(t, "tls_unknown_authority", r.Verdict.ErrorType, "strict ignores the fingerprint")

	cas := "ssl.certificate_authorities: [" + caFile(t, ca) + "]"
	spki := sha256.Sum256(ca.Cert.RawSubjectPublicKeyInfo)
	r = agentModule(t, "https://"+addr, cas+"\nssl.ca_sha256: "+base64.StdEncoding.EncodeToString(spki[:]))[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	other := sha256.Sum256([]byte("another key"))
	for _, mode := range []string{"full", "strict", "certificate"} {
		r = agentModule(t, "https://"+addr, cas+"\nssl.verification_mode: "+mode+"\nssl.ca_sha256: ["+base64.StdEncoding.EncodeToString(other[:])+"]")[0]
		assert.Equal(t, "tls_pin_mismatch", r.Verdict.ErrorType, mode)
		assert.Contains(t, r.Verdict.Remedy, "ssl.ca_sha256", mode)
	}
}

// supported_protocols and cipher_suites narrow the handshake as the agent's do.
func TestAgentModuleProtocolsAndCiphers(t *testing.T) {
	ca := testutil.NewCA(t, "Protocols CA")
	cas := "ssl.certificate_authorities: [" + caFile(t, ca) + "]"
	tls12 := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}, MaxVersion: tls.VersionTLS12}, &testutil.FakeES{})
	r := agentModule(t, tls12, cas)[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	r = agentModule(t, tls12, cas+"\nssl.supported_protocols: [TLSv1.3]")[0]
	assert.Equal(t, "tls_version_too_old", r.Verdict.ErrorType)
	assert.Contains(t, r.Verdict.Evidence, "ssl.supported_protocols")

	tls11 := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}, MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11}, &testutil.FakeES{}) //nolint:gosec // the condition under test
	r = agentModule(t, tls11, cas)[0]
	assert.Equal(t, "tls_version_too_old", r.Verdict.ErrorType, "TLS 1.1 is below the agent's default range")

	ecdsaOnly := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}, MaxVersion: tls.VersionTLS12}, &testutil.FakeES{})
	r = agentModule(t, ecdsaOnly, cas+"\nssl.supported_protocols: [TLSv1.2]\nssl.cipher_suites: [ECDHE-RSA-AES-128-GCM-SHA256]")[0]
	assert.Equal(t, "tls_handshake_failed", r.Verdict.ErrorType, "an RSA suite against an ECDSA certificate")
	assert.Contains(t, r.Verdict.Evidence, "ssl.cipher_suites")

	// ssl.curve_types: a server that takes only P-384 refuses a client offering P-256 alone.
	p384 := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}, CurvePreferences: []tls.CurveID{tls.CurveP384}}, &testutil.FakeES{})
	r = agentModule(t, p384, cas+"\nssl.curve_types: [P-384]")[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	r = agentModule(t, p384, cas+"\nssl.curve_types: [P-256]")[0]
	assert.Equal(t, "tls_handshake_failed", r.Verdict.ErrorType)
	assert.Contains(t, r.Verdict.Evidence, "ssl.curve_types")
}

// ssl.enabled: false drops the whole block: the CAs no longer apply, and the remedy says why.
func TestAgentModuleSSLDisabled(t *testing.T) {
	ca := testutil.NewCA(t, "Dropped CA")
	addr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}), &testutil.FakeES{})
	r := agentModule(t, "https://"+addr, "ssl.enabled: false\nssl.certificate_authorities: ["+caFile(t, ca)+"]")[0]
	assert.Equal(t, "tls_unknown_authority", r.Verdict.ErrorType)
	assert.Contains(t, r.Verdict.Remedy, "ssl.enabled")
}

// Mutual TLS with an encrypted key: the passphrase decrypts it, from the key or a file.
func TestAgentModuleKeyPassphrase(t *testing.T) {
	ca := testutil.NewCA(t, "mTLS CA")
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}, ClientAuth: tls.RequireAnyClientCert}, &testutil.FakeES{})
	client := ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"agent"}})
	dir := t.TempDir()
	certFile, keyFile := testutil.WriteKeyPair(t, dir, "agent", client)
	// The key again, encrypted.
	der, err := pkcs8.MarshalPrivateKey(client.PrivateKey, []byte("s3cret-pass"), nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), 0o600))
	passFile := filepath.Join(dir, "pass")
	require.NoError(t, os.WriteFile(passFile, []byte("s3cret-pass\n"), 0o600))
	base := "ssl.certificate_authorities: [" + caFile(t, ca) + "]\nssl.certificate: " + certFile + "\nssl.key: " + keyFile

	r := agentModule(t, addr, base+"\nssl.key_passphrase: s3cret-pass")[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	r = agentModule(t, addr, base+"\nssl.key_passphrase_path: "+passFile)[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	_, err = agentModuleRun(t, addr, base+"\nssl.key_passphrase: wrong")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ssl.key")
	assert.NotContains(t, err.Error(), "s3cret-pass")
}

// The module's HTTP client: Metricbeat's User-Agent and origin, its headers, the host and path
// concatenated, every host, redirects followed, proxy_disable.
func TestAgentModuleHTTPClient(t *testing.T) {
	seen := make(chan http.Header, 16)
	paths := make(chan string, 16)
	es := &testutil.FakeES{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
		paths <- r.URL.Path
		if r.URL.Path == "/old/" {
			http.Redirect(w, r, "/", http.StatusMovedPermanently)
			return
		}
		es.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1") // a dead proxy: proxy_disable must ignore it

	r := agentModule(t, srv.URL+"/", "headers: {X-Team: ops}\nproxy_disable: true\ncheck_privileges: false")[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	assert.Equal(t, "proxy_disable", r.Evidence.ProxySource)
	h := <-seen
	assert.True(t, strings.HasPrefix(h.Get("User-Agent"), "Elastic-Metricbeat/9.3.2 ("), h.Get("User-Agent"))
	assert.Equal(t, "beats", h.Get("X-Elastic-Product-Origin"))
	assert.Equal(t, "ops", h.Get("X-Team"))
	<-paths
	assert.Equal(t, "//_license", <-paths, "the host's trailing / and the path, concatenated")

	r = agentModule(t, srv.URL+"/old/", "proxy_disable: true")[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	assert.Contains(t, r.Verdict.Warnings, "redirected")
	assert.Contains(t, r.Verdict.Evidence, "after a redirect to "+strings.TrimPrefix(srv.URL, "http://")+"/")

	other := httptest.NewServer(&testutil.FakeES{})
	t.Cleanup(other.Close)
	results, err := agentModulesRun(t, []string{srv.URL, other.URL}, "proxy_disable: true")
	require.NoError(t, err)
	require.Len(t, results, 2, "one result per host")
	assert.NotEqual(t, results[0].Evidence.ServerPort, results[1].Evidence.ServerPort)
	for _, r := range results {
		assert.Equal(t, probe.Cluster, r.Evidence.Probe)
	}
}

// Trust as the agent sees it: SSL_CERT_FILE builds the system roots; the exporter's CA file
// replaces them unless include_system_ca_certs_pool.
func TestAgentTrustStore(t *testing.T) {
	system := testutil.NewCA(t, "Agent System CA")
	intake := testutil.ServeTLSLikeElasticsearch(t, system.Leaf(t, testutil.LeafOptions{}), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnsupportedMediaType) // the token accepted, the empty body refused
	}))
	reg := testutil.ServeTLSLikeElasticsearch(t, system.Leaf(t, testutil.LeafOptions{}), http.HandlerFunc(testutil.Registration401))
	other := caFile(t, testutil.NewCA(t, "Exporter CA"))
	run := func(exporterTLS string, env ...string) []Result {
		file := writeAgentConfig(t, `"http://127.0.0.1:1"`, "", intake, exporterTLS)
		assignments, err := agentconfig.ParseEnvFile(strings.NewReader(strings.Join(append(env, "ELASTIC_CLOUD_CONNECTED_MODE_API_URL=https://"+reg), "\n") + "\n"))
		require.NoError(t, err)
		cfg := createDefaultConfig().(*Config)
		cfg.AgentConfig = file
		cfg.Cluster.Enabled = false
		cfg.SetAgentEnvFiles([]map[string]string{assignments})
		require.NoError(t, confmap.Validate(cfg))
		results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
		require.NoError(t, err)
		return results
	}
	bundle := caFile(t, system)
	for _, r := range run("", "SSL_CERT_FILE="+bundle) {
		assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
		assert.Equal(t, "SSL_CERT_FILE", r.Evidence.Client.RootsSource, r.Evidence.Probe)
	}
	for _, r := range run("") {
		assert.Equal(t, "tls_intercepted", r.Verdict.ErrorType, "without the agent's SSL_CERT_FILE: %s", r.Evidence.Probe)
	}
	results := run("    tls: {ca_file: "+other+"}\n", "SSL_CERT_FILE="+bundle)
	otlp := results[len(results)-1]
	assert.Equal(t, probe.OTLP, otlp.Evidence.Probe)
	assert.False(t, otlp.Verdict.Passed, "the exporter's ca_file replaces the system roots")
	assert.Contains(t, otlp.Verdict.Remedy, "include_system_ca_certs_pool")
	assert.Equal(t, "tls.ca_file", otlp.Evidence.Client.RootsSource)
	results = run("    tls: {ca_file: "+other+", include_system_ca_certs_pool: true}\n", "SSL_CERT_FILE="+bundle)
	assert.True(t, results[len(results)-1].Verdict.Passed, results[len(results)-1].Verdict.Summary())
	// ca_pem: the same replacement, the exporter's CA given inline.
	pemText, err := os.ReadFile(bundle)
	require.NoError(t, err)
	results = run("    tls:\n      ca_pem: |\n        "+strings.ReplaceAll(strings.TrimSpace(string(pemText)), "\n", "\n        ")+"\n", "SSL_CERT_FILE="+other)
	assert.True(t, results[len(results)-1].Verdict.Passed, "the intake's CA given as ca_pem: %s", results[len(results)-1].Verdict.Summary())
}

// The module's connect_timeout bounds each address: a dropping firewall is connection_timeout
// at the agent's limit, not at the probe's.
func TestAgentModuleConnectTimeout(t *testing.T) {
	dropping := testutil.DroppingAddr(t)
	start := time.Now()
	r := agentModule(t, "http://"+dropping, "connect_timeout: 300ms")[0]
	assert.Equal(t, "connection_timeout", r.Verdict.ErrorType, r.Verdict.Summary())
	assert.Contains(t, r.Verdict.Evidence, "connect_timeout (300ms per address)")
	assert.Less(t, time.Since(start), 5*time.Second, "the agent's limit, not the probe's 10s")
}

// proxy_headers go on CONNECT only, never on the request; bearer_token_file's token is sent,
// and scrubbed from an echo like any credential.
func TestAgentModuleProxyHeadersAndBearer(t *testing.T) {
	ca := testutil.NewCA(t, "Bearer CA")
	addr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}), &testutil.FakeES{Authorization: "Bearer t0k3n-from-file"})
	connectHeaders := make(chan http.Header, 4)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		connectHeaders <- r.Header.Clone()
		upstream, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			_ = upstream.Close()
			return
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { _, _ = io.Copy(upstream, conn); _ = upstream.Close() }()
		go func() { _, _ = io.Copy(conn, upstream); _ = conn.Close() }()
	}))
	t.Cleanup(proxy.Close)
	token := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(token, []byte("t0k3n-from-file\n"), 0o600))
	r := agentModule(t, "https://"+addr, "ssl.certificate_authorities: ["+caFile(t, ca)+"]\nbearer_token_file: "+token+
		"\nproxy_url: "+proxy.URL+"\nproxy_headers: {X-Proxy-Team: ops}\ncheck_privileges: false")[0]
	assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
	h := <-connectHeaders
	assert.Equal(t, "ops", h.Get("X-Proxy-Team"))
}

// Registration as the agent builds its URL: the variable and the path concatenated.
func TestAgentRegistrationURLIsConcatenated(t *testing.T) {
	paths := make(chan string, 2)
	reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths <- r.URL.Path
		testutil.Registration401(w, r)
	}))
	t.Cleanup(reg.Close)
	t.Setenv("ELASTIC_CLOUD_CONNECTED_MODE_API_URL", reg.URL+"/")
	cfg := createDefaultConfig().(*Config)
	cfg.AgentEnvironment = true
	cfg.Cluster.Enabled, cfg.OTLP.Enabled = false, false
	require.NoError(t, confmap.Validate(cfg))
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, "//api/v1/cloud-connected/clusters", <-paths)
}
