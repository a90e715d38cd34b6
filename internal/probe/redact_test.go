package probe

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

const testToken = "tok3n-value-0123"

var b64 = base64.StdEncoding.EncodeToString

func TestSecretAcrossTheBodyCut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization") // "AutoOpsToken <token>"
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(strings.Repeat("x", MaxBody-len(auth)+7) + auth + strings.Repeat("y", 1000)))
	}))
	defer srv.Close()
	tg := target(t, OTLP, srv.URL+OTLPPath)
	tg.Token = testToken
	tg.Redactor = NewRedactor(Secrets{Values: []string{testToken}})
	ev := Run(context.Background(), tg)
	require.NotNil(t, ev.Main.Response)
	body := string(ev.Main.Response.Body)
	assert.True(t, ev.Main.Response.Truncated)
	assert.Len(t, body, MaxBody)
	assert.NotContains(t, body, testToken[:5])
	assert.Contains(t, body[len(body)-30:], "AutoOpsToken [RED")
}

// A proxy's page refusing CONNECT, cut at MaxProxyPage, keeps nothing of the credentials
// it echoes across the cut.
func TestSecretAcrossTheConnectPageCut(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := "Proxy-Authorization: " + r.Header.Get("Proxy-Authorization")
		w.WriteHeader(http.StatusProxyAuthRequired)
		_, _ = w.Write([]byte(strings.Repeat("x", MaxProxyPage-len(echo)+10) + echo + "</pre>"))
	}))
	defer proxy.Close()
	const pass = "Pr0xyPassw0rd"
	pu, err := url.Parse("http://probe:" + pass + "@" + strings.TrimPrefix(proxy.URL, "http://"))
	require.NoError(t, err)
	tg := target(t, Cluster, "https://es.example:9200")
	viaProxy(tg, pu)
	tg.Redactor = NewRedactor(Secrets{ProxyURLs: []string{pu.String()}})
	ev := Run(context.Background(), tg)
	require.NotNil(t, ev.Handshake)
	require.NotNil(t, ev.Handshake.ProxyAnswer)
	page := string(ev.Handshake.ProxyAnswer.Body)
	assert.True(t, ev.Handshake.ProxyAnswer.Truncated)
	assert.LessOrEqual(t, len(page), MaxProxyPage)
	assert.NotContains(t, page, b64([]byte("probe:" + pass))[:6])
	assert.Contains(t, page, "Proxy-Authorization: Basic [RED")
}

// A server that echoes the request's headers in its page brings no secret into the evidence.
func TestAnswersAreScrubbedAsTheyArrive(t *testing.T) {
	echo := testutil.EchoHeaders(http.StatusBadGateway)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://login.corp/?auth="+strings.ToLower(url.QueryEscape(r.Header.Get("Authorization"))))
		w.Header().Set("Server", "echo "+r.Header.Get("Authorization"))
		echo(w, r)
	}))
	defer srv.Close()
	tg := target(t, OTLP, srv.URL+OTLPPath)
	tg.Token = "s3cret/autoops+token"
	tg.Redactor = NewRedactor(Secrets{Values: []string{string(tg.Token)}})
	ev := Run(context.Background(), tg)
	require.NotNil(t, ev.Main.Response)
	assert.Contains(t, string(ev.Main.Response.Body), "AutoOpsToken "+Redacted)
	for _, quote := range []string{string(ev.Main.Response.Body), ev.Main.Response.Location, ev.Main.Response.Server} {
		assert.NotContains(t, strings.ToLower(quote), "s3cret")
	}
	assert.Equal(t, "no s3cret here: "+Redacted, ev.Redact("no s3cret here: s3cret/autoops+token"))
}

// Every answer the evidence can hold is scrubbed: a new Response field in Evidence, or in
// what it points to, must be listed in responses().
func TestEveryAnswerIsScrubbed(t *testing.T) {
	var ev Evidence
	fill(reflect.ValueOf(&ev).Elem())
	var reachable []*Response
	collectResponses(reflect.ValueOf(&ev).Elem(), &reachable)
	require.NotEmpty(t, reachable)
	assert.ElementsMatch(t, reachable, ev.responses())
}

var probePkg = reflect.TypeOf(Evidence{}).PkgPath()

// fill allocates every nil pointer to a struct of this package.
func fill(v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanSet() {
			continue
		}
		if f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct && f.Type().Elem().PkgPath() == probePkg {
			f.Set(reflect.New(f.Type().Elem()))
			fill(f.Elem())
		} else if f.Kind() == reflect.Struct && f.Type().PkgPath() == probePkg {
			fill(f)
		}
	}
}

func collectResponses(v reflect.Value, out *[]*Response) {
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Type() == reflect.TypeOf(&Response{}):
			if !f.IsNil() {
				*out = append(*out, f.Interface().(*Response))
			}
		case f.Kind() == reflect.Pointer && !f.IsNil() && f.Type().Elem().Kind() == reflect.Struct && f.Type().Elem().PkgPath() == probePkg:
			collectResponses(f.Elem(), out)
		case f.Kind() == reflect.Struct && f.Type().PkgPath() == probePkg:
			collectResponses(f, out)
		}
	}
}
