package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("autoops-probe.schema.json")
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("autoops-probe.schema.json", doc))
	s, err := c.Compile("autoops-probe.schema.json")
	require.NoError(t, err)
	return s
}

// The JSON output, failing, passing and refused, holds to its published schema.
func TestJSONOutputMatchesItsSchema(t *testing.T) {
	schema := compileSchema(t)
	es := httptest.NewServer(&testutil.FakeES{Missing: []string{"cluster:read_slm"}})
	defer es.Close()
	reg := httptest.NewServer(http.HandlerFunc(testutil.Registration401))
	defer reg.Close()
	cases := map[string][]string{
		"results":        {"--es-url", es.URL, "--registration-url", reg.URL, "--otel-url", "http://" + testutil.ClosedPort(t), "--format", "json"},
		"a bad flag":     {"--format", "json", "--bogus"},
		"an argument":    {"--format", "json", "https://es:9200"},
		"a bad timeout":  {"--format=json", "--timeout", "-1s"},
		"a bad endpoint": {"--format", "json", "--es-url", "http://es:9200/?x=1"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, &out, &errOut)
			var doc any
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc), "stdout is one JSON document: %s", out.String())
			require.NoError(t, schema.Validate(doc))
			if name != "results" {
				assert.Equal(t, exitUsage, code)
				assert.NotEmpty(t, errOut.String(), "the problem is on stderr too")
			}
		})
	}
}

func TestArgumentsAreNeverSilentlyIgnored(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, exitPassed, run(context.Background(), []string{"--help"}, &out, &errOut))
	assert.Contains(t, out.String(), "usage: autoops-probe", "--help prints to stdout")
	assert.Empty(t, errOut.String())

	for _, args := range [][]string{{"https://es:9200"}, {"--es-url", "https://es:9200", "extra"}, {"--timeout", "0s"}, {"--timeout", "-5s"}} {
		out.Reset()
		errOut.Reset()
		assert.Equal(t, exitUsage, run(context.Background(), args, &out, &errOut), "%v", args)
		assert.Empty(t, out.String(), "text mode: nothing on stdout")
		assert.Contains(t, errOut.String(), "autoops-probe:")
	}
	assert.Contains(t, errOut.String(), "--timeout")
}
