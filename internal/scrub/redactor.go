// Package scrub removes secrets from text a server, proxy or error may echo back: the forms a
// secret travels in, read through the escapes a text may hold. It knows nothing of the probe.
package scrub

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redacted stands where a secret was.
const Redacted = "[REDACTED]"

// The scrubbing rules. A secret is only what the configuration sends as a credential; what it
// is matched as is decided here, once.
const (
	// MinSubstring: a form of a secret this long or longer is removed wherever it occurs, inside
	// a word too. A shorter one is removed only where it stands alone (no letter or digit on
	// either side): a two-letter password never turns "exchange" into "e[REDACTED]change".
	MinSubstring = 8
	// Fragment: any run of this many bytes that also occurs in a secret is removed, so a secret
	// cut short (by a server that truncates what it echoes, or by a cut of a quote) leaves fewer
	// than Fragment bytes at either end. 12 base64 characters are 72 bits.
	Fragment = 12
	// MinCredentialShape: the value of a header that is not named as a credential is a secret
	// only when it looks generated: this long at least, without spaces, mixing upper case, lower
	// case and digits. "https", "x" or "application/json" never are.
	MinCredentialShape = 16
)

// Redactor removes configured secrets from what a server, proxy or WAF may echo back: a page
// quoting the request's headers must not carry the token, the API key or a password into the
// evidence. It holds each secret in every form a request carries it (base64 padded, unpadded,
// URL-safe; the decoded id:key or user:password and the part after the colon), and reads a
// text through its escapes (JSON \u00XX and \/, URL %2f or %2F, HTML &#47;), so an echo in any
// of those forms, or a mix, is found.
type Redactor struct {
	forms   []form    // longest first
	windows windowSet // every Fragment-byte run of a secret
	clean   cleanTexts
}

type form struct {
	s []byte
	// alone: shorter than MinSubstring, removed only where no letter or digit touches it.
	alone bool
}

// Secrets is what a configuration sends that must never come back in a quote.
type Secrets struct {
	// Values are secrets as configured: the token, a password, an API key in either form.
	Values []string
	// Authorizations are Authorization header values as sent: "ApiKey <base64>", "Basic
	// <base64>", "AutoOpsToken <token>".
	Authorizations []string
	// Headers are the configured headers, name and value; only credential-bearing ones count
	// (CredentialHeader, or a value that looks generated).
	Headers [][2]string
	// ProxyURLs are proxy URLs as given, in any form Go accepts (no scheme, an unescaped / or @
	// in the password).
	ProxyURLs []string
}

// NewRedactor expands each secret into the forms it travels in.
func NewRedactor(s Secrets) *Redactor {
	b := &builder{seen: map[string]bool{}, windows: map[run]struct{}{}}
	for _, v := range s.Values {
		b.secret(v)
	}
	for _, v := range s.Authorizations {
		b.authorization(v)
	}
	for _, h := range s.Headers {
		switch name, v := h[0], h[1]; {
		case strings.Contains(strings.ToLower(name), "cookie"):
			b.cookies(v)
		case CredentialHeader(name):
			b.authorization(v)
		case CredentialShaped(v):
			b.secret(v)
		}
	}
	for _, p := range s.ProxyURLs {
		b.proxy(p)
	}
	if len(b.forms) == 0 {
		return nil
	}
	// A form whose every Fragment-byte run is a window is found by the windows' scan: searching
	// it too would only cost a pass over the text.
	b.forms = slices.DeleteFunc(b.forms, func(f form) bool { return b.covered(f.s) })
	slices.SortFunc(b.forms, func(x, y form) int {
		if len(x.s) != len(y.s) {
			return len(y.s) - len(x.s)
		}
		return bytes.Compare(x.s, y.s)
	})
	return &Redactor{forms: b.forms, windows: newWindowSet(b.windows)}
}

// CredentialHeader: a header whose name says it carries a credential (Authorization,
// Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token, X-Session-Id...). Its value is scrubbed
// whatever its length; other headers' values only when CredentialShaped.
func CredentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"auth", "cookie", "token", "secret", "pass", "key", "session", "credential", "signature"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// CredentialShaped: a value that looks generated (MinCredentialShape).
func CredentialShaped(v string) bool {
	if len(v) < MinCredentialShape {
		return false
	}
	var upper, lower, digit bool
	for _, c := range v {
		switch {
		case unicode.IsSpace(c) || unicode.IsControl(c):
			return false
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsLower(c):
			lower = true
		case unicode.IsDigit(c):
			digit = true
		}
	}
	return upper && lower && digit
}

// Redact replaces every form of every secret in s.
func (r *Redactor) Redact(s string) string {
	if r == nil || s == "" || r.clean.hasString(s) {
		return s
	}
	b := []byte(s)
	spans := r.spans(b)
	if len(spans) == 0 {
		r.clean.add(b) // copied only if stored
		return s
	}
	return string(render(b, spans, -1))
}

// Cut scrubs the whole of b and then keeps at most limit bytes of it, at a character
// boundary; truncated says something was left out. A secret across the cut was removed whole
// before the cut was made.
func (r *Redactor) Cut(b []byte, limit int) (out []byte, truncated bool) {
	var spans []span
	if r != nil {
		spans = r.spansOf(b)
	}
	if len(spans) == 0 && len(b) <= limit {
		return b, false
	}
	keep := min(len(b), limit)
	for keep > 0 && keep < len(b) && !utf8.RuneStart(b[keep]) {
		keep--
	}
	out = render(b[:keep], spans, limit)
	return out, len(b) > limit
}

// span is a part of the original text to replace, [start, end).
type span struct{ start, end int }

// render writes b with each span replaced by Redacted (spans reaching past b end it), at most
// limit bytes at a character boundary (limit < 0: all).
func render(b []byte, spans []span, limit int) []byte {
	var out bytes.Buffer
	at := 0
	for _, s := range spans {
		if s.start >= len(b) {
			break
		}
		out.Write(b[at:s.start])
		out.WriteString(Redacted)
		at = min(s.end, len(b))
	}
	out.Write(b[at:])
	res := out.Bytes()
	if limit >= 0 && len(res) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(res[cut]) {
			cut--
		}
		res = res[:cut]
	}
	return res
}

// spans finds every form and every Fragment-byte run of a secret in b, as written and read
// through its escapes (up to two levels: a JSON string holding a URL-escaped value), merged
// and sorted.
func (r *Redactor) spans(b []byte) []span {
	found := r.levels(plainView(b), nil)
	if bytes.IndexByte(b, 0) >= 0 {
		// Zero bytes: perhaps UTF-16 (either byte order, a BOM or not); an ASCII secret in it
		// reads as itself once they are dropped. A text without any costs nothing more.
		found = r.levels(dropView(b, isNUL), found)
	}
	if wrappedBase64(b) {
		// Base64 wrapped in lines (PEM at 64, MIME and the base64 tool at 76): a secret's
		// encoding may straddle a line's end, read once without them.
		found = r.levels(dropView(b, isLineEnd), found)
	}
	return merge(found)
}

// levels finds in v as written and read through its escapes, up to two levels.
func (r *Redactor) levels(v view, found []span) []span {
	for level := 0; ; level++ {
		found = r.find(v, found)
		if level == 2 {
			return found
		}
		next, changed := v.decode()
		if !changed {
			return found
		}
		v = next
	}
}

func (r *Redactor) find(v view, found []span) []span {
	for _, f := range r.forms {
		for from := 0; from < len(v.text); {
			i := bytes.Index(v.text[from:], f.s)
			if i < 0 {
				break
			}
			i += from
			end := i + len(f.s)
			if !f.alone || (!wordByte(v.text, i-1) && !wordByte(v.text, end)) {
				found = append(found, v.original(i, end))
			}
			from = i + 1
		}
	}
	return r.windows.find(v, found)
}

func wordByte(b []byte, i int) bool {
	if i < 0 || i >= len(b) {
		return false
	}
	c := b[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf
}

func merge(spans []span) []span {
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:1]
	for _, s := range spans[1:] {
		if last := &out[len(out)-1]; s.start <= last.end {
			last.end = max(last.end, s.end)
		} else {
			out = append(out, s)
		}
	}
	return out
}
