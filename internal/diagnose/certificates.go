package diagnose

import (
	"bytes"
	"crypto/x509"
	"net"
	"slices"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// Matches about certificates beyond the chain's trust: the server's request for one of ours,
// a chain sent without its intermediate, a host named only in the Common Name.

// nginxNoCertificate are the texts of nginx's 400 page when ssl_verify_client wants a
// certificate that was not sent, or one it refused.
var nginxNoCertificate = []string{"No required SSL certificate was sent", "The SSL certificate error"}

// tlsClientCertificateRequired: the server asked for a client certificate and then refused
// the connection for it: an alert after its CertificateRequest, or nginx's 400 page.
func tlsClientCertificateRequired(j *judgement) (string, bool) {
	if r := j.answer(); r != nil {
		if r.Status == 400 && slices.ContainsFunc(nginxNoCertificate, func(s string) bool { return bytes.Contains(r.Body, []byte(s)) }) {
			return sentence("%s answered 400 %s: the server wants a client certificate (mutual TLS)", j.target(), snippet(r.Body))
		}
		return "", false
	}
	hc := j.ev.Handshake
	if j.err == nil || hc == nil || !hc.ClientCertRequested {
		return "", false
	}
	alert := probe.RemoteAlert(j.err)
	switch {
	case alert == "certificate required" || alert == "bad certificate":
	case alert == "handshake failure" && !hc.ClientCertSent:
	default:
		return "", false
	}
	sent := "none was configured to send"
	if hc.ClientCertSent {
		sent = "it refused the one sent (tls.cert_file)"
	}
	return sentence("%s asked for a client certificate during the TLS handshake, and %s; then it ended the connection with the alert %q", j.target(), sent, alert)
}

// tlsIncompleteChain: the cluster sent only its own certificate, not the intermediate that
// leads to a trusted root. Only on the contract's signals: the leaf is not self-signed, its
// issuer is not trusted, and the leaf names where its issuer is published (AIA) or a CA file
// is configured without the issuer. A cloud endpoint that does this is not Elastic's server:
// that stays tls_intercepted.
func tlsIncompleteChain(j *judgement) (string, bool) {
	chain := j.ev.PresentedChain()
	if !j.cluster() || !unknownAuthority(j) || len(chain) != 1 {
		return "", false
	}
	leaf := chain[0]
	if bytes.Equal(leaf.RawIssuer, leaf.RawSubject) {
		return "", false // self-signed: nothing is missing, the CA is unknown
	}
	issuer := scrub.Name(leaf.Issuer)
	switch cas := j.ev.CAFileSubjects; {
	case len(cas) > 0 && !slices.Contains(cas, issuer):
		return sentence("the cluster sent only its own certificate, issued by %s, without that intermediate; tls.ca_file holds %s, not it%s", issuer, strings.Join(cas, "; "), alsoMisnamed(j))
	case len(leaf.IssuingCertificateURL) > 0 && len(cas) == 0:
		return sentence("the cluster sent only its own certificate, issued by %s, without that intermediate (the certificate says it is published at %s)%s", issuer, strings.Join(leaf.IssuingCertificateURL, ", "), alsoMisnamed(j))
	}
	return "", false
}

// commonNameOnly: the refused certificate names the host only in its subject's Common Name.
func commonNameOnly(j *judgement) (*x509.Certificate, bool) {
	hostErr, ok := errorAs[x509.HostnameError](j)
	c := hostErr.Certificate
	if !ok || c == nil || len(c.DNSNames) > 0 || len(c.IPAddresses) > 0 || c.Subject.CommonName == "" {
		return nil, false
	}
	cn := strings.ToLower(c.Subject.CommonName)
	host := strings.ToLower(j.ev.ServerAddress)
	wildcard := strings.HasPrefix(cn, "*.") && strings.HasSuffix(host, cn[1:])
	if cn != host && !wildcard && net.ParseIP(cn) == nil {
		return nil, false
	}
	return c, true
}
