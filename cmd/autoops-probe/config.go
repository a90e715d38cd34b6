package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"

	autoopsprobe "github.com/autoopsprobe/autoops-probe"
	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// overrides are the settings flags may change. Secrets are read only from the environment
// (or the config file), so they never sit in a shell history or a process list.
type overrides struct {
	esURL, esCA, otelURL, registrationURL, region, csp string
	agentVersion                                       string
	timeout                                            time.Duration
	skip                                               string
	// checkBatchSize is otlp.check_batch_size (--check-batch-size).
	checkBatchSize string
}

// loadConfig reads the receiver's configuration the way a collector would: from the
// collector config file (receiver id in it), or from the distribution's default config,
// whose agent_environment reads the AutoOps agent's variables as the agent does.
func loadConfig(ctx context.Context, configPath, receiverID string) (*autoopsreceiver.Config, error) {
	uri := "yaml:" + autoopsprobe.DefaultConfig
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
	return cfg, nil
}

// variables are the flags that stand for the agent's variables: for the agent model they are
// one more env file, over every other.
func (o overrides) variables() map[string]string {
	out := map[string]string{}
	for name, v := range map[string]string{
		agentconfig.VarESURL: o.esURL, agentconfig.VarCACert: o.esCA, agentconfig.VarESCA: o.esCA,
		agentconfig.VarOTelURL: o.otelURL, agentconfig.VarRegistrationURL: o.registrationURL,
	} {
		if v != "" {
			out[name] = v
		}
	}
	return out
}

// apply sets the flags on the receiver's keys (the agent model, where it applies, then
// reads the same values through variables).
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
	set(&cfg.AgentVersion, o.agentVersion)
	set(&cfg.OTLP.CheckBatchSize, o.checkBatchSize)
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
