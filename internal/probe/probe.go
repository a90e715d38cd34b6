package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
)

// Paths the cloud probes append to their base URL (the guide's tests 2 and 3).
const (
	RegistrationPath = "/api/v1/cloud-connected/clusters"
	OTLPPath         = "/v1/logs"
)

// RegistrationBody is the guide's own body, with its placeholder identity: the probe never
// sends the real cluster's identity.
const RegistrationBody = `{"self_managed_cluster": {"id": "my-cluster-uuid", "name": "my-cluster-name", "version": "9.1.0"}, "license": {"uid": "my-license-id", "type": "basic"}}`

// Target is everything one probe needs, built once when the receiver starts.
type Target struct {
	Name Name
	// URL is the cluster endpoint exactly as given, or a cloud base URL with its path.
	URL *url.URL
	// Client is built by confighttp; NewTarget makes it stop at redirects.
	Client *http.Client
	// Proxy is the proxy rule the client applies (proxy_url, or the environment's).
	Proxy func(*url.URL) (*url.URL, error)
	// FixedProxy: proxy_url is set, so the proxy variables do not apply.
	FixedProxy bool
	// TLS is the client's TLS settings, for the credential-less diagnostic handshake.
	TLS      *tls.Config
	CustomCA bool
	Timeout  time.Duration

	// OTLP only: the agent's AutoOps token, sent only to the intake.
	Token Secret

	// Cluster only.
	Authorization   Secret
	CheckPrivileges bool
	// OneConnectionPerRun: Client keeps connections alive, and the probe closes them before
	// and after each run, so that its requests share one connection and no run inherits one.
	OneConnectionPerRun bool

	Env Environment
}

// Environment holds the proxy variables as the process saw them at start.
type Environment struct {
	HTTPProxy, HTTPSProxy, NoProxy string
}

// Secret is a header value that must never be printed.
type Secret string

// String keeps a Secret out of logs and error messages.
func (Secret) String() string { return "[REDACTED]" }

// GoString keeps a Secret out of %#v.
func (Secret) GoString() string { return "[REDACTED]" }

// Run performs the probe once, bounded by the target's timeout.
func Run(ctx context.Context, t *Target) Evidence {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()

	ev := Evidence{Probe: t.Name, URL: RedactURL(t.URL.String())}
	ev.ServerAddress, ev.ServerPort = hostPort(t.URL)
	proxy, proxyErr := t.proxyFor(t.URL)
	if proxy != nil {
		ev.Proxy = RedactURL(proxy.String())
	}
	ev.ProxyInvalid = proxyErr != nil
	ev.ProxyFromEnv = !t.FixedProxy && (t.Env.HTTPProxy != "" || t.Env.HTTPSProxy != "")
	ev.HTTPProxyWithoutHTTPS = !t.FixedProxy && t.Env.HTTPProxy != "" && t.Env.HTTPSProxy == ""
	ev.NoProxyCovers = ev.ProxyFromEnv && proxy == nil
	if ev.ProxyFromEnv && proxy != nil && t.Env.NoProxy != "" {
		ev.NoProxy = t.Env.NoProxy
		if strings.Contains(t.Env.NoProxy, "/") && net.ParseIP(ev.ServerAddress) == nil {
			// Go matches a CIDR only against IP literals; whether it was meant for this host
			// depends on the host's addresses.
			ev.HostAddresses, _ = net.DefaultResolver.LookupHost(ctx, ev.ServerAddress)
		}
	}

	// The first request leaves part of the timeout for the follow-ups a failure calls for.
	mainCtx, cancelMain := context.WithTimeout(ctx, time.Duration(float64(t.Timeout)*mainShare))
	defer cancelMain()
	if t.Name == Cluster {
		runCluster(ctx, mainCtx, t, &ev)
	} else {
		// The cloud probes: the guide's POST, without credentials; the intake's body is empty.
		body := []byte{}
		header := http.Header{"Content-Type": {"application/json"}}
		switch {
		case t.Name == Registration:
			body = []byte(RegistrationBody)
		case t.Token != "":
			// As Elastic's own check: the token, an empty body, no Content-Type; an intake
			// that accepts the token refuses only the body (415).
			header = http.Header{"Authorization": {"AutoOpsToken " + string(t.Token)}}
			ev.TokenSent = true
		}
		ev.Main = exchange(mainCtx, t.Client, request{
			method: http.MethodPost, url: t.URL.String(), path: t.URL.Path, header: header, body: body,
		})
	}
	followUp(ctx, t, proxy, &ev)
	ev.Duration = time.Since(start)
	return ev
}

// followUp gathers the evidence a failed first request calls for, within what is left of
// the probe's timeout.
func followUp(ctx context.Context, t *Target, proxy *url.URL, ev *Evidence) {
	if ctx.Err() != nil {
		return
	}
	addr := net.JoinHostPort(ev.ServerAddress, strconv.Itoa(ev.ServerPort))
	if t.Name == Cluster && proxy == nil && t.URL.Scheme == "http" && isNotHTTP(ev.Main.Err) {
		ev.RawReply = rawReply(ctx, addr, t.URL.Host)
	}
	if proxy != nil && proxy.Scheme == "https" && ev.Main.Err != nil && ev.Main.Response == nil {
		ev.ProxySpeaksPlainHTTP = speaksPlainHTTP(ctx, proxyAddress(proxy), addr)
	}
	if proxy == nil && stalledInTLS(&ev.Main) {
		if stalled := IsTimeout(ev.Main.Err); stalled || isReset(ev.Main.Err) {
			peer := addr
			if ev.Main.PeerAddress != "" {
				peer = net.JoinHostPort(ev.Main.PeerAddress, strconv.Itoa(ev.ServerPort))
			}
			ev.Stall = checkStall(ctx, peer, serverName(t), stalled)
		}
	}
	if proxy == nil && failedAnswer(ev) {
		ev.SearchDomain = checkSearchDomain(ctx, ev.ServerAddress, ev.Main.PeerAddress)
	}
	if needsHandshakeCheck(ev, proxy) {
		ev.Handshake = checkHandshake(ctx, addr, proxy, t.TLS)
	}
	if isValidityError(ev.Main.Err) {
		ev.ServerClock = serverClock(ctx, t, proxy)
	}
}

// failedAnswer: the first request got no answer, or not the one a reachable endpoint gives
// (the cloud probes' expected 401 aside), so where the name led is worth checking.
func failedAnswer(ev *Evidence) bool {
	r := ev.Main.Response
	if ev.Main.Err != nil || r == nil {
		return true
	}
	if ev.Probe != Cluster && r.Status == http.StatusUnauthorized {
		return false
	}
	return r.Status >= 300
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func runCluster(ctx, mainCtx context.Context, t *Target, ev *Evidence) {
	if t.OneConnectionPerRun {
		// Before: a dial the previous run gave up on may have finished into the pool since.
		t.Client.CloseIdleConnections()
		defer t.Client.CloseIdleConnections()
	}
	header := http.Header{}
	if t.Authorization != "" {
		header.Set("Authorization", string(t.Authorization))
	}
	ev.Main = exchange(mainCtx, t.Client, request{method: http.MethodGet, url: t.URL.String(), path: t.URL.Path, header: header})
	if ev.Main.Err != nil || ev.Main.Response == nil || ev.Main.Response.Status != http.StatusOK {
		return
	}
	if _, err := answers.ParseRoot(ev.Main.Response.Body); err != nil {
		return
	}
	if t.CustomCA && len(ev.Main.PeerChain) > 0 {
		sys, _ := systemRoots()
		ev.SystemTrustChecked = true
		ev.SystemTrustErr = verifyChain(ev.Main.PeerChain, sys, serverName(t))
	}
	follow := func(method, path string, body []byte) *Exchange {
		h := header.Clone()
		if body != nil {
			h.Set("Content-Type", "application/json")
		}
		ex := exchange(ctx, t.Client, request{method: method, url: joinPath(t.URL, path), path: path, header: h, body: body})
		return &ex
	}
	ev.License = follow(http.MethodGet, "/_license", nil)
	if t.Authorization != "" {
		ev.Authenticate = follow(http.MethodGet, "/_security/_authenticate", nil)
	}
	if t.CheckPrivileges {
		ev.Privileges = follow(http.MethodPost, "/_security/user/_has_privileges", answers.HasPrivilegesRequest())
	}
}

// needsHandshakeCheck: a handshake tells something only when the request got no answer after
// reaching a TLS-capable peer, or went through a proxy whose CONNECT answer Go hides.
func needsHandshakeCheck(ev *Evidence, proxy *url.URL) bool {
	if r := ev.Main.Response; r != nil {
		// Some TLS servers answer plaintext with a 400 of their own ("plain HTTP request
		// sent to HTTPS port"): only a handshake tells that from a real 400.
		return r.Status == http.StatusBadRequest && proxy == nil && strings.HasPrefix(ev.URL, "http://")
	}
	if ev.Main.Err == nil {
		return false
	}
	if IsTimeout(ev.Main.Err) {
		return false
	}
	if proxy != nil {
		return strings.HasPrefix(ev.URL, "https://")
	}
	return ev.Main.Progress.Connected
}

func (t *Target) proxyFor(u *url.URL) (*url.URL, error) {
	if t.Proxy == nil {
		return nil, nil
	}
	return t.Proxy(u)
}

func serverName(t *Target) string {
	if t.TLS != nil && t.TLS.ServerName != "" {
		return t.TLS.ServerName
	}
	return t.URL.Hostname()
}

func joinPath(base *url.URL, path string) string {
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawPath = ""
	u.RawQuery = ""
	return u.String()
}

// hostPort gives the endpoint's host and port, with the scheme's default port.
func hostPort(u *url.URL) (string, int) {
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}
	return u.Hostname(), port
}

// RedactURL removes any user information, so a URL can be logged.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		u.User = nil
		raw = u.String()
	} else if i := strings.LastIndex(raw, "@"); i >= 0 {
		raw = raw[i+1:]
	}
	// What url.Parse did not see as user information (a malformed URL, or one Go read as a
	// path, as with "http://http://user:pass@host") goes too.
	return ScrubUserinfo(raw)
}

// userinfo matches the credentials part of a URL anywhere in a text.
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@"'\n]*@`)

// ScrubUserinfo removes credentials from every URL in a text, such as an error message that
// quotes a proxy variable as it was given.
func ScrubUserinfo(s string) string { return userinfo.ReplaceAllString(s, "$1") }

// StopAtRedirects makes client return a 3xx as it is: a redirect on these endpoints means
// something else answered, and following it could carry credentials elsewhere.
func StopAtRedirects(client *http.Client) {
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
}

// ReadEnvironment reads the proxy variables the way Go's transport does (upper case first).
func ReadEnvironment(getenv func(string) string) Environment {
	first := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	return Environment{
		HTTPProxy:  first("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: first("HTTPS_PROXY", "https_proxy"),
		NoProxy:    first("NO_PROXY", "no_proxy"),
	}
}

// ProxyRule is the proxy choice confighttp's client makes: a fixed proxy_url (which ignores
// NO_PROXY), or the environment's variables with Go's NO_PROXY and loopback rules.
func ProxyRule(proxyURL string, env Environment) (func(*url.URL) (*url.URL, error), error) {
	if proxyURL != "" {
		fixed, err := url.ParseRequestURI(proxyURL)
		if err != nil {
			return nil, err
		}
		return func(*url.URL) (*url.URL, error) { return fixed, nil }, nil
	}
	cfg := httpproxy.Config{HTTPProxy: env.HTTPProxy, HTTPSProxy: env.HTTPSProxy, NoProxy: env.NoProxy}
	return cfg.ProxyFunc(), nil
}

// isNotHTTP: the peer answered, but not in HTTP. net/http has no error type for it; its
// messages start "malformed HTTP" (a test pins the text).
func isNotHTTP(err error) bool {
	return err != nil && strings.Contains(err.Error(), "malformed HTTP")
}

// rawReply sends a bare request without credentials and returns the first bytes of the
// answer as they came.
func rawReply(ctx context.Context, hostPort, host string) []byte {
	conn, err := dialBounded(ctx, &net.Dialer{}, hostPort)
	if err != nil {
		return nil
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")); err != nil {
		return nil
	}
	buf := make([]byte, 256)
	n, _ := io.ReadAtLeast(conn, buf, len(answers.TransportPortReply))
	return buf[:n]
}

// isValidityError: the certificate was refused as expired or not yet valid (Go reports both
// as x509.Expired).
func isValidityError(err error) bool {
	var invalid x509.CertificateInvalidError
	return errors.As(err, &invalid) && invalid.Reason == x509.Expired
}

// serverClock asks the server for the time: a GET of its root over a handshake that is not
// verified, carrying no credential, whose answer only its Date header is read from.
func serverClock(ctx context.Context, t *Target, proxy *url.URL) *Response {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.TLS != nil {
		tlsCfg = t.TLS.Clone()
	}
	tlsCfg.InsecureSkipVerify = true //nolint:gosec // only the Date header is read; nothing is sent
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyURL(proxy), DisableKeepAlives: true}}
	StopAtRedirects(client)
	root := *t.URL
	root.Path, root.RawQuery = "/", ""
	ex := exchange(ctx, client, request{method: http.MethodGet, url: root.String(), path: "/"})
	if ex.Response == nil || ex.Response.Date.IsZero() {
		return nil
	}
	return &Response{Status: ex.Response.Status, Date: ex.Response.Date, ReceivedAt: ex.Response.ReceivedAt}
}
