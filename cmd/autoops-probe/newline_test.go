package main

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A password from a Kubernetes Secret made from a file ends with a newline: the probe runs
// (no refusal of its configuration), sends it as the agent does and gets the 401 the agent
// gets; the report names the variable and the newline, never the value.
func TestCredentialWithTrailingNewline(t *testing.T) {
	const password = "pa55-w0rd-XYZ"
	es := httptest.NewServer(&testutil.FakeES{Authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte("autoops:"+password))})
	t.Cleanup(es.Close)
	t.Setenv("AUTOOPS_ES_URL", es.URL)
	t.Setenv("AUTOOPS_ES_USERNAME", "autoops")
	t.Setenv("AUTOOPS_ES_PASSWORD", password+"\n")
	code, out, errOut := runCommand(t, "--skip", "registration,otlp", "--timeout", "5s")
	assert.Equal(t, exitFailed, code, errOut)
	assert.Contains(t, out, "[FAIL] Elasticsearch cluster (test 1): auth_failed")
	flat := strings.Join(strings.Fields(out), " ") // the report wraps its lines
	assert.Contains(t, flat, "the value of AUTOOPS_ES_PASSWORD (cluster.password) ends with a newline")
	_, remedy, _ := strings.Cut(flat, "auth_failed")
	assert.Contains(t, remedy, "Remove the newline at the end of the value")
	assert.Contains(t, out, "[CONFIG] value_trailing_newline")
	assert.NotContains(t, out+errOut, password)
}
