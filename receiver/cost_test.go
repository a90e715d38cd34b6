package autoopsreceiver

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configtls"
	"go.uber.org/zap"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A passing cluster probe makes its four requests over one connection, and the next run
// opens a new one: DNS, connect and TLS are tested every run, once.
func TestClusterProbeUsesOneFreshConnectionPerRun(t *testing.T) {
	ca := testutil.NewCA(t, "Cost Test CA")
	srv := httptest.NewUnstartedServer(&testutil.FakeES{Authorization: "ApiKey aWQ6c2VjcmV0"})
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(t, testutil.LeafOptions{})}}
	srv.StartTLS()
	defer srv.Close()

	cfg := createDefaultConfig().(*Config)
	cfg.Registration.Enabled, cfg.OTLP.Enabled = false, false
	cfg.Cluster.Endpoint = srv.URL
	cfg.Cluster.APIKey = "id:secret"
	cfg.Cluster.TLS.CAFile = ca.WriteFile(t, t.TempDir())
	checks, err := buildChecks(context.Background(), componenttest.NewNopHost(), componenttest.NewNopTelemetrySettings(), cfg)
	require.NoError(t, err)
	for run := 1; run <= 2; run++ {
		results, err := runChecks(context.Background(), checks, zap.NewNop())
		require.NoError(t, err)
		require.True(t, results[0].Verdict.Passed, results[0].Verdict.Summary())
		require.NotNil(t, results[0].Evidence.Privileges, "the follow-up requests ran")
		assert.Contains(t, phaseNames(results[0]), "tls", "run %d tested TLS", run)
		assert.Equal(t, int32(run), conns.Load(), "run %d: one connection for root, _license, _authenticate and _has_privileges", run)
	}
}

func phaseNames(r Result) []string {
	var names []string
	for _, p := range r.Evidence.Main.Phases {
		names = append(names, p.Phase)
	}
	return names
}

// Probes and instances naming the same CA file share one pool; the system roots are not
// copied for a cloud probe without a CA of its own.
func TestTrustRootsAreShared(t *testing.T) {
	caFile := testutil.NewCA(t, "Shared CA").WriteFile(t, t.TempDir())
	load := func(settings configtls.ClientConfig) *tlsConfigPointer {
		cfg, err := loadSharedTLS(context.Background(), settings)
		require.NoError(t, err)
		return &tlsConfigPointer{cfg.RootCAs}
	}
	withCA := configtls.ClientConfig{Config: configtls.Config{CAFile: caFile}}
	a, b := load(withCA), load(withCA)
	require.NotNil(t, a.roots)
	assert.Same(t, a.roots, b.roots, "one pool per CA file")

	cloudDefault := createDefaultConfig().(*Config).OTLP.TLS
	require.True(t, cloudDefault.IncludeSystemCACertsPool)
	assert.Nil(t, load(cloudDefault).roots, "nil roots: Go's one system pool, not a copy")

	cloudWithCA := cloudDefault
	cloudWithCA.CAFile = caFile
	c := load(cloudWithCA)
	require.NotNil(t, c.roots)
	assert.NotSame(t, a.roots, c.roots, "system roots plus the CA is another pool")
}

type tlsConfigPointer struct{ roots any }

// tlsKey must read every setting configtls has, or two different settings would share one
// configuration: a new field in a collector upgrade fails here until tlsKey reads it.
func TestTLSKeyReadsEverySetting(t *testing.T) {
	fields := func(v any) int { return reflect.TypeOf(v).NumField() }
	assert.Equal(t, 5, fields(configtls.ClientConfig{}), "configtls.ClientConfig changed: update tlsKey")
	assert.Equal(t, 15, fields(configtls.Config{}), "configtls.Config changed: update tlsKey")
	assert.Equal(t, 5, fields(configtls.TPMConfig{}), "configtls.TPMConfig changed: update tlsKey")

	base := configtls.ClientConfig{}
	variants := []func(*configtls.ClientConfig){
		func(c *configtls.ClientConfig) { c.CAPem = "a" },
		func(c *configtls.ClientConfig) { c.KeyPem = "a" },
		func(c *configtls.ClientConfig) { c.ServerName = "a" },
		func(c *configtls.ClientConfig) { c.MinVersion = "1.3" },
		func(c *configtls.ClientConfig) { c.InsecureSkipVerify = true },
		func(c *configtls.ClientConfig) { c.TPMConfig.Auth = "a" },
	}
	seen := map[string]bool{tlsKey(&base): true}
	for i, change := range variants {
		c := base
		change(&c)
		k := tlsKey(&c)
		assert.False(t, seen[k], "variant %d shares a key", i)
		seen[k] = true
	}
}

// A CA rotated in place, with the same size and modification time, is a new setting at the
// next start: the shared configuration is keyed by what the file holds.
func TestTLSKeyFollowsFileContent(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ca.pem")
	a, b := testutil.NewCA(t, "Rotated CA A"), testutil.NewCA(t, "Rotated CA B")
	for i := 0; i < 50 && len(b.PEM) != len(a.PEM); i++ {
		b = testutil.NewCA(t, "Rotated CA B") // an ECDSA signature's length varies by a byte or two
	}
	require.Len(t, b.PEM, len(a.PEM), "two CAs of one shape, the same size")
	require.NoError(t, os.WriteFile(file, a.PEM, 0o600))
	stamp := time.Now().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, os.Chtimes(file, stamp, stamp))
	c := configtls.ClientConfig{Config: configtls.Config{CAFile: file}}
	before := tlsKey(&c)
	require.NoError(t, os.WriteFile(file, b.PEM, 0o600))
	require.NoError(t, os.Chtimes(file, stamp, stamp))
	assert.NotEqual(t, before, tlsKey(&c))
}

// Instances spread their runs over the interval: the offset is stable per id and differs
// between ids; the next run falls on it, at least half an interval after the first.
func TestRunsAreSpreadOverTheInterval(t *testing.T) {
	const interval = time.Minute
	id := func(name string) component.ID { return component.NewIDWithName(metadata.Type, name) }
	assert.Equal(t, phaseOffset(id("prod"), interval), phaseOffset(id("prod"), interval))
	offsets := map[time.Duration]bool{}
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		off := phaseOffset(id(name), interval)
		assert.True(t, off >= 0 && off < interval, "%s: %s", name, off)
		offsets[off.Truncate(time.Second)] = true
	}
	assert.Greater(t, len(offsets), 6, "eight instances land on different seconds of the minute")

	now := time.Date(2026, 11, 27, 10, 0, 50, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 11, 27, 10, 1, 30, 0, time.UTC), nextPhase(now, interval, 30*time.Second), "10:00:30 is too close to the first run")
	assert.Equal(t, time.Date(2026, 11, 27, 10, 0, 55, 0, time.UTC), nextPhase(now.Add(-30*time.Second), interval, 55*time.Second))
}

// Probes that open a fresh connection per request (the cloud probes) share one transport per
// distinct setting: instances do not each keep their own (and its HTTP/2 pool). The cluster
// probe, whose run reuses its one connection, keeps its own.
func TestFreshConnectionProbesShareTransports(t *testing.T) {
	caFile := testutil.NewCA(t, "Transport CA").WriteFile(t, t.TempDir())
	transportsOf := func(ca string) map[string]http.RoundTripper {
		cfg := createDefaultConfig().(*Config)
		cfg.OTLP.Endpoint = "https://otel.example"
		cfg.Registration.TLS.CAFile, cfg.OTLP.TLS.CAFile = ca, ca
		checks, err := buildChecks(context.Background(), componenttest.NewNopHost(), componenttest.NewNopTelemetrySettings(), cfg)
		require.NoError(t, err)
		out := map[string]http.RoundTripper{}
		for _, c := range checks {
			out[string(c.target.Name)] = c.target.Client.Transport
		}
		return out
	}
	a, b := transportsOf(caFile), transportsOf(caFile)
	assert.Same(t, a["otlp"], b["otlp"], "two instances' intake probes")
	assert.Same(t, a["registration"], a["otlp"], "one instance's two cloud probes, same settings")
	assert.NotSame(t, a["cluster"], b["cluster"], "the cluster probe keeps its own")
	other := transportsOf(testutil.NewCA(t, "Other CA").WriteFile(t, t.TempDir()))
	assert.NotSame(t, a["otlp"], other["otlp"], "another CA, another transport")
}
