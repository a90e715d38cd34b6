package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"time"
)

// request is one HTTP request a probe sends.
type request struct {
	method string
	url    string
	path   string // for the record only
	header http.Header
	body   []byte
}

// exchange sends req with client and records timings, progress and a bounded answer. The
// handshake's state comes apart (nil without TLS): only the main exchange's anchor reads it,
// and the evidence does not keep it.
func exchange(ctx context.Context, client *http.Client, req request) (Exchange, *tls.ConnectionState) {
	ex := Exchange{Method: req.method, Path: req.path}
	tr := &tracer{}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	httpReq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, tr.trace()), req.method, req.url, body)
	if err != nil {
		ex.Err = err
		return ex, nil
	}
	for k, v := range req.header {
		httpReq.Header[k] = v
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		ex.Err = err
		end := time.Now()
		ex.Progress, ex.Phases = tr.finish(end)
		ex.Silence = tr.silence(end)
		ex.PeerAddress, ex.ResolvedAddresses = tr.addresses()
		ex.FailedAddresses = tr.failedDials()
		return ex, nil
	}
	defer func() { _ = resp.Body.Close() }()
	ex.Response = answerOf(resp)
	if final := resp.Request.URL.String(); final != req.url {
		ex.RedirectedTo = RedactURL(final)
	}
	// Cut to MaxBody only once scrubbed (redactAnswers): a secret across the cut goes whole.
	readErr := ex.Response.readBody(resp.Body, MaxBody)
	end := time.Now()
	ex.Response.ReceivedAt = end
	// A body cut short by a timeout or reset is a failed exchange even though headers came.
	if readErr != nil {
		ex.Err = readErr
	}
	if resp.TLS != nil {
		// As presented, leaf first: the expiry of every one of them counts.
		ex.PeerChain = resp.TLS.PeerCertificates
	}
	ex.Progress, ex.Phases = tr.finish(end)
	ex.PeerAddress, ex.ResolvedAddresses = tr.addresses()
	ex.FailedAddresses, ex.ConnectedAfter = tr.failedDials(), tr.connectedAfter()
	if resp.TLS != nil {
		ex.TLSVersion = resp.TLS.Version
	}
	return ex, resp.TLS
}

// answerOf keeps the headers the diagnosis reads.
func answerOf(resp *http.Response) *Response {
	r := &Response{
		Status:           resp.StatusCode,
		Location:         resp.Header.Get("Location"),
		ElasticProduct:   resp.Header.Get("X-Elastic-Product"),
		Kibana:           resp.Header.Get("Kbn-Name") != "" || resp.Header.Get("Kbn-License-Sig") != "",
		ContentType:      resp.Header.Get("Content-Type"),
		ProxyAuthSchemes: authSchemes(resp.Header.Values("Proxy-Authenticate")),
		SquidError:       resp.Header.Get("X-Squid-Error"),
		Server:           resp.Header.Get("Server"),
		Reason:           reasonPhrase(resp),
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		r.Date = d
	}
	return r
}

// MaxReason bounds the reason phrase kept from a status line.
const MaxReason = 200

// reasonPhrase is the reason phrase of resp's status line as the server sent it: Go keeps the
// line in Status ("503 Connect failed"). Bytes outside printable ASCII become '?'.
func reasonPhrase(resp *http.Response) string {
	reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	if len(reason) > MaxReason {
		reason = reason[:MaxReason]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, reason)
}

// authSchemes gives the scheme of each challenge ("NTLM", "Negotiate", "Basic realm=...").
func authSchemes(challenges []string) []string {
	var schemes []string
	for _, c := range challenges {
		for _, part := range strings.Split(c, ",") {
			// A scheme starts a challenge; parameters (realm=...) follow it.
			if f := strings.Fields(part); len(f) > 0 && !strings.Contains(f[0], "=") {
				schemes = append(schemes, f[0])
			}
		}
	}
	return schemes
}

// tracer records the moments of one request; httptrace may call it from several goroutines.
type tracer struct {
	mu                               sync.Mutex
	dnsStart, dnsDone                time.Time
	connectStart, connectDone        time.Time
	tlsStart, tlsDone                time.Time
	gotConn, wroteRequest, firstByte time.Time
	continued                        time.Time
	peer                             string
	resolved                         []string
	// dials are the addresses connects were started to, in order; connectedTo the one that
	// connected ("" when none did).
	dials       []dial
	connectedTo string
}

// dial is one connect started: to whom, when.
type dial struct {
	addr string
	at   time.Time
}

func (t *tracer) addresses() (string, []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	peer := t.peer
	if t.connectedTo != "" {
		// Happy Eyeballs may start the other family's dial after the one that connected.
		peer = t.connectedTo
	}
	return hostOnly(peer), t.resolved
}

// failedDials are the addresses a connect was started to that did not connect (the ones
// given up when another connected included), in the order tried.
func (t *tracer) failedDials() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var failed []string
	for _, d := range t.dials {
		if d.addr != t.connectedTo {
			failed = append(failed, hostOnly(d.addr))
		}
	}
	return failed
}

// connectedAfter is how long after the first connect started the one that connected started
// (0 when it was the first, or none connected).
func (t *tracer) connectedAfter() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, d := range t.dials {
		if d.addr == t.connectedTo {
			return d.at.Sub(t.dials[0].at)
		}
	}
	return 0
}

func hostOnly(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func (t *tracer) at(dst *time.Time) {
	t.mu.Lock()
	if dst.IsZero() {
		*dst = time.Now()
	}
	t.mu.Unlock()
}

func (t *tracer) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { t.at(&t.dnsStart) },
		DNSDone: func(info httptrace.DNSDoneInfo) {
			t.mu.Lock()
			for _, a := range info.Addrs {
				t.resolved = append(t.resolved, a.IP.String())
			}
			t.mu.Unlock()
			t.at(&t.dnsDone)
		},
		ConnectStart: func(_, addr string) {
			t.mu.Lock()
			t.peer = addr
			t.dials = append(t.dials, dial{addr, time.Now()})
			t.mu.Unlock()
			t.at(&t.connectStart)
		},
		ConnectDone: func(_, addr string, err error) {
			if err != nil {
				return
			}
			t.mu.Lock()
			if t.connectedTo == "" {
				t.connectedTo = addr
			}
			t.mu.Unlock()
			t.at(&t.connectDone)
		},
		TLSHandshakeStart: func() { t.at(&t.tlsStart) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				t.at(&t.tlsDone)
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			t.mu.Lock()
			if info.Conn != nil && t.peer == "" {
				t.peer = info.Conn.RemoteAddr().String()
			}
			t.mu.Unlock()
			t.at(&t.gotConn)
		},
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.at(&t.wroteRequest) },
		GotFirstResponseByte: func() { t.at(&t.firstByte) },
		Got100Continue:       func() { t.at(&t.continued) },
	}
}

// silence is how long the request, once written, went without a first byte until end.
func (t *tracer) silence(end time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.wroteRequest.IsZero() || !t.firstByte.IsZero() {
		return 0
	}
	return end.Sub(t.wroteRequest)
}

// finish turns the recorded moments into progress and the durations of the phases that happened.
func (t *tracer) finish(end time.Time) (Progress, []PhaseTiming) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := Progress{
		DNSDone:      !t.dnsDone.IsZero(),
		Connected:    t.connectedTo != "",
		TLSStarted:   !t.tlsStart.IsZero(),
		TLSDone:      !t.tlsDone.IsZero(),
		WroteRequest: !t.wroteRequest.IsZero(),
		FirstByte:    !t.firstByte.IsZero(),
		Continued:    !t.continued.IsZero(),
	}
	var phases []PhaseTiming
	add := func(name string, from, to time.Time) {
		if !from.IsZero() && !to.IsZero() && !to.Before(from) {
			phases = append(phases, PhaseTiming{Phase: name, Duration: to.Sub(from)})
		}
	}
	add(PhaseDNS, t.dnsStart, t.dnsDone)
	add(PhaseConnect, t.connectStart, t.connectDone)
	add(PhaseTLS, t.tlsStart, t.tlsDone)
	add(PhaseRequest, t.gotConn, t.firstByte)
	add(PhaseTransfer, t.firstByte, end)
	return p, phases
}
