package autoopsreceiver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A probe that panics is logged and skipped; the others of the run still report.
func TestAPanickingProbeDoesNotTakeDownTheRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(testutil.OTLP401))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	good := check{target: &probe.Target{Plan: probe.Plan{Name: probe.OTLP, URL: u, Timeout: time.Second}, Client: http.DefaultClient}}
	broken := check{target: &probe.Target{Plan: probe.Plan{Name: probe.Registration, URL: u, Timeout: time.Second}}}

	core, logs := observer.New(zap.ErrorLevel)
	results, err := runChecks(context.Background(), []check{broken, good}, zap.New(core))
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, probe.OTLP, results[0].Evidence.Probe)
	assert.True(t, results[0].Verdict.Passed)
	require.Equal(t, 1, logs.Len())
	assert.Contains(t, logs.All()[0].Message, "panicked")
}
