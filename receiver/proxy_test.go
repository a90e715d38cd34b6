package autoopsreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"gopkg.in/yaml.v3"
)

// Proxy URLs in every form Go accepts are taken; a form Go would read as another host is
// refused naming the key or variable and how to escape it, never quoting the password.
func TestProxyURLForms(t *testing.T) {
	for _, tt := range []struct {
		name, proxyURL, env, want string
	}{
		{"escaped slash", "http://user:S3cret%2FPw@proxy:3128", "", ""},
		{"@ in the password", "http://user:S3c@ret@proxy:3128", "", ""},
		{"socks5h", "socks5h://user:S3cret@proxy:1080", "", ""},
		{"unescaped slash in proxy_url", "http://user:S3cret/Pw@proxy:3128", "", "cluster.proxy_url: its user or password holds an unescaped '/', '?' or '#', so Go reads another host; percent-encode them (%2F"},
		{"no scheme in proxy_url", "user:S3cret@proxy:3128", "", "cluster.proxy_url: give the scheme"},
		{"unescaped slash in HTTPS_PROXY", "", "http://user:S3cret/Pw@proxy:3128", "HTTPS_PROXY: its user or password holds an unescaped '/', '?' or '#', so Go reads another host; percent-encode them (%2F"},
		{"no scheme in HTTPS_PROXY: Go adds http://", "", "user:S3cret@proxy:3128", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HTTPS_PROXY", tt.env)
			cfg := createDefaultConfig().(*Config)
			cfg.OTLP.Endpoint = "https://otel.example"
			cfg.Cluster.ProxyURL = tt.proxyURL
			err := cfg.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), "S3cret")
		})
	}
}

// print-config (redacted, its default) marshals the configuration: proxy_url holds the
// proxy's password, so it is shown redacted, while the probes still use it.
func TestPrintConfigHidesProxyCredentials(t *testing.T) {
	raw := confmap.NewFromStringMap(map[string]any{
		"cluster":      map[string]any{"proxy_url": "http://user:S3cretPw@proxy:3128"},
		"registration": map[string]any{"proxy_url": "http://user:S3cretPw@proxy:3128"},
		"otlp":         map[string]any{"proxy_url": "http://user:S3cretPw@proxy:3128", "endpoint": "https://otel.example"},
	})
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, raw.Unmarshal(cfg))
	assert.Equal(t, "http://user:S3cretPw@proxy:3128", cfg.Cluster.ProxyURL, "the probe uses it")
	printed := confmap.New()
	require.NoError(t, printed.Marshal(cfg))
	out, err := yaml.Marshal(printed.ToStringMap())
	require.NoError(t, err)
	assert.NotContains(t, string(out), "S3cretPw")
	assert.Contains(t, string(out), "proxy_url: '[REDACTED]'")
}
