package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
)

// Every file the one-shot reads, given as a FIFO nobody writes to or as /dev/zero: refused
// promptly (before, a FIFO hung it past --timeout and /dev/zero ate memory until it died),
// naming the flag or key and "not a regular file".
func TestFilesThatAreNotRegularFiles(t *testing.T) {
	t.Setenv("AUTOOPS_ES_URL", "http://127.0.0.1:1")
	pipe := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(pipe, 0o600))
	paths := map[string]string{"fifo": pipe}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths["device"] = "/dev/zero"
	}
	for kind, path := range paths {
		for _, tt := range []struct{ flag, names string }{
			{"--agent-config", "agent_config: " + path},
			{"--agent-env", "--agent-env: read " + path},
			{"--es-ca", "cluster.tls.ca_file: " + path},
		} {
			t.Run(tt.flag+" "+kind, func(t *testing.T) {
				var code int
				var out, errOut string
				done := make(chan struct{})
				go func() {
					defer close(done)
					code, out, errOut = runCommand(t, tt.flag, path, "--skip", "registration,otlp", "--timeout", "2s")
				}()
				select {
				case <-done:
				case <-time.After(30 * time.Second):
					// Release an open waiting on the FIFO, so the goroutine ends.
					if w, err := os.OpenFile(pipe, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
						_ = w.Close()
					}
					t.Fatalf("%s %s: still running after 30s", tt.flag, path)
				}
				assert.Equal(t, exitUsage, code, out)
				assert.Contains(t, errOut, tt.names)
				assert.Contains(t, errOut, "not a regular file")
			})
		}
	}
}

func TestEnvFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.env")
	require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("A=1\n", 300_000)), 0o600))
	code, out, errOut := runCommand(t, "--agent-env", path, "--skip", "cluster,registration,otlp")
	assert.Equal(t, exitUsage, code, out)
	assert.Contains(t, errOut, "--agent-env: read "+path+": larger than the limit of 1 MiB")
}

// An env file as `docker exec <agent> env` writes it, a PEM over several lines, is read; a
// mistake in one is reported with the file and line, never the line's value.
func TestReadEnvFiles(t *testing.T) {
	dir := t.TempDir()
	pem := "-----BEGIN CERTIFICATE-----\nMIIBxTCCAWugAwIBAgIU\nAbCdEf==\n-----END CERTIFICATE-----"
	docker := filepath.Join(dir, "docker.env")
	require.NoError(t, os.WriteFile(docker, []byte("HOSTNAME=3f2a1b\nAUTOOPS_ES_CA="+pem+"\nHOME=/root\n"), 0o600))
	files, findings, err := readEnvFiles(envFiles{docker})
	require.NoError(t, err)
	assert.Empty(t, findings)
	require.Len(t, files, 1)
	assert.Equal(t, pem, files[0]["AUTOOPS_ES_CA"])
	assert.Equal(t, "/root", files[0]["HOME"])

	// A drop-in line systemd ignores (a name with -) is a finding with the file and line, as
	// systemd starts the agent without it; never its value.
	dropIn := filepath.Join(dir, "autoops-env.conf")
	require.NoError(t, os.WriteFile(dropIn, []byte("[Service]\nEnvironment=\"AUTOOPS-TOKEN=tok_s3cr3t\" \"AUTOOPS_ES_PASSWORD=50%%off\"\n"), 0o600))
	files, findings, err = readEnvFiles(envFiles{docker, dropIn})
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, "dropin_line_ignored", findings[0].Finding)
	assert.Equal(t, dropIn+":2", findings[0].Key)
	assert.NotContains(t, findings[0].Message, "s3cr3t")
	assert.Equal(t, "50%off", files[1]["AUTOOPS_ES_PASSWORD"])
}

// --agent-env with the drop-in directory reads what systemd reads: the unit, every drop-in
// in lexical order and the EnvironmentFile= files; the hint names each of them in that order.
func TestAgentEnvDropInDirectory(t *testing.T) {
	root := t.TempDir()
	unit := filepath.Join(root, "elastic-agent.service")
	require.NoError(t, os.WriteFile(unit, []byte("[Service]\nExecStart=/usr/bin/elastic-agent\nEnvironmentFile=-"+filepath.Join(root, "sysconfig")+"\n"), 0o600))
	require.NoError(t, os.Mkdir(unit+".d", 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(unit+".d", "autoops-env.conf"), []byte("[Service]\nEnvironment=\"AUTOOPS_ES_URL=http://127.0.0.1:1\" \"AUTOOPS_ES_PASSWORD=p%Zw\"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(unit+".d", "00-proxy.conf"), []byte("[Service]\nEnvironment=AUTOOPS_ES_URL=http://127.0.0.1:2\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sysconfig"), []byte("AUTOOPS_TOKEN=from-sysconfig\n"), 0o600))
	files, findings, err := readEnvFiles(envFiles{unit + ".d"})
	require.NoError(t, err)
	assert.Equal(t, []map[string]string{{"AUTOOPS_ES_URL": "http://127.0.0.1:1", "AUTOOPS_TOKEN": "from-sysconfig"}}, files)
	require.Len(t, findings, 1)
	assert.Contains(t, findings[0].Message, "AUTOOPS_ES_PASSWORD")
	assert.NotContains(t, findings[0].Message, "p%Zw")

	config := filepath.Join(root, "elastic-agent.yml")
	require.NoError(t, os.WriteFile(config, []byte("receivers: {}\n"), 0o600))
	hint := agentConfigHint(agentconfig.OSServiceFS(nil), config, unit)
	assert.Contains(t, hint, "--agent-env "+unit+".d")
	assert.Contains(t, hint, strings.Join([]string{unit, filepath.Join(unit+".d", "00-proxy.conf"), filepath.Join(unit+".d", "autoops-env.conf"), filepath.Join(root, "sysconfig")}, ", "))
	assert.Empty(t, agentConfigHint(agentconfig.OSServiceFS(nil), filepath.Join(root, "absent.yml"), unit))

	_, _, err = readEnvFiles(envFiles{root})
	require.ErrorContains(t, err, "not a service's drop-in directory")
}

// ${NAME:-default} without env: makes the agent's collector refuse the whole file: the
// one-shot says so with the finding and probes nothing (never a literal ${...} URL).
func TestAgentConfigInvalidReference(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "elastic-agent.yml")
	require.NoError(t, os.WriteFile(file, []byte(`receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: ${AUTOOPS_ES_URL:-http://127.0.0.1:9200}
exporters:
  otlp_http:
    headers:
      Authorization: "AutoOpsToken ${env:AUTOOPS_TOKEN}"
    endpoint: ${env:AUTOOPS_OTEL_URL}
`), 0o600))
	t.Setenv("AUTOOPS_TOKEN", "t0ken")
	t.Setenv("AUTOOPS_OTEL_URL", "http://127.0.0.1:1")
	code, out, errOut := runCommand(t, "--agent-config", file, "--timeout", "2s")
	assert.Equal(t, exitUsage, code, out)
	assert.Contains(t, out, "[CONFIG] agent_config_invalid")
	assert.Contains(t, errOut, "${AUTOOPS_ES_URL:-...}")
	assert.NotContains(t, out+errOut, "127.0.0.1:9200")
}

// --agent-env naming one file many times reads it once, and the files are bounded as a whole:
// a command line of thousands of --agent-env must not read gigabytes (75 s and 5 GB read
// before the bound).
func TestAgentEnvFilesAreBoundedAsAWhole(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.env")
	require.NoError(t, os.WriteFile(big, []byte("AUTOOPS_TOKEN=t\n"+strings.Repeat("# comment line\n", (1<<20-20)/15)), 0o600))
	names := make([]string, 5000)
	for i := range names {
		names[i] = big
	}
	start := time.Now()
	files, _, err := readEnvFiles(names)
	require.NoError(t, err)
	require.Len(t, files, len(names), "each place in the order kept")
	assert.Equal(t, "t", files[4999]["AUTOOPS_TOKEN"])
	assert.Less(t, time.Since(start), 10*time.Second, "read once, not 5000 times")

	var distinct envFiles
	for i := range maxEnvFiles + 1 {
		p := filepath.Join(dir, fmt.Sprintf("%d.env", i))
		require.NoError(t, os.WriteFile(p, []byte("A=1\n"), 0o600))
		distinct = append(distinct, p)
	}
	_, _, err = readEnvFiles(distinct)
	assert.ErrorContains(t, err, fmt.Sprintf("more than %d files", maxEnvFiles))
}
