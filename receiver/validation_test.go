package autoopsreceiver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

// Contract v3's validation: each mistake refuses to start with a message naming the key.
func TestV3ValidationNamesTheKey(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	require.NoError(t, os.WriteFile(garbage, []byte("not a certificate"), 0o600))
	unreadable := filepath.Join(dir, "unreadable.pem")
	require.NoError(t, os.WriteFile(unreadable, []byte("-----BEGIN CERTIFICATE-----\n"), 0o000))
	keyOnly := filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(keyOnly, []byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"), 0o600))
	long := strings.Repeat("a", 64)
	caPEM := mustRead(t, "../testdata/es-ca.pem")
	keyPEM := "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"
	const keyBase64 = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgS3cretKeyMaterial"
	const pemKey = "-----BEGIN PRIVATE KEY-----\n" + keyBase64 + "\n-----END PRIVATE KEY-----\n"
	tests := []struct {
		name   string
		change func(*Config)
		want   []string
	}{
		{"bare number interval", func(c *Config) { c.CollectionInterval = 60 }, []string{"collection_interval", "60ns", "unit"}},
		{"interval below a second", func(c *Config) { c.CollectionInterval = 500 * time.Millisecond }, []string{"collection_interval", "500ms"}},
		{"negative run timeout", func(c *Config) { c.Timeout = -time.Second }, []string{"timeout: -1s"}},
		{"zero timeout", func(c *Config) { c.Cluster.Timeout = 0 }, []string{"cluster.timeout", "0s"}},
		{"negative timeout", func(c *Config) { c.OTLP.Timeout = -time.Second }, []string{"otlp.timeout", "-1s"}},
		{"endpoint with a query", func(c *Config) { c.Registration.Endpoint = "http://h:2/base?x=1" }, []string{"registration.endpoint", "query or fragment"}},
		{"endpoint with a fragment", func(c *Config) { c.Cluster.Endpoint = "http://es:9200/#x" }, []string{"cluster.endpoint", "query or fragment"}},
		{"region too long", func(c *Config) { c.OTLP.Endpoint, c.OTLP.Region, c.OTLP.CSP = "", strings.Repeat("a", 300), "aws" }, []string{"otlp.region", "at most 63"}},
		{"host name too long", func(c *Config) { c.Cluster.Endpoint = "http://" + strings.Repeat("abcdefghi.", 26) + "com:9200" }, []string{"cluster.endpoint", "at most 253"}},
		{"label too long", func(c *Config) { c.Cluster.Endpoint = "http://" + long + ".example.com:9200" }, []string{"cluster.endpoint", "longer than 63"}},
		{"missing ca_file", func(c *Config) { c.Cluster.TLS.CAFile = filepath.Join(dir, "missing.pem") }, []string{"cluster.tls.ca_file", "missing.pem", "cannot be read"}},
		{"ca_file a directory", func(c *Config) { c.Registration.TLS.CAFile = dir }, []string{"registration.tls.ca_file", dir, "directory"}},
		{"garbage ca_file", func(c *Config) { c.OTLP.TLS.CAFile = garbage }, []string{"otlp.tls.ca_file", garbage, "no PEM CERTIFICATE"}},
		{"cert_file that is a key", func(c *Config) { c.Cluster.TLS.CertFile, c.Cluster.TLS.KeyFile = keyOnly, keyOnly }, []string{"cluster.tls.cert_file", "no PEM CERTIFICATE"}},
		{"key_file that is a certificate", func(c *Config) {
			c.Cluster.TLS.CertFile, c.Cluster.TLS.KeyFile = "../testdata/es-ca.pem", "../testdata/es-ca.pem"
		}, []string{"cluster.tls.key_file", "no PEM PRIVATE KEY"}},
		// A single trailing newline passes (contract v5): the agent sends it, and so does the probe.
		{"newline inside the token", func(c *Config) { c.OTLP.Token = "t0\nken" }, []string{"otlp.token", "control character"}},
		{"newline in the API key", func(c *Config) { c.Cluster.APIKey = "id:key\r\n" }, []string{"cluster.api_key", "control character"}},
		{"tab in the password", func(c *Config) { c.Cluster.Username, c.Cluster.Password = "u", "pa\tss" }, []string{"cluster.password", "control character"}},
		{"control character in the username", func(c *Config) { c.Cluster.Username, c.Cluster.Password = "u\x00", "p" }, []string{"cluster.username", "control character"}},
		{"ftp proxy", func(c *Config) { c.Registration.ProxyURL = "ftp://proxy:21" }, []string{"registration.proxy_url", "ftp"}},
		// What start would refuse: PEM text of the wrong kind, header lines net/http will not send.
		{"ca_pem not a certificate", func(c *Config) { c.Cluster.TLS.CAPem = "not a certificate" }, []string{"cluster.tls.ca_pem", "no PEM CERTIFICATE"}},
		{"cert_pem that is a key", func(c *Config) {
			c.Registration.TLS.CertPem, c.Registration.TLS.KeyPem = configopaque.String(keyPEM), configopaque.String(keyPEM)
		}, []string{"registration.tls.cert_pem", "no PEM CERTIFICATE"}},
		{"key_pem that is a certificate", func(c *Config) {
			c.OTLP.TLS.CertPem, c.OTLP.TLS.KeyPem = configopaque.String(caPEM), configopaque.String(caPEM)
		}, []string{"otlp.tls.key_pem", "no PEM PRIVATE KEY"}},
		{"header name with a space", func(c *Config) { c.Cluster.Headers.Set("X Foo", "v") }, []string{"cluster.headers", `"X Foo"`, "not a valid header name"}},
		{"header name with a colon", func(c *Config) { c.OTLP.Headers.Set("X-Foo:", "v") }, []string{"otlp.headers", `"X-Foo:"`, "not a valid header name"}},
		{"header value with a newline", func(c *Config) { c.Registration.Headers.Set("X-Foo", "s3cret\nInjected: 1") }, []string{"registration.headers.X-Foo", "control character"}},
		{"header value with a NUL", func(c *Config) { c.Cluster.Headers.Set("X-Bar", "s3cret\x00") }, []string{"cluster.headers.X-Bar", "control character"}},
		// Secret-bearing values are named by their key, never printed.
		{"PEM text as key_file", func(c *Config) { c.Cluster.TLS.CertFile, c.Cluster.TLS.KeyFile = "../testdata/es-ca.pem", pemKey }, []string{"cluster.tls.key_file", "holds PEM text", "cluster.tls.key_pem"}},
		{"PEM text as ca_file", func(c *Config) { c.OTLP.TLS.CAFile = pemKey }, []string{"otlp.tls.ca_file", "otlp.tls.ca_pem"}},
		{"a key's base64 as key_file", func(c *Config) { c.Cluster.TLS.CertFile, c.Cluster.TLS.KeyFile = "../testdata/es-ca.pem", keyBase64 }, []string{"cluster.tls.key_file", "not shown", "cannot be read"}},
		{"proxy password with an unescaped /", func(c *Config) { c.Cluster.ProxyURL = "http://user:S3cret/Pw@proxy:3128" }, []string{"cluster.proxy_url", "%2F"}},
		{"proxy credentials without a scheme", func(c *Config) { c.OTLP.ProxyURL = "user:S3cret@proxy:3128" }, []string{"otlp.proxy_url", "give the scheme"}},
	}
	if os.Geteuid() != 0 {
		tests = append(tests, struct {
			name   string
			change func(*Config)
			want   []string
		}{"unreadable ca_file", func(c *Config) { c.Cluster.TLS.CAFile = unreadable }, []string{"cluster.tls.ca_file", "cannot be read"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.OTLP.Endpoint = "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"
			tt.change(cfg)
			err := confmap.Validate(cfg)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, strings.ToLower(err.Error()), "controllerconfig", "messages name YAML keys, not Go types")
			for _, secret := range []string{"t0ken", "id:key", "pa\tss", "not a certificate", "MAA=", "s3cret", "Injected", "S3cret", "MIGHAgEA"} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

func TestV3ValidationAccepts(t *testing.T) {
	for name, change := range map[string]func(*Config){
		"socks5 proxy":              func(c *Config) { c.Registration.ProxyURL = "socks5://proxy:1080" },
		"socks5h proxy":             func(c *Config) { c.OTLP.ProxyURL = "socks5h://user:pass@proxy:1080" },
		"a one-second interval":     func(c *Config) { c.CollectionInterval = time.Second },
		"a timeout past the period": func(c *Config) { c.CollectionInterval, c.Cluster.Timeout = 5*time.Second, 30*time.Second },
		"a CA file that is PEM":     func(c *Config) { c.Cluster.TLS.CAFile = "../testdata/es-ca.pem" },
		"a rooted host name":        func(c *Config) { c.Cluster.Endpoint = "https://es.example.com.:9200" },
		"a CA as PEM text":          func(c *Config) { c.Cluster.TLS.CAPem = configopaque.String(mustRead(t, "../testdata/es-ca.pem")) },
		"headers as net/http sends": func(c *Config) {
			c.Cluster.Headers.Set("X-Opaque-Id", "autoops probe\t1")
			c.OTLP.Headers.Set("x_custom.v2", "")
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.OTLP.Endpoint = "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"
			change(cfg)
			require.NoError(t, confmap.Validate(cfg))
		})
	}
}

func TestSlowProbesAreNamed(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.CollectionInterval, cfg.Cluster.Timeout = 15*time.Second, 30*time.Second
	assert.Equal(t, []string{"cluster.timeout (30s)"}, cfg.slowProbes())
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(raw)
}

// A secret with one trailing newline (a Kubernetes Secret made from a file) is never a refusal
// of the configuration: the agent sends it, and the probe does as the agent does.
func TestTrailingNewlineIsNotARefusal(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Endpoint = "http://127.0.0.1:9200"
	cfg.Cluster.Username, cfg.Cluster.Password = "autoops\n", "p4ss\n"
	cfg.OTLP.Endpoint, cfg.OTLP.Token = "https://otel.example", "t0ken\n"
	require.NoError(t, cfg.Validate())
	cfg.Cluster.Username, cfg.Cluster.Password = "", ""
	cfg.Cluster.APIKey = "id:key\n"
	require.NoError(t, cfg.Validate())
}
