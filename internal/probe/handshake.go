package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// checkHandshake opens a connection to hostPort (through proxy when set), completes a TLS
// handshake without verifying and without sending any request or credential, and then
// verifies the presented chain twice: against cfg's roots and against the system roots.
func checkHandshake(ctx context.Context, hostPort string, proxy *url.URL, t *Target) *HandshakeCheck {
	hc := &HandshakeCheck{}
	cfg := t.TLS
	var d net.Dialer
	var conn net.Conn
	var err error
	if proxy != nil {
		conn, err = connectThroughProxy(ctx, &d, proxy, hostPort, t.ProxyHeaders, hc)
		if err != nil && proxy.Scheme == "http" && hc.ProxyAnswerTooLarge == nil && (hc.ProxyAnswer == nil || hc.ProxyAnswer.Status != http.StatusProxyAuthRequired && hc.ProxyAnswer.Status != http.StatusOK) {
			// A proxy URL written http:// for a proxy that speaks TLS: the plaintext CONNECT
			// gets a TLS server's refusal; a handshake with the proxy tells.
			hc.ProxySpeaksTLS = tlsReply(ctx, &d, proxyAddress(proxy), proxy.Hostname())
		}
	} else {
		conn, err = dialBounded(ctx, &d, hostPort)
	}
	if err != nil {
		hc.HandshakeErr = err
		return hc
	}
	defer func() { _ = conn.Close() }()

	host, _, _ := net.SplitHostPort(hostPort)
	serverName := host
	var roots *x509.CertPool
	diag := &tls.Config{InsecureSkipVerify: true} //nolint:gosec // we verify by hand below, to keep the chain
	if cfg != nil {
		diag = cfg.Clone()
		diag.InsecureSkipVerify = true //nolint:gosec // verified by hand below
		diag.VerifyPeerCertificate, diag.VerifyConnection = nil, nil
		if cfg.ServerName != "" {
			serverName = cfg.ServerName
		}
		roots = cfg.RootCAs
	}
	diag.ServerName = serverName
	// Go asks for a client certificate only when the server sends a CertificateRequest.
	offer := clientCertificate(cfg)
	diag.Certificates = nil
	diag.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		hc.ClientCertRequested = true
		c, err := offer(cri)
		hc.ClientCertSent = err == nil && c != nil && len(c.Certificate) > 0
		return c, err
	}
	tconn := tls.Client(conn, diag)
	if err := tconn.HandshakeContext(ctx); err != nil {
		hc.HandshakeErr = err
		return hc
	}
	hc.Chain = tconn.ConnectionState().PeerCertificates
	if t.Verify.Agent {
		hc.VerifyErr = t.Verify.verify(hc.Chain)
	} else {
		hc.VerifyErr = VerifyChain(hc.Chain, roots, serverName)
	}
	_, hc.NoSystemRoots = t.Trust.SystemPool()
	return hc
}

// clientCertificate is what the probe's own TLS settings give a server that asks.
func clientCertificate(cfg *tls.Config) func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	switch {
	case cfg != nil && cfg.GetClientCertificate != nil:
		return cfg.GetClientCertificate
	case cfg != nil && len(cfg.Certificates) > 0:
		return func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cfg.Certificates[0], nil }
	}
	return func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &tls.Certificate{}, nil }
}

// VerifyChain is Go's verification of a presented chain (leaf first) against roots (nil: the
// system's), for serverName ("": any name).
func VerifyChain(chain []*x509.Certificate, roots *x509.CertPool, serverName string) error {
	if len(chain) == 0 {
		return fmt.Errorf("no certificate presented")
	}
	_, err := verifiedChains(chain, roots, serverName)
	return err
}

// connectThroughProxy asks an HTTP proxy for a tunnel, recording its answer in hc. Only the
// proxy's own credentials are sent, never the probe's.
func connectThroughProxy(ctx context.Context, d *net.Dialer, proxy *url.URL, hostPort string, extra http.Header, hc *HandshakeCheck) (net.Conn, error) {
	conn, err := dialBounded(ctx, d, proxyAddress(proxy))
	if err != nil {
		return nil, err
	}
	if proxy.Scheme == "https" {
		tconn := tls.Client(conn, &tls.Config{ServerName: proxy.Hostname(), MinVersion: tls.VersionTLS12})
		if err = tconn.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return nil, err
		}
		conn = tconn
	}
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: hostPort}, Host: hostPort, Header: extra.Clone()}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if u := proxy.User; u != nil {
		pass, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass)))
	}
	if err = req.Write(conn); err != nil {
		_ = conn.Close()
		return nil, err
	}
	// As Go's transport reads it: bounded in bytes here, in time by the connection's deadline.
	bounded := newBoundedReader(conn, MaxAnswerHeader)
	resp, err := http.ReadResponse(bufio.NewReader(bounded), req)
	if err != nil {
		if hc.ProxyAnswerTooLarge = bounded.tooLarge(err); hc.ProxyAnswerTooLarge != nil {
			err = fmt.Errorf("the proxy's answer to CONNECT: %w", errAnswerTooLarge)
		}
		_ = conn.Close()
		return nil, err
	}
	hc.ProxyAnswer = answerOf(resp)
	if resp.StatusCode != http.StatusOK {
		bounded.extend(MaxProxyPage + cutOverlap)
		_ = hc.ProxyAnswer.readBody(resp.Body, MaxProxyPage) // cut once scrubbed
		_ = resp.Body.Close()
		_ = conn.Close()
		return nil, fmt.Errorf("proxy answered CONNECT with %d", resp.StatusCode)
	}
	return conn, nil
}

// proxyAddress is the proxy's host:port, with the scheme's default port.
func proxyAddress(proxy *url.URL) string {
	host, port := hostPort(proxy)
	return net.JoinHostPort(host, strconv.Itoa(port))
}
