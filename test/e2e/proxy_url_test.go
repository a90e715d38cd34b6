//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A proxy variable whose password holds an unescaped '/' or a space is read by Go as another
// host ("http"): the collector and the one-shot refuse it naming the variable and how to
// escape it, and never print the password.
func TestProxyVariableGoWouldMisread(t *testing.T) {
	for _, proxy := range []string{"http://probe:S3cret/Pw@127.0.0.1:8888", "http://probe:Bad S3cret@127.0.0.1:8888"} {
		col := startCollector(t, `
receivers:
  autoops_probe:
    otlp: {endpoint: "https://127.0.0.1:1"}
exporters:
  debug: {}
service:
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [debug]}
`+quietTelemetry, []string{"HTTPS_PROXY=" + proxy})
		select {
		case <-col.done:
		case <-time.After(30 * time.Second):
			t.Fatal("the collector started with a proxy variable Go misreads")
		}
		out := col.output.String()
		assert.Contains(t, out, "HTTPS_PROXY: its user or password holds an unescaped '/', '?' or '#'")
		assert.NotContains(t, out, "S3cret")

		cmd := exec.Command(commandBinary(t), "--otel-url", "https://127.0.0.1:1")
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HTTPS_PROXY=" + proxy}
		text, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 3, exit.ExitCode())
		assert.Contains(t, string(text), "HTTPS_PROXY: its user or password holds an unescaped")
		assert.NotContains(t, string(text), "S3cret")
	}
}
