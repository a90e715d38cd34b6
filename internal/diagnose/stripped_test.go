package diagnose

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A reverse proxy in front of Elasticsearch that deletes Authorization (haproxy's
// `http-request del-header Authorization`): the key is not wrong, and the verdict says so.
func TestAuthorizationRemovedOnTheWay(t *testing.T) {
	valid := "ApiKey " + base64.StdEncoding.EncodeToString([]byte("id:secret"))
	es := httptest.NewServer(&testutil.FakeES{Authorization: valid})
	t.Cleanup(es.Close)
	target, err := url.Parse(es.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	strip := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Authorization")
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(strip.Close)

	v, _ := run(t, setup{name: probe.Cluster, url: strip.URL, auth: valid, ctx: Context{Credentials: CredentialsAPIKey}})
	assertFailed(t, v, AuthHeaderStripped, "missing authentication credentials", "removed the header")
	assert.Contains(t, v.Remedy, "pass Authorization")
	assert.NotContains(t, v.Remedy, "typos", "the key is not wrong")
	assert.Equal(t, CodeHTTP401, v.AgentErrorCode)

	// Straight to Elasticsearch, a wrong key is still refused as one.
	v, _ = run(t, setup{name: probe.Cluster, url: es.URL, auth: "ApiKey d3Jvbmc=", ctx: Context{Credentials: CredentialsAPIKey}})
	assertFailed(t, v, AuthFailed)
}
