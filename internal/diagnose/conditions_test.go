package diagnose

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Each test below makes the condition for real (a server, certificate, port or resolver
// that behaves so), runs the real probe, and checks the verdict users would see.

type setup struct {
	name     probe.Name
	url      string
	roots    *x509.CertPool
	caPEM    []byte // what the CA setting holds, as the probe's plan carries it
	auth     string
	resolver string // a DNS server address for the probe's dialer
	timeout  time.Duration
	ctx      Context
	token    string
	proxy    string // proxy URL the client goes through
	// inContainer places the collector inside a container.
	inContainer bool
	// secrets are what the probe scrubs from answers (none: nothing).
	secrets *probe.Secrets
}

func run(t *testing.T, s setup) (Verdict, probe.Evidence) {
	t.Helper()
	u, err := url.Parse(s.url)
	require.NoError(t, err)
	tlsCfg := &tls.Config{RootCAs: s.roots, MinVersion: tls.VersionTLS12}
	dialer := &net.Dialer{}
	if s.resolver != "" {
		dialer.Resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "udp", s.resolver)
		}}
	}
	transport := &http.Transport{TLSClientConfig: tlsCfg, DialContext: dialer.DialContext, DisableKeepAlives: true}
	var route probe.Route
	if s.proxy != "" {
		pu, err := url.Parse(s.proxy)
		require.NoError(t, err)
		transport.Proxy = http.ProxyURL(pu)
		route = probe.Route{Proxy: pu, Source: probe.SourceProxyURL}
	}
	client := &http.Client{Transport: transport}
	probe.StopAtRedirects(client)
	timeout := s.timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	tg := &probe.Target{
		Plan: probe.Plan{
			Name: s.name, URL: u, TLS: tlsCfg, Timeout: timeout, Trust: probe.Trust{CustomCA: s.roots != nil, CAPEM: s.caPEM}, Route: route,
			Authorization: probe.Secret(s.auth), CheckPrivileges: true, Token: probe.Secret(s.token),
		},
		Client: client, InContainer: s.inContainer,
	}
	if s.secrets != nil {
		tg.Redactor = probe.NewRedactor(*s.secrets)
	}
	ev := probe.Run(context.Background(), tg)
	v := Diagnose(&ev, s.ctx)
	require.NotContains(t, v.Summary()+v.FullRemedy(), "c2VjcmV0", "a credential leaked into the verdict")
	if s.token != "" {
		require.NotContains(t, v.Summary()+v.FullRemedy(), s.token, "the token leaked into the verdict")
	}
	return v, ev
}

func esServer(t *testing.T, es *testutil.FakeES) string { return serve(t, es.ServeHTTP) }

// serve runs h on a local HTTP server for the test and returns its URL.
func serve(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func assertFailed(t *testing.T, v Verdict, errorType string, evidence ...string) {
	t.Helper()
	assert.False(t, v.Passed, v.Summary())
	assert.Equal(t, errorType, v.ErrorType, v.Summary())
	for _, e := range evidence {
		assert.Contains(t, v.Summary(), e)
	}
	// The value's own remedy row, or one of its variants ("auth_failed/basic").
	fits := false
	for row := range remedies {
		if row == errorType || strings.HasPrefix(row, errorType+"/") {
			fits = fits || strings.HasPrefix(v.Remedy, Remedy(row, v.Probe == probe.Cluster))
		}
	}
	assert.True(t, fits, "remedy %q is not a row of %s", v.Remedy, errorType)
}

func TestClusterPasses(t *testing.T) {
	v, _ := run(t, setup{name: probe.Cluster, url: esServer(t, &testutil.FakeES{})})
	assert.True(t, v.Passed, v.Summary())
	assert.Empty(t, v.ErrorType)
	require.NotNil(t, v.Facts.Cluster)
	assert.Equal(t, "my-ccm-cluster", v.Facts.Cluster.ClusterName)
	assert.Equal(t, "9.1.3", v.Facts.Cluster.Version.Number)
}

// A node whose cluster has not formed answers its root with cluster_uuid "_na_": the agent
// says "the cluster is not ready" and goes no further, so this is no pass.
func TestClusterNotFormed(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"name":"node-1","cluster_name":"my-ccm-cluster","cluster_uuid":"_na_","version":{"number":"9.1.3"},"tagline":"You Know, for Search"}`))
	})
	v, _ := run(t, setup{name: probe.Cluster, url: url})
	assertFailed(t, v, ElasticsearchUnavailable, `cluster_uuid "_na_"`, "has not formed")
	assert.Contains(t, v.Remedy, "discovery.seed_hosts")
	assert.Contains(t, v.Remedy, "CLUSTER_NOT_READY")
	assert.Equal(t, Remedy(remedyNotFormed, true), v.Remedy)
}

func TestClusterAuthentication(t *testing.T) {
	valid := "ApiKey " + base64.StdEncoding.EncodeToString([]byte("id:secret"))
	url := esServer(t, &testutil.FakeES{Authorization: valid})

	v, _ := run(t, setup{name: probe.Cluster, url: url, auth: valid, ctx: Context{Credentials: CredentialsAPIKey, APIKeyEncoded: true}})
	assert.True(t, v.Passed, v.Summary())
	assert.Equal(t, []string{WarnAPIKeyEncoded}, v.Warnings)
	assert.Contains(t, v.Remedy, "9.1.0 to 9.1.3")

	v, _ = run(t, setup{name: probe.Cluster, url: url, auth: "ApiKey d3Jvbmc=", ctx: Context{Credentials: CredentialsAPIKey}})
	assertFailed(t, v, AuthFailed, "401", "API key (given as id:api_key)")
	assert.Contains(t, v.Remedy, "typos")

	v, _ = run(t, setup{name: probe.Cluster, url: url, auth: "Basic d3Jvbmc=", ctx: Context{Credentials: CredentialsBasic}})
	assertFailed(t, v, AuthFailed, "username and password")
	assert.NotContains(t, v.Remedy, "API key", "the remedy fits the credential kind")
	assert.Contains(t, v.Remedy, "username and password")

	v, _ = run(t, setup{name: probe.Cluster, url: url})
	assertFailed(t, v, AuthMissing, "no credentials")
	assert.Contains(t, v.Remedy, "restart loop", "agents 9.2.5 and later exit on a 401 from GET /")
}

// A cluster endpoint with a path Elasticsearch does not serve: its 404 to GET / is what
// agents 9.2.5 and later exit on.
func TestClusterRootNotFound(t *testing.T) {
	url := esServer(t, &testutil.FakeES{})
	v, _ := run(t, setup{name: probe.Cluster, url: url + "/elasticsearch"})
	assertFailed(t, v, UnexpectedStatus, "HTTP 404")
	assert.Contains(t, v.Remedy, "agents 9.2.5 and later")
	assert.Contains(t, v.Remedy, "restart loop")
}

func TestClusterPrivilegesAndSuperuser(t *testing.T) {
	v, _ := run(t, setup{name: probe.Cluster, url: esServer(t, &testutil.FakeES{Roles: []string{"superuser"}}), auth: "Basic ZWxhc3RpYzp4", ctx: Context{Credentials: CredentialsBasic}})
	assert.True(t, v.Passed)
	assert.Equal(t, []string{WarnSuperuser}, v.Warnings)

	v, _ = run(t, setup{name: probe.Cluster, url: esServer(t, &testutil.FakeES{Missing: []string{"cluster:read_slm", "indices[*]:view_index_metadata"}}), auth: "Basic dTpw", ctx: Context{Credentials: CredentialsBasic}})
	assertFailed(t, v, InsufficientPrivileges, "cluster:read_slm", "indices[*]:view_index_metadata")
	assert.Equal(t, []string{"cluster:read_slm", "indices[*]:view_index_metadata"}, v.Facts.MissingPrivileges)
	// Exactly what is missing, as a role of its own, ready to paste.
	assert.Equal(t, `POST /_security/role/autoops_missing_privileges {"cluster":["read_slm"],"indices":[{"allow_restricted_indices":true,"names":["*"],"privileges":["view_index_metadata"]}]}`, v.RoleDefinition)
	assert.True(t, strings.HasSuffix(v.FullRemedy(), v.RoleDefinition))

	forbidden := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.WriteHeader(http.StatusForbidden)
	}))
	defer forbidden.Close()
	v, _ = run(t, setup{name: probe.Cluster, url: forbidden.URL, auth: "Basic dTpw", ctx: Context{Credentials: CredentialsBasic}})
	assertFailed(t, v, InsufficientPrivileges, "403")
	assert.Contains(t, v.RoleDefinition, `"cluster":["monitor","read_ilm","read_slm"]`, "nothing known is missing: the whole role")
}

func TestClusterVersionAndLicense(t *testing.T) {
	v, _ := run(t, setup{name: probe.Cluster, url: esServer(t, &testutil.FakeES{Version: "7.16.3"})})
	assertFailed(t, v, UnsupportedVersion, "7.16.3")
	v, _ = run(t, setup{name: probe.Cluster, url: esServer(t, &testutil.FakeES{Version: "7.17.0"})})
	assert.True(t, v.Passed, v.Summary())
	v, _ = run(t, setup{name: probe.Cluster, url: esServer(t, &testutil.FakeES{LicenseStatus: "expired"})})
	assertFailed(t, v, LicenseInactive, `"expired"`)
}

func TestClusterWrongURL(t *testing.T) {
	ca := testutil.NewCA(t, "Test ES CA")
	tlsAddr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}), &testutil.FakeES{})
	plain := esServer(t, &testutil.FakeES{})

	v, _ := run(t, setup{name: probe.Cluster, url: "http://" + tlsAddr})
	assertFailed(t, v, SchemeMismatch, "TLS handshake")
	assert.Contains(t, v.Remedy, "https://")

	v, _ = run(t, setup{name: probe.Cluster, url: strings.Replace(plain, "http://", "https://", 1)})
	assertFailed(t, v, SchemeMismatch, "plain HTTP")

	// A TLS server that answers plaintext with its own 400, as Go's and nginx's do.
	tlsAnswering := httptest.NewTLSServer(&testutil.FakeES{})
	defer tlsAnswering.Close()
	v, _ = run(t, setup{name: probe.Cluster, url: strings.Replace(tlsAnswering.URL, "https://", "http://", 1)})
	assertFailed(t, v, SchemeMismatch, "answered 400")

	// A real 400 from Elasticsearch stays what it is; from a plain server it is not Elasticsearch's.
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer bad.Close()
	v, _ = run(t, setup{name: probe.Cluster, url: bad.URL})
	assertFailed(t, v, UnexpectedStatus, "HTTP 400")

	closed := testutil.ClosedPort(t)
	v, _ = run(t, setup{name: probe.Cluster, url: "http://" + closed})
	assertFailed(t, v, ConnectionRefused, closed)
	assert.Contains(t, v.Remedy, "9200")

	_, port, _ := net.SplitHostPort(closed)
	v, _ = run(t, setup{name: probe.Cluster, url: "http://localhost:" + port, inContainer: true})
	assertFailed(t, v, ContainerNetworkIsolation, "container")
	assert.Contains(t, v.Remedy, "--network host")

	v, _ = run(t, setup{name: probe.Cluster, url: "http://" + closed, inContainer: true})
	assertFailed(t, v, ContainerNetworkIsolation)
}

func TestClusterCustomTLS(t *testing.T) {
	ca := testutil.NewCA(t, "Corp Root CA")
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)

	tests := []struct {
		name      string
		leaf      testutil.LeafOptions
		roots     *x509.CertPool
		errorType string
		evidence  string
	}{
		{"unknown authority", testutil.LeafOptions{}, nil, TLSUnknownAuthority, "Corp Root CA"},
		{"hostname mismatch", testutil.LeafOptions{DNSNames: []string{"es.other.example"}}, roots, TLSHostnameMismatch, "es.other.example"},
		{"expired", testutil.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}, roots, TLSCertificateExpired, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, tt.leaf), &testutil.FakeES{})
			v, _ := run(t, setup{name: probe.Cluster, url: "https://" + addr, roots: tt.roots, auth: "ApiKey c2VjcmV0", ctx: Context{Credentials: CredentialsAPIKey}})
			assertFailed(t, v, tt.errorType, tt.evidence)
			require.NotNil(t, v.Facts.Certificate, "the certificate is reported though verification failed")
			assert.Contains(t, v.Facts.Certificate.Issuer, "Corp Root CA")
			assert.Len(t, v.Facts.Certificate.SHA256, 64)
		})
	}

	addr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}), &testutil.FakeES{})
	v, _ := run(t, setup{name: probe.Cluster, url: "https://" + addr, roots: roots})
	assert.True(t, v.Passed, v.Summary())
	assert.Empty(t, v.Warnings, "the system roots do not trust the test CA, so ca_file is needed")
}

func TestCloudAnswers(t *testing.T) {
	reg := serve(t, testutil.Registration401)
	otlp := serve(t, testutil.OTLP401)
	portal := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("<html>Please log in to the guest Wi-Fi</html>"))
	})
	ok := serve(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello")) })
	redirect := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://portal.example/login", http.StatusFound)
	})

	v, _ := run(t, setup{name: probe.Registration, url: reg})
	assert.True(t, v.Passed, v.Summary())
	v, _ = run(t, setup{name: probe.OTLP, url: otlp})
	assert.True(t, v.Passed, v.Summary())

	v, _ = run(t, setup{name: probe.OTLP, url: reg})
	assertFailed(t, v, UnexpectedResponse, "401")
	v, _ = run(t, setup{name: probe.Registration, url: portal})
	assertFailed(t, v, UnexpectedResponse, "guest Wi-Fi")
	v, _ = run(t, setup{name: probe.Registration, url: ok})
	assertFailed(t, v, UnexpectedStatus, "HTTP 200")
	v, _ = run(t, setup{name: probe.OTLP, url: redirect})
	assertFailed(t, v, UnexpectedStatus, "https://portal.example/login")
	assert.Equal(t, "https://portal.example/login", v.Facts.Location)
}

func TestCloudTLSInterception(t *testing.T) {
	ca := testutil.NewCA(t, "Corp TLS Inspection CA")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(testutil.Registration401))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}}
	srv.StartTLS()
	defer srv.Close()

	v, _ := run(t, setup{name: probe.Registration, url: srv.URL})
	assertFailed(t, v, TLSIntercepted, "Corp TLS Inspection CA")

	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	v, _ = run(t, setup{name: probe.Registration, url: srv.URL, roots: roots})
	assert.True(t, v.Passed, "with the inspecting CA in tls.ca_file the probe passes: %s", v.Summary())
}

// Registering as the agent does, the inspecting CA cannot come from the module's settings: the
// remedy says where it must go instead.
func TestCloudTLSInterceptionAsTheAgentRegisters(t *testing.T) {
	ca := testutil.NewCA(t, "Corp TLS Inspection CA")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(testutil.Registration401))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}}
	srv.StartTLS()
	defer srv.Close()

	v, _ := run(t, setup{name: probe.Registration, url: srv.URL, ctx: Context{AsAgentRegisters: true}})
	assertFailed(t, v, TLSIntercepted, "Corp TLS Inspection CA")
	assert.Contains(t, v.Remedy, "ssl.certificate_authorities and proxy_url do not apply to registration")
	assert.Contains(t, v.Remedy, "system trust store")
	assert.NotContains(t, v.Remedy, "tls.ca_file")
}

func TestConnectionFailures(t *testing.T) {
	reset := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		_, _ = c.Read(buf)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST
		}
		_ = c.Close()
	})
	v, _ := run(t, setup{name: probe.OTLP, url: "http://" + reset})
	assertFailed(t, v, ConnectionReset)

	silent := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	})
	v, _ = run(t, setup{name: probe.Registration, url: "http://" + silent, timeout: 300 * time.Millisecond})
	assertFailed(t, v, ResponseTimeout, "no response")

	v, _ = run(t, setup{name: probe.Registration, url: "https://" + silent, timeout: 300 * time.Millisecond})
	assertFailed(t, v, ResponseTimeout, "TLS handshake")

	v, _ = run(t, setup{name: probe.OTLP, url: "https://" + testutil.DroppingAddr(t), timeout: 300 * time.Millisecond})
	assertFailed(t, v, ConnectionTimeout, "no answer to the connection attempt")
}

func TestDNSFailures(t *testing.T) {
	dns := testutil.DNSServer(t, "127.0.0.1:0", map[string]string{})
	v, _ := run(t, setup{name: probe.Registration, url: "https://api.elastic-cloud.invalid", resolver: dns})
	assertFailed(t, v, DNSNotFound, "api.elastic-cloud.invalid")

	// A resolver address where nothing answers: the lookup fails, but not with "no such host".
	dead := testutil.ClosedPort(t)
	v, _ = run(t, setup{name: probe.Registration, url: "https://api.elastic-cloud.invalid", resolver: dead, timeout: 2 * time.Second})
	assertFailed(t, v, DNSError, "could not be resolved")
}

func TestLegacyHostAndProxyWarnings(t *testing.T) {
	ev := probe.Evidence{
		Probe: probe.OTLP, URL: "https://otel-collector.auto-ops.eu-west-1.aws.cloud.elastic.co/v1/logs",
		ServerAddress: "otel-collector.auto-ops.eu-west-1.aws.cloud.elastic.co", HTTPProxyWithoutHTTPS: true,
		Main: probe.Exchange{Response: &probe.Response{Status: 401, Body: []byte(`{"code":16,"message":"no auth provided"}`)}},
	}
	v := Diagnose(&ev, Context{})
	assert.True(t, v.Passed)
	assert.Equal(t, []string{WarnHTTPSProxy, WarnLegacyOTLPHost}, v.Warnings)
	assert.Contains(t, v.Remedy, "otel-auto-ops.<region>.<csp>.svc.elastic.cloud")
}

// A TLS-inspecting proxy that the collector trusts can still refuse inside the tunnel, with
// its own page: that is the proxy blocking, not Elastic Cloud answering.
func TestProxyPagesInsideTheTunnel(t *testing.T) {
	page := func(status int, body string) probe.Evidence {
		return probe.Evidence{
			Probe: probe.Registration, URL: "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters",
			ServerAddress: "api.elastic-cloud.com", ServerPort: 443, Proxy: "http://proxy.corp:3128",
			Main: probe.Exchange{Response: &probe.Response{Status: status, Body: []byte(body)}},
		}
	}
	blocked := page(http.StatusForbidden, "<html><h1>Access denied by corporate policy</h1></html>")
	assertFailed(t, Diagnose(&blocked, Context{}), ProxyBlocked, "Access denied by corporate policy")
	upstream := page(http.StatusBadGateway, "<html>Unable to connect</html>")
	assertFailed(t, Diagnose(&upstream, Context{}), ProxyUpstreamError, "502")
	fromElastic := page(http.StatusBadGateway, `{"errors":[{"code":"HTTP_502"}]}`)
	assertFailed(t, Diagnose(&fromElastic, Context{}), UnexpectedStatus, "502")
}

// Go quotes a malformed proxy variable in its error, credentials included: the verdict not.
func TestErrorsQuotingURLsLoseTheirCredentials(t *testing.T) {
	ev := probe.Evidence{
		Probe: probe.OTLP, URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs",
		ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", ServerPort: 443,
		ProxyInvalid: true, Main: probe.Exchange{Err: errors.New(`invalid proxy address "http://user:Pr0xy S3cret@proxy.corp:3128": parse error`)},
	}
	v := Diagnose(&ev, Context{})
	assertFailed(t, v, ProxyUnreachable, "not a valid proxy URL")
	assert.NotContains(t, v.Summary(), "S3cret")
	assert.Contains(t, v.Summary(), "http://proxy.corp:3128")
}

// TLS failures that are not about the certificate: an old protocol version, and a server
// that insists on a client certificate the probe does not have.
func TestTLSHandshakeFailures(t *testing.T) {
	ca := testutil.NewCA(t, "Handshake CA")
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	leaf := ca.Leaf(t, testutil.LeafOptions{})
	serveTLS := func(cfg *tls.Config) string {
		srv := httptest.NewUnstartedServer(&testutil.FakeES{})
		srv.TLS = cfg
		srv.Config.ErrorLog = nil
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	oldTLS := serveTLS(&tls.Config{Certificates: []tls.Certificate{leaf}, MaxVersion: tls.VersionTLS11}) //nolint:gosec // the condition under test
	clientCert := serveTLS(&tls.Config{Certificates: []tls.Certificate{leaf}, ClientAuth: tls.RequireAnyClientCert})

	v, _ := run(t, setup{name: probe.Cluster, url: oldTLS, roots: roots})
	assertFailed(t, v, TLSVersionTooOld, "offers only TLS versions the client does not allow", "TLS 1.2 and 1.3")
	v, _ = run(t, setup{name: probe.Cluster, url: clientCert, roots: roots})
	assertFailed(t, v, TLSClientCertificateRequired, "asked for a client certificate", "certificate required")
	assert.Contains(t, v.Remedy, "cert_file")
	tls12 := serveTLS(&tls.Config{Certificates: []tls.Certificate{leaf}, ClientAuth: tls.RequireAnyClientCert, MaxVersion: tls.VersionTLS12})
	v, _ = run(t, setup{name: probe.Cluster, url: tls12, roots: roots})
	assertFailed(t, v, TLSClientCertificateRequired, "asked for a client certificate")
}

// Through a proxy, a timeout says which hop was slow: the proxy itself, or its tunnel.
func TestTimeoutsThroughAProxy(t *testing.T) {
	target := "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters"
	dropping := testutil.DroppingAddr(t)
	stalling := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	})
	runVia := func(proxy string) Verdict {
		u, _ := url.Parse(target)
		p, _ := url.Parse(proxy)
		// A bounded dialer: Go's transport finishes a detached dial after the request gave up.
		dialer := &net.Dialer{Timeout: 500 * time.Millisecond}
		client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(p), DisableKeepAlives: true, DialContext: dialer.DialContext}}
		probe.StopAtRedirects(client)
		tg := &probe.Target{
			Plan:   probe.Plan{Name: probe.Registration, URL: u, Timeout: 300 * time.Millisecond, Route: probe.Route{Proxy: p, Source: probe.SourceProxyURL}},
			Client: client,
		}
		ev := probe.Run(context.Background(), tg)
		return Diagnose(&ev, Context{})
	}
	assertFailed(t, runVia("http://"+dropping), ProxyUnreachable, "did not answer the connection attempt")
	assertFailed(t, runVia("http://"+stalling), ResponseTimeout, "did not open the tunnel")
}

// An error no rule explains is _OTHER, quoted as seen: never a guess from another row.
func TestUnexplainedErrorIsOther(t *testing.T) {
	// Read first: a banner before the request is an unsolicited answer to Go's transport.
	ssh := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		_, _ = c.Read(buf)
		_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"))
		_ = c.Close()
	})
	v, _ := run(t, setup{name: probe.OTLP, url: "http://" + ssh})
	assertFailed(t, v, Other, `malformed HTTP status code "Debian-2"`)
}

// What answers at the cluster URL when it is not Elasticsearch, each as it really answers
// (autoops-facts.md, "Field facts"); judged before any auth or version verdict.
func TestNotElasticsearch(t *testing.T) {
	kibana := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("kbn-name", "kibana")
		w.Header().Set("kbn-license-sig", "da420c53321c02c93e8b3e0c3b09e7e2c5a0d3e1")
		http.Redirect(w, r, "/spaces/enter", http.StatusFound)
	})
	kibanaLogin := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?next=%2F", http.StatusFound)
	})
	openSearch := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"name":"node-1","cluster_name":"search","cluster_uuid":"x1","version":{"distribution":"opensearch","number":"2.17.0"},"tagline":"The OpenSearch Project: https://opensearch.org/"}`))
	})
	awsOpenSearch := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"name":"n","cluster_name":"123:domain","cluster_uuid":"u","version":{"number":"7.10.2","distribution":"opensearch"}}`))
	})
	waf := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html><head><title>403 Forbidden</title></head><body>Request blocked by the web application firewall</body></html>"))
	})
	gateway401 := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gateway"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"Unauthorized"}`))
	})
	transport := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		_, _ = c.Read(buf)
		_, _ = c.Write([]byte(answers.TransportPortReply))
		_ = c.Close()
	})

	tests := []struct {
		name, url, who string
		creds          Context
	}{
		{"Kibana", kibana, AnsweredByKibana, Context{Credentials: CredentialsAPIKey}},
		{"Kibana login redirect", kibanaLogin, AnsweredByKibana, Context{}},
		{"OpenSearch", openSearch, AnsweredByOpenSearch, Context{Credentials: CredentialsBasic}},
		{"AWS OpenSearch reporting 7.10.2", awsOpenSearch, AnsweredByOpenSearch, Context{}},
		{"a WAF's 403 page", waf, AnsweredByWebServer, Context{Credentials: CredentialsAPIKey}},
		{"a gateway's 401", gateway401, AnsweredByUnknown, Context{Credentials: CredentialsAPIKey}},
		{"the transport port", "http://" + transport, AnsweredByTransportPort, Context{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := run(t, setup{name: probe.Cluster, url: tt.url, auth: "ApiKey c2VjcmV0", ctx: tt.creds})
			assertFailed(t, v, NotElasticsearch)
			assert.Equal(t, tt.who, v.Facts.AnsweredBy, v.Summary())
		})
	}

	// Elasticsearch's own 401 has no X-Elastic-Product, but its security error proves it.
	es401 := esServer(t, &testutil.FakeES{Authorization: "ApiKey other"})
	v, _ := run(t, setup{name: probe.Cluster, url: es401, auth: "ApiKey c2VjcmV0", ctx: Context{Credentials: CredentialsAPIKey}})
	assertFailed(t, v, AuthFailed)
	assert.Empty(t, v.Facts.AnsweredBy)
}

// With otlp.token the probe asks as Elastic's own check does: the token, no Content-Type, an
// empty body. 415 accepts the token; the intake's JSON 401/403 refuses it; a portal's page is
// not the intake's.
func TestOTLPToken(t *testing.T) {
	const good = "AOT-good-t0ken"
	intake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Header.Get("Authorization") == "":
			testutil.OTLP401(w, r)
		case r.Header.Get("Authorization") == "AutoOpsToken "+good && r.Header.Get("Content-Type") == "" && len(body) == 0:
			w.WriteHeader(http.StatusUnsupportedMediaType)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"code":16,"message":"invalid token"}`))
		}
	}))
	defer intake.Close()
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("<html>Sign in</html>"))
	}))
	defer portal.Close()

	v, _ := run(t, setup{name: probe.OTLP, url: intake.URL + probe.OTLPPath, token: good})
	assert.True(t, v.Passed, v.Summary())
	assert.Contains(t, v.Summary(), "accepts the token")

	v, _ = run(t, setup{name: probe.OTLP, url: intake.URL + probe.OTLPPath, token: "AOT-stale-t0ken"})
	assertFailed(t, v, TokenRejected, "invalid token")

	v, _ = run(t, setup{name: probe.OTLP, url: portal.URL + probe.OTLPPath, token: good})
	assertFailed(t, v, UnexpectedResponse, "Sign in")

	v, _ = run(t, setup{name: probe.OTLP, url: intake.URL + probe.OTLPPath})
	assert.True(t, v.Passed, "without a token, the guide's 401: %s", v.Summary())
}

func TestUnknownRegionWarnsAndStillRuns(t *testing.T) {
	intake := httptest.NewServer(http.HandlerFunc(testutil.OTLP401))
	defer intake.Close()
	v, _ := run(t, setup{name: probe.OTLP, url: intake.URL + probe.OTLPPath, ctx: Context{UnknownRegion: true}})
	assert.True(t, v.Passed, v.Summary())
	assert.Equal(t, []string{WarnUnknownRegion}, v.Warnings)
	assert.Contains(t, v.Remedy, "published list")
}

// A certificate not yet valid on this machine's clock, from a server whose own clock puts
// it inside its validity: this machine's clock is wrong, not the certificate.
func TestClockSkew(t *testing.T) {
	ca := testutil.NewCA(t, "Clock CA")
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	serverNow := time.Now().Add(25 * time.Hour)
	future := ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour)})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Empty(t, r.Header.Get("Authorization"), "the clock check carries no credential")
		w.Header().Set("Date", serverNow.UTC().Format(http.TimeFormat))
		testutil.OTLP401(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{future}}
	srv.StartTLS()
	defer srv.Close()
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + probe.OTLPPath

	v, _ := run(t, setup{name: probe.OTLP, url: url, roots: roots})
	assertFailed(t, v, ClockSkew, "the server's clock says "+serverNow.UTC().Format("2006-01-02"))
	assert.Contains(t, v.Warnings, WarnClockSkew, "the skew itself is a warning too")

	// A certificate expired by the server's clock as well stays expired.
	expired := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}), &testutil.FakeES{})
	v, _ = run(t, setup{name: probe.Cluster, url: "https://" + expired, roots: roots})
	assertFailed(t, v, TLSCertificateExpired)
	assert.NotContains(t, v.Warnings, WarnClockSkew)

	// An answer whose Date is ten minutes off passes, with the warning.
	skewed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(-10*time.Minute).UTC().Format(http.TimeFormat))
		testutil.OTLP401(w, r)
	}))
	defer skewed.Close()
	v, _ = run(t, setup{name: probe.OTLP, url: skewed.URL + probe.OTLPPath})
	assert.True(t, v.Passed, v.Summary())
	assert.Equal(t, []string{WarnClockSkew}, v.Warnings)
}

// fakeProxy answers every CONNECT with the given status line and headers, as a proxy that
// refuses the tunnel does.
func fakeProxy(t *testing.T, statusLine string, headers ...string) string {
	return rawProxy(t, statusLine, headers, "")
}

// rawProxy answers every CONNECT with statusLine, headers and body, written as given: a
// proxy's own reason phrase, which Go's server would replace.
func rawProxy(t *testing.T, statusLine string, headers []string, body string) string {
	return testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		head := "HTTP/1.1 " + statusLine + "\r\n"
		for _, h := range headers {
			head += h + "\r\n"
		}
		_, _ = fmt.Fprintf(c, "%sContent-Length: %d\r\n\r\n%s", head, len(body), body)
		_ = c.Close()
	})
}

func TestProxyFieldFailures(t *testing.T) {
	const dest = "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters"
	ntlm := fakeProxy(t, "407 Proxy Authentication Required", "Proxy-Authenticate: NTLM", "Proxy-Authenticate: Negotiate")
	v, _ := run(t, setup{name: probe.Registration, url: dest, proxy: "http://" + ntlm})
	assertFailed(t, v, ProxyAuthUnsupported, "NTLM, Negotiate")

	basic := fakeProxy(t, "407 Proxy Authentication Required", `Proxy-Authenticate: Negotiate`, `Proxy-Authenticate: Basic realm="corp"`)
	v, _ = run(t, setup{name: probe.Registration, url: dest, proxy: "http://" + basic})
	assertFailed(t, v, ProxyAuthRequired)

	dnsFail := fakeProxy(t, "503 Service Unavailable", "X-Squid-Error: ERR_DNS_FAIL 0", "Server: squid/5.7")
	v, _ = run(t, setup{name: probe.OTLP, url: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", proxy: "http://" + dnsFail})
	assertFailed(t, v, ProxyUpstreamError, "could not resolve", "ERR_DNS_FAIL")

	// https:// in the proxy URL, a proxy that speaks plain HTTP.
	plain := fakeProxy(t, "200 Connection established")
	v, _ = run(t, setup{name: probe.Registration, url: dest, proxy: "https://" + plain})
	assertFailed(t, v, ProxySchemeMismatch, "speaks plain HTTP")

	// http:// in the proxy URL, a proxy that speaks TLS.
	tlsProxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	defer tlsProxy.Close()
	v, _ = run(t, setup{name: probe.Registration, url: dest, proxy: strings.Replace(tlsProxy.URL, "https://", "http://", 1)})
	assertFailed(t, v, ProxySchemeMismatch, "speaks TLS")
}

func TestTLSBlockedByName(t *testing.T) {
	backend := httptest.NewTLSServer(http.HandlerFunc(testutil.OTLP401))
	defer backend.Close()
	backendAddr := strings.TrimPrefix(backend.URL, "https://")
	for _, reset := range []bool{true, false} {
		addr := testutil.SNIFilter(t, backendAddr, "localhost", reset)
		_, port, _ := net.SplitHostPort(addr)
		v, _ := run(t, setup{name: probe.OTLP, url: "https://localhost:" + port + probe.OTLPPath, timeout: time.Second})
		assertFailed(t, v, TLSBlocked, "naming no host got the server's reply")
	}
}
