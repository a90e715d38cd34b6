package probe

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

func TestRedactorCoversEveryForm(t *testing.T) {
	apiKey := "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw"
	basic := base64.StdEncoding.EncodeToString([]byte("autoops:S3cretPass"))
	r := NewRedactor([]string{"ApiKey " + base64.StdEncoding.EncodeToString([]byte(apiKey)), "Basic " + basic, "tok3n-value", "X-Header-S3cret"},
		[]string{"http://probe:Pr0xyPass@proxy.corp:3128", ""})
	for _, secret := range []string{
		base64.StdEncoding.EncodeToString([]byte(apiKey)), apiKey, "ui2lp2axTNmsyakw9tvNnw",
		basic, "autoops:S3cretPass", "S3cretPass", "tok3n-value", "X-Header-S3cret",
		"Pr0xyPass", base64.StdEncoding.EncodeToString([]byte("probe:Pr0xyPass")),
	} {
		out := r.Redact("echo: [" + secret + "]")
		assert.NotContains(t, out, secret)
		assert.Contains(t, out, Redacted)
	}
	assert.Equal(t, "nothing secret here", r.Redact("nothing secret here"))
	var none *Redactor
	assert.Equal(t, "as is", none.Redact("as is"))
}

// A server that echoes the request's headers in its page brings no secret into the evidence.
func TestAnswersAreScrubbedAsTheyArrive(t *testing.T) {
	echo := testutil.EchoHeaders(http.StatusBadGateway)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://login.corp/?auth="+r.Header.Get("Authorization"))
		echo(w, r)
	}))
	defer srv.Close()
	tg := target(t, OTLP, srv.URL+OTLPPath)
	tg.Token = "s3cret-autoops-token"
	tg.Redactor = NewRedactor([]string{string(tg.Token)}, nil)
	ev := Run(context.Background(), tg)
	require.NotNil(t, ev.Main.Response)
	assert.Contains(t, string(ev.Main.Response.Body), "AutoOpsToken "+Redacted)
	assert.NotContains(t, string(ev.Main.Response.Body)+ev.Main.Response.Location, "s3cret-autoops-token")
	assert.Equal(t, "no s3cret here: "+Redacted, ev.Redact("no s3cret here: s3cret-autoops-token"))
}
