package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// Each follow-up collector runs only when its precondition holds: a passing run gathers the
// cluster's follow-ups and nothing else; a refused one none of them.
func TestCollectorsRunOnlyWhenCalledFor(t *testing.T) {
	srv := httptest.NewServer(&testutil.FakeES{})
	defer srv.Close()
	tg := target(t, Cluster, srv.URL)
	tg.CheckPrivileges = true
	ev := Run(context.Background(), tg)
	require.NotNil(t, ev.Main.Response)
	assert.NotNil(t, ev.License)
	assert.NotNil(t, ev.Privileges)
	assert.Nil(t, ev.Authenticate, "no credentials, nothing to authenticate")
	assert.Nil(t, ev.Handshake)
	assert.Nil(t, ev.Stall)
	assert.Nil(t, ev.SearchDomain)
	assert.Nil(t, ev.ServerClock)

	ev = Run(context.Background(), target(t, Cluster, "http://"+testutil.ClosedPort(t)))
	assert.Nil(t, ev.License, "a cluster that did not answer has no follow-up requests")
	assert.Nil(t, ev.Handshake, "nothing answered to handshake with")
}

// After the client refused the certificate, a credential-less handshake captures the chain,
// so the certificate is reported though verification failed.
func TestHandshakeCapturesTheRefusedChain(t *testing.T) {
	ca := testutil.NewCA(t, "Corp Root CA")
	addr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}), &testutil.FakeES{})
	tg := target(t, Cluster, "https://"+addr)
	tg.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	ev := Run(context.Background(), tg)
	var verifyErr *tls.CertificateVerificationError
	require.ErrorAs(t, ev.Main.Err, &verifyErr)
	require.NotNil(t, ev.Handshake)
	require.NotEmpty(t, ev.Handshake.Chain)
	assert.Equal(t, "Corp Root CA", ev.LeafCertificate().Issuer.CommonName)
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, ev.Handshake.VerifyErr, &unknown)
}

// A handshake naming the host is cut or held by a filter: the follow-up handshakes run, and
// fit in the probe's timeout.
func TestStallFollowUpsFitTheTimeout(t *testing.T) {
	backend := httptest.NewTLSServer(http.HandlerFunc(testutil.OTLP401))
	defer backend.Close()
	for _, reset := range []bool{true, false} {
		addr := testutil.SNIFilter(t, strings.TrimPrefix(backend.URL, "https://"), "localhost", reset)
		_, port, _ := net.SplitHostPort(addr)
		tg := target(t, OTLP, "https://localhost:"+port+OTLPPath)
		tg.Timeout = time.Second
		ev := Run(context.Background(), tg)
		require.NotNil(t, ev.Stall, "reset=%v", reset)
		assert.True(t, ev.Stall.NoNameReply, "the handshake naming no host got the server's reply")
		assert.Equal(t, !reset, ev.Stall.SmallSegmentsReply != nil, "the clamped handshake only after a stall")
		assert.Less(t, ev.Duration, 1500*time.Millisecond)
	}
}

// https_proxy_missing's evidence fits only a request that went direct for want of HTTPS_PROXY.
func TestHTTPSWentDirect(t *testing.T) {
	for _, tt := range []struct {
		url, noProxy string
		fixed, want  bool
	}{
		{"https://api.elastic-cloud.com", "", false, true},
		{"http://es.corp:9200", "", false, false},          // HTTP_PROXY applied
		{"https://es.corp:9200", "es.corp", false, false},  // NO_PROXY sends it direct anyway
		{"https://api.elastic-cloud.com", "", true, false}, // proxy_url: the variables do not apply
	} {
		tg := target(t, Registration, tt.url)
		tg.Env = Environment{HTTPProxy: "http://proxy.corp:3128", NoProxy: tt.noProxy}
		if tt.fixed {
			tg.Route = Route{Source: SourceProxyURL}
		}
		assert.Equal(t, tt.want, httpsWentDirect(tg), "%+v", tt)
	}
}

// The credentialed follow-ups go only to Elasticsearch: a root answered by OpenSearch (or a
// gateway's 200 page) gets the guide's request and nothing more, by the same test of the
// answer the diagnosis reads (answers.IsElasticsearch).
func TestFollowUpsOnlyForElasticsearch(t *testing.T) {
	for name, tt := range map[string]struct {
		root, product string
		want          int
	}{
		"OpenSearch":                   {`{"name":"n","cluster_name":"c","cluster_uuid":"u","version":{"distribution":"opensearch","number":"2.11.0"}}`, "", 1},
		"a gateway's 200 page":         {`<html>welcome</html>`, "", 1},
		"OpenSearch with the header":   {`{"name":"n","cluster_name":"c","cluster_uuid":"u","version":{"distribution":"opensearch","number":"2.11.0"}}`, "Elasticsearch", 1},
		"Elasticsearch 7.10 no header": {`{"name":"n","cluster_name":"c","cluster_uuid":"u","version":{"number":"7.10.2"}}`, "", 4},
		"Elasticsearch":                {`{"name":"n","cluster_name":"c","cluster_uuid":"u","version":{"number":"9.1.3"}}`, "Elasticsearch", 4},
	} {
		t.Run(name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if tt.product != "" {
					w.Header().Set("X-Elastic-Product", tt.product)
				}
				_, _ = w.Write([]byte(tt.root))
			}))
			defer srv.Close()
			tg := target(t, Cluster, srv.URL)
			tg.Authorization = "ApiKey aWQ6a2V5"
			tg.CheckPrivileges = true
			ev := Run(context.Background(), tg)
			require.NotNil(t, ev.Main.Response)
			assert.Equal(t, tt.want, int(requests.Load()), "requests the cluster endpoint got")
			assert.Equal(t, tt.want > 1, ev.License != nil && ev.Authenticate != nil && ev.Privileges != nil)
		})
	}
}
