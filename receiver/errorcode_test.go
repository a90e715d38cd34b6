package autoopsreceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/autoopsprobe/autoops-probe/internal/diagnose"
	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// A gateway that answered 502 and now answers 503: the same error.type under another of the
// wizard's codes is a new series, and the 502's ends with 0 in the same run.
func TestAgentErrorCodeSeriesEnd(t *testing.T) {
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	tel := newTelemetry(createDefaultConfig().(*Config), set, nil)
	gateway := func(status int) []Result {
		ev := probe.Evidence{
			Probe: probe.Cluster, URL: "https://es.corp:9200", ServerAddress: "es.corp", ServerPort: 9200,
			Main: probe.Exchange{Response: &probe.Response{Status: status, Body: []byte("<html>gateway</html>")}},
		}
		v := diagnose.Diagnose(&ev, diagnose.Context{})
		assert.Equal(t, diagnose.GatewayUpstreamError, v.ErrorType)
		return []Result{{Evidence: ev, Verdict: v}}
	}
	now := time.Now()
	tel.metrics(gateway(502), now)
	md := tel.metrics(gateway(503), now.Add(time.Minute))
	assert.Equal(t, map[string]int64{"HTTP_502": 0, "HTTP_503": 1}, reasonValues(md, "autoops.probe.failure", "autoops.agent.error_code", "cluster"))
}
