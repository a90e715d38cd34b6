package autoopsreceiver

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// clusterAttributes runs the cluster probe alone once and returns its result's attributes.
func clusterAttributes(t *testing.T, cfg *Config) map[string]any {
	t.Helper()
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 1)
	return ResultAttributes(&results[0])
}

// The negotiated version, the root the chain ended at and the family connected to, as a user
// reads them off a result: with Go's own check, with the check made by hand (certificate
// mode), against a TLS 1.2-only server, and with the server's own certificate as the CA.
func TestTLSAndDialAttributes(t *testing.T) {
	ca := testutil.NewCA(t, "Cluster Root CA")
	leaf := ca.Leaf(t, testutil.LeafOptions{})
	addr := testutil.ServeTLSLikeElasticsearch(t, leaf, &testutil.FakeES{})
	tls12 := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{leaf}, MaxVersion: tls.VersionTLS12}, &testutil.FakeES{})
	leafPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]})

	for _, tt := range []struct {
		name, url, mode string
		caPEM           []byte
		version, anchor string
	}{
		{"Go's check", "https://" + addr, VerifyFull, ca.PEM, "1.3", "CN=Cluster Root CA,O=autoops_probe tests"},
		{"by hand", "https://" + addr, VerifyCertificate, ca.PEM, "1.3", "CN=Cluster Root CA,O=autoops_probe tests"},
		{"TLS 1.2 only", tls12, VerifyFull, ca.PEM, "1.2", "CN=Cluster Root CA,O=autoops_probe tests"},
		{"the server's own certificate as the CA", "https://" + addr, VerifyFull, leafPEM, "1.3", "CN=localhost"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.Cluster.Endpoint, cfg.Cluster.TLSVerificationMode = tt.url, tt.mode
			cfg.Cluster.TLS.CAPem = configopaque.String(tt.caPEM)
			a := clusterAttributes(t, cfg)
			assert.Equal(t, true, a["autoops.probe.success"], a["autoops.probe.remedy"])
			assert.Equal(t, tt.version, a["tls.protocol.version"])
			assert.Equal(t, tt.anchor, a["autoops.probe.tls.anchor.subject"])
			assert.Equal(t, "ipv4", a["network.type"])
			assert.NotContains(t, a, "autoops.probe.dial.failed_addresses", "one address, connected")
			if string(tt.caPEM) == string(leafPEM) {
				assert.Equal(t, []any{"ca_file_pins_leaf"}, a["autoops.probe.warnings"])
			}
		})
	}

	// Without TLS there is no version and no anchor.
	plain := httptest.NewServer(&testutil.FakeES{})
	t.Cleanup(plain.Close)
	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Endpoint = plain.URL
	a := clusterAttributes(t, cfg)
	assert.NotContains(t, a, "tls.protocol.version")
	assert.NotContains(t, a, "autoops.probe.tls.anchor.subject")
}
