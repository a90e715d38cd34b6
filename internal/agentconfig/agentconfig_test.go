package agentconfig

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEnvFile(t *testing.T) {
	in := "[Service]\r\n" +
		"# written by the installer\r\n" +
		`Environment="AUTOOPS_ES_URL=https://es.corp:9200"` + "\r\n" +
		`Environment="ELASTICSEARCH_READ_API_KEY=id:k=ey" "AUTOOPS_TOKEN=t 0k\"en"` + "\n" +
		"Environment=PLAIN=value\n" +
		"\n" +
		"; another comment\n" +
		"HOSTNAME=agent-0\n" +
		"export QUOTED=\"a \\\"b\\\" c\"\n" +
		"SINGLE='x y'\n" +
		"EMPTY=\n" +
		"SPACES=has spaces inside\n"
	env, err := ParseEnvFile(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"AUTOOPS_ES_URL": "https://es.corp:9200", "ELASTICSEARCH_READ_API_KEY": "id:k=ey", "AUTOOPS_TOKEN": `t 0k"en`,
		"PLAIN": "value", "HOSTNAME": "agent-0", "QUOTED": `a "b" c`, "SINGLE": "x y", "EMPTY": "", "SPACES": "has spaces inside",
	}, env)

	_, err = ParseEnvFile(strings.NewReader("not an assignment\n"))
	require.ErrorContains(t, err, "line 1")
	_, err = ParseEnvFile(strings.NewReader(`Environment="UNTERMINATED=1` + "\n"))
	require.ErrorContains(t, err, "unterminated")
}

func TestResolve(t *testing.T) {
	env := map[string]string{"SET": "v", "EMPTY": "", "URL": "https://es:9200"}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	for _, tt := range []struct {
		in, want string
		unset    []string
	}{
		{"${env:SET}", "v", nil},
		{"${env:URL}/path", "https://es:9200/path", nil},
		{"${env:UNSET}", "", []string{"UNSET"}},
		{"${env:UNSET:-fallback}", "fallback", nil},
		{"${env:EMPTY:-fallback}", "", []string{"EMPTY"}}, // set, even empty: the collector takes it
		{"${env:UNSET:-${env:SET}}", "v", nil},
		{"${env:UNSET:-${env:ALSO_UNSET:-deep}}", "deep", nil},
		{"${env:UNSET:-${env:ALSO_UNSET}}", "", []string{"ALSO_UNSET"}},
		{"a ${env:SET} b ${env:SET}", "a v b v", nil},
		{"AutoOpsToken ${env:SET}", "AutoOpsToken v", nil},
		{"${env:BROKEN", "${env:BROKEN", nil},
	} {
		r := resolve(tt.in, lookup)
		assert.Equal(t, tt.want, r.value, tt.in)
		assert.Equal(t, tt.unset, r.unset, tt.in)
	}
}
