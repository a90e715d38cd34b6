package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A user holding the wizard's code gets its row: the verdicts behind it and what to do, in
// any case, before or after --format.
func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"explain", "http_0"}, []string{"HTTP_0: no HTTP answer", "connection_refused", "tls_intercepted", "to do"}},
		{[]string{"explain", "CLUSTER_NOT_READY"}, []string{"CLUSTER_NOT_READY:", "elasticsearch_unavailable", "cluster_uuid"}},
		{[]string{"explain", "HTTP_401"}, []string{"auth_failed", "auth_missing", "ELASTIC_CLOUD_CONNECTED_MODE_API_KEY", "HTTP_<status>)"}},
		{[]string{"explain", "HTTP_404"}, []string{"HTTP_404 (HTTP_<status>):", "unexpected_status", "not_elasticsearch"}},
		{[]string{"explain", "LICENSE_USED_BY_ANOTHER_ACCOUNT"}, []string{"none: Elastic Cloud's answer"}},
	} {
		var out, errOut bytes.Buffer
		require.Equal(t, exitPassed, run(context.Background(), tc.args, &out, &errOut), "%v: %s", tc.args, errOut.String())
		for _, w := range tc.want {
			assert.Contains(t, out.String(), w, "%v", tc.args)
		}
		assert.NotContains(t, out.String(), "`", "markdown quotes stay in the README")
		assert.Empty(t, errOut.String())
	}
}

func TestExplainJSON(t *testing.T) {
	schema := compileSchema(t)
	for _, args := range [][]string{{"--format", "json", "explain", "unknown_error"}, {"explain", "--format=json", "HTTP_503"}} {
		var out, errOut bytes.Buffer
		require.Equal(t, exitPassed, run(context.Background(), args, &out, &errOut), errOut.String())
		var doc map[string]any
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
		require.NoError(t, schema.Validate(doc))
		ex := doc["explanation"].(map[string]any)
		assert.NotEmpty(t, ex["error_types"], "%v", args)
	}
	var out bytes.Buffer
	require.Equal(t, exitPassed, run(context.Background(), []string{"explain", "--format", "json", "unknown_error"}, &out, &bytes.Buffer{}))
	assert.Contains(t, out.String(), `"code": "UNKNOWN_ERROR"`)
	assert.Contains(t, out.String(), `"unsupported_version"`)
}

// An unknown code is not guessed: exit 3, and the known codes listed.
func TestExplainUnknownCode(t *testing.T) {
	schema := compileSchema(t)
	for _, args := range [][]string{{"explain", "HTTP_ZERO"}, {"explain"}, {"explain", "HTTP_0", "HTTP_401"}, {"--format", "json", "explain", "auth_failed"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, exitUsage, run(context.Background(), args, &out, &errOut), "%v", args)
		assert.Contains(t, errOut.String(), "known codes: HTTP_401, HTTP_502", "%v", args)
		assert.Contains(t, errOut.String(), `"cluster license type is not supported"`)
		if args[0] == "--format" {
			var doc any
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
			require.NoError(t, schema.Validate(doc))
		} else {
			assert.Empty(t, out.String())
		}
	}
}
