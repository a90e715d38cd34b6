package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
)

// envFiles is the repeatable --agent-env flag.
type envFiles []string

func (e *envFiles) String() string     { return strings.Join(*e, ",") }
func (e *envFiles) Set(v string) error { *e = append(*e, v); return nil }

// The env files are bounded as a whole as well as each: --agent-env repeated thousands of
// times (or one file named again and again) must not hold gigabytes.
const (
	maxEnvFiles     = 32
	maxEnvFilesSize = 16 << 20
)

// readEnvFiles reads the agent's env files for the agent model: a file wins over the
// environment, a later file over an earlier one. This process's environment is never changed.
// Each is a regular file of at most agentconfig.MaxFileSize (never a FIFO that would hang);
// a file named twice is read once, and at most maxEnvFiles files and maxEnvFilesSize bytes.
func readEnvFiles(files []string) ([]map[string]string, error) {
	var out []map[string]string
	read, total := map[string]map[string]string{}, 0
	for _, path := range files {
		if env, ok := read[filepath.Clean(path)]; ok {
			out = append(out, env) // its place in the order still counts
			continue
		}
		if len(read) == maxEnvFiles {
			return nil, fmt.Errorf("--agent-env: more than %d files", maxEnvFiles)
		}
		raw, err := agentconfig.ReadFile(path, int64(min(agentconfig.MaxFileSize, maxEnvFilesSize-total)))
		if err != nil {
			return nil, fmt.Errorf("--agent-env: %w", err)
		}
		total += len(raw)
		env, err := agentconfig.ParseEnvFile(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("--agent-env: %s: %w", path, err)
		}
		read[filepath.Clean(path)] = env
		out = append(out, env)
	}
	return out, nil
}

// agentConfigHint says so when the agent's configuration is where the Linux installer puts it
// and the run does not use it: the probe never reads it silently.
func agentConfigHint() string {
	// Stat, not open: opening a FIFO put there would wait for a writer forever.
	if info, err := os.Stat(agentconfig.DefaultPath); err != nil || !info.Mode().IsRegular() {
		return ""
	}
	return fmt.Sprintf("found the AutoOps agent's configuration at %s; to probe with exactly its settings run: autoops-probe --agent-config %s --agent-env /etc/systemd/system/elastic-agent.service.d/autoops-env.conf",
		agentconfig.DefaultPath, agentconfig.DefaultPath)
}
