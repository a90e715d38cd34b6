package autoopsreceiver

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"gopkg.in/yaml.v3"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenNow is the moment every golden run happens at, so the files hold no clock.
var goldenNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func goldenCert() *x509.Certificate {
	return &x509.Certificate{
		Raw:      []byte("a fixed certificate for the golden files"),
		Issuer:   pkix.Name{CommonName: "Corp SSL Inspection CA"},
		Subject:  pkix.Name{CommonName: "api.elastic-cloud.com"},
		DNSNames: []string{"api.elastic-cloud.com"},
		NotAfter: goldenNow.Add(30 * 24 * time.Hour),
	}
}

var goldenPhases = []probe.PhaseTiming{
	{Phase: probe.PhaseDNS, Duration: 2 * time.Millisecond},
	{Phase: probe.PhaseConnect, Duration: 3 * time.Millisecond},
	{Phase: probe.PhaseTLS, Duration: 5 * time.Millisecond},
	{Phase: probe.PhaseRequest, Duration: 7 * time.Millisecond},
	{Phase: probe.PhaseTransfer, Duration: time.Millisecond},
}

// goldenCases are recorded evidence of the verdicts users alert on: a pass, a warning, a
// transport failure, a TLS failure and an HTTP-level failure.
func goldenCases() map[string]struct {
	ev  probe.Evidence
	ctx diagnose.Context
} {
	const es = `{"name":"n1","cluster_name":"my-ccm-cluster","cluster_uuid":"2O_EjO6kTR6AEVYwL5fPEw","version":{"number":"9.1.3"}}`
	ok := func(status int, body string) *probe.Exchange {
		return &probe.Exchange{Response: &probe.Response{Status: status, ElasticProduct: "Elasticsearch", Body: []byte(body)}}
	}
	cluster := func() probe.Evidence {
		return probe.Evidence{
			Probe: probe.Cluster, URL: "https://es.corp:9200", ServerAddress: "es.corp", ServerPort: 9200, Duration: 20 * time.Millisecond,
			Main:    probe.Exchange{Response: ok(200, es).Response, Phases: goldenPhases, PeerAddress: "10.0.0.5"},
			License: ok(200, `{"license":{"status":"active","type":"platinum"}}`),
		}
	}
	warned := cluster()
	warned.Authenticate = ok(200, `{"username":"elastic","roles":["superuser"]}`)
	refusedErr := &url.Error{Op: "Post", URL: "https://api.elastic-cloud.com", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	cert := goldenCert()
	interceptErr := &url.Error{Op: "Post", URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", Err: &tls.CertificateVerificationError{
		UnverifiedCertificates: []*x509.Certificate{cert}, Err: x509.UnknownAuthorityError{Cert: cert},
	}}
	return map[string]struct {
		ev  probe.Evidence
		ctx diagnose.Context
	}{
		"pass":    {ev: cluster(), ctx: diagnose.Context{Credentials: diagnose.CredentialsAPIKey}},
		"warning": {ev: warned, ctx: diagnose.Context{Credentials: diagnose.CredentialsBasic}},
		"transport_failure": {ev: probe.Evidence{
			Probe: probe.Registration, URL: "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters", ServerAddress: "api.elastic-cloud.com", ServerPort: 443,
			Duration: 4 * time.Millisecond, Main: probe.Exchange{Err: refusedErr, Phases: goldenPhases[:1], PeerAddress: "198.51.100.7", Progress: probe.Progress{DNSDone: true}},
		}},
		"tls_failure": {ev: probe.Evidence{
			Probe: probe.OTLP, URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", ServerPort: 443,
			Duration: 12 * time.Millisecond, Main: probe.Exchange{Err: interceptErr, Phases: goldenPhases[:2], PeerAddress: "198.51.100.9", Progress: probe.Progress{DNSDone: true, Connected: true, TLSStarted: true}},
			Handshake: &probe.HandshakeCheck{Chain: []*x509.Certificate{cert}, VerifyErr: x509.UnknownAuthorityError{Cert: cert}},
		}},
		"http_failure": {ev: probe.Evidence{
			Probe: probe.OTLP, URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", ServerPort: 443,
			Duration: 18 * time.Millisecond, Main: probe.Exchange{
				Response: &probe.Response{Status: 302, Location: "https://portal.corp/login?next=%2Fv1%2Flogs"}, Phases: goldenPhases, PeerAddress: "198.51.100.9",
			},
		}},
	}
}

// The metrics and logs of each verdict users alert on, compared with files under
// testdata/golden: a change in names, attributes or values shows in review.
// `go test ./receiver -run TestGolden -update` rewrites them.
func TestGolden(t *testing.T) {
	for name, c := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			ev := c.ev
			r := Result{Evidence: ev, Verdict: diagnose.Diagnose(&ev, c.ctx)}
			tel := newTelemetry(createDefaultConfig().(*Config), receivertest.NewNopSettings(metadata.Type), nil)
			tel.rememberCluster([]Result{r})
			logs := tel.logs([]Result{r}, goldenNow)
			metrics := tel.metrics([]Result{r}, goldenNow)

			dir := filepath.Join("..", "testdata", "golden", name)
			if *updateGolden {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				require.NoError(t, golden.WriteMetrics(t, filepath.Join(dir, "metrics.yaml"), metrics))
				require.NoError(t, golden.WriteLogs(t, filepath.Join(dir, "logs.yaml"), logs))
			}
			wantMetrics, err := golden.ReadMetrics(filepath.Join(dir, "metrics.yaml"))
			require.NoError(t, err)
			require.NoError(t, pmetrictest.CompareMetrics(wantMetrics, metrics,
				pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(), pmetrictest.IgnoreMetricsOrder(), pmetrictest.IgnoreMetricDataPointsOrder()))
			wantLogs, err := golden.ReadLogs(filepath.Join(dir, "logs.yaml"))
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(wantLogs, logs))
		})
	}
}

// Every attribute a result's log record carries is declared for the autoops.probe.result
// event in metadata.yaml, so documentation.md describes all of it.
func TestLogAttributesAreDeclared(t *testing.T) {
	raw, err := os.ReadFile("../metadata.yaml")
	require.NoError(t, err)
	var md struct {
		Events map[string]struct {
			Attributes []string `yaml:"attributes"`
		} `yaml:"events"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &md))
	declared := md.Events[EventName].Attributes
	require.NotEmpty(t, declared)
	for name, c := range goldenCases() {
		ev := c.ev
		lr := plog.NewLogRecord()
		fillLogRecord(lr, &Result{Evidence: ev, Verdict: diagnose.Diagnose(&ev, c.ctx)}, 0)
		for key := range lr.Attributes().All() {
			require.True(t, slices.Contains(declared, key), "%s: %s is not declared for %s in metadata.yaml", name, key, EventName)
		}
	}
}
