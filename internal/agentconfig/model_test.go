package agentconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

func envOf(env map[string]string) Lookup {
	return func(n string) (string, bool) { v, ok := env[n]; return v, ok }
}

// caPEM is a certificate in PEM; the model checks its shape, not its signature.
const caPEM = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func resolveWith(t *testing.T, yaml string, env map[string]string) *Model {
	t.Helper()
	in := Inputs{Environ: envOf(env)}
	if yaml != "" {
		in.ConfigPath = writeFile(t, "elastic-agent.yml", yaml)
	}
	m, err := Resolve(in)
	require.NoError(t, err)
	return m
}

func findingsOf(m *Model) []string {
	var out []string
	for _, f := range m.Findings {
		out = append(out, f.Finding)
	}
	return out
}

// The module's own order: AUTOOPS_ES_* first, ELASTICSEARCH_READ_* when that is unset or
// empty, each credential on its own; the module's keys and a host's user:password@ win.
func TestCredentialsAsTheModuleTakesThem(t *testing.T) {
	withKeys := func(keys string) string {
		return "receivers:\n  metricbeatreceiver:\n    metricbeat:\n      modules:\n        - module: autoops_es\n" + keys
	}
	for _, tt := range []struct {
		name, yaml             string
		env                    map[string]string
		apiKey, user, password Value
	}{
		{"AUTOOPS_ES_API_KEY wins", "", map[string]string{VarESAPIKey: "new:k", VarReadAPIKey: "old:k"}, Value{"new:k", VarESAPIKey}, Value{}, Value{}},
		{"empty AUTOOPS_ES_API_KEY counts as unset", "", map[string]string{VarESAPIKey: "", VarReadAPIKey: "old:k"}, Value{"old:k", VarReadAPIKey}, Value{}, Value{}},
		{"each on its own", "", map[string]string{VarESUsername: "u", VarReadPassword: "p", VarESPassword: ""}, Value{}, Value{"u", VarESUsername}, Value{"p", VarReadPassword}},
		{"module keys win", withKeys("          hosts: https://es:9200\n          api_key: file:k\n"), map[string]string{VarESAPIKey: "env:k"}, Value{"file:k", modulesPath + "[0].api_key"}, Value{}, Value{}},
		{"module key that resolves empty still wins", withKeys("          hosts: https://es:9200\n          api_key: ${env:ELASTICSEARCH_READ_API_KEY}\n"), map[string]string{VarESAPIKey: "env:k"}, Value{"", modulesPath + "[0].api_key"}, Value{}, Value{}},
		{
			"user:password@ in the host", withKeys("          hosts: https://u%40corp:p%2Fw@es:9200\n          username: key-user\n"),
			map[string]string{VarESUsername: "env-user", VarReadPassword: "env-pw"},
			Value{},
			Value{"u@corp", modulesPath + "[0].hosts (user:password@)"},
			Value{"p/w", modulesPath + "[0].hosts (user:password@)"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := resolveWith(t, tt.yaml, tt.env)
			assert.Equal(t, tt.apiKey, m.Cluster.APIKey)
			assert.Equal(t, tt.user, m.Cluster.Username)
			assert.Equal(t, tt.password, m.Cluster.Password)
		})
	}
}

func TestBothAuthNamesWhereEachCameFrom(t *testing.T) {
	m := resolveWith(t, "", map[string]string{VarESAPIKey: "id:k", VarReadUsername: "u", VarReadPassword: "p"})
	require.Equal(t, []string{BothAuth}, findingsOf(m))
	msg := m.Findings[0].Message
	assert.Contains(t, msg, "an API key (AUTOOPS_ES_API_KEY) and a username/password (ELASTICSEARCH_READ_USERNAME, ELASTICSEARCH_READ_PASSWORD)")
	assert.Contains(t, msg, "refuses to start")
	assert.NotContains(t, msg, "id:k")
}

// Elastic's samples carry no credentials: with each installer generation's drop-in the model
// has exactly the credentials the agent sends, and no finding.
func TestElasticsSamplesWithEachDropIn(t *testing.T) {
	values := map[string]string{
		VarESURL: "https://es.corp:9200", VarOTelURL: "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", VarToken: "t0ken",
		VarRegistrationURL: "https://reg.example",
	}
	for version, sample := range testutil.AgentSamples {
		for dropIn, key := range map[string]string{testutil.DropInCurrent: VarESAPIKey, testutil.DropInFirst: VarReadAPIKey} {
			t.Run(version+" "+dropIn, func(t *testing.T) {
				v := map[string]string{key: "id:secret"}
				for k, x := range values {
					v[k] = x
				}
				ca := writeFile(t, "ca.pem", caPEM)
				if strings.Contains(version, "ssl") {
					v[VarESCA] = ca
				}
				file := testutil.FillEnvFile(t, dropIn, v)
				raw, err := os.Open(file)
				require.NoError(t, err)
				env, err := ParseEnvFile(raw)
				_ = raw.Close()
				require.NoError(t, err)
				if strings.Contains(version, "ssl") {
					env[VarESCA] = ca // the ssl sample reads it; the installer does not write it
				}
				m, err := Resolve(Inputs{Environ: envOf(nil), EnvFiles: []map[string]string{env}, ConfigPath: testutil.AgentTestdata(sample)})
				require.NoError(t, err)
				assert.Empty(t, m.Findings)
				assert.Equal(t, Value{"id:secret", key}, m.Cluster.APIKey)
				assert.False(t, m.Cluster.Username.Set() || m.Cluster.Password.Set(), "the unused names are empty: unset")
				assert.Equal(t, "https://es.corp:9200", m.Cluster.Endpoint.V)
				assert.Equal(t, "t0ken", m.OTLP.Token.V)
				assert.Equal(t, values[VarOTelURL], m.OTLP.Endpoint.V)
				assert.Equal(t, Value{"https://reg.example", VarRegistrationURL}, m.Registration.Endpoint)
				if strings.Contains(version, "ssl") {
					require.Len(t, m.Cluster.CAs, 1)
					assert.Equal(t, ca, m.Cluster.CAs[0].Path)
				}
			})
		}
	}
}

// ssl.certificate_authorities items, and AUTOOPS_CA_CERT / AUTOOPS_ES_CA, are paths or the
// PEM text itself.
func TestCAPathOrPEMText(t *testing.T) {
	ssl, err := os.ReadFile(testutil.AgentTestdata(testutil.AgentSamples["9.3.2-ssl"]))
	require.NoError(t, err)
	m := resolveWith(t, string(ssl), map[string]string{VarESURL: "https://es:9200", VarToken: "t", VarOTelURL: "https://o", VarESCA: caPEM})
	assert.Empty(t, m.Findings)
	require.Len(t, m.Cluster.CAs, 1)
	assert.Equal(t, caPEM, string(m.Cluster.CAs[0].PEM))
	assert.Empty(t, m.Cluster.CAs[0].Path, "inline PEM has no path")

	m = resolveWith(t, "", map[string]string{VarESCA: caPEM, VarCACert: ""})
	require.Len(t, m.Cluster.CAs, 1, "an empty AUTOOPS_CA_CERT counts as unset")
	assert.Equal(t, VarESCA, m.Cluster.CAs[0].From)

	m = resolveWith(t, "", map[string]string{VarCACert: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"})
	assert.Equal(t, []string{CAFileUnusable}, findingsOf(m))
	assert.NotContains(t, m.Findings[0].Message, "not base64", "PEM text is named by its source, not quoted")

	m = resolveWith(t, "", map[string]string{VarCACert: filepath.Join(t.TempDir(), "missing.pem")})
	assert.Equal(t, []string{CAFileUnusable}, findingsOf(m))
	assert.Contains(t, m.Findings[0].Message, "does not exist")
}

func TestVerificationModeAndFingerprint(t *testing.T) {
	module := func(ssl string) string {
		return "receivers:\n  metricbeatreceiver:\n    metricbeat:\n      modules:\n        - module: autoops_es\n          hosts: https://es:9200\n" + ssl
	}
	m := resolveWith(t, module("          ssl.verification_mode: certificate\n          ssl.ca_trusted_fingerprint: \"ab12\"\n"), nil)
	assert.Equal(t, "certificate", m.Cluster.VerificationMode.V)
	assert.Equal(t, "ab12", m.Cluster.CATrustedFingerprint.V)
	assert.Empty(t, m.Findings)

	m = resolveWith(t, module("          ssl:\n            verification_mode: none\n"), nil)
	assert.Equal(t, []string{VerificationDisabled}, findingsOf(m))

	_, err := Resolve(Inputs{ConfigPath: writeFile(t, "a.yml", module("          ssl.verification_mode: loose\n"))})
	require.ErrorContains(t, err, `ssl.verification_mode: "loose" is not one of full, strict, certificate, none`)
}

// A host without a scheme is http://, the agent's default scheme.
func TestHostWithoutScheme(t *testing.T) {
	assert.Equal(t, Value{"http://es.corp:9200", VarESURL}, resolveWith(t, "", map[string]string{VarESURL: "es.corp:9200"}).Cluster.Endpoint)
	assert.Equal(t, "https://es.corp:9200/prefix", resolveWith(t, "", map[string]string{VarESURL: "https://es.corp:9200/prefix"}).Cluster.Endpoint.V)
}

// Env files win over the environment, a later file over an earlier one; nothing else is read.
func TestEnvFilesLayer(t *testing.T) {
	reads := map[string]int{}
	m, err := Resolve(Inputs{
		Environ:    envOf(map[string]string{VarESURL: "https://from-env:9200", VarToken: "env-token", "HTTPS_PROXY": "http://p:3128"}),
		EnvFiles:   []map[string]string{{VarESURL: "https://first:9200", VarToken: "file-token"}, {VarESURL: "https://second:9200"}},
		ConfigPath: testutil.AgentTestdata(testutil.AgentSamples["9.3.2"]),
		ReadFile:   func(p string) ([]byte, error) { reads[p]++; return os.ReadFile(p) },
	})
	require.NoError(t, err)
	assert.Equal(t, "https://second:9200", m.Cluster.Endpoint.V)
	assert.Equal(t, "file-token", m.OTLP.Token.V)
	v, _ := m.Lookup("HTTPS_PROXY")
	assert.Equal(t, "http://p:3128", v, "the proxy variables come through the same lookup")
	for p, n := range reads {
		assert.Equal(t, 1, n, "%s read once", p)
	}
}

func TestVersionRules(t *testing.T) {
	for _, tt := range []struct {
		version string
		env     map[string]string
		want    []string
	}{
		{"", map[string]string{VarESAPIKey: "encoded"}, nil},
		{"9.0.3", map[string]string{VarReadAPIKey: "id:k"}, []string{WarnAgentVersionUnsupported}},
		{"9.1.2", map[string]string{VarReadAPIKey: "encoded"}, []string{WarnAPIKeyDoubleEncoded}},
		{"9.1.2", map[string]string{VarESAPIKey: "id:k"}, []string{WarnAgentIgnoresVariables}},
		{"9.1.3", map[string]string{VarESAPIKey: "id:k", VarReadAPIKey: "id:k"}, nil},
		{"9.1.4", map[string]string{VarESAPIKey: "encoded"}, nil},
	} {
		v, err := ParseVersion(tt.version)
		require.NoError(t, err)
		m, err := Resolve(Inputs{Environ: envOf(tt.env), Version: v})
		require.NoError(t, err)
		assert.Equal(t, tt.want, m.Warnings()["cluster"], "%s %v", tt.version, tt.env)
	}
	assert.True(t, MustVersion("9.2.3").RefusesLicenseTypes())
	assert.False(t, MustVersion("9.2.4").RefusesLicenseTypes())
	assert.False(t, Version{}.RefusesLicenseTypes(), "an unknown agent is taken as current")
}

func TestSettingsFromNamesSourcesOnly(t *testing.T) {
	m := resolveWith(t, "", map[string]string{VarESURL: "https://es:9200", VarReadAPIKey: "id:secret", VarToken: "tok"})
	from := m.SettingsFrom()
	assert.Equal(t, []string{"cluster.endpoint from AUTOOPS_ES_URL", "cluster.api_key from ELASTICSEARCH_READ_API_KEY"}, from["cluster"])
	assert.Equal(t, []string{"otlp.token from AUTOOPS_TOKEN"}, from["otlp"])
	assert.NotContains(t, strings.Join(from["cluster"], " "), "secret")
}
