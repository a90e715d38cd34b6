package probe

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// Paths the cloud probes append to their base URL (the guide's tests 2 and 3).
const (
	RegistrationPath = "/api/v1/cloud-connected/clusters"
	OTLPPath         = "/v1/logs"
)

// RegistrationBody is the guide's own body, with its placeholder identity: the probe never
// sends the real cluster's identity.
const RegistrationBody = `{"self_managed_cluster": {"id": "my-cluster-uuid", "name": "my-cluster-name", "version": "9.1.0"}, "license": {"uid": "my-license-id", "type": "basic"}}`

// Target is one probe ready to run: its plan, the client that executes it, and what the
// runs learn and keep.
type Target struct {
	Plan
	// Client executes the plan: confighttp's, the agent module's, or Go's default client.
	Client *http.Client
	// proxyChoice is the plan's proxy for its URL, chosen on the first run: the plan never
	// changes, and building its rule parses the proxies and NO_PROXY anew.
	proxyChoice struct {
		once  sync.Once
		proxy *url.URL
		err   error
	}
	// facts are the plan's decisions as the evidence records them, read on the first run.
	facts struct {
		once  sync.Once
		value ClientFacts
	}
	caSubjects struct {
		once sync.Once
		list []string
	}
	// caLeaves are the SHA-256 digests of the end-entity certificates CAPEM holds (a pinned
	// server certificate), read once: a passing run asks only whether the leaf is one.
	caLeaves struct {
		once    sync.Once
		digests map[[sha256.Size]byte]bool
	}
	// trustMemo is the last verdict of the system's roots on the chain this target's server
	// presented (ca_not_needed).
	trustMemo struct {
		sync.Mutex
		at    time.Time
		chain []*x509.Certificate
		err   error
	}
	// anchor is made on the first TLS answer: a plain-HTTP target never holds one.
	anchor struct {
		once sync.Once
		memo *anchorMemo
	}
	// OneConnectionPerRun: Client keeps connections alive, and the probe closes them before
	// and after each run, so that its requests share one connection and no run inherits one.
	OneConnectionPerRun bool
	// InContainer: this process runs in a container (DetectContainer, once per process).
	InContainer bool
	// Redactor holds the secrets this probe sends, to scrub them from what comes back.
	Redactor *Redactor
}

// Secret is a header value that must never be printed.
type Secret string

// String keeps a Secret out of logs and error messages.
func (Secret) String() string { return "[REDACTED]" }

// GoString keeps a Secret out of %#v.
func (Secret) GoString() string { return "[REDACTED]" }

// Run performs the probe once, bounded by the target's timeout: the guide's request, then
// the follow-up collectors whose preconditions hold.
func Run(ctx context.Context, t *Target) Evidence {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()

	r := &run{target: t, ev: Evidence{Probe: t.Name, URL: RedactURL(t.URL.String()), InContainer: t.InContainer}}
	ev := &r.ev
	ev.ServerAddress, ev.ServerPort = hostPort(t.URL)
	proxy, proxyErr := t.proxy()
	if proxy != nil {
		ev.Proxy = RedactURL(proxy.String())
	}
	r.proxy = proxy
	ev.Client = t.clientFacts()
	r.addr = net.JoinHostPort(ev.ServerAddress, strconv.Itoa(ev.ServerPort))
	route := t.Route
	if route.Source == "" {
		route = RouteFor(t.URL, nil, t.Env)
	}
	ev.ProxySource, ev.ProxyVariable, ev.NoProxyEntry = route.Source, route.Variable, route.NoProxyEntry
	ev.ProxyInvalid = proxyErr != nil
	ev.ProxyFromEnv = !t.FixedProxy() && (t.Env.HTTPProxy != "" || t.Env.HTTPSProxy != "")
	ev.HTTPProxyWithoutHTTPS = httpsWentDirect(t)
	ev.NoProxyCovers = ev.ProxyFromEnv && proxy == nil
	if !t.FixedProxy() && route.Source != SourceProxyDisable {
		ev.AllProxyIgnored = t.Env.AllProxyVar != "" && route.Source == SourceNone
		ev.ProxyEnvConflicts = t.Env.Conflicting(t.URL)
	}
	if ev.ProxyFromEnv && proxy != nil && t.Env.NoProxy != "" {
		ev.NoProxy = t.Env.NoProxy
		if strings.Contains(t.Env.NoProxy, "/") && net.ParseIP(ev.ServerAddress) == nil {
			// Go matches a CIDR only against IP literals; whether it was meant for this host
			// depends on the host's addresses.
			ev.HostAddresses, _ = net.DefaultResolver.LookupHost(ctx, ev.ServerAddress)
		}
	}
	if t.OneConnectionPerRun {
		// Before: a dial the previous run gave up on may have finished into the pool since.
		t.Client.CloseIdleConnections()
		defer t.Client.CloseIdleConnections()
	}

	// The first request leaves part of the timeout for the follow-ups a failure calls for.
	mainCtx, cancelMain := context.WithTimeout(ctx, time.Duration(float64(t.Timeout)*mainShare))
	var state *tls.ConnectionState
	ev.Main, state = exchange(mainCtx, t.Client, mainRequest(t, ev))
	cancelMain()
	if state != nil {
		ev.Main.AnchorSubject = t.anchorOfState(state)
	}
	for _, c := range collectors {
		if ctx.Err() != nil {
			break
		}
		if c.when(r) {
			c.collect(ctx, r)
		}
	}
	redactAnswers(t.Redactor, ev)
	ev.Redact = t.Redactor.Redact
	ev.Duration = time.Since(start)
	return *ev
}

// proxy is the plan's proxy for its URL (nil: direct), and the rule's error.
func (t *Target) proxy() (*url.URL, error) {
	c := &t.proxyChoice
	c.once.Do(func() { c.proxy, c.err = t.ProxyFunc()(t.URL) })
	return c.proxy, c.err
}

// httpsWentDirect: HTTP_PROXY is set but HTTPS_PROXY is not, and this https request went
// direct although NO_PROXY does not exclude it: with HTTPS_PROXY set it would have used the
// proxy. An http:// endpoint used HTTP_PROXY, and one NO_PROXY covers goes direct anyway.
func httpsWentDirect(t *Target) bool {
	if t.FixedProxy() || t.Route.Source == SourceProxyDisable || t.Env.HTTPProxy == "" || t.Env.HTTPSProxy != "" || t.URL.Scheme != "https" {
		return false
	}
	withHTTPS := httpproxy.Config{HTTPSProxy: t.Env.HTTPProxy, NoProxy: t.Env.NoProxy}
	p, err := withHTTPS.ProxyFunc()(t.URL)
	return err == nil && p != nil
}

// mainRequest is the guide's request: the cluster's GET with its credentials; the cloud
// probes' POST without credentials (the intake's body is empty).
func mainRequest(t *Target, ev *Evidence) request {
	if t.Name == Cluster {
		return request{method: http.MethodGet, url: t.URL.String(), path: t.URL.Path, header: t.clusterHeader()}
	}
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
	return request{method: http.MethodPost, url: t.URL.String(), path: t.URL.Path, header: header, body: body}
}

func (t *Target) clusterHeader() http.Header {
	header := t.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if t.Authorization != "" {
		header.Set("Authorization", string(t.Authorization))
	}
	return header
}

// CASubjects are the subjects of the certificates in CAPEM, parsed once per target.
func (t *Target) CASubjects() []string {
	t.caSubjects.once.Do(func() {
		for _, c := range t.CACertificates() {
			t.caSubjects.list = append(t.caSubjects.list, scrub.Name(c.Subject))
		}
	})
	return t.caSubjects.list
}

// CACertificates are the certificates in CAPEM, parsed anew: only a run whose verdict may
// need them asks (they are not kept between runs).
func (t *Target) CACertificates() []*x509.Certificate {
	var list []*x509.Certificate
	for block, rest := pem.Decode(t.Trust.CAPEM); block != nil; block, rest = pem.Decode(rest) {
		if c, err := x509.ParseCertificate(block.Bytes); err == nil && block.Type == "CERTIFICATE" {
			list = append(list, c)
		}
	}
	return list
}

// HoldsEndEntity: CAPEM holds c itself as an end-entity certificate.
func (t *Target) HoldsEndEntity(c *x509.Certificate) bool {
	t.caLeaves.once.Do(func() {
		for _, ca := range t.CACertificates() {
			if !ca.IsCA {
				if t.caLeaves.digests == nil {
					t.caLeaves.digests = map[[sha256.Size]byte]bool{}
				}
				t.caLeaves.digests[sha256.Sum256(ca.Raw)] = true
			}
		}
	})
	return t.caLeaves.digests != nil && t.caLeaves.digests[sha256.Sum256(c.Raw)]
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

// StopAtRedirects makes client return a 3xx as it is: a redirect on these endpoints means
// something else answered, and following it could carry credentials elsewhere.
func StopAtRedirects(client *http.Client) {
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
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
	ex, _ := exchange(ctx, client, request{method: http.MethodGet, url: root.String(), path: "/"})
	if ex.Response == nil || ex.Response.Date.IsZero() {
		return nil
	}
	return &Response{Status: ex.Response.Status, Date: ex.Response.Date, ReceivedAt: ex.Response.ReceivedAt}
}

// clientFacts are the plan's decisions, as the evidence records them.
func (t *Target) clientFacts() ClientFacts {
	t.facts.once.Do(func() { t.facts.value = t.planFacts() })
	return t.facts.value
}

// planFacts reads the facts off the plan; clientFacts keeps them.
func (t *Target) planFacts() ClientFacts {
	f := ClientFacts{
		Agent: t.Agent, AgentTLS: t.Verify.Agent, Mode: t.Verify.Mode, SSLDisabled: t.SSLDisabled,
		TLSSettings: t.TLSSettings, RootsSource: t.Trust.Source, RootsWithSystem: t.Trust.WithSystem, Pinned: len(t.Verify.Pins) > 0,
	}
	if t.AgentModule {
		f.ConnectTimeout = t.ConnectTimeout
	}
	if t.TLS != nil {
		f.MinVersion = t.TLS.MinVersion
	}
	switch {
	case t.Verify.Mode == VerifyNone || t.Verify.Mode == VerifyCertificate:
		// Neither mode checks the host, the agent's included.
	case t.Verify.Agent:
		f.CheckedHost = t.Verify.Host
	default:
		// Go's own check names the host it dialled, through a proxy too.
		f.CheckedHost = serverName(t)
	}
	return f
}
