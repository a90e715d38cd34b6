package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptrace"
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

// exchange sends req with client and records timings, progress and a bounded answer.
func exchange(ctx context.Context, client *http.Client, req request) Exchange {
	ex := Exchange{Method: req.method, Path: req.path}
	tr := &tracer{}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	httpReq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, tr.trace()), req.method, req.url, body)
	if err != nil {
		ex.Err = err
		return ex
	}
	for k, v := range req.header {
		httpReq.Header[k] = v
	}
	resp, err := client.Do(httpReq)
	if err != nil {
		ex.Err = err
		ex.Progress, ex.Phases = tr.finish(time.Now())
		return ex
	}
	defer func() { _ = resp.Body.Close() }()
	limited, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	end := time.Now()
	ex.Response = &Response{
		Status:            resp.StatusCode,
		Location:          resp.Header.Get("Location"),
		ElasticProduct:    resp.Header.Get("X-Elastic-Product"),
		ProxyAuthenticate: resp.Header.Get("Proxy-Authenticate") != "",
		Body:              limited,
	}
	if len(limited) > MaxBody {
		ex.Response.Body, ex.Response.Truncated = limited[:MaxBody], true
	}
	// A body cut short by a timeout or reset is a failed exchange even though headers came.
	if readErr != nil {
		ex.Err = readErr
	}
	if resp.TLS != nil {
		ex.PeerChain = resp.TLS.PeerCertificates
	}
	ex.Progress, ex.Phases = tr.finish(end)
	return ex
}

// tracer records the moments of one request; httptrace may call it from several goroutines.
type tracer struct {
	mu                               sync.Mutex
	dnsStart, dnsDone                time.Time
	connectStart, connectDone        time.Time
	tlsStart, tlsDone                time.Time
	gotConn, wroteRequest, firstByte time.Time
	connected                        bool
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
		DNSStart:     func(httptrace.DNSStartInfo) { t.at(&t.dnsStart) },
		DNSDone:      func(httptrace.DNSDoneInfo) { t.at(&t.dnsDone) },
		ConnectStart: func(string, string) { t.at(&t.connectStart) },
		ConnectDone: func(_, _ string, err error) {
			if err != nil {
				return
			}
			t.mu.Lock()
			t.connected = true
			t.mu.Unlock()
			t.at(&t.connectDone)
		},
		TLSHandshakeStart: func() { t.at(&t.tlsStart) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				t.at(&t.tlsDone)
			}
		},
		GotConn:              func(httptrace.GotConnInfo) { t.at(&t.gotConn) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.at(&t.wroteRequest) },
		GotFirstResponseByte: func() { t.at(&t.firstByte) },
	}
}

// finish turns the recorded moments into progress and the durations of the phases that happened.
func (t *tracer) finish(end time.Time) (Progress, []PhaseTiming) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := Progress{
		DNSDone:      !t.dnsDone.IsZero(),
		Connected:    t.connected,
		TLSStarted:   !t.tlsStart.IsZero(),
		TLSDone:      !t.tlsDone.IsZero(),
		WroteRequest: !t.wroteRequest.IsZero(),
		FirstByte:    !t.firstByte.IsZero(),
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
