package agentconfig

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// fifo makes a named pipe nobody writes to: opening it for reading the ordinary way waits
// forever.
func fifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	return path
}

// devZero is a device that never ends: reading it whole eats memory until the process dies.
func devZero(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero here")
	}
	return "/dev/zero"
}

// returns runs f and fails if it has not returned after a generous wait, rather than hang the
// test: a reader blocked opening a FIFO is then released by opening its write end.
func returns(t *testing.T, fifo string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		if fifo != "" {
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				_ = w.Close()
			}
		}
		t.Fatal("still reading after 30s: it blocks")
	}
}

func TestReadFileRefusesWhatIsNotARegularFile(t *testing.T) {
	for _, tt := range []struct {
		name, path, kind string
	}{
		{"fifo", fifo(t), "a named pipe (FIFO)"},
		{"device", devZero(t), "a character device"},
		{"directory", t.TempDir(), "a directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			returns(t, tt.path, func() { _, err = ReadFile(tt.path, MaxFileSize) })
			require.ErrorIs(t, err, ErrNotRegular)
			assert.ErrorContains(t, err, tt.path)
			assert.ErrorContains(t, err, "not a regular file: it is "+tt.kind)
		})
	}
}

func TestReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	at := filepath.Join(dir, "at-limit")
	over := filepath.Join(dir, "over-limit")
	require.NoError(t, os.WriteFile(at, []byte(strings.Repeat("x", 16)), 0o600))
	require.NoError(t, os.WriteFile(over, []byte("secret-content-1!"), 0o600))

	raw, err := ReadFile(at, 16)
	require.NoError(t, err)
	assert.Len(t, raw, 16)

	_, err = ReadFile(over, 16)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.ErrorContains(t, err, over)
	assert.NotContains(t, err.Error(), "secret-content", "never the content")

	big := filepath.Join(dir, "big.yml")
	require.NoError(t, os.WriteFile(big, []byte(strings.Repeat("#", MaxFileSize+1)), 0o600))
	_, err = ReadFile(big, MaxFileSize)
	assert.ErrorContains(t, err, "larger than the limit of 1 MiB")

	_, err = ReadFile(filepath.Join(dir, "missing"), 16)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// The agent's configuration, a CA path in it or in its variables, and the tls files: each a
// FIFO or a device, each refused promptly with the key and "not a regular file".
func TestAgentFilesThatAreNotRegularFiles(t *testing.T) {
	ca := testutil.NewCA(t, "test CA")
	for _, tt := range []struct{ name, path string }{
		{"fifo", fifo(t)},
		{"device", devZero(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("agent_config", func(t *testing.T) {
				var err error
				returns(t, tt.path, func() { _, err = Resolve(Inputs{ConfigPath: tt.path}) })
				assert.ErrorContains(t, err, tt.path+" cannot be read: not a regular file")
			})
			t.Run("ssl.certificate_authorities", func(t *testing.T) {
				dir := t.TempDir()
				cfg := filepath.Join(dir, "elastic-agent.yml")
				require.NoError(t, os.WriteFile(cfg, []byte(`receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: https://es:9200
          ssl.certificate_authorities: ["`+tt.path+`"]
`), 0o600))
				var m *Model
				var err error
				returns(t, tt.path, func() { m, err = Resolve(Inputs{ConfigPath: cfg}) })
				require.NoError(t, err)
				require.Len(t, m.Findings, 1)
				assert.Equal(t, CAFileUnusable, m.Findings[0].Finding)
				assert.Contains(t, m.Findings[0].Message, "ssl.certificate_authorities names "+tt.path+", which is not a regular file")
			})
			t.Run("AUTOOPS_CA_CERT", func(t *testing.T) {
				env := map[string]string{VarCACert: tt.path}
				var m *Model
				returns(t, tt.path, func() { m, _ = Resolve(Inputs{EnvFiles: []map[string]string{env}}) })
				require.Len(t, m.Findings, 1)
				assert.Contains(t, m.Findings[0].Message, "AUTOOPS_CA_CERT names "+tt.path+", which is not a regular file")
			})
			for _, kind := range []string{"CERTIFICATE", "PRIVATE KEY"} {
				t.Run("PEMFile "+kind, func(t *testing.T) {
					var err error
					returns(t, tt.path, func() { err = PEMFile(tt.path, kind) })
					assert.ErrorContains(t, err, "is not a regular file: it is a")
				})
			}
		})
	}
	t.Run("a CA file is fine", func(t *testing.T) {
		path := ca.WriteFile(t, t.TempDir())
		require.NoError(t, PEMFile(path, "CERTIFICATE"))
		m, err := Resolve(Inputs{EnvFiles: []map[string]string{{VarCACert: path}}})
		require.NoError(t, err)
		assert.Empty(t, m.Findings)
		require.Len(t, m.Cluster.CAs, 1)
	})
	t.Run("an oversize agent configuration", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "elastic-agent.yml")
		require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("# padding\n", MaxFileSize/10+1)), 0o600))
		_, err := Resolve(Inputs{ConfigPath: path})
		assert.ErrorContains(t, err, path+" cannot be read: larger than the limit of 1 MiB")
	})
}
