package diagnose

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// A certificate attribute Go prints as hex DER (an emailAddress holding the API key) reaches
// no fact and no sentence as hex the scrubber cannot read: the report's cert line,
// tls.server.subject and the earliest expiry's subject carry it scrubbed.
func TestHexDERAttributesAreScrubbed(t *testing.T) {
	secretB64 := strings.TrimPrefix(scrubAuth, "ApiKey ")
	email := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: secretB64}
	ca := testutil.NewCA(t, "Scrub Test CA")
	cert := ca.Leaf(t, testutil.LeafOptions{ExtraNames: []pkix.AttributeTypeAndValue{email}})
	es := &testutil.FakeES{Authorization: scrubAuth, Root: rootEchoing("cluster")}
	addr := testutil.ServeTLSLikeElasticsearch(t, cert, es)
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	v, ev := run(t, setup{
		name: probe.Cluster, url: "https://" + addr, roots: roots, auth: scrubAuth,
		ctx: Context{Credentials: CredentialsAPIKey}, secrets: &probe.Secrets{Authorizations: []string{scrubAuth}},
	})
	require.True(t, v.Passed, v.Summary())
	require.Contains(t, ev.LeafCertificate().Subject.String(), "1.2.840.113549.1.9.1=#", "Go prints the attribute as hex")
	require.NotNil(t, v.Facts.Certificate)
	assert.Contains(t, v.Facts.Certificate.Subject, "1.2.840.113549.1.9.1="+probe.Redacted)
	hexSecret := strings.ToLower(strings.TrimPrefix(ev.LeafCertificate().Subject.String(), "CN=localhost,1.2.840.113549.1.9.1=#"))
	for _, s := range []string{secretB64[:probe.Fragment], base64.StdEncoding.EncodeToString([]byte(scrubKeySecret))[:8], hexSecret[4:20]} {
		assert.NotContains(t, verdictText(v), s)
	}
}

// The pinned-leaf sentences name certificates by subject: an attribute there that Go prints as
// hex DER (an emailAddress holding the API key) reaches them as text the scrubber reads, in
// ca_file_pins_leaf's note (the server's own certificate) and in tls_pinned_leaf_changed (the
// old one and the one presented now).
func TestPinnedLeafSubjectsAreScrubbed(t *testing.T) {
	secretB64 := strings.TrimPrefix(scrubAuth, "ApiKey ")
	email := pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: secretB64}
	ca := testutil.NewCA(t, "Scrub Test CA")
	leaf := testutil.LeafOptions{ExtraNames: []pkix.AttributeTypeAndValue{email}}
	old, renewed := ca.Leaf(t, leaf), ca.Leaf(t, leaf)
	require.Contains(t, old.Leaf.Subject.String(), "1.2.840.113549.1.9.1=#", "Go prints the attribute as hex")
	pinned := certPEM(old)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(pinned))
	for _, served := range []tls.Certificate{old, renewed} {
		es := &testutil.FakeES{Authorization: scrubAuth, Root: rootEchoing("cluster")}
		addr := testutil.ServeTLSLikeElasticsearch(t, served, es)
		v, _ := run(t, setup{
			name: probe.Cluster, url: "https://" + addr, roots: roots, caPEM: pinned, auth: scrubAuth,
			ctx: Context{Credentials: CredentialsAPIKey}, secrets: &probe.Secrets{Authorizations: []string{scrubAuth}},
		})
		if served.Leaf == old.Leaf {
			require.True(t, v.Passed, v.Summary())
			require.Contains(t, v.Warnings, WarnCAFilePinsLeaf)
		} else {
			assertFailed(t, v, TLSPinnedLeafChanged)
		}
		assert.Contains(t, v.Evidence, "1.2.840.113549.1.9.1="+probe.Redacted)
		for _, s := range []string{secretB64[:probe.Fragment], base64.StdEncoding.EncodeToString([]byte(scrubKeySecret))[:8], hex.EncodeToString([]byte(secretB64))[:16]} {
			assert.NotContains(t, verdictText(v), s)
		}
	}
}

// Terminal control characters in what the server wrote (a certificate's subject) reach the
// facts escaped: they become the report's cert line, tls.server.subject and log records,
// which a terminal may show.
func TestFactsEscapeControlCharacters(t *testing.T) {
	ca := testutil.NewCA(t, "Control CA")
	cert := ca.Leaf(t, testutil.LeafOptions{Organization: []string{"Evil\x1b[2J\x07\u009b31m"}})
	es := &testutil.FakeES{Authorization: scrubAuth, Root: rootEchoing("cluster")}
	addr := testutil.ServeTLSLikeElasticsearch(t, cert, es)
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	v, _ := run(t, setup{
		name: probe.Cluster, url: "https://" + addr, roots: roots, auth: scrubAuth,
		ctx: Context{Credentials: CredentialsAPIKey}, secrets: &probe.Secrets{Authorizations: []string{scrubAuth}},
	})
	require.NotNil(t, v.Facts.Certificate)
	assert.Contains(t, v.Facts.Certificate.Subject, `O=Evil\u001B[2J\u0007\u009B31m`)
	assert.NotContains(t, verdictText(v)+v.Facts.Certificate.Subject, "\x1b")
}
