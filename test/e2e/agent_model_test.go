//go:build e2e

package e2e

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

const agentToken = "AutoOpsT0ken-model-e2e"

// agentWorld is a namespace with a cluster under its own CA and Elastic Cloud's two
// endpoints under another, named as the agent would reach them.
type agentWorld struct {
	ns                            *netns
	esCA, cloudCA                 *testutil.CA
	cluster, registration, intake string
	systemRoots, cloudOnlyRoots   string
	mu                            sync.Mutex
	authorizations                []string
}

func newAgentWorld(t *testing.T) *agentWorld {
	w := &agentWorld{
		ns:      newNetns(t, map[string]string{"es.corp": "127.0.0.1", "api.cloud.test": "127.0.0.1", "otel.cloud.test": "127.0.0.1"}, "127.0.0.1"),
		esCA:    testutil.NewCA(t, "Agent model cluster CA"),
		cloudCA: testutil.NewCA(t, "Agent model cloud CA"),
	}
	serve := func(cert tls.Certificate, h http.Handler) string {
		ln := w.ns.listen(t, "127.0.0.1:0")
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})) }()
		t.Cleanup(func() { _ = srv.Close() })
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		return port
	}
	key := apiKeyID + ":" + apiKeySecret
	es := &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))}
	w.cluster = "https://es.corp:" + serve(w.esCA.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.corp"}}), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.mu.Lock()
			w.authorizations = append(w.authorizations, r.Header.Get("Authorization"))
			w.mu.Unlock()
		}
		es.ServeHTTP(rw, r)
	}))
	cloud := w.cloudCA.Leaf(t, testutil.LeafOptions{DNSNames: []string{"api.cloud.test", "otel.cloud.test"}})
	w.registration = "https://api.cloud.test:" + serve(cloud, http.HandlerFunc(testutil.Registration401))
	w.intake = "https://otel.cloud.test:" + serve(cloud, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "AutoOpsToken "+agentToken {
			rw.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		testutil.OTLP401(rw, r)
	}))
	dir := t.TempDir()
	w.cloudOnlyRoots = filepath.Join(dir, "cloud-roots.pem")
	require.NoError(t, os.WriteFile(w.cloudOnlyRoots, w.cloudCA.PEM, 0o600))
	w.systemRoots = filepath.Join(dir, "roots.pem")
	require.NoError(t, os.WriteFile(w.systemRoots, append(append([]byte{}, w.cloudCA.PEM...), w.esCA.PEM...), 0o600))
	return w
}

func (w *agentWorld) takeAuthorizations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.authorizations
	w.authorizations = nil
	return out
}

// Elastic's sample of each generation (two modules with otlphttp; three; three with
// otlp_http; the ssl sample trusting ${env:AUTOOPS_ES_CA}), with each Linux installer
// generation's drop-in: the built one-shot, in a namespace and an empty environment, sends
// exactly the credentials the agent sends and passes against a healthy cluster.
func TestElasticsSamplesWithEachInstallerDropIn(t *testing.T) {
	w := newAgentWorld(t)
	key := apiKeyID + ":" + apiKeySecret
	for version, sample := range testutil.AgentSamples {
		for dropIn, keyVar := range map[string]string{testutil.DropInCurrent: "AUTOOPS_ES_API_KEY", testutil.DropInFirst: "ELASTICSEARCH_READ_API_KEY"} {
			t.Run(version+"/"+dropIn, func(t *testing.T) {
				file := testutil.FillEnvFile(t, dropIn, map[string]string{
					"AUTOOPS_ES_URL": w.cluster, keyVar: key, "AUTOOPS_OTEL_URL": w.intake, "AUTOOPS_TOKEN": agentToken,
					"ELASTIC_CLOUD_CONNECTED_MODE_API_URL": w.registration,
				})
				// The system store trusts Elastic Cloud; the cluster's CA is the sample's to give
				// (the ssl sample, as PEM text in AUTOOPS_ES_CA) or, without it, the system's.
				env := []string{"PATH=" + os.Getenv("PATH"), "SSL_CERT_FILE=" + w.systemRoots}
				if strings.HasSuffix(version, "-ssl") {
					env = []string{"PATH=" + os.Getenv("PATH"), "SSL_CERT_FILE=" + w.cloudOnlyRoots, "AUTOOPS_ES_CA=" + string(w.esCA.PEM)}
				}
				args := append(append(w.ns.prefix(), "env", "-i"), env...)
				args = append(args, commandBinary(t), "--agent-config", testutil.AgentTestdata(sample), "--agent-env", file, "--format", "json")
				out, _ := exec.Command(args[0], args[1:]...).Output()
				for _, secret := range []string{agentToken, apiKeySecret, base64.StdEncoding.EncodeToString([]byte(key))} {
					assert.NotContains(t, string(out), secret)
				}
				var doc struct {
					Results  []map[string]any `json:"results"`
					Findings []any            `json:"config_findings"`
				}
				require.NoError(t, json.Unmarshal(out, &doc), "%s", out)
				require.Len(t, doc.Results, 3, "%s", out)
				for _, r := range doc.Results {
					assert.Equal(t, true, r["autoops.probe.success"], r["summary"])
				}
				assert.Empty(t, doc.Findings)
				assert.Contains(t, doc.Results[0]["autoops.probe.settings_from"], "cluster.api_key from "+keyVar)
				assert.Equal(t, []string{"ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))}, w.takeAuthorizations(),
					"the cluster saw exactly the agent's credentials, once")
			})
		}
	}
}

// The collector beside the agent (receiver agent_config on the ssl sample), in the same
// namespace with the agent's variables in its environment, probes what the agent uses.
func TestCollectorOnTheAgentsSSLSample(t *testing.T) {
	w := newAgentWorld(t)
	sink := newOTLPSinkOn(t, w.ns.listen(t, "127.0.0.1:0"))
	config := `
receivers:
  autoops_probe:
    collection_interval: 1s
    initial_delay: 100ms
    logs: {emit: every_run}
    agent_config: ` + testutil.AgentTestdata(testutil.AgentSamples["9.3.2-ssl"]) + `
exporters:
  otlp_http:
    endpoint: ` + sink.url + `
    encoding: json
    compression: none
service:
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [otlp_http]}
` + quietTelemetry
	key := apiKeyID + ":" + apiKeySecret
	startCollector(t, config, []string{
		"AUTOOPS_ES_URL=" + w.cluster, "AUTOOPS_ES_API_KEY=" + key, "ELASTICSEARCH_READ_API_KEY=", "AUTOOPS_ES_CA=" + string(w.esCA.PEM),
		"AUTOOPS_OTEL_URL=" + w.intake, "AUTOOPS_TOKEN=" + agentToken, "ELASTIC_CLOUD_CONNECTED_MODE_API_URL=" + w.registration,
		"SSL_CERT_FILE=" + w.cloudOnlyRoots,
	}, w.ns.prefix()...)
	waitFor(t, 30*time.Second, "records of all three probes", func() bool { return len(sink.latest()) == 3 })
	for name, r := range sink.latest() {
		assert.Equal(t, true, r.attrs["autoops.probe.success"], "%s: %s", name, r.body)
	}
	assert.Contains(t, w.takeAuthorizations(), "ApiKey "+base64.StdEncoding.EncodeToString([]byte(key)))
	assert.NotContains(t, sink.rawText(), apiKeySecret)
}
