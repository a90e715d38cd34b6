package autoopsreceiver

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The agent's module with ssl.certificate_authorities holding the cluster's own certificate
// (tlscommon's check by hand): it connects until the certificate is renewed, with the warning
// and the pinned certificate as the anchor; then the renewal fails with tls_pinned_leaf_changed.
func TestAgentModulePinnedServerCertificate(t *testing.T) {
	ca := testutil.NewCA(t, "Cluster Issuing CA")
	old, renewed := ca.Leaf(t, testutil.LeafOptions{}), ca.Leaf(t, testutil.LeafOptions{})
	pinned := filepath.Join(t.TempDir(), "exported-from-browser.crt")
	require.NoError(t, os.WriteFile(pinned, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: old.Certificate[0]}), 0o600))
	keys := "ssl.certificate_authorities: [" + pinned + "]"

	r := agentModule(t, "https://"+testutil.ServeTLSLikeElasticsearch(t, old, &testutil.FakeES{}), keys)[0]
	require.True(t, r.Verdict.Passed, r.Verdict.Summary())
	assert.Equal(t, []string{diagnose.WarnCAFilePinsLeaf}, r.Verdict.Warnings)
	assert.Contains(t, r.Verdict.Evidence, "ssl.certificate_authorities holds the server's own certificate (CN=localhost, issued by CN=Cluster Issuing CA")
	assert.Equal(t, "CN=localhost", ResultAttributes(&r)["autoops.probe.tls.anchor.subject"])

	r = agentModule(t, "https://"+testutil.ServeTLSLikeElasticsearch(t, renewed, &testutil.FakeES{}), keys)[0]
	assert.Equal(t, diagnose.TLSPinnedLeafChanged, r.Verdict.ErrorType, r.Verdict.Summary())
	assert.Contains(t, r.Verdict.Evidence, "ssl.certificate_authorities holds only server certificates")
	assert.Contains(t, r.Verdict.Evidence, "issued by CN=Cluster Issuing CA")
}
