package autoopsreceiver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// runClusterOnly runs the cluster probe alone once and returns its verdict's error.type
// ("" for a pass).
func runClusterOnly(t *testing.T, cfg *Config) string {
	t.Helper()
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 1)
	return results[0].Verdict.ErrorType
}

func fingerprintOf(ca *testutil.CA) string {
	sum := sha256.Sum256(ca.Cert.Raw)
	return hex.EncodeToString(sum[:])
}

// The module's ssl.verification_mode, as cluster.tls_verification_mode: certificate accepts a
// certificate that does not name the host, but never an unknown authority; none accepts both.
func TestVerificationModes(t *testing.T) {
	ca := testutil.NewCA(t, "Cluster CA")
	otherName := ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.other.example"}, IPs: []net.IP{}})
	addr := testutil.ServeTLSLikeElasticsearch(t, otherName, &testutil.FakeES{})
	for _, tt := range []struct {
		mode  string
		trust bool
		want  string
	}{
		{VerifyFull, true, "tls_hostname_mismatch"},
		{VerifyCertificate, true, ""},
		{VerifyCertificate, false, "tls_unknown_authority"},
		{VerifyNone, false, ""},
	} {
		cfg := createDefaultConfig().(*Config)
		cfg.Cluster.Endpoint = "https://" + addr
		cfg.Cluster.TLSVerificationMode = tt.mode
		if tt.trust {
			cfg.Cluster.TLS.CAPem = configopaque.String(ca.PEM)
		}
		assert.Equal(t, tt.want, runClusterOnly(t, cfg), "%s, CA trusted %t", tt.mode, tt.trust)
	}
}

// ssl.ca_trusted_fingerprint, as cluster.ca_trusted_fingerprint: the CA the server presents
// whose SHA-256 it is becomes trusted; another fingerprint changes nothing; the host name is
// still checked in full.
func TestCATrustedFingerprint(t *testing.T) {
	ca := testutil.NewCA(t, "Presented CA")
	addr := testutil.ServeTLSLikeElasticsearch(t, testutil.WithChain(ca.Leaf(t, testutil.LeafOptions{}), ca), &testutil.FakeES{})
	other := testutil.NewCA(t, "Other CA")
	misnamed := testutil.ServeTLSLikeElasticsearch(t, testutil.WithChain(ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.other.example"}, IPs: []net.IP{}}), ca), &testutil.FakeES{})
	for _, tt := range []struct {
		addr, fingerprint, mode, want string
	}{
		{addr, "", VerifyFull, "tls_unknown_authority"},
		{addr, fingerprintOf(ca), VerifyFull, ""},
		{addr, strings.ToUpper(fingerprintOf(ca)), VerifyFull, ""},
		{addr, fingerprintOf(other), VerifyFull, "tls_unknown_authority"},
		{misnamed, fingerprintOf(ca), VerifyFull, "tls_hostname_mismatch"},
		{misnamed, fingerprintOf(ca), VerifyCertificate, ""},
	} {
		cfg := createDefaultConfig().(*Config)
		cfg.Cluster.Endpoint = "https://" + tt.addr
		cfg.Cluster.CATrustedFingerprint, cfg.Cluster.TLSVerificationMode = tt.fingerprint, tt.mode
		assert.Equal(t, tt.want, runClusterOnly(t, cfg), "fingerprint %q, %s", tt.fingerprint, tt.mode)
	}
}

func TestVerificationSettingsValidate(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Endpoint = "https://otel.example"
	cfg.Cluster.TLSVerificationMode = "strictest"
	require.ErrorContains(t, cfg.Validate(), `cluster.tls_verification_mode: "strictest" is not one of full, certificate, none`)
	cfg.Cluster.TLSVerificationMode = VerifyCertificate
	cfg.Cluster.CATrustedFingerprint = "AB:CD"
	require.ErrorContains(t, cfg.Validate(), "cluster.ca_trusted_fingerprint: write the SHA-256 as hex without colons")
	cfg.Cluster.CATrustedFingerprint = "abcd"
	require.ErrorContains(t, cfg.Validate(), "cluster.ca_trusted_fingerprint: not a SHA-256 fingerprint")
	cfg.Cluster.CATrustedFingerprint = strings.Repeat("ab", 32)
	require.NoError(t, cfg.Validate())
}
