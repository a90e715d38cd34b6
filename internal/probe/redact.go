package probe

import (
	"io"

	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// The scrubbing engine is internal/scrub; these names keep the receiver's and the command's
// callers as they were.
type (
	Redactor = scrub.Redactor
	Secrets  = scrub.Secrets
)

const (
	Redacted = scrub.Redacted
	Fragment = scrub.Fragment
	// cutOverlap is what is read past a quote's limit, so that the whole buffer is scrubbed before
	// the cut: a secret straddling the cut is seen whole. Six bytes per byte covers a secret of
	// 2 KiB written entirely as \u00XX escapes.
	cutOverlap = 12 << 10
)

func NewRedactor(s Secrets) *Redactor { return scrub.NewRedactor(s) }
func RedactURL(raw string) string     { return scrub.RedactURL(raw) }
func ScrubUserinfo(s string) string   { return scrub.ScrubUserinfo(s) }

// readBody reads at most limit bytes of an answer for the evidence, and cutOverlap more: the
// cut is made when the evidence is scrubbed (redactAnswers), after the whole buffer was.
func (resp *Response) readBody(r io.Reader, limit int) error {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit+cutOverlap)))
	resp.Body, resp.limit = b, limit
	return err
}

// redactAnswers scrubs every part of the evidence that quotes an answer, then cuts each body
// to its limit.
func redactAnswers(r *Redactor, ev *Evidence) {
	for _, resp := range ev.responses() {
		limit := resp.limit
		if limit == 0 {
			limit = max(len(resp.Body), MaxBody)
		}
		resp.Body, resp.Truncated = r.Cut(resp.Body, limit)
		resp.limit = 0
		for _, s := range []*string{&resp.Location, &resp.SquidError, &resp.Server, &resp.ContentType, &resp.ElasticProduct, &resp.Reason} {
			*s = r.Redact(*s)
		}
		for i := range resp.ProxyAuthSchemes {
			resp.ProxyAuthSchemes[i] = r.Redact(resp.ProxyAuthSchemes[i])
		}
	}
	if len(ev.RawReply) > 0 {
		ev.RawReply, _ = r.Cut(ev.RawReply, len(ev.RawReply))
	}
	for _, tl := range []*AnswerTooLarge{ev.PlainConnectTooLarge, proxyAnswerTooLarge(ev.Handshake)} {
		if tl != nil {
			tl.Start, _ = r.Cut(tl.Start, len(tl.Start))
		}
	}
}

// responses are every answer the evidence holds (a test checks that none is left out).
func (e *Evidence) responses() []*Response {
	var out []*Response
	var batch *Exchange
	if e.Batch != nil {
		batch = &e.Batch.Exchange
	}
	for _, ex := range []*Exchange{&e.Main, e.License, e.Authenticate, e.Privileges, batch} {
		if ex != nil && ex.Response != nil {
			out = append(out, ex.Response)
		}
	}
	if e.ServerClock != nil {
		out = append(out, e.ServerClock)
	}
	if e.Handshake != nil && e.Handshake.ProxyAnswer != nil {
		out = append(out, e.Handshake.ProxyAnswer)
	}
	if e.PortCheck != nil && e.PortCheck.Answer != nil {
		out = append(out, e.PortCheck.Answer)
	}
	return out
}
