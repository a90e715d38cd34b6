package probe

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
)

// Redacted stands where a secret was.
const Redacted = "[REDACTED]"

// Redactor removes configured secrets from what a server, proxy or WAF may echo back: a page
// quoting the request's headers must not carry the token, the API key or a password into the
// evidence. It holds each secret in every form a request carries it.
type Redactor struct {
	forms []string // longest first, so a longer form is replaced before a part of it
}

// NewRedactor takes header values (Authorization, the token, configured headers) and proxy
// URLs; each is expanded into the forms it travels in.
func NewRedactor(headerValues, proxyURLs []string) *Redactor {
	r := &Redactor{}
	for _, v := range headerValues {
		r.addHeaderValue(v)
	}
	for _, p := range proxyURLs {
		if u, err := url.Parse(p); err == nil && u.User != nil {
			pass, _ := u.User.Password()
			r.add(pass, u.User.Username()+":"+pass, base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
		}
	}
	slices.SortFunc(r.forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	r.forms = slices.Compact(r.forms)
	return r
}

// addHeaderValue: "ApiKey <base64(id:key)>", "Basic <base64(user:pass)>", "AutoOpsToken <t>", or
// a bare value; the encoded part, its decoded form and the secret after its colon.
func (r *Redactor) addHeaderValue(v string) {
	r.add(v)
	_, cred, found := strings.Cut(v, " ")
	if !found {
		return
	}
	r.add(cred)
	if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
		r.add(string(dec))
		if _, secret, ok := strings.Cut(string(dec), ":"); ok {
			r.add(secret)
		}
	}
}

func (r *Redactor) add(forms ...string) {
	for _, f := range forms {
		if f == "" {
			continue
		}
		r.forms = append(r.forms, f)
		if q := url.QueryEscape(f); q != f {
			r.forms = append(r.forms, q)
		}
	}
}

// Redact replaces every form of every secret in s.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	for _, f := range r.forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, Redacted)
		}
	}
	return s
}

// redactBytes is Redact for an answer's body; it copies only when something is replaced.
func (r *Redactor) redactBytes(b []byte) []byte {
	if r == nil || len(b) == 0 {
		return b
	}
	s := string(b)
	if out := r.Redact(s); out != s {
		return []byte(out)
	}
	return b
}

// redactAnswers scrubs every part of the evidence that quotes an answer.
func (r *Redactor) redactAnswers(ev *Evidence) {
	for _, resp := range []*Response{ev.Main.Response, proxyAnswerOf(ev.Handshake)} {
		if resp != nil {
			resp.Body = r.redactBytes(resp.Body)
			resp.Location = r.Redact(resp.Location)
			resp.SquidError = r.Redact(resp.SquidError)
		}
	}
	ev.RawReply = r.redactBytes(ev.RawReply)
}

func proxyAnswerOf(hc *HandshakeCheck) *Response {
	if hc == nil {
		return nil
	}
	return hc.ProxyAnswer
}
