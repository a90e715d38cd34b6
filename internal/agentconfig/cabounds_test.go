package agentconfig

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// caListConfig is an agent configuration whose module names each path as a CA.
func caListConfig(t *testing.T, paths []string) string {
	return writeFile(t, "elastic-agent.yml", `receivers:
  metricbeatreceiver:
    metricbeat:
      modules:
        - module: autoops_es
          hosts: https://es:9200
          ssl.certificate_authorities: ["`+strings.Join(paths, `", "`)+`"]
`)
}

// countingReader serves a 1 MiB bundle (a certificate and comments) for any CA path, and
// counts the reads and the bytes they return.
type countingReader struct{ reads, bytes int }

func (c *countingReader) read(path string) ([]byte, error) {
	if !strings.HasPrefix(path, "/ca/") {
		return ReadFile(path, MaxFileSize)
	}
	bundle := []byte(caPEM + strings.Repeat("# filler line of a large bundle\n", (1<<20-len(caPEM))/32))
	c.reads++
	c.bytes += len(bundle)
	return bundle, nil
}

// ssl.certificate_authorities naming one 1 MiB bundle 150 times reads it once; naming 150
// different ones reads at most MaxCATotalSize bytes and MaxCAs files, with one finding.
func TestCAListIsBoundedAsAWhole(t *testing.T) {
	same := make([]string, 150)
	for i := range same {
		same[i] = "/ca/bundle.pem"
	}
	same[1] = "/ca//bundle.pem"
	c := &countingReader{}
	m, err := Resolve(Inputs{ConfigPath: caListConfig(t, same), ReadFile: c.read})
	require.NoError(t, err)
	assert.Equal(t, 1, c.reads, "a file named twice is read once")
	assert.Len(t, m.Cluster.CAs, 1)
	assert.Empty(t, m.Findings)

	distinct := make([]string, 150)
	for i := range distinct {
		distinct[i] = fmt.Sprintf("/ca/bundle-%d.pem", i)
	}
	c = &countingReader{}
	m, err = Resolve(Inputs{ConfigPath: caListConfig(t, distinct), ReadFile: c.read})
	require.NoError(t, err)
	total := 0
	for _, ca := range m.Cluster.CAs {
		total += len(ca.PEM)
	}
	assert.LessOrEqual(t, total, MaxCATotalSize, "the list holds at most MaxCATotalSize bytes")
	assert.LessOrEqual(t, c.reads, MaxCATotalSize>>20+1, "reading stops once the total is reached")
	require.Equal(t, []string{CAFileUnusable}, findingsOf(m), "one finding, not one per file")
	assert.Contains(t, m.Findings[0].Message, "in total")

	small := make([]string, 100)
	for i := range small {
		small[i] = fmt.Sprintf("/small/ca-%d.pem", i)
	}
	reads := 0
	m, err = Resolve(Inputs{ConfigPath: caListConfig(t, small), ReadFile: func(path string) ([]byte, error) {
		if !strings.HasPrefix(path, "/small/") {
			return ReadFile(path, MaxFileSize)
		}
		reads++
		return []byte(caPEM), nil
	}})
	require.NoError(t, err)
	assert.Len(t, m.Cluster.CAs, MaxCAs)
	assert.Equal(t, MaxCAs, reads)
	require.Equal(t, []string{CAFileUnusable}, findingsOf(m), "one finding, not one per file")
	assert.Contains(t, m.Findings[0].Message, fmt.Sprintf("more than %d", MaxCAs))
}

// AUTOOPS_ES_CA holding a key's base64 without its PEM header (or PEM text of a key) is
// refused without quoting any of it; a path is still named, its control bytes escaped.
func TestCAFindingQuotesNoKeyMaterial(t *testing.T) {
	keyB64 := "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgS3cretKeyMaterial0123456789abcdefghij"
	for _, v := range []string{keyB64, base64.RawURLEncoding.EncodeToString([]byte(keyB64))} {
		m := resolveWith(t, "", map[string]string{VarESCA: v})
		require.Equal(t, []string{CAFileUnusable}, findingsOf(m))
		assert.Contains(t, m.Findings[0].Message, VarESCA)
		assert.NotContains(t, m.Findings[0].Message, v[:12])
	}
	m := resolveWith(t, "", map[string]string{VarESCA: "/etc/missing\x1b[2J.pem"})
	require.Equal(t, []string{CAFileUnusable}, findingsOf(m))
	assert.Contains(t, m.Findings[0].Message, `/etc/missing\u001B[2J.pem`)
	assert.NotContains(t, m.Findings[0].Message, "\x1b")
}
