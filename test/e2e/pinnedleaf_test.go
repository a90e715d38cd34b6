//go:build e2e

package e2e

import (
	"crypto/tls"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A cluster CA file holding the cluster's own certificate (exported from a browser), issued by
// a corporate CA the system roots do not hold: the distribution warns while it works, and
// names the cause once the certificate is renewed.
func TestCAFileHoldingTheServerCertificate(t *testing.T) {
	corp := testutil.NewCA(t, "Corp Issuing CA")
	old := corp.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.corp"}})
	pinned := filepath.Join(t.TempDir(), "es-corp-from-browser.crt")
	require.NoError(t, os.WriteFile(pinned, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: old.Certificate[0]}), 0o644))
	cluster := func(t *testing.T, leaf tls.Certificate) map[string]record {
		w := newWorld(t, nil)
		w.standard(t)
		w.serveTLSLeaf(t, "127.0.0.1:9243", leaf, &testutil.FakeES{})
		w.config.cluster = "endpoint: https://es.corp:9243\ntls: {ca_file: " + pinned + "}"
		got, _ := w.run(t)
		return got
	}

	t.Run("before the renewal", func(t *testing.T) {
		got := cluster(t, old)
		checkVerdicts(t, got, expect{"cluster": ""})
		c := got["cluster"]
		assert.Equal(t, []any{"ca_file_pins_leaf"}, c.attrs["autoops.probe.warnings"], c.body)
		assert.Contains(t, c.body, "holds the server's own certificate (CN=es.corp, issued by CN=Corp Issuing CA")
		assert.Equal(t, "CN=es.corp", c.attrs["autoops.probe.tls.anchor.subject"])
	})
	t.Run("after it", func(t *testing.T) {
		got := cluster(t, corp.Leaf(t, testutil.LeafOptions{DNSNames: []string{"es.corp"}}))
		checkVerdicts(t, got, expect{"cluster": "tls_pinned_leaf_changed"})
		assert.Contains(t, got["cluster"].body, "the trust anchor was the old server certificate")
		assert.Contains(t, got["cluster"].body, "issued by CN=Corp Issuing CA")
	})
}
