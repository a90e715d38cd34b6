package agentconfig

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// `docker exec <agent> env` prints a value holding newlines as it is: a PEM in AUTOOPS_ES_CA
// goes on over the next lines. The value is read whole, and the variables after it too.
func TestParseEnvFileDockerEnvMultiLine(t *testing.T) {
	ca, other := testutil.NewCA(t, "cluster CA"), testutil.NewCA(t, "other CA")
	bundle := strings.TrimSuffix(string(ca.PEM), "\n") + "\n" + strings.TrimSuffix(string(other.PEM), "\n")
	// A body line that reads as NAME=VALUE: inside the block it is still the PEM's.
	synthetic := "-----BEGIN CERTIFICATE-----\nMIIBxTCCAWugAwIBAgIU\nAbCdEf==\n-----END CERTIFICATE-----"
	in := "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n" +
		"HOSTNAME=3f2a1b\n" +
		"AUTOOPS_ES_CA=" + bundle + "\n" +
		"AUTOOPS_ES_URL=https://es.corp:9200\n" +
		"SYNTHETIC=" + synthetic + "\n" +
		"MOTD=first line\n" +
		"\n" +
		"second line, after a blank one\n" +
		"HOME=/root\n"
	env, err := ParseEnvFile(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, bundle, env["AUTOOPS_ES_CA"])
	assert.Equal(t, synthetic, env["SYNTHETIC"])
	assert.Equal(t, "first line\n\nsecond line, after a blank one", env["MOTD"])
	assert.Equal(t, "https://es.corp:9200", env["AUTOOPS_ES_URL"])
	assert.Equal(t, "/root", env["HOME"])
	assert.Len(t, env, 7)

	m, err := Resolve(Inputs{EnvFiles: []map[string]string{env}})
	require.NoError(t, err)
	assert.Empty(t, m.Findings)
	require.Len(t, m.Cluster.CAs, 1)
	assert.Equal(t, bundle, string(m.Cluster.CAs[0].PEM))
}

func TestParseEnvFileMultiLineForms(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     map[string]string
	}{
		{"blank lines and comments between assignments stay out", "A=1\n\n# note\nB=2\n\n", map[string]string{"A": "1", "B": "2"}},
		{"a quoted .env value over lines", "export KEY=\"line one\nline two\"\nNEXT=x\n", map[string]string{"KEY": "line one\nline two", "NEXT": "x"}},
		{"CRLF", "PEM=-----BEGIN CERTIFICATE-----\r\nQUJD\r\n-----END CERTIFICATE-----\r\nB=2\r\n", map[string]string{"PEM": "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----", "B": "2"}},
		{"a PEM cut short keeps what there is", "CA=-----BEGIN CERTIFICATE-----\nQUJD\n", map[string]string{"CA": "-----BEGIN CERTIFICATE-----\nQUJD"}},
		{"systemd lines end a value", "A=1\nEnvironment=\"B=2\"\n", map[string]string{"A": "1", "B": "2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnvFile(strings.NewReader(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, env)
		})
	}
}

// Parse errors name the line and what is wrong, never the line's text: the value may be a
// secret (Environment="AUTOOPS-TOKEN=tok_..." was quoted whole).
func TestParseEnvFileErrorsNeverQuoteValues(t *testing.T) {
	const secret = "tok_s3cr3t-Zm9vYmFy"
	for _, tt := range []struct{ in, want string }{
		{`Environment="AUTOOPS-TOKEN=` + secret + `"`, "line 1: word 1 of Environment= is not NAME=VALUE"},
		{`Environment="AUTOOPS_ES_URL=x" "` + secret + `"`, "line 1: word 2 of Environment= is not NAME=VALUE"},
		{"# the token\nAUTOOPS-TOKEN=" + secret, "line 2: not NAME=VALUE"},
		{"A=1\nes.api_key=" + secret, "line 2: not NAME=VALUE"},
		{secret, "line 1: not NAME=VALUE"},
		{`Environment="AUTOOPS_TOKEN=` + secret, "line 1: unterminated quote"},
	} {
		_, err := ParseEnvFile(strings.NewReader(tt.in))
		require.Error(t, err, tt.in)
		assert.NotContains(t, err.Error(), "s3cr3t", tt.in)
		assert.NotContains(t, err.Error(), "Zm9vYmFy", tt.in)
		assert.ErrorContains(t, err, tt.want, tt.in)
	}
}

// A value of many lines is read in linear time: each line appended once.
func BenchmarkParseEnvFileLongValue(b *testing.B) {
	in := "V=start\n" + strings.Repeat("a line of a long value\n", MaxFileSize/24)
	for b.Loop() {
		if _, err := ParseEnvFile(strings.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
