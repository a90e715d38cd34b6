package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// envFiles is the repeatable --agent-env flag.
type envFiles []string

func (e *envFiles) String() string     { return strings.Join(*e, ",") }
func (e *envFiles) Set(v string) error { *e = append(*e, v); return nil }

// applyEnvFiles puts the assignments of the agent's env files into this process's environment:
// a file wins over the environment, later files over earlier ones, and the HTTP clients then
// see the proxy variables the agent sees.
func applyEnvFiles(files []string) error {
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("--agent-env: %w", err)
		}
		env, err := agentconfig.ParseEnvFile(f)
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("--agent-env: %s: %w", path, err)
		}
		for name, value := range env {
			if err := os.Setenv(name, value); err != nil {
				return fmt.Errorf("--agent-env: %s: %s: %w", path, name, err)
			}
		}
	}
	return nil
}

// agentReceiverConfig is the receiver configuration that probes exactly what the agent's
// configuration file connects with.
func agentReceiverConfig(path string) (*autoopsreceiver.Config, []agentconfig.Finding, error) {
	s, findings, err := agentconfig.Load(path, os.LookupEnv)
	if err != nil {
		return nil, nil, err
	}
	cfg := autoopsreceiver.NewFactory().CreateDefaultConfig().(*autoopsreceiver.Config)
	autoopsreceiver.ApplyAgentSettings(cfg, s)
	return cfg, agentconfig.Sorted(findings), nil
}

// agentConfigHint says so when the agent's configuration is where the Linux installer puts it
// and the run does not use it: the probe never reads it silently.
func agentConfigHint() string {
	f, err := os.Open(agentconfig.DefaultPath)
	if err != nil {
		return ""
	}
	_ = f.Close()
	return fmt.Sprintf("found the AutoOps agent's configuration at %s; to probe with exactly its settings run: autoops-probe --agent-config %s --agent-env /etc/systemd/system/elastic-agent.service.d/autoops-env.conf",
		agentconfig.DefaultPath, agentconfig.DefaultPath)
}
