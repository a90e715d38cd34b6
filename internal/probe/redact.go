package probe

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/url"
	"regexp"
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
	// cutOverlap is what is read past a quote's limit, so that the whole buffer is scrubbed before
	// the cut: a secret straddling the cut is seen whole. Six bytes per byte covers a secret of
	// 2 KiB written entirely as \u00XX escapes.
	cutOverlap = 12 << 10
)

// Redactor removes configured secrets from what a server, proxy or WAF may echo back: a page
// quoting the request's headers must not carry the token, the API key or a password into the
// evidence. It holds each secret in every form a request carries it (base64 padded, unpadded,
// URL-safe; the decoded id:key or user:password and the part after the colon), and reads a
// text through its escapes (JSON \u00XX and \/, URL %2f or %2F, HTML &#47;), so an echo in any
// of those forms, or a mix, is found.
type Redactor struct {
	forms   []form              // longest first
	windows map[string]struct{} // every Fragment-byte run of a secret
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
	b := &builder{seen: map[string]bool{}, windows: map[string]struct{}{}}
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
	slices.SortFunc(b.forms, func(x, y form) int {
		if len(x.s) != len(y.s) {
			return len(y.s) - len(x.s)
		}
		return bytes.Compare(x.s, y.s)
	})
	return &Redactor{forms: b.forms, windows: b.windows}
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

type builder struct {
	forms   []form
	seen    map[string]bool
	windows map[string]struct{}
}

// add records one form; secret forms also give their Fragment-byte runs. Forms that carry an
// identifier beside the secret (id:key, user:password) give none, so that the API key's id or a
// username alone, which answers quote, stays readable.
func (b *builder) add(s string, secret bool) {
	if s == "" {
		return
	}
	if !b.seen[s] {
		b.seen[s] = true
		b.forms = append(b.forms, form{s: []byte(s), alone: len(s) < MinSubstring})
	}
	if secret {
		for i := 0; i+Fragment <= len(s); i++ {
			b.windows[s[i:i+Fragment]] = struct{}{}
		}
	}
}

// secret adds a secret value, its base64 encodings, and, when it is itself base64 of a
// credential pair (an encoded API key, Basic credentials), what it decodes to and the part
// after the colon: the id or the username alone stays readable.
func (b *builder) secret(v string) {
	if v == "" {
		return
	}
	b.add(v, true)
	b.encodings(v)
	for _, alt := range base64Alphabets(v) {
		b.add(alt, true)
	}
	if dec, ok := decodeBase64(v); ok {
		if _, key, found := strings.Cut(dec, ":"); found && key != "" {
			b.add(dec, false)
			b.add(key, true)
			b.encodings(key)
		}
	}
}

// encodings adds v's base64 in each alphabet, padded and not: what a Basic or ApiKey header
// carries, and what a server that re-encodes it echoes.
func (b *builder) encodings(v string) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b.add(enc.EncodeToString([]byte(v)), true)
	}
}

// authorization adds a header value as sent: "<scheme> <credentials>", or a bare value.
func (b *builder) authorization(v string) {
	if v == "" {
		return
	}
	b.add(v, false)
	if scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok && isToken(scheme) {
		b.secret(strings.TrimSpace(cred))
		return
	}
	b.secret(v)
}

// cookies adds the value of each cookie of a Cookie header ("a=1; b=2").
func (b *builder) cookies(v string) {
	for _, c := range strings.Split(v, ";") {
		if _, val, ok := strings.Cut(c, "="); ok {
			b.secret(strings.TrimSpace(val))
		} else {
			b.secret(strings.TrimSpace(c))
		}
	}
}

// proxy adds a proxy URL's credentials as typed and as Go sends them (unescaped, in base64).
func (b *builder) proxy(raw string) {
	userinfo, ok := ProxyUserinfo(raw)
	if !ok {
		return
	}
	b.add(userinfo, false)
	for _, ui := range []string{userinfo, unescape(userinfo)} {
		user, pass, hasPass := strings.Cut(ui, ":")
		if !hasPass {
			// A username alone (http://token@proxy) is the credential.
			b.secret(user)
			continue
		}
		b.add(ui, false)
		b.encodings(ui)
		b.secret(pass)
	}
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		// Go's own reading, where it parses: what it sends in Proxy-Authorization.
		pass, _ := u.User.Password()
		b.secret(pass)
		b.encodings(u.User.Username() + ":" + pass)
	}
}

// ProxyUserinfo is the user information of a URL in any form Go accepts: with or without a
// scheme, with an unescaped / or @ in the password. It runs to the last @ before the query,
// so a password holding / or @ is never read as the host or a path.
func ProxyUserinfo(raw string) (string, bool) {
	_, rest := splitScheme(strings.TrimSpace(raw))
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return "", false
	}
	return rest[:at], true
}

// RedactURL removes any user information, so a URL can be logged: everything up to the last
// @ before the query goes, whether Go can parse the URL or not (a password holding an
// unescaped /, a URL without a scheme). An @ in a path is read as the end of credentials too:
// printing less of a path is the lesser harm.
func RedactURL(raw string) string {
	scheme, rest := splitScheme(raw)
	tail := ""
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest, tail = rest[:i], rest[i:]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return ScrubUserinfo(scheme + rest + tail)
}

// splitScheme splits "scheme://" off raw ("" when there is none), twice written too: Go reads
// "http://user:pa/ss@proxy" as "http://http://user:pa/ss@proxy", whose host is "http".
func splitScheme(raw string) (string, string) {
	if m := schemeRE.FindStringIndex(raw); m != nil {
		return raw[:m[1]], raw[m[1]:]
	}
	return "", raw
}

var schemeRE = regexp.MustCompile(`^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)+`)

// userinfo matches the credentials part of a URL anywhere in a text: from the scheme to the
// last @ before a quote, a line's end, the query or the fragment (a password may hold /, @ or
// a space; Go's errors quote a URL they cannot parse).
var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^"'<>?#\r\n\t]*@`)

// ScrubUserinfo removes credentials from every URL in a text, such as an error message that
// quotes a proxy variable as it was given.
func ScrubUserinfo(s string) string {
	if !strings.Contains(s, "@") { // no credentials without one: most texts, every run
		return s
	}
	return userinfo.ReplaceAllString(s, "$1")
}

// Redact replaces every form of every secret in s.
func (r *Redactor) Redact(s string) string {
	if r == nil || s == "" {
		return s
	}
	b := []byte(s)
	spans := r.spans(b)
	if len(spans) == 0 {
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
		spans = r.spans(b)
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
	var found []span
	v := plainView(b)
	for level := 0; ; level++ {
		found = r.find(v, found)
		if level == 2 {
			break
		}
		next, changed := v.decode()
		if !changed {
			break
		}
		v = next
	}
	return merge(found)
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
	if len(r.windows) > 0 {
		for i := 0; i+Fragment <= len(v.text); i++ {
			if _, ok := r.windows[string(v.text[i:i+Fragment])]; ok {
				found = append(found, v.original(i, i+Fragment))
			}
		}
	}
	return found
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

// view is a text read through its escapes: text[i] came from original[start[i]:end[i]].
// A plain view has nil maps.
type view struct {
	text       []byte
	start, end []int
}

func plainView(b []byte) view { return view{text: b} }

func (v view) original(i, j int) span {
	if v.start == nil {
		return span{i, j}
	}
	return span{v.start[i], v.end[j-1]}
}

// decode reads one level of escapes: \uXXXX, \xHH, a backslash before punctuation (JSON's \/,
// a certificate subject's \+), %XX, &#NN; &#xHH; and the five named HTML entities. changed is
// false when there were none.
func (v view) decode() (view, bool) {
	t := v.text
	if !bytes.ContainsAny(t, `\%&`) {
		return v, false
	}
	out := view{text: make([]byte, 0, len(t)), start: make([]int, 0, len(t)), end: make([]int, 0, len(t))}
	changed := false
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(t); {
		dec, n := escapeAt(t, i, &buf)
		if n == 0 {
			dec, n = t[i:i+1], 1
		} else {
			changed = true
		}
		o := v.original(i, i+n)
		for _, c := range dec {
			out.text = append(out.text, c)
			out.start = append(out.start, o.start)
			out.end = append(out.end, o.end)
		}
		i += n
	}
	return out, changed
}

var htmlEntities = []struct{ name, value string }{{"amp", "&"}, {"quot", `"`}, {"apos", "'"}, {"lt", "<"}, {"gt", ">"}}

// escapeAt decodes the escape at t[i] into buf, giving its bytes and length (0: none there).
func escapeAt(t []byte, i int, buf *[utf8.UTFMax]byte) ([]byte, int) {
	switch t[i] {
	case '\\':
		if i+1 >= len(t) {
			return nil, 0
		}
		switch c := t[i+1]; {
		case c == 'u':
			if n, ok := hexValue(t, i+2, 4); ok {
				return buf[:utf8.EncodeRune(buf[:], rune(n))], 6
			}
		case c == 'x':
			if n, ok := hexValue(t, i+2, 2); ok {
				buf[0] = byte(n)
				return buf[:1], 4
			}
		case c == ' ' || c < utf8.RuneSelf && (unicode.IsPunct(rune(c)) || unicode.IsSymbol(rune(c))):
			// JSON's \/ \" \\, a certificate subject's \+ \, \= (RFC 4514).
			return t[i+1 : i+2], 2
		}
	case '%':
		if n, ok := hexValue(t, i+1, 2); ok {
			buf[0] = byte(n)
			return buf[:1], 3
		}
	case '&':
		end := bytes.IndexByte(t[i:min(len(t), i+10)], ';')
		if end < 2 {
			return nil, 0
		}
		name := t[i+1 : i+end]
		for _, e := range htmlEntities {
			if string(name) == e.name {
				return buf[:copy(buf[:], e.value)], end + 1
			}
		}
		if name[0] != '#' || len(name) < 2 {
			return nil, 0
		}
		var n uint
		var ok bool
		if name[1] == 'x' || name[1] == 'X' {
			n, ok = hexValue(name, 2, len(name)-2)
		} else {
			n, ok = decimalValue(name[1:])
		}
		if ok && n <= unicode.MaxRune {
			return buf[:utf8.EncodeRune(buf[:], rune(n))], end + 1
		}
	}
	return nil, 0
}

// hexValue reads n hex digits at t[i:].
func hexValue(t []byte, i, n int) (uint, bool) {
	if n <= 0 || n > 6 || i+n > len(t) {
		return 0, false
	}
	var v uint
	for _, c := range t[i : i+n] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

func decimalValue(t []byte) (uint, bool) {
	if len(t) == 0 || len(t) > 7 {
		return 0, false
	}
	var v uint
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint(c-'0')
	}
	return v, true
}

// base64Alphabets gives v written in the other alphabet and without padding, when v is base64.
func base64Alphabets(v string) []string {
	if _, ok := decodeBase64(v); !ok {
		return nil
	}
	bare := strings.TrimRight(v, "=")
	urlSafe := strings.NewReplacer("+", "-", "/", "_").Replace(bare)
	std := strings.NewReplacer("-", "+", "_", "/").Replace(bare)
	return []string{bare, urlSafe, std}
}

// decodeBase64 decodes v in any alphabet, padded or not, when it gives printable text.
func decodeBase64(v string) (string, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if dec, err := enc.DecodeString(v); err == nil && len(dec) > 0 && printable(dec) {
			return string(dec), true
		}
	}
	return "", false
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isToken: an HTTP authentication scheme name (Basic, ApiKey, AutoOpsToken, Bearer).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// readBody reads at most limit bytes of an answer for the evidence, and cutOverlap more: the
// cut is made when the evidence is scrubbed (redactAnswers), after the whole buffer was.
func (resp *Response) readBody(r io.Reader, limit int) error {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit+cutOverlap)))
	resp.Body, resp.limit = b, limit
	return err
}

// redactAnswers scrubs every part of the evidence that quotes an answer, then cuts each body
// to its limit.
func (r *Redactor) redactAnswers(ev *Evidence) {
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
