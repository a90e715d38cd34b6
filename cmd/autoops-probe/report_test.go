package main

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// result diagnoses recorded evidence, as the command would after probing.
func result(ev probe.Evidence, c diagnose.Context) autoopsreceiver.Result {
	return autoopsreceiver.Result{Evidence: ev, Verdict: diagnose.Diagnose(&ev, c)}
}

func phases(ms ...int) []probe.PhaseTiming {
	names := []string{probe.PhaseDNS, probe.PhaseConnect, probe.PhaseTLS, probe.PhaseRequest, probe.PhaseTransfer}
	var out []probe.PhaseTiming
	for i, m := range ms {
		out = append(out, probe.PhaseTiming{Phase: names[i], Duration: time.Duration(m) * time.Millisecond})
	}
	return out
}

var corpCert = &x509.Certificate{
	Raw: []byte("corp"), Subject: pkix.Name{CommonName: "es01.corp.example"}, Issuer: pkix.Name{CommonName: "Corp Root CA"},
	DNSNames: []string{"es01.corp.example"}, NotAfter: now.Add(90 * 24 * time.Hour),
}

func clusterOK() probe.Evidence {
	return probe.Evidence{
		Probe: probe.Cluster, URL: "https://es01.corp.example:9200", ServerAddress: "es01.corp.example", ServerPort: 9200,
		Duration: 42 * time.Millisecond, Main: probe.Exchange{
			Phases: phases(1, 2, 8, 20, 1), PeerChain: []*x509.Certificate{corpCert},
			Response: &probe.Response{Status: 200, ElasticProduct: "Elasticsearch", Body: []byte(`{"cluster_name":"prod","cluster_uuid":"u1","version":{"number":"8.15.0"}}`)},
		},
	}
}

func registrationIntercepted() probe.Evidence {
	inspector := &x509.Certificate{Raw: []byte("mitm"), Subject: pkix.Name{CommonName: "api.elastic-cloud.com"}, Issuer: pkix.Name{CommonName: "Corp SSL Inspection CA"}, NotAfter: now.Add(30 * 24 * time.Hour)}
	return probe.Evidence{
		Probe: probe.Registration, URL: "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters", ServerAddress: "api.elastic-cloud.com", ServerPort: 443,
		Proxy: "http://proxy.corp:3128", ProxySource: "HTTPS_PROXY", Duration: 80 * time.Millisecond,
		Main:      probe.Exchange{Phases: phases(3, 5), Progress: probe.Progress{DNSDone: true, Connected: true, TLSStarted: true}, Err: &tlsVerifyErr{}},
		Handshake: &probe.HandshakeCheck{ProxyAnswer: &probe.Response{Status: 200}, Chain: []*x509.Certificate{inspector}},
	}
}

type tlsVerifyErr struct{}

func (*tlsVerifyErr) Error() string {
	return "tls: failed to verify certificate: x509: certificate signed by unknown authority"
}
func (*tlsVerifyErr) Unwrap() error { return x509.UnknownAuthorityError{} }

func otlpRefused() probe.Evidence {
	return probe.Evidence{
		Probe: probe.OTLP, URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs", ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", ServerPort: 443,
		Duration: 3 * time.Millisecond, Main: probe.Exchange{
			Phases: phases(2), Progress: probe.Progress{DNSDone: true},
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)},
		},
	}
}

func TestHumanReportGolden(t *testing.T) {
	encoded := diagnose.Context{Credentials: diagnose.CredentialsAPIKey, APIKeyEncoded: true}
	cases := map[string][]autoopsreceiver.Result{
		"all_passed_with_warning": {result(clusterOK(), encoded), result(probe.Evidence{
			Probe: probe.OTLP, URL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs",
			ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", ServerPort: 443, Duration: 30 * time.Millisecond,
			Main: probe.Exchange{Phases: phases(1, 2, 9, 15, 1), Response: &probe.Response{Status: 401, Body: []byte(`{"code":16,"message":"no auth provided"}`)}},
		}, diagnose.Context{})},
		"tls_inspection_and_refused": {result(clusterOK(), diagnose.Context{}), result(registrationIntercepted(), diagnose.Context{}), result(otlpRefused(), diagnose.Context{})},
	}
	for name, results := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			writeText(&buf, results, now)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), buf.String())
		})
	}
}

func TestExitStatus(t *testing.T) {
	ok := result(clusterOK(), diagnose.Context{})
	warned := result(clusterOK(), diagnose.Context{Credentials: diagnose.CredentialsAPIKey, APIKeyEncoded: true})
	failed := result(otlpRefused(), diagnose.Context{})
	assert.Equal(t, exitPassed, exitStatus([]autoopsreceiver.Result{ok, ok, ok}))
	assert.Equal(t, exitWarned, exitStatus([]autoopsreceiver.Result{ok, warned, ok}))
	assert.Equal(t, exitWarned, exitStatus([]autoopsreceiver.Result{ok, ok}), "a skipped probe")
	assert.Equal(t, exitFailed, exitStatus([]autoopsreceiver.Result{warned, failed}))
}

// The trust line says what the certificate was checked against, and how, as the agent would.
func TestTrustLine(t *testing.T) {
	ev := &probe.Evidence{URL: "https://es.corp:9200", Client: probe.ClientFacts{RootsSource: "SSL_CERT_FILE", AgentTLS: true, Mode: "full"}}
	assert.Equal(t, "roots from SSL_CERT_FILE; the agent's check: the chain only (through a proxy it has no host to compare)", trustLine(ev))
	ev.Client.CheckedHost = "es.corp"
	assert.Contains(t, trustLine(ev), "the chain, then the host")
	ev.URL = "http://es.corp:9200"
	assert.Empty(t, trustLine(ev), "no TLS, no trust line")
}
