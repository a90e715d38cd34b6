package diagnose

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

const scrubKeySecret = "ui2lp2axTNmsyakw9tvNnw"

var scrubAuth = "ApiKey " + base64.StdEncoding.EncodeToString([]byte("VuaCfGcBCdbkQm-e5aOx:"+scrubKeySecret))

// escapeAll writes s as JSON \u00XX escapes, as a server may write any string.
func escapeAll(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, `\u%04x`, c)
	}
	return b.String()
}

// rootEchoing is a root answer whose names carry the secret, one \u00XX-escaped.
func rootEchoing(secret string) string {
	return `{"name":"node-` + secret + `","cluster_name":"` + escapeAll(secret) + `","cluster_uuid":"u","version":{"number":"9.1.3"}}`
}

// verdictText is everything of a verdict that reaches a log, a metric, the report or status.
func verdictText(v Verdict) string {
	text := v.Summary() + v.FullRemedy() + v.Facts.AnsweredBy + v.Facts.Location + v.Facts.EarliestExpirySubject
	if c := v.Facts.Cluster; c != nil {
		text += c.Name + c.ClusterName + c.ClusterUUID + c.Version.Number
	}
	if c := v.Facts.Certificate; c != nil {
		text += c.Subject + c.Issuer + strings.Join(c.DNSNames, ",")
	}
	return text
}

// Facts go through the probe's scrubber like the evidence: the cluster's names, which become
// resource attributes, are the server's to write. Recorded evidence, so that only the
// diagnosis stands between the answer and the facts.
func TestFactsAreScrubbed(t *testing.T) {
	r := probe.NewRedactor(probe.Secrets{Authorizations: []string{scrubAuth}})
	ev := recorded(probe.Cluster, "https://es.corp:9200").answered(200, rootEchoing(scrubKeySecret), elastic).
		with(func(ev *probe.Evidence) { ev.Redact = r.Redact })
	v := Diagnose(&ev.Evidence, Context{Credentials: CredentialsAPIKey})
	require.True(t, v.Passed, v.Summary())
	require.NotNil(t, v.Facts.Cluster)
	assert.Equal(t, probe.Redacted, v.Facts.Cluster.ClusterName)
	assert.Equal(t, "node-"+probe.Redacted, v.Facts.Cluster.Name)
	assert.NotContains(t, verdictText(v), scrubKeySecret)
}

// A certificate's subject is the server's to choose, and may carry an echoed header: the
// certificate facts (the report's cert line, tls.server.subject, the earliest expiry's
// subject) are scrubbed. A real server over TLS, its root's cluster_name \u00XX-escaped.
func TestCertificateFieldsAreScrubbed(t *testing.T) {
	ca := testutil.NewCA(t, "Scrub Test CA")
	cert := ca.Leaf(t, testutil.LeafOptions{Organization: []string{"Echo " + scrubAuth}})
	es := &testutil.FakeES{Authorization: scrubAuth, Root: rootEchoing(scrubKeySecret)}
	addr := testutil.ServeTLSLikeElasticsearch(t, cert, es)
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	v, ev := run(t, setup{
		name: probe.Cluster, url: "https://" + addr, roots: roots, auth: scrubAuth,
		ctx: Context{Credentials: CredentialsAPIKey}, secrets: &probe.Secrets{Authorizations: []string{scrubAuth}},
	})
	require.True(t, v.Passed, v.Summary())
	require.NotEmpty(t, ev.Main.PeerChain)
	require.Contains(t, ev.LeafCertificate().Subject.String(), scrubAuth, "the certificate carries the secret")
	require.NotNil(t, v.Facts.Certificate)
	assert.Contains(t, v.Facts.Certificate.Subject, "O=Echo "+probe.Redacted)
	assert.Contains(t, v.Facts.EarliestExpirySubject, probe.Redacted)
	assert.Equal(t, probe.Redacted, v.Facts.Cluster.ClusterName)
	secretB64 := strings.TrimPrefix(scrubAuth, "ApiKey ")
	for _, s := range []string{scrubKeySecret, secretB64, secretB64[:probe.Fragment]} {
		assert.NotContains(t, verdictText(v), s)
	}
}
