package diagnose

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	scrubpkg "github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// A CA setting that holds the server's own certificate (exported from a browser, say) instead
// of the CA that issued it: Go, and the agent, accept a server certificate found among the
// roots, so it works until the certificate is renewed (contract v5, "Diagnosis v5").

// tlsPinnedLeafChanged: the chain was refused as unknown, the CA setting holds only
// end-entity certificates, one of them for this host, and the server presents another.
func tlsPinnedLeafChanged(j *judgement) (string, bool) {
	cas := j.ev.CAFileCertificates
	if !unknownAuthority(j) || len(cas) == 0 {
		return "", false
	}
	var old *x509.Certificate
	for _, c := range cas {
		if c.IsCA {
			return "", false // a CA is there: whatever failed, it is not a pinned leaf
		}
		if old == nil && namesHost(c, j.ev.ServerAddress) {
			old = c
		}
	}
	chain := presentedChain(j)
	if old == nil || len(chain) == 0 || chain[0].Equal(old) {
		return "", false
	}
	now := chain[0]
	return sentence("%s holds only server certificates, no CA; the one for %s (%s, serial %s, valid until %s) is not what the server presents now (%s, serial %s, valid from %s, %s): the trust anchor was the old server certificate",
		caSetting(j), j.ev.ServerAddress, scrubpkg.Name(old.Subject), serial(old), day(old.NotAfter),
		scrubpkg.Name(now.Subject), serial(now), day(now.NotBefore), issuingCA(chain))
}

// pinnedLeaf is the presented server certificate when the CA setting holds it itself, as an
// end-entity certificate, and nothing else there (or in the system roots the probe also
// trusts) would verify the chain once it is renewed.
func pinnedLeaf(j *judgement) (*x509.Certificate, bool) {
	if !j.pinnedDone {
		j.pinnedDone = true
		j.pinned, j.pinnedOK = findPinnedLeaf(j)
	}
	return j.pinned, j.pinnedOK
}

// findPinnedLeaf derives pinnedLeaf, which the warning and its note both read.
func findPinnedLeaf(j *judgement) (*x509.Certificate, bool) {
	chain := j.ev.Main.PeerChain
	if len(chain) == 0 {
		return nil, false
	}
	leaf, pinned := chain[0], false
	for _, c := range j.ev.CAFileCertificates {
		pinned = pinned || !c.IsCA && c.Equal(leaf)
	}
	if !pinned {
		return nil, false
	}
	for _, ca := range j.ev.CAFileCertificates {
		for _, c := range chain {
			if ca.IsCA && c.CheckSignatureFrom(ca) == nil {
				return nil, false // its issuer is there too: a renewal still verifies
			}
		}
	}
	if j.ev.Client.RootsWithSystem && j.ev.SystemTrustChecked && j.ev.SystemTrustErr == nil {
		return nil, false
	}
	return leaf, true
}

func caFilePinsLeaf(j *judgement) bool {
	_, ok := pinnedLeaf(j)
	return ok
}

// pinnedLeafNote is the evidence of ca_file_pins_leaf: the issuer to put there instead, and
// when the pinned certificate runs out.
func pinnedLeafNote(j *judgement) string {
	leaf, ok := pinnedLeaf(j)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s holds the server's own certificate (%s, %s, valid until %s) rather than the CA that issued it: it stops verifying at the next renewal",
		caSetting(j), scrubpkg.Name(leaf.Subject), issuingCA(j.ev.Main.PeerChain), day(leaf.NotAfter))
}

// presentedChain is the chain the server presented: the main exchange's, the credential-less
// handshake's, or the one a refused verification quotes.
func presentedChain(j *judgement) []*x509.Certificate {
	if chain := j.ev.PresentedChain(); len(chain) > 0 {
		return chain
	}
	if v, ok := errorAs[*tls.CertificateVerificationError](j); ok {
		return v.UnverifiedCertificates
	}
	return nil
}

// issuingCA names the CA that belongs in the CA setting, from the presented chain: the
// issuer at its top (a root the server does not send), and the leaf's issuer when that differs.
func issuingCA(chain []*x509.Certificate) string {
	top := chain[len(chain)-1]
	if len(chain) == 1 || scrubpkg.Name(top.Issuer) == scrubpkg.Name(chain[0].Issuer) {
		return "issued by " + scrubpkg.Name(top.Issuer)
	}
	return "issued by " + scrubpkg.Name(chain[0].Issuer) + ", whose chain ends at " + scrubpkg.Name(top.Issuer)
}

// namesHost: the certificate is for host, as Go or the agent's full check reads names.
func namesHost(c *x509.Certificate, host string) bool {
	return c.VerifyHostname(host) == nil || probe.AgentHostname(c, host) == nil
}

// caSetting names the setting the probe's CAs came from.
func caSetting(j *judgement) string {
	if s := j.ev.Client.RootsSource; s != "" && s != probe.RootsSystem && !strings.HasPrefix(s, "SSL_CERT") {
		return strings.TrimSuffix(s, "+system")
	}
	return "the CA setting"
}

func serial(c *x509.Certificate) string {
	if c.SerialNumber == nil {
		return "none"
	}
	return c.SerialNumber.Text(16)
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

var pinnedLeafRemedies = map[string]remedy{
	TLSPinnedLeafChanged: {
		Meaning: "the CA setting holds only server certificates, one for this host, and the server now presents another: the trust anchor was the old server certificate, renewed since",
		Brief:   "put the issuing CA the evidence names in the CA setting, never a server certificate",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; contract v5: Diagnosis v5 (tls_pinned_leaf_changed)",
		Cluster: "The CA setting (ssl.certificate_authorities, AUTOOPS_ES_CA or tls.ca_file) holds the cluster's old server certificate instead of a CA, so the renewed certificate is unknown: put there the CA that issued it (the evidence names it; with Elasticsearch's own certificates, config/certs/http_ca.crt, or the CA your PKI signs with), on every autoops_es module. Never a server certificate: it breaks again at the next renewal.",
		Cloud:   "The CA file holds an old server certificate instead of a CA, so the certificate presented now is unknown: put there the CA that issued it (the evidence names it; the TLS-inspecting proxy's CA when one re-signs the path), never a server certificate.",
	},
}

var pinnedLeafWarningRemedies = map[string]remedy{
	WarnCAFilePinsLeaf: {
		Meaning: "passes, but the CA setting holds the server's own certificate, not its CA: it breaks at the next renewal (the evidence names the issuer and the certificate's not_after)",
		Brief:   "replace it with the issuing CA before that date",
		Guide:   "contract v5: Diagnosis v5 (ca_file_pins_leaf)",
		Cluster: "The CA setting (ssl.certificate_authorities, AUTOOPS_ES_CA or tls.ca_file) trusts the cluster's own server certificate, not the CA that issued it: the agent connects until that certificate is renewed, then fails with an unknown authority. Replace it with the issuing CA the evidence names, on every autoops_es module, before the date the evidence gives.",
		Cloud:   "The CA file trusts the server's own certificate, not the CA that issued it: it stops verifying when that certificate is renewed. Replace it with the issuing CA the evidence names.",
	},
}
