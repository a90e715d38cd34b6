package autoopsreceiver

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// idleCloser reads each request and closes the connection after idle, answering nothing:
// a load balancer whose idle timeout is shorter than the cluster's answer.
func idleCloser(t *testing.T, idle time.Duration) string {
	return testutil.RawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		time.Sleep(idle)
		_ = c.Close()
	})
}

// The instance remembers how long its last run stayed silent before the close: the second
// run closed after the same silence is connection_closed_idle; the first, and a one-shot run
// (fresh checks, no memory), keep connection_reset.
func TestIdleCloseAcrossRuns(t *testing.T) {
	u, err := url.Parse("http://" + idleCloser(t, 1100*time.Millisecond))
	require.NoError(t, err)
	fresh := func() []check {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		return []check{{target: &probe.Target{Plan: probe.Plan{Name: probe.Cluster, URL: u, Timeout: 5 * time.Second}, Client: client}}}
	}
	instance := fresh()
	for i, want := range []string{diagnose.ConnectionReset, diagnose.ConnectionClosedIdle} {
		results, err := runChecks(context.Background(), instance, zap.NewNop())
		require.NoError(t, err)
		require.Len(t, results, 1)
		assert.Equal(t, want, results[0].Verdict.ErrorType, "run %d: %s", i+1, results[0].Verdict.Summary())
	}
	results, err := runChecks(context.Background(), fresh(), zap.NewNop())
	require.NoError(t, err)
	assert.Equal(t, diagnose.ConnectionReset, results[0].Verdict.ErrorType, "a one-shot run has no previous run")
}
