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
// A directory is a unit's drop-in directory (elastic-agent.service.d): the environment systemd
// gives the service, from the unit, every drop-in and their EnvironmentFile= files. A file
// with [Service] or Environment= lines is one drop-in, read as systemd reads it; any other is
// NAME=VALUE lines. Each file is a regular file of at most agentconfig.MaxFileSize (never a
// FIFO that would hang); a file named twice is read once, and at most maxEnvFiles files and
// maxEnvFilesSize bytes of NAME=VALUE files and drop-ins named directly.
func readEnvFiles(files []string) ([]map[string]string, []agentconfig.Finding, error) {
	var out []map[string]string
	var findings []agentconfig.Finding
	fsys := agentconfig.OSServiceFS(agentconfig.HostSpecifier)
	read, total := map[string]map[string]string{}, 0
	for _, path := range files {
		if env, ok := read[filepath.Clean(path)]; ok {
			out = append(out, env) // its place in the order still counts
			continue
		}
		if len(read) == maxEnvFiles {
			return nil, nil, fmt.Errorf("--agent-env: more than %d files", maxEnvFiles)
		}
		env, found, n, err := readEnvFile(fsys, path, maxEnvFilesSize-total)
		if err != nil {
			return nil, nil, err
		}
		total += n
		read[filepath.Clean(path)] = env
		out, findings = append(out, env), append(findings, found...)
	}
	return out, findings, nil
}

// readEnvFile reads one --agent-env: a drop-in directory, a drop-in, or NAME=VALUE lines, of
// at most budget bytes (n is what it read directly).
func readEnvFile(fsys agentconfig.ServiceFS, path string, budget int) (env map[string]string, findings []agentconfig.Finding, n int, err error) {
	if info, statErr := os.Stat(path); statErr == nil && info.IsDir() {
		dir := strings.TrimSuffix(path, "/")
		if !strings.HasSuffix(dir, ".service.d") {
			return nil, nil, 0, fmt.Errorf("--agent-env: %s is a directory, not a service's drop-in directory (NAME.service.d, such as %s)", path, agentconfig.DropInDir)
		}
		svc, err := agentconfig.ReadServiceEnvironment(fsys, strings.TrimSuffix(dir, ".d"))
		if err != nil {
			return nil, nil, 0, fmt.Errorf("--agent-env: %s: %w", path, err)
		}
		return svc.Env, svc.Findings, 0, nil
	}
	raw, err := agentconfig.ReadFile(path, int64(min(agentconfig.MaxFileSize, budget)))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("--agent-env: %w", err)
	}
	if agentconfig.IsDropIn(raw) {
		svc, err := agentconfig.ReadDropIn(fsys, path, raw)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("--agent-env: %s: %w", path, err)
		}
		return svc.Env, svc.Findings, len(raw), nil
	}
	env, err = agentconfig.ParseEnvFile(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("--agent-env: %s: %w", path, err)
	}
	return env, nil, len(raw), nil
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
