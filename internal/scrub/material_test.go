package scrub

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A key's base64 without its PEM header, PEM text or several lines may be key material; the
// paths users give are not.
func TestMayBeKeyMaterial(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	for _, v := range []string{
		base64.StdEncoding.EncodeToString(der), base64.RawURLEncoding.EncodeToString(der),
		"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----", "line one\nline two",
		"/" + strings.Repeat("A/b1", 70) + "xyz", "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg",
	} {
		assert.True(t, MayBeKeyMaterial(v), v)
	}
	for _, v := range []string{
		"/etc/elastic/agent/certs/cacert", "/etc/ssl/certs/ca-certificates.crt", "./certs/http_ca.crt",
		"ca.pem", "/opt/Elastic/Agent/certs/ESCA2024", "C:\\Program Files\\Elastic\\ca.crt", "~/certs/elasticsearch/ca",
	} {
		assert.False(t, MayBeKeyMaterial(v), v)
	}
}
