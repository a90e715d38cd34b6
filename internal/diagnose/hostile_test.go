package diagnose

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// Hostile or broken answers: each ends in a contract error.type, bounded by the probe's
// timeout, with nothing left running (goleak checks the package).
func TestHostileAnswers(t *testing.T) {
	slowDrip := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		w.WriteHeader(http.StatusOK)
		for i := 0; i < 100; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			_, _ = w.Write([]byte(" "))
			w.(http.Flusher).Flush()
		}
	})
	huge := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"cluster_name":"` + strings.Repeat("x", 2*probe.MaxBody) + `"}`))
	})
	nested := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("[", 200000) + strings.Repeat("]", 200000)))
	})
	invalid := serve(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"cluster_name": "x", `)) })
	loop := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.String(), http.StatusMovedPermanently)
	})
	neverCloses := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = c.Write([]byte("HTTP/1.1 401 Unauthorized\r\nContent-Length: 1000\r\n\r\n{\"code\":16"))
		_, _ = c.Read(buf) // holds the connection open until the client leaves
	})

	tests := []struct {
		name      string
		probe     probe.Name
		url       string
		errorType string
	}{
		{"slow drip", probe.Cluster, slowDrip, ResponseTimeout},
		// Without X-Elastic-Product, none of these is Elasticsearch's answer.
		{"huge JSON", probe.Cluster, huge, NotElasticsearch},
		{"deeply nested JSON", probe.Cluster, nested, NotElasticsearch},
		{"invalid JSON", probe.Cluster, invalid, NotElasticsearch},
		{"huge body to a cloud probe", probe.Registration, huge, UnexpectedStatus},
		{"redirect loop", probe.OTLP, loop, UnexpectedStatus},
		{"never closes", probe.OTLP, "http://" + neverCloses, ResponseTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ev := run(t, setup{name: tt.probe, url: tt.url, timeout: 400 * time.Millisecond})
			assertFailed(t, v, tt.errorType)
			assert.Less(t, ev.Duration, 3*time.Second, "bounded by the probe's timeout")
			if ev.Main.Response != nil {
				assert.LessOrEqual(t, len(ev.Main.Response.Body), probe.MaxBody)
			}
		})
	}
}

// A proxy that answers with an endless stream (header lines, or one line without end) is a
// failed probe that says so: _OTHER quoting how the answer began and the probe's bound, never
// a reset, an unreachable proxy or a scheme mismatch the evidence does not show.
func TestFloodingProxies(t *testing.T) {
	const dest = "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters"
	const total = 64 << 20
	tests := []struct {
		name     string
		probe    probe.Name
		url      string
		proxy    string
		evidence []string
	}{
		{
			"CONNECT answered with endless headers", probe.Cluster, "https://es.corp:9200", "http://" + testutil.FloodProxy(t, testutil.FloodHeaders, total),
			[]string{"answered CONNECT to es.corp:9200 with", "lines and no end of its headers within 32768 bytes", `it began "HTTP/1.1 200 Connection established X-Flood: aaa`},
		},
		{
			"CONNECT answered with one endless line", probe.Registration, dest, "http://" + testutil.FloodProxy(t, testutil.FloodLine, total),
			[]string{"answered CONNECT to api.elastic-cloud.com:443 with one line and no end of it within 32768 bytes", `it began "aaaa`},
		},
		{
			"https:// proxy flooding the plaintext CONNECT", probe.OTLP, "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", "https://" + testutil.FloodProxy(t, testutil.FloodLine, total),
			[]string{"answered a plaintext CONNECT to otel-auto-ops.eu-west-1.aws.svc.elastic.cloud:443 with one line and no end of it within 32768 bytes"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := run(t, setup{name: tt.probe, url: tt.url, proxy: tt.proxy})
			assertFailed(t, v, Other, tt.evidence...)
			assert.Contains(t, v.Summary(), "the probe's bound")
			assert.Contains(t, v.Remedy, "endless stream instead of a proxy's answer")
		})
	}
}
