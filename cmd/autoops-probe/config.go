package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"

	autoopsprobe "github.com/autoopsprobe/autoops-probe"
	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// overrides are the settings flags may change. Secrets are read only from the environment
// (or the config file), so they never sit in a shell history or a process list.
type overrides struct {
	esURL, esCA, otelURL, registrationURL, region, csp string
	timeout                                            time.Duration
	skip                                               string
}

// loadConfig reads the receiver's configuration the way a collector would: from the
// collector config file (receiver id in it), or from the distribution's default config,
// which reads the AutoOps agent's variables. Flags then override.
func loadConfig(ctx context.Context, configPath, receiverID string, o overrides) (*autoopsreceiver.Config, error) {
	uri := "yaml:" + autoopsprobe.DefaultConfig
	if configPath == "" {
		// An empty variable counts as unset, so the next in the agent's order applies (the
		// collector's env provider would read it as set).
		for _, name := range autoopsreceiver.AgentVariableNames() {
			if v, ok := os.LookupEnv(name); ok && v == "" {
				_ = os.Unsetenv(name)
			}
		}
	}
	if configPath != "" {
		uri = "file:" + configPath
	}
	resolver, err := confmap.NewResolver(confmap.ResolverSettings{
		URIs:              []string{uri},
		ProviderFactories: []confmap.ProviderFactory{fileprovider.NewFactory(), envprovider.NewFactory(), yamlprovider.NewFactory()},
		DefaultScheme:     "env",
	})
	if err != nil {
		return nil, err
	}
	conf, err := resolver.Resolve(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", orDefault(configPath), err)
	}
	receivers, err := conf.Sub("receivers")
	if err != nil {
		return nil, err
	}
	ids := receivers.ToStringMap()
	if _, ok := ids[receiverID]; !ok {
		return nil, fmt.Errorf("--receiver: %s has no receiver %q (it has: %s)", orDefault(configPath), receiverID, strings.Join(slices.Sorted(maps.Keys(ids)), ", "))
	}
	sub, err := receivers.Sub(receiverID)
	if err != nil {
		return nil, err
	}
	cfg := autoopsreceiver.NewFactory().CreateDefaultConfig().(*autoopsreceiver.Config)
	if err := sub.Unmarshal(cfg); err != nil {
		return nil, fmt.Errorf("receivers::%s: %w", receiverID, err)
	}
	return cfg, o.apply(cfg)
}

func (o overrides) apply(cfg *autoopsreceiver.Config) error {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.Cluster.Endpoint, o.esURL)
	set(&cfg.Cluster.TLS.CAFile, o.esCA)
	set(&cfg.Registration.Endpoint, o.registrationURL)
	set(&cfg.OTLP.Endpoint, o.otelURL)
	set(&cfg.OTLP.Region, o.region)
	set(&cfg.OTLP.CSP, o.csp)
	if o.timeout > 0 {
		cfg.Cluster.Timeout, cfg.Registration.Timeout, cfg.OTLP.Timeout = o.timeout, o.timeout, o.timeout
	}
	for _, name := range strings.Split(o.skip, ",") {
		switch strings.TrimSpace(name) {
		case "":
		case "cluster":
			cfg.Cluster.Enabled = false
		case "registration":
			cfg.Registration.Enabled = false
		case "otlp":
			cfg.OTLP.Enabled = false
		default:
			return fmt.Errorf("--skip: %q is not a probe (cluster, registration, otlp)", name)
		}
	}
	return nil
}

func orDefault(path string) string {
	if path == "" {
		return "the default config"
	}
	return path
}
