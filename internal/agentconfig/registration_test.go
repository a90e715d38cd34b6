package agentconfig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Registration's own conditions (contract v5): DEPLOYMENT_ID, PROJECT_ID or RESOURCE_ID set
// makes the agent skip it; without ELASTIC_CLOUD_CONNECTED_MODE_API_KEY or the first module's
// ccm.api_key it makes no call at all: said only where the probe reads the agent's whole
// environment (a deployment beside the agent is never given the key).
func TestRegistrationConditions(t *testing.T) {
	base := map[string]string{VarESURL: "https://es.corp:9200", VarRegistrationAPIKey: "ccm-key"}
	for _, tt := range []struct {
		name     string
		env      map[string]string
		ccmKey   bool
		warnings []string
		skipped  string
	}{
		{"key set, nothing skips", nil, false, nil, ""},
		{"PROJECT_ID set", map[string]string{"PROJECT_ID": "p-1"}, false, []string{WarnAgentRegistrationSkipped}, "PROJECT_ID"},
		{"RESOURCE_ID empty counts as unset", map[string]string{"RESOURCE_ID": ""}, false, nil, ""},
		{"no key", map[string]string{VarRegistrationAPIKey: ""}, false, []string{WarnAgentRegistrationDisabled}, ""},
		{"no variable, ccm.api_key on the first module", map[string]string{VarRegistrationAPIKey: ""}, true, nil, ""},
		{"both", map[string]string{VarRegistrationAPIKey: "", "DEPLOYMENT_ID": "d-1"}, false, []string{WarnAgentRegistrationSkipped, WarnAgentRegistrationDisabled}, "DEPLOYMENT_ID"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			in := Inputs{Environ: envOf(env), WholeEnvironment: true}
			if tt.ccmKey {
				in.ConfigPath = writeFile(t, "elastic-agent.yml", "receivers:\n  metricbeatreceiver:\n    metricbeat:\n      modules:\n        - module: autoops_es\n          hosts: ${env:AUTOOPS_ES_URL}\n          ccm.api_key: ccm-from-module\n")
			}
			m, err := Resolve(in)
			require.NoError(t, err)
			assert.Equal(t, tt.warnings, m.Warnings()["registration"])
			assert.Equal(t, tt.skipped, m.Registration.SkippedBy)
			if tt.skipped != "" {
				assert.Contains(t, m.SettingsFrom()["registration"], "registration skipped by the agent: "+tt.skipped+" is set")
			}
		})
	}
}

func TestRegistrationDisabledOnlyFromTheWholeEnvironment(t *testing.T) {
	m, err := Resolve(Inputs{Environ: envOf(map[string]string{VarESURL: "https://es.corp:9200"})})
	require.NoError(t, err)
	assert.Empty(t, m.Warnings()["registration"])
}
