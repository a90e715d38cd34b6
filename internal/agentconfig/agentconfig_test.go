package agentconfig

import (
	"os"
	"path/filepath"
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

// sample is Elastic's autoops_es.yml sample with the CA added to both modules, as the
// custom-certificate guide says.
const sample = `receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: ${env:AUTOOPS_ES_URL}
          period: 10s
          api_key: ${env:ELASTICSEARCH_READ_API_KEY}
          metricsets: [cat_shards, cluster_health]
          ssl.certificate_authorities:
            - ${env:AUTOOPS_CA_CERT}
        - module: autoops_es
          hosts: ${env:AUTOOPS_ES_URL}
          period: 24h
          api_key: ${env:ELASTICSEARCH_READ_API_KEY}
          metricsets: [cat_template]
          ssl:
            certificate_authorities: ["${env:AUTOOPS_CA_CERT}"]
    output: {otelconsumer: }
exporters:
  otlphttp:
    headers:
      Authorization: "AutoOpsToken ${env:AUTOOPS_TOKEN}"
    endpoint: ${env:AUTOOPS_OTEL_URL}
service:
  pipelines:
    logs: {receivers: [metricbeatreceiver], exporters: [otlphttp]}
`

func writeCA(t *testing.T, dir string) string {
	p := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(p, []byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"), 0o600))
	return p
}

func load(t *testing.T, yaml string, env map[string]string) (*Settings, []Finding) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "elastic-agent.yml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o600))
	s, f, err := Load(p, func(n string) (string, bool) { v, ok := env[n]; return v, ok })
	require.NoError(t, err)
	return s, f
}

func TestTheSampleDerivesEverySetting(t *testing.T) {
	ca := writeCA(t, t.TempDir())
	env := map[string]string{
		"AUTOOPS_ES_URL": "https://es.corp:9200", "ELASTICSEARCH_READ_API_KEY": "id:key", "AUTOOPS_CA_CERT": ca,
		"AUTOOPS_TOKEN": "t0ken", "AUTOOPS_OTEL_URL": "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud",
	}
	s, findings := load(t, sample, env)
	assert.Empty(t, findings, "a correct file has no findings")
	assert.Equal(t, &Settings{
		ClusterURL: "https://es.corp:9200", APIKey: "id:key", CAFiles: []string{ca},
		OTLPEndpoint: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", Token: "t0ken", RegistrationURL: DefaultRegistrationURL,
	}, s)
}

// Each finding comes from a file with that mistake, and from no correct file.
func TestEachFindingFromItsMistake(t *testing.T) {
	dir := t.TempDir()
	ca := writeCA(t, dir)
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("nope"), 0o600))
	env := map[string]string{
		"AUTOOPS_ES_URL": "https://es.corp:9200", "ELASTICSEARCH_READ_API_KEY": "id:key", "AUTOOPS_CA_CERT": ca,
		"AUTOOPS_TOKEN": "t0ken", "AUTOOPS_OTEL_URL": "https://otel.example",
	}
	secondCA := "          ssl:\n            certificate_authorities: [\"${env:AUTOOPS_CA_CERT}\"]\n"
	for _, tt := range []struct {
		name, yaml string
		env        map[string]string
		want       string
	}{
		{"CA on one module", strings.Replace(sample, secondCA, "", 1), env, CAOnSomeModules},
		{"CA as a string", strings.Replace(sample, "ssl.certificate_authorities:\n            - ${env:AUTOOPS_CA_CERT}", "ssl.certificate_authorities: ${env:AUTOOPS_CA_CERT}", 1), env, CANotAList},
		{"CA file holds no PEM", sample, map[string]string{"AUTOOPS_ES_URL": "https://es:9200", "ELASTICSEARCH_READ_API_KEY": "k", "AUTOOPS_CA_CERT": garbage, "AUTOOPS_TOKEN": "t", "AUTOOPS_OTEL_URL": "https://o"}, CAFileUnusable},
		{"CA file missing", sample, map[string]string{"AUTOOPS_ES_URL": "https://es:9200", "ELASTICSEARCH_READ_API_KEY": "k", "AUTOOPS_CA_CERT": filepath.Join(dir, "missing.pem"), "AUTOOPS_TOKEN": "t", "AUTOOPS_OTEL_URL": "https://o"}, CAFileUnusable},
		{"a variable unset", sample, map[string]string{"ELASTICSEARCH_READ_API_KEY": "k", "AUTOOPS_CA_CERT": ca, "AUTOOPS_TOKEN": "t", "AUTOOPS_OTEL_URL": "https://o"}, EnvUnset},
		{"both kinds of credentials", strings.Replace(sample, "          period: 10s\n", "          period: 10s\n          username: elastic\n          password: changeme\n", 1), env, BothAuth},
		{"no token header", strings.Replace(sample, `      Authorization: "AutoOpsToken ${env:AUTOOPS_TOKEN}"`, `      X-Other: "x"`, 1), env, TokenHeaderMissing},
		{"verification off", strings.Replace(sample, "          period: 10s\n", "          period: 10s\n          ssl.verification_mode: none\n", 1), env, VerificationDisabled},
		{"intake verification off", strings.Replace(sample, "    endpoint: ${env:AUTOOPS_OTEL_URL}\n", "    endpoint: ${env:AUTOOPS_OTEL_URL}\n    tls: {insecure_skip_verify: true}\n", 1), env, VerificationDisabled},
		{"modules name different hosts", strings.Replace(sample, "          hosts: ${env:AUTOOPS_ES_URL}\n          period: 24h", "          hosts: https://other:9200\n          period: 24h", 1), env, ModulesDisagree},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, findings := load(t, tt.yaml, tt.env)
			var got []string
			for _, f := range findings {
				got = append(got, f.Finding)
				assert.NotEmpty(t, f.Key)
				assert.NotEmpty(t, f.Remedy)
				for _, secret := range []string{"id:key", "t0ken", "changeme"} {
					assert.NotContains(t, f.Message, secret)
				}
			}
			assert.Contains(t, got, tt.want)
		})
	}
}

func TestNotTheAgentsShape(t *testing.T) {
	for _, yaml := range []string{"receivers: {otlp: {}}\n", "- a list\n", "modules: [1, 2]\n", "receivers:\n  metricbeatreceiver:\n    metricbeat:\n      modules: [{module: system}]\n"} {
		p := filepath.Join(t.TempDir(), "x.yml")
		require.NoError(t, os.WriteFile(p, []byte(yaml), 0o600))
		_, _, err := Load(p, func(string) (string, bool) { return "", false })
		require.Error(t, err, yaml)
		assert.Contains(t, err.Error(), "--agent-config")
	}
	_, _, err := Load(filepath.Join(t.TempDir(), "none.yml"), nil)
	require.ErrorContains(t, err, "--agent-config")
}
