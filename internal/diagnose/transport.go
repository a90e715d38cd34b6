package diagnose

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// transportFailure explains a request that got no (complete) response.
func transportFailure(ev *probe.Evidence, c Context) failure {
	err := ev.Main.Err
	if err == nil {
		err = errors.New("no response")
	}
	inner := unwrapURLError(err)
	p := ev.Main.Progress
	target := net.JoinHostPort(ev.ServerAddress, strconv.Itoa(ev.ServerPort))

	if f, ok := proxyFailure(ev, inner); ok {
		return f
	}
	if bytes.HasPrefix(ev.RawReply, []byte(answers.TransportPortReply)) {
		f := fail(NotElasticsearch, "%s answered %q: Elasticsearch's transport port, not its HTTP port", target, answers.TransportPortReply)
		f.answeredBy = AnsweredByTransportPort
		return f
	}
	if f, ok := stallFailure(ev, target); ok {
		return f
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return fail(DNSNotFound, "the name %s does not exist (%v)", dnsErr.Name, dnsErr)
		}
		return fail(DNSError, "the name %s could not be resolved (%v)", dnsErr.Name, dnsErr)
	}
	if probe.IsTimeout(err) {
		switch {
		case ev.Main.Response != nil:
			return fail(ResponseTimeout, "the answer from %s stopped arriving before the probe's timeout", target)
		case ev.Proxy != "" && !p.Connected:
			return fail(ProxyUnreachable, "the proxy %s did not answer the connection attempt within the probe's timeout", ev.Proxy)
		case ev.Proxy != "" && strings.HasPrefix(ev.URL, "https://") && !p.TLSStarted:
			return fail(ResponseTimeout, "the proxy %s accepted the connection but did not open the tunnel to %s within the probe's timeout", ev.Proxy, target)
		case !p.Connected:
			return fail(ConnectionTimeout, "no answer to the connection attempt to %s within the probe's timeout", target)
		case p.TLSStarted && !p.TLSDone:
			return fail(ResponseTimeout, "connected to %s, but the TLS handshake did not complete within the probe's timeout", target)
		default:
			return fail(ResponseTimeout, "connected to %s and sent the request, but no response came within the probe's timeout", target)
		}
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		if c.InContainer && isLocalhost(ev.ServerAddress) {
			return fail(ContainerNetworkIsolation, "%s refused the connection, and the collector runs in a container, where localhost is the container itself", target)
		}
		return fail(ConnectionRefused, "%s refused the connection (nothing listens there, or a firewall rejects it)", target)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return fail(NetworkUnreachable, "%s is unreachable (%v)", target, inner)
	}
	if f, ok := certificateFailure(ev, err); ok {
		return f
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE) {
		if strings.HasPrefix(ev.URL, "http://") && ev.Handshake != nil && ev.Handshake.HandshakeErr == nil && len(ev.Handshake.Chain) > 0 {
			return fail(SchemeMismatch, "http:// was used, but %s closed the plaintext connection and completes a TLS handshake: the port speaks https", target)
		}
		return fail(ConnectionReset, "the connection to %s was cut before a response (%v)", target, inner)
	}
	var verifyErr *tls.CertificateVerificationError
	var alert tls.AlertError
	if errors.As(err, &verifyErr) || errors.As(err, &alert) || isRemoteTLSAlert(err) || (p.TLSStarted && !p.TLSDone) {
		return fail(TLSHandshakeFailed, "the TLS handshake with %s failed (%v)", ev.ServerAddress, inner)
	}
	// No rule above explains the error: quote it rather than guess.
	return fail(Other, "the exchange with %s failed with an error no known cause explains: %v", target, inner)
}

// proxyFailure explains a failure of the proxy or of its CONNECT tunnel.
func proxyFailure(ev *probe.Evidence, err error) (failure, bool) {
	if ev.ProxyInvalid {
		return fail(ProxyUnreachable, "the proxy variable that applies to %s is not a valid proxy URL (%v)", ev.ServerAddress, err), true
	}
	if ev.Proxy == "" {
		return failure{}, false
	}
	var op *net.OpError
	var recErr tls.RecordHeaderError
	if strings.HasPrefix(ev.Proxy, "https://") && ev.ProxySpeaksPlainHTTP {
		return fail(ProxySchemeMismatch, "the proxy URL %s says https://, but the proxy speaks plain HTTP: it answers a plaintext CONNECT", ev.Proxy), true
	}
	if errors.As(err, &op) && op.Op == "proxyconnect" {
		if strings.HasPrefix(ev.Proxy, "https://") && errors.As(err, &recErr) {
			return fail(ProxySchemeMismatch, "the proxy URL %s says https://, but the proxy answered the TLS handshake in plain text (%v)", ev.Proxy, op.Err), true
		}
		return fail(ProxyUnreachable, "the proxy %s could not be reached (%v)", ev.Proxy, op.Err), true
	}
	hc := ev.Handshake
	if hc != nil && hc.ProxySpeaksTLS {
		return fail(ProxySchemeMismatch, "the proxy URL %s says http://, but the proxy speaks TLS: it refused the plaintext CONNECT and completes a TLS handshake", ev.Proxy), true
	}
	if hc == nil || hc.ProxyStatus == 0 || hc.ProxyStatus == http.StatusOK {
		return failure{}, false
	}
	return proxyRefusal(ev.Proxy, ev.ServerAddress, hc.ProxyStatus, hc.ProxyAuthSchemes, hc.ProxySquidError, hc.ProxyBody), true
}

// proxyRefusal explains a proxy's own answer instead of the destination's, to CONNECT or to
// a plain-http request: its status, the schemes it offers, squid's error code.
func proxyRefusal(proxy, dest string, status int, schemes []string, squidError string, body []byte) failure {
	said := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if squidError != "" {
		said += " (squid: " + squidError + ")"
	}
	switch {
	case status == http.StatusProxyAuthRequired && len(schemes) > 0 && !slices.ContainsFunc(schemes, isBasic):
		return fail(ProxyAuthUnsupported, "the proxy %s answered 407 and offers only %s, which the collector cannot speak", proxy, strings.Join(schemes, ", "))
	case status == http.StatusProxyAuthRequired:
		return fail(ProxyAuthRequired, "the proxy %s answered %s", proxy, said)
	case strings.HasPrefix(squidError, "ERR_DNS_FAIL"):
		return fail(ProxyUpstreamError, "the proxy %s answered %s: it could not resolve %s", proxy, said, dest)
	case status >= 500:
		return fail(ProxyUpstreamError, "the proxy %s answered %s: it could not reach %s", proxy, said, dest)
	}
	return fail(ProxyBlocked, "the proxy %s refused %s with %s: %s", proxy, dest, said, snippet(body))
}

func isBasic(scheme string) bool { return strings.EqualFold(scheme, "Basic") }

// certificateFailure explains a certificate the client refused, or a TLS port that speaks
// plain HTTP, from the verification error and the chain seen.
func certificateFailure(ev *probe.Evidence, err error) (failure, bool) {
	cloud := ev.Probe != probe.Cluster
	issuer := ""
	if cert := ev.LeafCertificate(); cert != nil {
		issuer = " (certificate issued by " + cert.Issuer.String() + ")"
	}
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		if cloud {
			hint := "TLS inspection in the path re-signs the connection"
			if hc := ev.Handshake; hc != nil && hc.NoSystemRoots {
				hint = "this machine has no CA bundle at all (install ca-certificates), or TLS inspection re-signs the path"
			}
			return fail(TLSIntercepted, "the certificate presented for %s does not chain to the trusted roots%s: %s", ev.ServerAddress, issuer, hint), true
		}
		return fail(TLSUnknownAuthority, "the cluster's certificate is signed by an authority the collector does not trust%s", issuer), true
	case errors.As(err, &hostErr):
		return fail(TLSHostnameMismatch, "the certificate is not valid for %s%s: it names %s", ev.ServerAddress, issuer, certNames(hostErr.Certificate)), true
	case errors.As(err, &invalid) && (invalid.Reason == x509.Expired):
		if f, ok := clockSkewFailure(ev, invalid.Cert); ok {
			return f, true
		}
		return fail(TLSCertificateExpired, "the certificate%s is expired or not yet valid (valid %s to %s)", issuer,
			invalid.Cert.NotBefore.UTC().Format("2006-01-02"), invalid.Cert.NotAfter.UTC().Format("2006-01-02")), true
	}
	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return fail(SchemeMismatch, "https:// was used, but %s:%d answers in plain HTTP", ev.ServerAddress, ev.ServerPort), true
	}
	return failure{}, false
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

// unwrapURLError drops url.Error's "Post \"https://...\":" prefix, which repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// isRemoteTLSAlert: the server ended the TLS session with an alert (over TCP Go reports it as
// a *net.OpError whose Op is "remote error"), such as "certificate required" after a TLS 1.3
// handshake that only looked complete from the client's side.
func isRemoteTLSAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}

// clockSkewFailure: the certificate failed its validity check on this machine's clock, but the
// server's own clock (its Date header, read without credentials) puts it inside its validity.
func clockSkewFailure(ev *probe.Evidence, cert *x509.Certificate) (failure, bool) {
	sc := ev.ServerClock
	if sc == nil || cert == nil || sc.Date.Before(cert.NotBefore) || sc.Date.After(cert.NotAfter) {
		return failure{}, false
	}
	return fail(ClockSkew, "the certificate of %s is valid from %s to %s; the server's clock says %s, this machine's %s",
		ev.ServerAddress, cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339),
		sc.Date.UTC().Format(time.RFC3339), sc.ReceivedAt.UTC().Format(time.RFC3339)), true
}

// maxClockSkew is how far an answer's Date may be from this machine's clock before the
// clock_skew warning.
const maxClockSkew = 5 * time.Minute

// clockSkewOf is how far the server's clock is ahead of this machine's (negative: behind),
// from the Date of the main answer or of the clock check; ok is false without a Date.
func clockSkewOf(ev *probe.Evidence) (time.Duration, bool) {
	for _, r := range []*probe.Response{ev.Main.Response, ev.ServerClock} {
		if r != nil && !r.Date.IsZero() && !r.ReceivedAt.IsZero() {
			return r.Date.Sub(r.ReceivedAt), true
		}
	}
	return 0, false
}

// stallFailure reads the follow-up handshakes made after a TLS handshake naming the host was
// cut or never answered: a reply to the one naming no host is a firewall filtering by name
// (SNI); a reply only with small segments is a path that drops large packets. When both or
// neither got a reply, they explain nothing and the first failure stands.
func stallFailure(ev *probe.Evidence, target string) (failure, bool) {
	sc := ev.Stall
	if sc == nil {
		return failure{}, false
	}
	smallOK := sc.SmallSegmentsReply != nil && *sc.SmallSegmentsReply
	cut := "was cut"
	if sc.SmallSegmentsReply != nil {
		cut = "got no answer"
	}
	switch {
	case sc.NoNameReply && !smallOK:
		return fail(TLSBlocked, "the TLS handshake with %s naming %s %s, while a handshake to the same address naming no host got the server's reply: something filters by server name (SNI)", target, ev.ServerAddress, cut), true
	case smallOK && !sc.NoNameReply:
		return fail(PathMTUBlackhole, "the TLS handshake with %s got no answer, while the same handshake with %d-byte segments completed: packets too large for the path are dropped", target, probe.ClampedMSS), true
	}
	return failure{}, false
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

// sinkholed returns the address a public Elastic Cloud name resolved to when it is one a
// DNS filter answers with (unspecified or loopback), or "" otherwise. Only a direct request
// resolves the name here; through a proxy the proxy does.
func sinkholed(ev *probe.Evidence) string {
	if ev.Probe == probe.Cluster || ev.Proxy != "" || !isElasticCloudName(ev.ServerAddress) {
		return ""
	}
	for _, a := range append(append([]string{}, ev.Main.ResolvedAddresses...), ev.Main.PeerAddress) {
		if ip, err := netip.ParseAddr(a); err == nil && (ip.IsUnspecified() || ip.IsLoopback()) {
			return a
		}
	}
	return ""
}
