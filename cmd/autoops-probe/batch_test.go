package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// --check-batch-size: an intake behind a box that refuses bodies over 1 MiB passes the
// guide's small POST, and fails the batch-sized one, naming its size; a size beyond the
// bound is bad usage naming the key it sets.
func TestCheckBatchSizeFlag(t *testing.T) {
	box := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > 1<<20 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = w.Write([]byte("<html><center><h1>413 Request Entity Too Large</h1></center></html>"))
			return
		}
		testutil.OTLP401(w, r)
	}))
	defer box.Close()
	base := []string{"--otel-url", box.URL, "--skip", "cluster,registration", "--format", "json"}

	code, out, _ := runCommand(t, base...)
	assert.Equal(t, 2, code, "passed, two probes skipped: %s", out)

	code, out, _ = runCommand(t, append(base, "--check-batch-size", "4MiB")...)
	assert.Equal(t, 1, code, out)
	var report struct{ Results []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(out), &report))
	require.Len(t, report.Results, 1)
	r := report.Results[0]
	assert.Equal(t, "request_body_too_large", r["error.type"])
	// Go's server answers 413 and closes while the body is still coming: the client gets the
	// answer, or only the cut, as the exporter would.
	assert.Contains(t, []any{"HTTP_413", "HTTP_0"}, r["autoops.agent.error_code"])
	assert.EqualValues(t, 4<<20, r["autoops.probe.request.body_size"])

	code, _, errOut := runCommand(t, append(base, "--check-batch-size", "64MiB")...)
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut+out, "otlp.check_batch_size")
}
