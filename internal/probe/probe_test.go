package probe

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func target(t *testing.T, name Name, raw string) *Target {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	StopAtRedirects(client)
	return &Target{Plan: Plan{Name: name, URL: u, Timeout: 5 * time.Second}, Client: client}
}

// viaProxy routes tg through the fixed proxy p: the plan says so, and target()'s transport
// follows it.
func viaProxy(tg *Target, p *url.URL) {
	tg.Route = Route{Proxy: p, Source: SourceProxyURL}
	tg.Client.Transport.(*http.Transport).Proxy = http.ProxyURL(p)
}

func TestClusterProbeReadsRootThenFollowUps(t *testing.T) {
	var paths []string
	es := &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte("id:key"))}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		es.ServeHTTP(w, r)
	}))
	defer srv.Close()

	tg := target(t, Cluster, srv.URL)
	tg.Authorization = Secret(es.Authorization)
	tg.CheckPrivileges = true
	ev := Run(context.Background(), tg)

	require.NoError(t, ev.Main.Err)
	assert.Equal(t, http.StatusOK, ev.Main.Response.Status)
	assert.Equal(t, []string{"GET /", "GET /_license", "GET /_security/_authenticate", "POST /_security/user/_has_privileges"}, paths)
	require.NotNil(t, ev.License)
	assert.Equal(t, http.StatusOK, ev.Privileges.Response.Status)
	assert.Equal(t, "127.0.0.1", ev.ServerAddress)
	assert.Positive(t, ev.Duration)
	phases := map[string]bool{}
	for _, p := range ev.Main.Phases {
		phases[p.Phase] = true
	}
	assert.True(t, phases[PhaseConnect] && phases[PhaseRequest] && phases[PhaseTransfer], "phases: %v", ev.Main.Phases)
	assert.False(t, phases[PhaseTLS], "no TLS phase on http")
}

func TestClusterProbeStopsAfterAFailedRoot(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	ev := Run(context.Background(), target(t, Cluster, srv.URL))
	assert.Equal(t, int32(1), calls.Load())
	assert.Nil(t, ev.License)
}

func TestCloudProbesSendTheGuidesRequestWithoutCredentials(t *testing.T) {
	type seen struct{ method, path, ctype, auth, body string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 1024)
		n, _ := r.Body.Read(b)
		got <- seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(b[:n])}
		testutil.Registration401(w, r)
	}))
	defer srv.Close()

	ev := Run(context.Background(), target(t, Registration, srv.URL+RegistrationPath))
	s := <-got
	assert.Equal(t, seen{"POST", RegistrationPath, "application/json", "", RegistrationBody}, s)
	assert.Equal(t, http.StatusUnauthorized, ev.Main.Response.Status)
	assert.Contains(t, string(ev.Main.Response.Body), "UnauthorizedMessages")

	Run(context.Background(), target(t, OTLP, srv.URL+OTLPPath))
	s = <-got
	assert.Equal(t, seen{"POST", OTLPPath, "application/json", "", ""}, s)
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Store(true) }))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/login", http.StatusFound))
	defer srv.Close()

	tg := target(t, Cluster, srv.URL)
	tg.Authorization = "ApiKey c2VjcmV0"
	ev := Run(context.Background(), tg)
	assert.Equal(t, http.StatusFound, ev.Main.Response.Status)
	assert.Equal(t, other.URL+"/login", ev.Main.Response.Location)
	assert.False(t, followed.Load(), "the redirect was followed")
}

func TestBodiesAreReadWithALimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 4*MaxBody)))
	}))
	defer srv.Close()
	ev := Run(context.Background(), target(t, OTLP, srv.URL))
	assert.Len(t, ev.Main.Response.Body, MaxBody)
	assert.True(t, ev.Main.Response.Truncated)
}

func TestProbeIsBoundedByItsTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	tg := target(t, OTLP, srv.URL)
	tg.Timeout = 200 * time.Millisecond
	ev := Run(context.Background(), tg)
	require.Error(t, ev.Main.Err)
	assert.True(t, ev.Main.Progress.Connected && ev.Main.Progress.WroteRequest && !ev.Main.Progress.FirstByte)
	assert.Less(t, ev.Duration, 3*time.Second)
}

// The plan's route as a transport's rule: the environment's (NO_PROXY, loopback), a fixed
// proxy_url that ignores NO_PROXY, or none with proxy_disable.
func TestPlanProxyFunc(t *testing.T) {
	cloud, _ := url.Parse("https://api.elastic-cloud.com/x")
	local, _ := url.Parse("http://localhost:9200")
	internal, _ := url.Parse("http://es.corp:9200")

	rule := (&Plan{Env: Environment{HTTPProxy: "http://p:3128", HTTPSProxy: "http://user:pw@p:3129", NoProxy: "es.corp"}}).ProxyFunc()
	p, _ := rule(cloud)
	assert.Equal(t, "http://user:pw@p:3129", p.String())
	p, _ = rule(local)
	assert.Nil(t, p, "Go never proxies loopback")
	p, _ = rule(internal)
	assert.Nil(t, p, "NO_PROXY covers es.corp")

	fixed, _ := url.Parse("http://fixed:8080")
	rule = (&Plan{Route: Route{Proxy: fixed, Source: SourceProxyURL}, Env: Environment{NoProxy: "es.corp"}}).ProxyFunc()
	p, _ = rule(internal)
	assert.Equal(t, "http://fixed:8080", p.String(), "proxy_url ignores NO_PROXY")
	rule = (&Plan{Route: Route{Source: SourceProxyDisable}, Env: Environment{HTTPProxy: "http://p:3128"}}).ProxyFunc()
	p, _ = rule(internal)
	assert.Nil(t, p, "proxy_disable ignores every proxy")
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("ApiKey abc")
	assert.Equal(t, "[REDACTED]", s.String())
	assert.NotContains(t, (&Target{Plan: Plan{Authorization: s}}).Authorization.GoString(), "abc")
}

// After a certificate failure the probe looks at the chain with a second handshake that sends
// no request, so the credentials never reach a server the client did not trust.
func TestDiagnosticHandshakeSendsNoRequest(t *testing.T) {
	var requests atomic.Int32
	ca := testutil.NewCA(t, "Untrusted CA")
	addr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		requests.Add(1)
	}))
	tg := target(t, Cluster, "https://"+addr)
	tg.Authorization = "ApiKey c2VjcmV0"
	ev := Run(context.Background(), tg)
	require.NotNil(t, ev.Handshake, "a certificate failure is followed by a diagnostic handshake")
	require.NotEmpty(t, ev.Handshake.Chain)
	assert.Equal(t, "Untrusted CA", ev.Handshake.Chain[0].Issuer.CommonName)
	assert.Error(t, ev.Handshake.VerifyErr)
	assert.Equal(t, int32(0), requests.Load(), "no HTTP request reached the untrusted server")
}

// On 7.x the license is read as the agent reads it, with ?accept_enterprise=true: without it
// an enterprise license reads platinum. 8.x and later are asked plainly.
func TestLicenseAcceptEnterpriseOn7x(t *testing.T) {
	for _, tt := range []struct{ version, query string }{{"7.17.9", "accept_enterprise=true"}, {"8.15.1", ""}, {"9.2.0", ""}} {
		t.Run(tt.version, func(t *testing.T) {
			var query string
			es := &testutil.FakeES{Version: tt.version}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/_license") {
					query = r.URL.RawQuery
				}
				es.ServeHTTP(w, r)
			}))
			defer srv.Close()
			ev := Run(context.Background(), target(t, Cluster, srv.URL))
			require.NotNil(t, ev.License)
			require.NotNil(t, ev.License.Response)
			assert.Equal(t, tt.query, query)
			assert.Contains(t, string(ev.License.Response.Body), `"enterprise"`)
		})
	}
}
