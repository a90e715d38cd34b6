package diagnose

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// Matches of the rules for an exchange that got no complete answer.

func proxyConnectErr(j *judgement) (*net.OpError, bool) {
	op, ok := errorAs[*net.OpError](j)
	return op, ok && op.Op == "proxyconnect"
}

func proxyHTTPS(j *judgement) bool { return strings.HasPrefix(j.ev.Proxy, "https://") }

func proxySchemeMismatch(j *judgement) (string, bool) {
	ev := j.ev
	if j.err == nil || ev.Proxy == "" {
		return "", false
	}
	if proxyHTTPS(j) && ev.ProxySpeaksPlainHTTP {
		return sentence("the proxy URL %s says https://, but the proxy speaks plain HTTP: it answers a plaintext CONNECT", ev.Proxy)
	}
	op, connectFailed := proxyConnectErr(j)
	if _, plain := errorAs[tls.RecordHeaderError](j); connectFailed && proxyHTTPS(j) && plain && ev.PlainConnectTooLarge == nil {
		return sentence("the proxy URL %s says https://, but the proxy answered the TLS handshake in plain text (%v)", ev.Proxy, op.Err)
	}
	if !connectFailed && ev.Handshake != nil && ev.Handshake.ProxySpeaksTLS {
		return sentence("the proxy URL %s says http://, but the proxy speaks TLS: it refused the plaintext CONNECT and completes a TLS handshake", ev.Proxy)
	}
	return "", false
}

func proxyUnreachable(j *judgement) (string, bool) {
	ev := j.ev
	if j.err == nil {
		return "", false
	}
	if ev.ProxyInvalid {
		return sentence("the proxy variable that applies to %s is not a valid proxy URL (%v)", ev.ServerAddress, j.inner)
	}
	if ev.Proxy == "" {
		return "", false
	}
	if op, ok := proxyConnectErr(j); ok && !answerCut(j) {
		return sentence("the proxy %s could not be reached (%v)", ev.Proxy, op.Err)
	}
	if probe.IsTimeout(j.err) && ev.Main.Response == nil && !ev.Main.Progress.Connected {
		return sentence("the proxy %s did not answer the connection attempt within the probe's timeout", ev.Proxy)
	}
	return "", false
}

func tlsBlocked(j *judgement) (string, bool) {
	sc := j.ev.Stall
	if j.err == nil || sc == nil || !sc.NoNameReply || smallSegmentsReplied(sc) {
		return "", false
	}
	cut := "was cut"
	if sc.SmallSegmentsReply != nil {
		cut = "got no answer"
	}
	return sentence("the TLS handshake with %s naming %s %s, while a handshake to the same address naming no host got the server's reply: something filters by server name (SNI)", j.target(), j.ev.ServerAddress, cut)
}

func pathMTUBlackhole(j *judgement) (string, bool) {
	sc := j.ev.Stall
	if j.err == nil || sc == nil || sc.NoNameReply || !smallSegmentsReplied(sc) {
		return "", false
	}
	return sentence("the TLS handshake with %s got no answer, while the same handshake with %d-byte segments completed: packets too large for the path are dropped", j.target(), probe.ClampedMSS)
}

func smallSegmentsReplied(sc *probe.StallCheck) bool {
	return sc.SmallSegmentsReply != nil && *sc.SmallSegmentsReply
}

func dnsFailure(j *judgement) (*net.DNSError, bool) {
	return errorAs[*net.DNSError](j)
}

func dnsNotFound(j *judgement) (string, bool) {
	if e, ok := dnsFailure(j); ok && e.IsNotFound {
		return sentence("the name %s does not exist (%v)", e.Name, e)
	}
	return "", false
}

func dnsError(j *judgement) (string, bool) {
	if e, ok := dnsFailure(j); ok && !e.IsNotFound {
		return sentence("the name %s could not be resolved (%v)", e.Name, e)
	}
	return "", false
}

func timedOut(j *judgement) bool { return j.err != nil && probe.IsTimeout(j.err) }

func connectionTimeout(j *judgement) (string, bool) {
	ev := j.ev
	if !timedOut(j) || ev.Main.Response != nil || ev.Proxy != "" || ev.Main.Progress.Connected {
		return "", false
	}
	within := "the probe's timeout"
	if limit := ev.Client.ConnectTimeout; limit > 0 {
		within = fmt.Sprintf("the agent's connect_timeout (%s per address)", limit)
	}
	return sentence("no answer to the connection attempt to %s within %s", j.target(), within)
}

// responseTimeout: the timeouts the connection-level rules before it left, said by how far
// the exchange got.
func responseTimeout(j *judgement) (string, bool) {
	ev, p := j.ev, j.ev.Main.Progress
	switch {
	case !timedOut(j):
		return "", false
	case ev.Main.Response != nil:
		return sentence("the answer from %s stopped arriving before the probe's timeout", j.target())
	case ev.Proxy != "" && strings.HasPrefix(ev.URL, "https://") && !p.TLSStarted:
		return sentence("the proxy %s accepted the connection but did not open the tunnel to %s within the probe's timeout", ev.Proxy, j.target())
	case p.TLSStarted && !p.TLSDone:
		return sentence("connected to %s, but the TLS handshake did not complete within the probe's timeout", j.target())
	}
	return sentence("connected to %s and sent the request, but no response came within the probe's timeout", j.target())
}

func wasRefused(j *judgement) bool { return j.err != nil && errors.Is(j.err, syscall.ECONNREFUSED) }

func containerNetworkIsolation(j *judgement) (string, bool) {
	// Only the cluster's remedy is the guide's --network host case.
	if !wasRefused(j) || !j.cluster() || !j.ev.InContainer || !isLocalhost(j.ev.ServerAddress) {
		return "", false
	}
	return sentence("%s refused the connection, and the collector runs in a container, where localhost is the container itself", j.target())
}

func connectionRefused(j *judgement) (string, bool) {
	if !wasRefused(j) {
		return "", false
	}
	return sentence("%s refused the connection (nothing listens there, or a firewall rejects it)", j.target())
}

func networkUnreachable(j *judgement) (string, bool) {
	if j.err == nil || !errors.Is(j.err, syscall.ENETUNREACH) && !errors.Is(j.err, syscall.EHOSTUNREACH) {
		return "", false
	}
	return sentence("%s is unreachable (%v)", j.target(), j.inner)
}

// issuedBy names the issuer of the certificate seen, for the certificate rules.
func issuedBy(ev *probe.Evidence) string {
	if cert := ev.LeafCertificate(); cert != nil {
		return " (certificate issued by " + scrub.Name(cert.Issuer) + ")"
	}
	return ""
}

func unknownAuthority(j *judgement) bool {
	_, ok := errorAs[x509.UnknownAuthorityError](j)
	return ok
}

func tlsIntercepted(j *judgement) (string, bool) {
	if j.cluster() || !unknownAuthority(j) {
		return "", false
	}
	hint := "TLS inspection in the path re-signs the connection"
	if noSystemRoots(j.ev) {
		hint = "this machine has no CA bundle at all (install ca-certificates), or TLS inspection re-signs the path"
	}
	return sentence("the certificate presented for %s does not chain to the trusted roots%s: %s", j.ev.ServerAddress, issuedBy(j.ev), hint)
}

func noSystemRoots(ev *probe.Evidence) bool { return ev.Handshake != nil && ev.Handshake.NoSystemRoots }

func tlsUnknownAuthority(j *judgement) (string, bool) {
	if !j.cluster() || !unknownAuthority(j) {
		return "", false
	}
	return sentence("the cluster's certificate is signed by an authority the collector does not trust%s%s", issuedBy(j.ev), alsoMisnamed(j))
}

func tlsHostnameMismatch(j *judgement) (string, bool) {
	hostErr, ok := errorAs[x509.HostnameError](j)
	if !ok {
		return "", false
	}
	if c, cnOnly := commonNameOnly(j); cnOnly {
		return sentence("the certificate%s names %s only in its subject's Common Name (CN=%s), with no subjectAltName: Go, and the agent, read host names only from subjectAltName", issuedBy(j.ev), j.ev.ServerAddress, c.Subject.CommonName)
	}
	return sentence("the certificate is not valid for %s%s: it names %s", j.ev.ServerAddress, issuedBy(j.ev), certNames(hostErr.Certificate))
}

// outOfValidity is the certificate refused as expired or not yet valid (Go says Expired for both).
func outOfValidity(j *judgement) (*x509.Certificate, bool) {
	if invalid, ok := errorAs[x509.CertificateInvalidError](j); ok && invalid.Reason == x509.Expired {
		return invalid.Cert, true
	}
	return nil, false
}

// clockSkew: the certificate failed its validity check on this machine's clock, but the
// server's own clock (its Date header, read without credentials) puts it inside its validity.
func clockSkew(j *judgement) (string, bool) {
	cert, ok := outOfValidity(j)
	sc := j.ev.ServerClock
	if !ok || sc == nil || cert == nil || sc.Date.Before(cert.NotBefore) || sc.Date.After(cert.NotAfter) {
		return "", false
	}
	return sentence("the certificate of %s is valid from %s to %s; the server's clock says %s, this machine's %s",
		j.ev.ServerAddress, cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339),
		sc.Date.UTC().Format(time.RFC3339), sc.ReceivedAt.UTC().Format(time.RFC3339))
}

func tlsCertificateExpired(j *judgement) (string, bool) {
	cert, ok := outOfValidity(j)
	if !ok {
		return "", false
	}
	return sentence("the certificate%s is expired or not yet valid (valid %s to %s)", issuedBy(j.ev),
		cert.NotBefore.UTC().Format("2006-01-02"), cert.NotAfter.UTC().Format("2006-01-02"))
}

func connectionReset(j *judgement) (string, bool) {
	if j.err == nil || !probe.IsReset(j.err) || answerCut(j) {
		return "", false
	}
	return sentence("the connection to %s was cut before a response (%v)", j.target(), j.inner)
}

func tlsHandshakeFailed(j *judgement) (string, bool) {
	if j.err == nil || answerCut(j) {
		return "", false
	}
	_, verifyFailed := errorAs[*tls.CertificateVerificationError](j)
	p := j.ev.Main.Progress
	stalledInTLS := p.TLSStarted && !p.TLSDone
	if !verifyFailed && !probe.IsTLSAlert(j.err) && !stalledInTLS {
		return "", false
	}
	return sentence("the TLS handshake with %s failed (%v)%s", j.ev.ServerAddress, j.inner, narrowedBy(j))
}

// answerCut: a proxy answered with more than the probe reads by hand (judgement.cutAnswer).
func answerCut(j *judgement) bool {
	cut, _ := j.cutAnswer()
	return cut != nil
}

// other: no rule above explains the error: quote it rather than guess. A proxy that floods is
// quoted too: the evidence shows what it sent, not why (a broken proxy, or no proxy at all).
func other(j *judgement) (string, bool) {
	if j.err == nil {
		return "", false
	}
	if cut, asked := j.cutAnswer(); cut != nil {
		what := fmt.Sprintf("%d lines and no end of its headers", cut.Lines)
		if cut.Lines == 0 {
			what = "one line and no end of it"
		}
		return sentence("the proxy %s answered %s with %s within %d bytes, the probe's bound (Go's transport, as the agent's, gives up at 10 MB): it began %s (the request: %v)",
			j.ev.Proxy, asked, what, cut.Limit, snippet(cut.Start), j.inner)
	}
	return sentence("the exchange with %s failed with an error no known cause explains: %v", j.target(), j.inner)
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "no names"
	}
	if len(c.DNSNames) > 0 || len(c.IPAddresses) > 0 {
		names := append([]string{}, c.DNSNames...)
		for _, ip := range c.IPAddresses {
			names = append(names, ip.String())
		}
		return strings.Join(names, ", ")
	}
	return "only CN " + c.Subject.CommonName
}

// isLocalhost: the endpoint names this machine the way the guide's Docker case does.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// searchDomain: wherever it failed, the name led elsewhere through a search domain.
func searchDomain(j *judgement) (string, bool) {
	sd, ev := j.ev.SearchDomain, j.ev
	if sd == nil {
		return "", false
	}
	rooted := "does not resolve"
	if len(sd.RootedAddresses) > 0 {
		rooted = "has " + strings.Join(sd.RootedAddresses, ", ")
	}
	return sentence("%s was resolved as %s.%s (search domain %s of resolv.conf) to %s, while %s. %s",
		ev.ServerAddress, ev.ServerAddress, sd.Suffix, sd.Suffix, strings.Join(sd.SuffixAddresses, ", "), ev.ServerAddress, rooted)
}

// elasticCloudDomains are the public DNS names of Elastic Cloud's endpoints.
var elasticCloudDomains = []string{"elastic-cloud.com", "elastic.cloud", "elastic.co"}

func isElasticCloudName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, d := range elasticCloudDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// sinkhole: a public Elastic Cloud name resolved to an address a DNS filter answers with
// (unspecified or loopback). Only a direct request resolves the name here; through a proxy
// the proxy does.
func sinkhole(j *judgement) (string, bool) {
	ev := j.ev
	if j.cluster() || ev.Proxy != "" || !isElasticCloudName(ev.ServerAddress) {
		return "", false
	}
	for _, a := range append(append([]string{}, ev.Main.ResolvedAddresses...), ev.Main.PeerAddress) {
		if ip, err := netip.ParseAddr(a); err == nil && (ip.IsUnspecified() || ip.IsLoopback()) {
			return sentence("%s resolved to %s, an address no public Elastic Cloud name has: a DNS filter or sinkhole answered", ev.ServerAddress, a)
		}
	}
	return "", false
}
