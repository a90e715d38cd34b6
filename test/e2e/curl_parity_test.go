//go:build e2e

package e2e

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// curlOutcome is what the guide's curl command showed: its exit code and HTTP status.
type curlOutcome struct {
	exit   int
	status int
}

// runGuideCurl runs test 1 of the guide exactly as written, with the agent's variables.
func runGuideCurl(t *testing.T, esURL, apiKey, username, password string) curlOutcome {
	t.Helper()
	cmd := `curl -XGET -i $AUTOOPS_ES_URL -H "Authorization: ApiKey $AUTOOPS_ES_API_KEY"`
	if username != "" {
		cmd = `curl -XGET -i $AUTOOPS_ES_URL -u $AUTOOPS_ES_USERNAME:$AUTOOPS_ES_PASSWORD`
	}
	c := exec.Command("bash", "-c", cmd+` -sS -m 5 -o /dev/null -w '%{http_code}'`)
	c.Env = []string{
		"PATH=" + os.Getenv("PATH"), "AUTOOPS_ES_URL=" + esURL, "AUTOOPS_ES_API_KEY=" + apiKey,
		"AUTOOPS_ES_USERNAME=" + username, "AUTOOPS_ES_PASSWORD=" + password,
	}
	out, err := c.Output()
	o := curlOutcome{}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		o.exit = exitErr.ExitCode()
	}
	_, _ = fmt.Sscanf(strings.TrimSpace(string(out)), "%d", &o.status)
	return o
}

// receiverVerdict runs the collector once on the same cluster settings.
func receiverVerdict(t *testing.T, esURL, apiKey, username, password, caFile string) record {
	t.Helper()
	sink := newOTLPSink(t)
	tlsLine := ""
	if caFile != "" {
		tlsLine = "tls: {ca_file: " + caFile + "}"
	}
	config := fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1h
    initial_delay: 0s
    cluster:
      endpoint: ${env:AUTOOPS_ES_URL}
      api_key: ${env:AUTOOPS_ES_API_KEY:-}
      username: ${env:AUTOOPS_ES_USERNAME:-}
      password: ${env:AUTOOPS_ES_PASSWORD:-}
      timeout: 3s
      %s
    registration: {enabled: false}
    otlp: {enabled: false}
exporters:
  otlp_http: {endpoint: %s, encoding: json, compression: none}
service:`+quietTelemetry+`
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [otlp_http]}
`, tlsLine, sink.url)
	startCollector(t, config, []string{
		"AUTOOPS_ES_URL=" + esURL, "AUTOOPS_ES_API_KEY=" + apiKey,
		"AUTOOPS_ES_USERNAME=" + username, "AUTOOPS_ES_PASSWORD=" + password,
	})
	waitFor(t, 20*time.Second, "the cluster verdict", func() bool { return len(sink.latest()) == 1 })
	return sink.latest()["cluster"]
}

// For each cluster-side condition of the guide that can be built here, the guide's curl and
// the receiver look at the same cluster; the receiver's verdict must explain what curl shows.
func TestCurlParity(t *testing.T) {
	_, err := exec.LookPath("curl")
	needs(t, err == nil, "curl is not installed (make deps installs it)")

	good := base64.StdEncoding.EncodeToString([]byte(apiKeyID + ":" + apiKeySecret))
	ca := testutil.NewCA(t, "Parity Test CA")
	caFile := ca.WriteFile(t, t.TempDir())
	es := &testutil.FakeES{Authorization: "ApiKey " + good}
	plain := httptest.NewServer(es)
	defer plain.Close()
	tlsAddr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}), es)
	wrongName := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.elsewhere.example"}}), es)
	expired := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{NotBefore: time.Now().Add(-72 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)}), es)
	basicES := httptest.NewServer(&testutil.FakeES{Authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte("autoops:right"))})
	defer basicES.Close()
	oldES := httptest.NewServer(&testutil.FakeES{Version: "7.10.2"})
	defer oldES.Close()
	_, tlsPort, _ := net.SplitHostPort(tlsAddr)
	tls400 := httptest.NewTLSServer(es) // answers plaintext with its own 400, as nginx does
	defer tls400.Close()
	// A refused loopback endpoint is the guide's Docker case when these tests run in a container.
	refusedLocally := "connection_refused"
	if probe.DetectContainer() {
		refusedLocally = "container_network_isolation"
	}

	cases := []struct {
		name               string
		url, key           string
		user, pass, caFile string
		curl               curlOutcome // what the guide's curl shows
		want               string      // the receiver's error.type ("" passes)
	}{
		{name: "working cluster", url: plain.URL, key: good, curl: curlOutcome{status: 200}},
		{name: "wrong key", url: plain.URL, key: base64.StdEncoding.EncodeToString([]byte("id:wrong")), curl: curlOutcome{status: 401}, want: "auth_failed"},
		{name: "wrong password", url: basicES.URL, user: "autoops", pass: "wrong", curl: curlOutcome{status: 401}, want: "auth_failed"},
		{name: "no credentials", url: plain.URL, curl: curlOutcome{status: 401}, want: "auth_missing"},
		{name: "closed port", url: "http://" + testutil.ClosedPort(t), key: good, curl: curlOutcome{exit: 7}, want: refusedLocally},
		{name: "https to a plain port", url: strings.Replace(plain.URL, "http://", "https://", 1), key: good, curl: curlOutcome{exit: 35}, want: "scheme_mismatch"},
		{name: "http to a TLS port", url: "http://localhost:" + tlsPort, key: good, curl: curlOutcome{exit: 52}, want: "scheme_mismatch"},
		{name: "http to a TLS port that answers 400", url: strings.Replace(tls400.URL, "https://", "http://", 1), key: good, curl: curlOutcome{status: 400}, want: "scheme_mismatch"},
		{name: "custom CA not configured", url: "https://localhost:" + tlsPort, key: good, curl: curlOutcome{exit: 60}, want: "tls_unknown_authority"},
		{name: "custom CA configured", url: "https://localhost:" + tlsPort, key: good, caFile: caFile, curl: curlOutcome{exit: 60}},
		{name: "certificate for another name", url: "https://" + wrongName, key: good, caFile: caFile, curl: curlOutcome{exit: 60}, want: "tls_hostname_mismatch"},
		{name: "expired certificate", url: "https://" + expired, key: good, caFile: caFile, curl: curlOutcome{exit: 60}, want: "tls_certificate_expired"},
		{name: "version too old", url: oldES.URL, curl: curlOutcome{status: 200}, want: "unsupported_version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := runGuideCurl(t, tc.url, tc.key, tc.user, tc.pass)
			require.Equal(t, tc.curl, got, "the condition is not what the guide's curl would show")
			v := receiverVerdict(t, tc.url, tc.key, tc.user, tc.pass, tc.caFile)
			if tc.want == "" {
				assert.Equal(t, true, v.attrs["autoops.probe.success"], v.body)
				return
			}
			assert.Equal(t, tc.want, v.attrs["error.type"], v.body)
			if tc.curl.status != 0 {
				assert.EqualValues(t, tc.curl.status, v.attrs["http.response.status_code"], "the receiver saw the status curl saw")
			}
		})
	}
}
