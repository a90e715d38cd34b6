package autoopsreceiver

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// autoops.probe.tls.cert.remaining counts down to the first certificate of the presented
// chain to expire: here the intermediate, not the leaf; the log names it.
func TestCertRemainingIsTheChainsEarliest(t *testing.T) {
	root := testutil.NewCA(t, "Remaining Root")
	inter := root.Intermediate(t, "Remaining Issuing CA", time.Now().Add(48*time.Hour))
	leaf := testutil.WithChain(inter.Leaf(t, testutil.LeafOptions{NotAfter: time.Now().Add(20 * 24 * time.Hour)}), inter)
	addr := testutil.ServeTLSLikeElasticsearch(t, leaf, &testutil.FakeES{})
	dir := t.TempDir()
	caFile := filepath.Join(dir, "root.pem")
	require.NoError(t, os.WriteFile(caFile, root.PEM, 0o600))

	e := newEndpoints(t)
	cfg := e.config()
	cfg.Cluster.Endpoint = "https://" + addr
	cfg.Cluster.TLS.CAFile = caFile
	p := newPipelines(t, cfg)
	require.NoError(t, p.metrics.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.logs.Start(context.Background(), componenttest.NewNopHost()))
	p.tick(t)
	points := metricPoints(p.metricsSink.AllMetrics()[0])["autoops.probe.tls.cert.remaining"]
	require.Contains(t, points, "cluster")
	remaining := time.Duration(points["cluster"].IntValue()) * time.Second
	assert.InDelta(t, (48 * time.Hour).Hours(), remaining.Hours(), 1, "the intermediate's expiry, not the leaf's 20 days")
	require.Eventually(t, func() bool { return len(p.logsSink.AllLogs()) > 0 }, 10*time.Second, 5*time.Millisecond)
	lr := p.logsSink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	subject, ok := lr.Attributes().Get("autoops.probe.tls.earliest_expiry.subject")
	require.True(t, ok)
	assert.Equal(t, inter.Cert.Subject.String(), subject.Str())
}
