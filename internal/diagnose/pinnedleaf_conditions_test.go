package diagnose

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A CA setting holding the server's own certificate, as exported from a browser: real
// servers, the old certificate and then its renewal by the same CA.
func TestCASettingPinsTheServerCertificate(t *testing.T) {
	ca := testutil.NewCA(t, "Corp Issuing CA")
	old, renewed := ca.Leaf(t, testutil.LeafOptions{}), ca.Leaf(t, testutil.LeafOptions{})
	pinned := certPEM(old)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pinned))

	// Before the renewal it passes (Go trusts a server certificate found among the roots),
	// with the warning, the issuer to use instead and the day it stops working.
	addr := testutil.ServeTLSLikeElasticsearch(t, old, &testutil.FakeES{})
	v, _ := run(t, setup{name: probe.Cluster, url: "https://" + addr, roots: roots, caPEM: pinned})
	require.True(t, v.Passed, v.Summary())
	assert.Contains(t, v.Warnings, WarnCAFilePinsLeaf)
	assert.Contains(t, v.Evidence, "issued by CN=Corp Issuing CA")
	assert.Contains(t, v.Evidence, "valid until "+day(old.Leaf.NotAfter))
	assert.Contains(t, v.Remedy, "issuing CA")

	// After it, the unknown authority is explained by the pinned certificate.
	addr = testutil.ServeTLSLikeElasticsearch(t, renewed, &testutil.FakeES{})
	v, _ = run(t, setup{name: probe.Cluster, url: "https://" + addr, roots: roots, caPEM: pinned})
	assertFailed(t, v, TLSPinnedLeafChanged, "Corp Issuing CA", "the trust anchor was the old server certificate", serial(old.Leaf), serial(renewed.Leaf))
	assert.Contains(t, v.Remedy, "Never a server certificate")

	// With the issuing CA beside the old certificate, the renewal verifies and nothing warns.
	both := append(append([]byte{}, pinned...), ca.PEM...)
	withCA := x509.NewCertPool()
	require.True(t, withCA.AppendCertsFromPEM(both))
	v, _ = run(t, setup{name: probe.Cluster, url: "https://" + addr, roots: withCA, caPEM: both})
	assert.True(t, v.Passed, v.Summary())
	assert.NotContains(t, v.Warnings, WarnCAFilePinsLeaf)

	// Server certificates for another host only: nothing says this host's was pinned, so the
	// verdict is the one it was before (the CA file lacks the leaf's issuer).
	elsewhere := certPEM(ca.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.other.example"}}))
	otherRoots := x509.NewCertPool()
	require.True(t, otherRoots.AppendCertsFromPEM(elsewhere))
	v, _ = run(t, setup{name: probe.Cluster, url: "https://" + addr, roots: otherRoots, caPEM: elsewhere})
	assertFailed(t, v, TLSIncompleteChain, "Corp Issuing CA")
}

func certPEM(c tls.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})
}
