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
	files, err := readEnvFiles(envFiles{docker})
	require.NoError(t, err)
	require.Len(t, files, 1)
	assert.Equal(t, pem, files[0]["AUTOOPS_ES_CA"])
	assert.Equal(t, "/root", files[0]["HOME"])

	dropIn := filepath.Join(dir, "autoops-env.conf")
	require.NoError(t, os.WriteFile(dropIn, []byte("[Service]\nEnvironment=\"AUTOOPS-TOKEN=tok_s3cr3t\"\n"), 0o600))
	_, err = readEnvFiles(envFiles{docker, dropIn})
	require.ErrorContains(t, err, "--agent-env: "+dropIn+": line 2: word 1 of Environment= is not NAME=VALUE")
	assert.NotContains(t, err.Error(), "s3cr3t")
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
	files, err := readEnvFiles(names)
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
	_, err = readEnvFiles(distinct)
	assert.ErrorContains(t, err, fmt.Sprintf("more than %d files", maxEnvFiles))
}
