package autoopsreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("..", "testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadValidConfigs(t *testing.T) {
	tests := []struct {
		name  string
		check func(t *testing.T, cfg *Config)
	}{
		{"api_key", func(t *testing.T, cfg *Config) {
			assert.Equal(t, configopaque.String("id123:secretkey"), cfg.Cluster.APIKey)
			assert.Equal(t, "https://es.example.internal:9200", cfg.Cluster.Endpoint)
			assert.True(t, cfg.Cluster.CheckPrivileges)
			assert.True(t, cfg.ReportStatus, "status is reported by default")
			assert.Equal(t, EmitOnChange, cfg.Logs.Emit)
			assert.Equal(t, time.Minute, cfg.CollectionInterval)
			assert.Equal(t, 10*time.Second, cfg.Cluster.Timeout)
			assert.Equal(t, "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", cfg.OTLP.ResolvedEndpoint())
			assert.Equal(t, "https://api.elastic-cloud.com", cfg.Registration.Endpoint)
			assert.True(t, cfg.Registration.TLS.IncludeSystemCACertsPool, "cloud probes trust the system roots plus tls.ca_file")
			assert.True(t, cfg.OTLP.TLS.IncludeSystemCACertsPool)
			assert.False(t, cfg.Cluster.TLS.IncludeSystemCACertsPool)
		}},
		{"basic", func(t *testing.T, cfg *Config) {
			assert.Equal(t, "autoops", cfg.Cluster.Username)
			assert.Equal(t, configopaque.String("s3cret"), cfg.Cluster.Password)
			assert.False(t, cfg.Cluster.CheckPrivileges)
			assert.Equal(t, 3*time.Second, cfg.Cluster.Timeout)
			assert.Equal(t, "../testdata/es-ca.pem", cfg.Cluster.TLS.CAFile)
			assert.Equal(t, EmitEveryRun, cfg.Logs.Emit)
			assert.False(t, cfg.ReportStatus)
			assert.Equal(t, 20*time.Second, cfg.Timeout)
			assert.Equal(t, 30*time.Second, cfg.CollectionInterval)
			assert.Equal(t, 5*time.Second, cfg.InitialDelay)
			assert.Equal(t, "https://otel-auto-ops.us-central1.gcp.svc.elastic.cloud", cfg.OTLP.ResolvedEndpoint())
		}},
		{"explicit", func(t *testing.T, cfg *Config) {
			assert.Empty(t, cfg.Cluster.APIKey, "empty strings count as unset")
			assert.Equal(t, "http://proxy.internal:3128", cfg.Registration.ProxyURL)
			assert.Equal(t, 5*time.Second, cfg.Registration.Timeout)
			assert.Equal(t, "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", cfg.OTLP.ResolvedEndpoint())
		}},
		{"unknown_region", func(t *testing.T, cfg *Config) {
			assert.True(t, cfg.OTLP.UnknownRegion(), "well formed, not published: runs and warns")
			assert.Equal(t, "https://otel-auto-ops.mars-north-1.aws.svc.elastic.cloud", cfg.OTLP.ResolvedEndpoint())
			assert.Equal(t, configopaque.String("t0ken-value"), cfg.OTLP.Token)
		}},
		{"disabled", func(t *testing.T, cfg *Config) {
			assert.False(t, cfg.Cluster.Enabled)
			assert.False(t, cfg.Registration.Enabled)
			assert.False(t, cfg.OTLP.Enabled)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadConfig(t, tt.name)
			require.NoError(t, confmap.Validate(cfg))
			tt.check(t, cfg)
		})
	}
}

func TestInvalidConfigsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"both_auth", []string{"cluster.api_key", "choose one type of authentication only"}},
		{"username_only", []string{"cluster.password", "cluster.username"}},
		{"password_only", []string{"cluster.username", "cluster.password"}},
		{"bad_cluster_endpoint", []string{"cluster.endpoint", "absolute http(s) URL"}},
		{"bad_registration_endpoint", []string{"registration.endpoint"}},
		{"bad_otlp_endpoint", []string{"otlp.endpoint"}},
		{"otlp_unset", []string{"otlp.endpoint", "otlp.region", "otlp.csp"}},
		{"bad_region", []string{"otlp.region", "mars north 1", "host name"}},
		{"bad_csp", []string{"otlp.csp", "AWS", "host name"}},
		{"bad_region_without_csp", []string{"otlp.region", "moon_1"}},
		{"bad_emit", []string{"logs.emit", "sometimes"}},
		{"run_timeout_too_short", []string{"timeout: 5s", "registration.timeout (10s)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, tt.name))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "changeme", "a secret leaked into the error")
		})
	}
}

func TestDefaultConfigNeedsAnIntake(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	err := confmap.Validate(cfg)
	require.ErrorContains(t, err, "otlp.endpoint")
	cfg.OTLP.Endpoint = "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"
	require.NoError(t, confmap.Validate(cfg))
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Logs.Emit = "never"
	cfg.Cluster.Endpoint = "nope"
	cfg.Cluster.Username = "elastic"
	err := confmap.Validate(cfg)
	require.Error(t, err)
	for _, key := range []string{"logs.emit", "cluster.endpoint", "cluster.password", "otlp.endpoint"} {
		assert.Contains(t, err.Error(), key)
	}
}

func TestEndpointWithCredentialsIsRefusedWithoutEchoingThem(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Endpoint = "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"
	cfg.Cluster.Endpoint = "http://elastic:hunter2@localhost:9200"
	err := confmap.Validate(cfg)
	require.ErrorContains(t, err, "cluster.endpoint")
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestBadProxyURLIsRefusedWithoutEchoingIt(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.OTLP.Endpoint = "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"
	cfg.Registration.ProxyURL = "http://user:s3cr et@proxy:3128"
	err := confmap.Validate(cfg)
	require.ErrorContains(t, err, "registration.proxy_url")
	assert.NotContains(t, err.Error(), "s3cr")
	cfg.Registration.ProxyURL = "http://user:s3cret@proxy:3128"
	require.NoError(t, confmap.Validate(cfg))
}
