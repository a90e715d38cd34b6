package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
)

// envFiles is the repeatable --agent-env flag.
type envFiles []string

func (e *envFiles) String() string     { return strings.Join(*e, ",") }
func (e *envFiles) Set(v string) error { *e = append(*e, v); return nil }

// readEnvFiles reads the agent's env files for the agent model: a file wins over the
// environment, a later file over an earlier one. This process's environment is never changed.
func readEnvFiles(files []string) ([]map[string]string, error) {
	var out []map[string]string
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--agent-env: %w", err)
		}
		env, err := agentconfig.ParseEnvFile(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("--agent-env: %s: %w", path, err)
		}
		out = append(out, env)
	}
	return out, nil
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
