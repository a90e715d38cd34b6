package main

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// recorder keeps what each request carried that makes a target: the server, method, path,
// credentials and token.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (rec *recorder) wrap(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, name+" "+r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		rec.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (rec *recorder) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.seen
	rec.seen = nil
	sort.Strings(out)
	return out
}

// The same inputs through the collector's default configuration, the receiver's
// agent_config, and the one-shot (from the environment, and from --agent-config with
// --agent-env) reach the same targets with the same credentials, CA and token.
func TestSameInputsSameTargets(t *testing.T) {
	rec := &recorder{}
	ca := testutil.NewCA(t, "Cluster CA")
	esAddr := testutil.ServeTLSLikeElasticsearch(t, ca.Leaf(t, testutil.LeafOptions{}),
		rec.wrap("es", &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))}))
	reg := httptest.NewServer(rec.wrap("registration", http.HandlerFunc(testutil.Registration401)))
	defer reg.Close()
	intake := httptest.NewServer(rec.wrap("otlp", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "AutoOpsToken t0ken" {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return
		}
		testutil.OTLP401(w, r)
	})))
	defer intake.Close()
	inputs := map[string]string{
		agentconfig.VarESURL: "https://" + esAddr, agentconfig.VarESAPIKey: key, agentconfig.VarReadAPIKey: "not:this-one",
		agentconfig.VarReadUsername: "", agentconfig.VarESCA: string(ca.PEM), agentconfig.VarOTelURL: intake.URL,
		agentconfig.VarToken: "t0ken", agentconfig.VarRegistrationURL: reg.URL,
		// Without it the agent makes no registration call (agent_registration_disabled).
		agentconfig.VarRegistrationAPIKey: "ccm-key",
	}
	sample := testutil.AgentTestdata(testutil.AgentSamples["9.3.2-ssl"])
	setAll := func() {
		for k, v := range inputs {
			t.Setenv(k, v)
		}
	}
	runReceiver := func(cfg *autoopsreceiver.Config) {
		results, err := autoopsreceiver.RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
		require.NoError(t, err)
		require.Len(t, results, 3)
		for _, r := range results {
			assert.True(t, r.Verdict.Passed, r.Verdict.Summary())
		}
	}
	var seen [][]string

	setAll()
	cfg, err := loadConfig(context.Background(), "", "autoops_probe")
	require.NoError(t, err)
	runReceiver(cfg) // the collector's default configuration
	seen = append(seen, rec.take())

	cfg = autoopsreceiver.NewFactory().CreateDefaultConfig().(*autoopsreceiver.Config)
	cfg.AgentConfig = sample
	runReceiver(cfg) // agent_config
	seen = append(seen, rec.take())

	code, out, _ := runCommand(t) // the one-shot from the environment
	require.Equal(t, exitPassed, code, out)
	seen = append(seen, rec.take())

	// The one-shot from the agent's files, with nothing in its environment.
	var lines []string
	for k, v := range inputs {
		if k != agentconfig.VarESCA {
			lines = append(lines, k+"="+v)
		}
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	envFile := filepath.Join(t.TempDir(), "agent.env")
	require.NoError(t, os.WriteFile(envFile, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, ca.PEM, 0o600))
	caEnv := filepath.Join(t.TempDir(), "ca.env")
	require.NoError(t, os.WriteFile(caEnv, []byte("AUTOOPS_ES_CA="+caFile+"\n"), 0o600))
	code, out, _ = runCommand(t, "--agent-config", sample, "--agent-env", envFile, "--agent-env", caEnv)
	require.Equal(t, exitPassed, code, out)
	seen = append(seen, rec.take())
	_, set := os.LookupEnv(agentconfig.VarESAPIKey)
	assert.False(t, set, "the one-shot never changes its own environment")

	require.NotEmpty(t, seen[0])
	assert.Contains(t, strings.Join(seen[0], "\n"), "es GET / ApiKey "+base64.StdEncoding.EncodeToString([]byte(key)), "AUTOOPS_ES_API_KEY before ELASTICSEARCH_READ_API_KEY")
	assert.Contains(t, strings.Join(seen[0], "\n"), "otlp POST /v1/logs AutoOpsToken t0ken")
	for i, name := range []string{"agent_config", "the one-shot from the environment", "the one-shot from the agent's files"} {
		assert.Equal(t, seen[0], seen[i+1], "%s and the default configuration", name)
	}
}
