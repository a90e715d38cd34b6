package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// noRawControls: the text holds nothing a terminal acts on (C0 but tab and newline, DEL, C1,
// a right-to-left override).
func noRawControls(t *testing.T, text, what string) {
	t.Helper()
	for _, r := range text {
		if r < 0x20 && r != '\t' && r != '\n' || r >= 0x7f && r <= 0x9f || r == 0x202e {
			t.Errorf("%s: raw control character %U in %q", what, r, text)
			return
		}
	}
}

// A server's certificate whose subject carries terminal escapes (clear the screen, set the
// title, ring the bell, a C1 CSI, a right-to-left override), and a variable holding them,
// reach the text report, stderr and the JSON report escaped and still readable.
func TestControlBytesAreEscapedInTheReport(t *testing.T) {
	const evil = "Evil\x1b[2J\x1b]0;owned\x07\u009b31m\u202eCorp"
	ca := testutil.NewCA(t, "Control Test CA")
	cert := ca.Leaf(t, testutil.LeafOptions{Organization: []string{evil}})
	es := &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))}
	addr := testutil.ServeTLSLikeElasticsearch(t, cert, es)
	t.Setenv("AUTOOPS_ES_URL", "https://"+addr)
	t.Setenv("AUTOOPS_ES_API_KEY", key)
	t.Setenv("AUTOOPS_ES_CA", ca.WriteFile(t, t.TempDir()))

	code, out, errOut := runCommand(t, "--skip", "registration,otlp")
	require.NotEqual(t, exitUsage, code, errOut)
	require.Contains(t, out, "cert ")
	noRawControls(t, out+errOut, "text report")
	assert.Contains(t, out, `Evil\u001B[2J\u001B]0\;owned\u0007\u009B31m\u202ECorp`, "escaped, still readable")

	code, out, _ = runCommand(t, "--skip", "registration,otlp", "--format", "json")
	require.NotEqual(t, exitUsage, code)
	noRawControls(t, out, "JSON report")
	require.True(t, json.Valid([]byte(out)), out)

	t.Setenv("AUTOOPS_ES_CA", "/etc/missing"+evil+".pem")
	_, out, errOut = runCommand(t, "--skip", "registration,otlp")
	noRawControls(t, out+errOut, "a finding quoting a variable")
	assert.True(t, strings.Contains(out+errOut, `missingEvil\u001B[2J`), out+errOut)
}
