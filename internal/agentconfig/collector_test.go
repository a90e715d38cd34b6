package agentconfig

import (
	"context"
	"maps"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// collectorResolves is what the agent's collector makes of one value of its configuration:
// confmap v1.71.0 with the env provider and the default scheme env, as the agent runs it
// (elastic-agent internal/edot/otelcol/run.go). Variables come from os.Environ.
func collectorResolves(t testing.TB, value string) (any, error) {
	t.Helper()
	return collectorKey(t, "k: "+strconv.Quote(value), "k")
}

// collectorKey resolves a YAML document with the collector's confmap and returns the value
// at a ::-separated key path.
func collectorKey(t testing.TB, doc, path string) (any, error) {
	t.Helper()
	r, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{"yaml:" + doc},
		ProviderFactories: []confmap.ProviderFactory{envprovider.NewFactory(), yamlprovider.NewFactory()},
		DefaultScheme:     "env",
	})
	require.NoError(t, err)
	conf, err := r.Resolve(context.Background())
	if err != nil {
		return nil, err
	}
	return conf.Get(path), nil
}

// wellFormed builds a value from references the agent's users write: ${env:NAME},
// ${NAME}, ${env:NAME:-default} (the default literal or itself one reference), ${NAME:-d}
// (refused by the collector), $${...} and $$ escapes outside references, between literal
// text without braces.
func wellFormed(rng *rand.Rand, depth int) string {
	names := []string{"SET", "EMPTY", "UNSET", "NUM", "BOOL"}
	var b strings.Builder
	for n := rng.IntN(4); n >= 0; n-- {
		name := names[rng.IntN(len(names))]
		c := rng.IntN(9)
		if depth > 0 && (c == 4 || c == 5) {
			c = 8 // escapes inside a default: confmap's findURI stops at them (not written by users)
		}
		switch c {
		case 0:
			b.WriteString("${env:" + name + "}")
		case 1:
			b.WriteString("${" + name + "}")
		case 2:
			def := "d-" + name
			if depth < 2 && rng.IntN(2) == 0 {
				def = wellFormed(rng, depth+1)
			}
			b.WriteString("${env:" + name + ":-" + def + "}")
		case 3:
			b.WriteString("${" + name + ":-d}")
		case 4:
			// Another name than the references': confmap replaces every occurrence of a
			// reference's text, the escaped one too.
			b.WriteString("$${env:LITERAL_" + name + "}")
		case 5:
			b.WriteString("$$")
		case 6:
			b.WriteString("https://")
		case 7:
			b.WriteString(":9200/x")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()
}

// The resolver gives what the agent's collector gives: the same string, nothing where a
// whole-value reference is unset or empty, a refusal where the collector refuses.
func TestResolveAsTheCollector(t *testing.T) {
	env := map[string]string{"SET": "v", "EMPTY": "", "NUM": "0123", "BOOL": "true"}
	for k, v := range env {
		t.Setenv(k, v)
	}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		s := wellFormed(rng, 0)
		if strings.Contains(s, "${env::") {
			continue
		}
		got := resolve(s, lookup)
		want, err := collectorResolves(t, s)
		if err != nil {
			require.NotEmpty(t, got.invalid, "%q: the collector refuses it (%v)", s, err)
			continue
		}
		require.Empty(t, got.invalid, "%q", s)
		switch w := want.(type) {
		case string:
			require.Equal(t, w, got.value, "%q", s)
		default:
			require.NotEmpty(t, got.whole, "%q: typed %T by the collector", s, want)
			require.False(t, yamlString(got.value), "%q: typed %T by the collector", s, want)
		}
	}
}

// A whole-value reference is typed as YAML by the collector: the model's yamlString says
// which values stay strings, as the collector's own confmap does.
func TestYAMLTypingAsTheCollector(t *testing.T) {
	for _, v := range []string{"", "0123", "true", "1e3", "42", "null", "~", "yes", "on", "abc", "id:secret", "a: b", "[a]", "{a: 1}", "- x", "50%off", "abc\n", "'quoted'", "#x", "0x1F", ".inf", "2026-12-07", "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----"} {
		t.Setenv("V", v)
		want, err := collectorResolves(t, "${env:V}")
		require.NoError(t, err)
		_, isString := want.(string)
		assert.Equal(t, isString, yamlString(v), "%q: the collector gives %T", v, want)
	}
}

// sampleVariant is an Elastic sample with its first module's hosts line replaced and lines
// added to that module.
func sampleVariant(t *testing.T, sample, hosts string, extra ...string) string {
	t.Helper()
	raw, err := os.ReadFile(testutil.AgentTestdata(sample))
	require.NoError(t, err)
	first := "          hosts: ${env:AUTOOPS_ES_URL}\n"
	s := strings.Replace(string(raw), first, "          hosts: "+hosts+"\n", 1)
	for _, e := range extra {
		s = strings.Replace(s, "          period: 10s\n", "          period: 10s\n          "+e+"\n", 1)
	}
	return s
}

// firstModule is what the collector gives the agent's first module.
func firstModule(t *testing.T, doc string) (map[string]any, error) {
	mods, err := collectorKey(t, doc, "receivers::metricbeatreceiver::metricbeat::modules")
	if err != nil {
		return nil, err
	}
	return mods.([]any)[0].(map[string]any), nil
}

func findingsNamed(m *Model, name string) []Finding {
	var out []Finding
	for _, f := range m.Findings {
		if f.Finding == name {
			out = append(out, f)
		}
	}
	return out
}

// Real elastic-agent.yml variants through the collector's own confmap: ${NAME} resolves as
// ${env:NAME}; ${NAME:-default} makes the collector refuse the file, and the model names it
// without ever taking the literal ${...} as the cluster's URL.
func TestAgentFileReferencesAsTheCollector(t *testing.T) {
	const url = "https://es.corp:9200"
	t.Setenv(VarESURL, url)
	env := map[string]string{VarESURL: url, VarOTelURL: "https://otel.example", VarToken: "t0ken"}
	for k, v := range env {
		t.Setenv(k, v)
	}
	for _, sample := range []string{"autoops_es-9.2.4.yml", "autoops_es-9.3.2.yml"} {
		t.Run(sample+" ${NAME}", func(t *testing.T) {
			doc := sampleVariant(t, sample, "${AUTOOPS_ES_URL}")
			mod, err := firstModule(t, doc)
			require.NoError(t, err)
			m := resolveWith(t, doc, env)
			assert.Equal(t, mod["hosts"], m.Cluster.Endpoint.V)
			assert.Empty(t, m.Findings)
		})
		t.Run(sample+" ${NAME:-default}", func(t *testing.T) {
			doc := sampleVariant(t, sample, "${AUTOOPS_ES_URL:-http://localhost:9200}")
			_, err := firstModule(t, doc)
			require.Error(t, err, "the collector refuses the file")
			m := resolveWith(t, doc, env)
			got := findingsNamed(m, AgentConfigInvalid)
			require.Len(t, got, 1)
			assert.Equal(t, modulesPath+"[0].hosts", got[0].Key)
			assert.Contains(t, got[0].Message, "${AUTOOPS_ES_URL:-...}")
			assert.NotContains(t, m.Cluster.Endpoint.V, "${")
			assert.NotEmpty(t, m.Refusals())
			assert.NotContains(t, m.Warnings()["cluster"], FindingWarningPrefix+AgentConfigInvalid)
		})
	}
}

// A whole-value reference in a module's string key is typed as YAML by the collector: the
// model's env_value_not_a_string is given exactly where the collector gives the module no
// string, naming the key path and the variable, never the value.
func TestModuleStringKeysTypedAsTheCollector(t *testing.T) {
	base := map[string]string{VarESURL: "https://es.corp:9200", VarOTelURL: "https://otel.example", VarToken: "t0ken"}
	for k, v := range base {
		t.Setenv(k, v)
	}
	for _, value := range []*string{nil, ptr(""), ptr("0123"), ptr("true"), ptr("1e3"), ptr("s3cr3t-Pass"), ptr("id:s3cr3t"), ptr("~")} {
		name := "unset"
		env := maps.Clone(base)
		if value != nil {
			name = strconv.Quote(*value)
			env[VarESPassword] = *value
			t.Setenv(VarESPassword, *value)
		} else {
			require.NoError(t, os.Unsetenv(VarESPassword))
		}
		t.Run(name, func(t *testing.T) {
			doc := sampleVariant(t, "autoops_es-9.3.2.yml", "${env:AUTOOPS_ES_URL}", "username: autoops", "password: ${env:AUTOOPS_ES_PASSWORD}")
			mod, err := firstModule(t, doc)
			require.NoError(t, err)
			_, isString := mod["password"].(string)
			m := resolveWith(t, doc, env)
			got := findingsNamed(m, EnvValueNotAString)
			if isString {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1, "the collector gives the module %T", mod["password"])
			assert.Equal(t, modulesPath+"[0].password", got[0].Key)
			assert.Contains(t, got[0].Message, VarESPassword)
			if value != nil && *value != "" {
				assert.NotContains(t, got[0].Message, *value)
			}
		})
	}
	t.Run("the ssl sample with AUTOOPS_ES_CA unset", func(t *testing.T) {
		require.NoError(t, os.Unsetenv(VarESCA))
		raw, err := os.ReadFile(testutil.AgentTestdata("autoops_es_ssl-9.3.2.yml"))
		require.NoError(t, err)
		mod, err := firstModule(t, string(raw))
		require.NoError(t, err)
		assert.Nil(t, mod["ssl.certificate_authorities"].([]any)[0])
		m := resolveWith(t, string(raw), base)
		var keys []string
		for _, f := range findingsNamed(m, EnvValueNotAString) {
			keys = append(keys, f.Key)
		}
		assert.Contains(t, keys, modulesPath+"[0].ssl.certificate_authorities[0]")
	})
}

func ptr(s string) *string { return &s }
