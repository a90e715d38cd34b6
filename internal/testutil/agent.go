package testutil

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// AgentSamples are the agent configurations of testdata/agent, one per generation of
// Elastic's otel_samples, by the agent version they stand for.
var AgentSamples = map[string]string{
	"9.2.4":     "autoops_es-9.2.4.yml",
	"9.2.5":     "autoops_es-9.2.5.yml",
	"9.3.2":     "autoops_es-9.3.2.yml",
	"9.3.2-ssl": "autoops_es_ssl-9.3.2.yml",
}

// Drop-ins of each generation of Elastic's Linux installer.
const (
	DropInCurrent = "autoops-env-current.conf"
	DropInFirst   = "autoops-env-first.conf"
)

// AgentTestdata is the path of a file in testdata/agent.
func AgentTestdata(name string) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "testdata", "agent", name)
}

var placeholder = regexp.MustCompile(`\{\{([A-Z_]+)\}\}`)

// FillEnvFile writes the drop-in name with its {{NAME}} placeholders replaced by values
// (empty where values has none, as the installer leaves unused names), and returns its path.
func FillEnvFile(t testing.TB, name string, values map[string]string) string {
	t.Helper()
	raw, err := os.ReadFile(AgentTestdata(name))
	if err != nil {
		t.Fatal(err)
	}
	filled := placeholder.ReplaceAllStringFunc(string(raw), func(m string) string {
		return values[placeholder.FindStringSubmatch(m)[1]]
	})
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(filled), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
