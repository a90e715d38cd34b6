package main

import (
	"bytes"
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
// A directory is a unit's drop-in directory (elastic-agent.service.d): the environment systemd
// gives the service, from the unit, every drop-in and their EnvironmentFile= files. A file
// with [Service] or Environment= lines is one drop-in, read as systemd reads it; any other is
// NAME=VALUE lines. Each file is a regular file of at most agentconfig.MaxFileSize (never a
// FIFO that would hang).
func readEnvFiles(files []string) ([]map[string]string, []agentconfig.Finding, error) {
	var out []map[string]string
	var findings []agentconfig.Finding
	fsys := agentconfig.OSServiceFS(agentconfig.HostSpecifier)
	for _, path := range files {
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			dir := strings.TrimSuffix(path, "/")
			if !strings.HasSuffix(dir, ".service.d") {
				return nil, nil, fmt.Errorf("--agent-env: %s is a directory, not a service's drop-in directory (NAME.service.d, such as %s)", path, agentconfig.DropInDir)
			}
			svc, err := agentconfig.ReadServiceEnvironment(fsys, strings.TrimSuffix(dir, ".d"))
			if err != nil {
				return nil, nil, fmt.Errorf("--agent-env: %s: %w", path, err)
			}
			out, findings = append(out, svc.Env), append(findings, svc.Findings...)
			continue
		}
		raw, err := agentconfig.ReadFile(path, agentconfig.MaxFileSize)
		if err != nil {
			return nil, nil, fmt.Errorf("--agent-env: %w", err)
		}
		if agentconfig.IsDropIn(raw) {
			svc, err := agentconfig.ReadDropIn(fsys, path)
			if err != nil {
				return nil, nil, fmt.Errorf("--agent-env: %s: %w", path, err)
			}
			out, findings = append(out, svc.Env), append(findings, svc.Findings...)
			continue
		}
		env, err := agentconfig.ParseEnvFile(bytes.NewReader(raw))
		if err != nil {
			return nil, nil, fmt.Errorf("--agent-env: %s: %w", path, err)
		}
		out = append(out, env)
	}
	return out, findings, nil
}

// agentConfigHint says so when the agent's configuration is where the Linux installer puts it
// and the run does not use it: the probe never reads it silently. It names every file
// systemd reads the agent's environment from, in systemd's order.
func agentConfigHint(fsys agentconfig.ServiceFS, configPath, unitPath string) string {
	// Stat, not open: opening a FIFO put there would wait for a writer forever.
	if info, err := os.Stat(configPath); err != nil || !info.Mode().IsRegular() {
		return ""
	}
	hint := fmt.Sprintf("found the AutoOps agent's configuration at %s; to probe with exactly its settings run: autoops-probe --agent-config %s --agent-env %s.d",
		configPath, configPath, unitPath)
	svc, err := agentconfig.ReadServiceEnvironment(fsys, unitPath)
	if err != nil {
		return hint + fmt.Sprintf(" (its environment cannot be read as systemd reads it: %v)", err)
	}
	var names []string
	for _, f := range svc.Files {
		switch {
		case f.Missing && f.Optional:
			names = append(names, f.Path+" (optional, absent)")
		case f.Missing:
			names = append(names, f.Path+" (absent: the installer's unit assumed)")
		default:
			names = append(names, f.Path)
		}
	}
	return hint + "\nsystemd gives the agent its environment from, in this order (later wins): " + strings.Join(names, ", ")
}
