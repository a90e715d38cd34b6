package autoopsreceiver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"gopkg.in/yaml.v3"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
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

// goldenCases are recorded evidence of what needs a fixed certificate (a real one changes at
// every run): TLS inspection in front of the intake.
func goldenCases() map[string]struct {
	ev  probe.Evidence
	ctx diagnose.Context
} {
	cert := goldenCert()
	interceptErr := &url.Error{Op: "Post", URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", Err: &tls.CertificateVerificationError{
		UnverifiedCertificates: []*x509.Certificate{cert}, Err: x509.UnknownAuthorityError{Cert: cert},
	}}
	return map[string]struct {
		ev  probe.Evidence
		ctx diagnose.Context
	}{
		"tls_failure": {ev: probe.Evidence{
			Probe: probe.OTLP, URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", ServerPort: 443,
			Duration: 12 * time.Millisecond, Main: probe.Exchange{Err: interceptErr, Phases: goldenPhases[:2], PeerAddress: "198.51.100.9", Progress: probe.Progress{DNSDone: true, Connected: true, TLSStarted: true}},
			Handshake: &probe.HandshakeCheck{Chain: []*x509.Certificate{cert}, VerifyErr: x509.UnknownAuthorityError{Cert: cert}},
		}},
	}
}

// goldenRuns are real runs: the receiver started on endpoints served by internal/testutil,
// one tick, what reached the pipelines. Each names the verdicts users alert on.
func goldenRuns(t *testing.T) map[string]func(*endpoints, *Config) {
	return map[string]func(*endpoints, *Config){
		"pass": func(_ *endpoints, cfg *Config) { cfg.Cluster.APIKey = "id:key" },
		"warning": func(e *endpoints, cfg *Config) {
			e.es.Roles = []string{"superuser"}
			cfg.Cluster.Username, cfg.Cluster.Password = "elastic", "changeme"
		},
		"transport_failure": func(_ *endpoints, cfg *Config) { cfg.Registration.Endpoint = "http://" + testutil.ClosedPort(t) },
		"http_failure": func(e *endpoints, _ *Config) {
			e.otlpHandler.Store(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://portal.corp/login?next=%2Fv1%2Flogs", http.StatusFound)
			}))
		},
		"insufficient_privileges": func(e *endpoints, _ *Config) { e.es.Missing = []string{"cluster:read_slm"} },
	}
}

// The metrics and logs of each verdict users alert on, compared with files under
// testdata/golden: a change in names, attributes or values shows in review. Durations, ports
// and timestamps are what a real run cannot fix; they are ignored.
// `go test ./receiver -run TestGolden -update` rewrites them.
func TestGoldenRealRuns(t *testing.T) {
	defer func(d func() bool) { detectContainer = d }(detectContainer)
	detectContainer = func() bool { return false }
	for name, arrange := range goldenRuns(t) {
		t.Run(name, func(t *testing.T) {
			e := newEndpoints(t)
			cfg := e.config()
			arrange(e, cfg)
			p := newPipelines(t, cfg)
			require.NoError(t, p.metrics.Start(context.Background(), componenttest.NewNopHost()))
			require.NoError(t, p.logs.Start(context.Background(), componenttest.NewNopHost()))
			p.tick(t)
			require.Eventually(t, func() bool { return len(p.logsSink.AllLogs()) > 0 }, 10*time.Second, 5*time.Millisecond)
			metrics, logs := p.metricsSink.AllMetrics()[0], p.logsSink.AllLogs()[0]
			normalizeRun(metrics, logs)
			compareGolden(t, name, metrics, logs)
		})
	}
}

func TestGoldenRecorded(t *testing.T) {
	for name, c := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			ev := c.ev
			r := Result{Evidence: ev, Verdict: diagnose.Diagnose(&ev, c.ctx)}
			set := receivertest.NewNopSettings(metadata.Type)
			set.ID = component.NewID(metadata.Type)
			tel := newTelemetry(createDefaultConfig().(*Config), set, nil)
			tel.rememberCluster([]Result{r})
			compareGolden(t, name, tel.metrics([]Result{r}, goldenNow), tel.logs([]Result{r}, goldenNow).logs)
		})
	}
}

func compareGolden(t *testing.T, name string, metrics pmetric.Metrics, logs plog.Logs) {
	t.Helper()
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
	require.NoError(t, plogtest.CompareLogs(wantLogs, logs, plogtest.IgnoreTimestamp(), plogtest.IgnoreObservedTimestamp(), plogtest.IgnoreLogRecordsOrder()))
}

// loopbackPort matches a test server's address on loopback, in URLs and sentences.
var loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// normalizeRun zeroes what differs between real runs: durations, timestamps, the test
// servers' ports.
func normalizeRun(md pmetric.Metrics, ld plog.Logs) {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				timing := strings.HasSuffix(m.Name(), "duration")
				for _, dp := range m.Gauge().DataPoints().All() {
					dp.Attributes().PutInt("server.port", 0)
					if timing {
						dp.SetDoubleValue(0)
					}
				}
			}
		}
	}
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				lr.SetTimestamp(0)
				lr.SetObservedTimestamp(0)
				lr.Body().SetStr(loopbackPort.ReplaceAllString(lr.Body().Str(), "127.0.0.1:PORT"))
				lr.Attributes().PutInt("server.port", 0)
				for _, v := range lr.Attributes().All() {
					if v.Type() == pcommon.ValueTypeStr {
						v.SetStr(loopbackPort.ReplaceAllString(v.Str(), "127.0.0.1:PORT"))
					}
				}
			}
		}
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
		fillLogRecord(lr, &Result{Evidence: ev, Verdict: diagnose.Diagnose(&ev, c.ctx)}, 0, "autoops_probe")
		for key := range lr.Attributes().All() {
			require.True(t, slices.Contains(declared, key), "%s: %s is not declared for %s in metadata.yaml", name, key, EventName)
		}
	}
}
