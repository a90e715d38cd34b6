package autoopsreceiver

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/xconfmap"
	"go.opentelemetry.io/collector/pdata/plog"
	"gopkg.in/yaml.v3"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// An endpoint whose query holds a credential (the intake's token as ?token=, or any value
// there) is refused by validation without quoting it: the collector's validate and the
// one-shot print these messages as they are.
func TestValidationQuotesNoQueryValue(t *testing.T) {
	const token, other = "T0k3n-autoops-v4lue", "plainvalue"
	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Endpoint = "https://otel.example/v1?token=" + token + "&q=" + other
	cfg.Registration.Endpoint = "ftp://reg.example?key=" + token
	err := cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "otlp.endpoint")
	assert.Contains(t, err.Error(), "https://otel.example/v1?token=…&q=…", "the URL's shape stays readable")
	assert.Contains(t, err.Error(), "registration.endpoint")
	for _, s := range []string{token, other} {
		assert.NotContains(t, err.Error(), s)
	}
}

// A log body quotes the evidence, which quotes others' text (a certificate's issuer, an
// error): its control bytes arrive escaped, for whoever reads the log in a terminal.
func TestLogBodyEscapesControlBytes(t *testing.T) {
	r := Result{}
	r.Verdict.Probe = probe.Cluster
	r.Verdict.ErrorType = "tls_incomplete_chain"
	r.Verdict.Evidence = "the cluster sent only its own certificate, issued by CN=Evil\x1b[2J\x07\u009b31m CA"
	lr := plog.NewLogRecord()
	fillLogRecord(lr, &r, 0, "autoops_probe")
	body := lr.Body().Str()
	assert.Contains(t, body, `CN=Evil\u001B[2J\u0007\u009B31m CA`)
	assert.NotContains(t, body, "\x1b")
	assert.NotContains(t, body, "\x07")
	assert.NotContains(t, body, "\u009b")
}

// print-config (its default mode, whatever its other flags: validation off included) and
// the unredacted marshaled copy show no URL password (an endpoint's, a proxy's) and no private
// key text given to a file key through ${env:...}: what the collector prints is the
// marshaled configuration.
func TestPrintConfigShowsNoURLPasswordOrKeyText(t *testing.T) {
	const keyBase64 = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgS3cretKeyMaterial"
	const pemKey = "-----BEGIN PRIVATE KEY-----\n" + keyBase64 + "\n-----END PRIVATE KEY-----\n"
	t.Setenv("TEST_KEY_PEM", pemKey)
	raw := confmap.NewFromStringMap(map[string]any{
		"cluster": map[string]any{
			"endpoint": "https://elastic:Cl0sterPw@es.corp:9200", "proxy_url": "http://u:Pr0xyPw@proxy:3128",
			"tls": map[string]any{"key_file": "${env:TEST_KEY_PEM}", "cert_file": "/etc/cert.pem"},
		},
		"otlp": map[string]any{"endpoint": "https://otel.example/v1?token=T0kenInQuery", "tls": map[string]any{"key_file": keyBase64}},
	})
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, resolveEnv(raw).Unmarshal(cfg))
	require.Equal(t, pemKey, cfg.Cluster.TLS.KeyFile, "the PEM text reached key_file")
	for _, opts := range [][]confmap.MarshalOption{nil, {xconfmap.WithUnredacted()}} {
		printed := confmap.New()
		require.NoError(t, printed.Marshal(cfg, opts...))
		out, err := yaml.Marshal(printed.ToStringMap())
		require.NoError(t, err)
		for _, s := range []string{"Cl0sterPw", "Pr0xyPw", "T0kenInQuery", keyBase64[:16], "PRIVATE KEY"} {
			assert.NotContains(t, string(out), s, "unredacted: %v", opts != nil)
		}
		assert.Contains(t, string(out), "https://elastic:[REDACTED]@es.corp:9200", "the rest of the URL stays readable")
		assert.Contains(t, string(out), "/etc/cert.pem")
	}
}

// resolveEnv expands ${env:...} as the collector's resolver does before a configuration is
// unmarshaled.
func resolveEnv(conf *confmap.Conf) *confmap.Conf {
	out := map[string]any{}
	var expand func(v any) any
	expand = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			m := map[string]any{}
			for k, e := range x {
				m[k] = expand(e)
			}
			return m
		case string:
			return os.Expand(strings.ReplaceAll(x, "${env:", "${"), os.Getenv)
		}
		return v
	}
	for k, v := range conf.ToStringMap() {
		out[k] = expand(v)
	}
	return confmap.NewFromStringMap(out)
}
