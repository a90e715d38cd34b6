package scrub

import (
	"encoding/base64"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

type builder struct {
	forms   []form
	seen    map[string]bool
	windows map[run]struct{}
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
			b.windows[run([]byte(s[i:i+Fragment]))] = struct{}{}
		}
	}
}

// covered: s is at least Fragment bytes long and each of its Fragment-byte runs is a window.
func (b *builder) covered(s []byte) bool {
	if len(s) < Fragment {
		return false
	}
	for i := 0; i+Fragment <= len(s); i++ {
		if _, ok := b.windows[run(s[i:i+Fragment])]; !ok {
			return false
		}
	}
	return true
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
	b.inBase64(v)
	b.utf16(v)
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
	for _, enc := range base64Encodings {
		b.add(enc.EncodeToString([]byte(v)), true)
	}
}

// base64Encodings are both alphabets, padded and not, in the order decodeBase64 tries them.
var base64Encodings = []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}

// inBase64 adds what v becomes inside the base64 of a longer text (a whole header line such as
// "Authorization: ApiKey …", a page): at each of the three alignments, the characters that v's
// bytes alone decide, in both alphabets. Shorter than MinSubstring, such a run would match any
// base64 text, so it is left out.
func (b *builder) inBase64(v string) {
	src := make([]byte, 2+len(v))
	for a := range 3 {
		in := src[:a+len(v)]
		copy(in[a:], v)
		enc := base64.RawStdEncoding.EncodeToString(in)
		// Character k holds bits [6k, 6k+6); v's bytes are bits [8a, 8(a+len(v))).
		first, end := (8*a+5)/6, 8*(a+len(v))/6
		if end-first < MinSubstring {
			continue
		}
		core := enc[first:end]
		b.add(core, true)
		b.add(toURLAlphabet(core), true)
	}
}

// utf16 adds v in UTF-16, both byte orders, when v is not ASCII: an ASCII secret echoed in
// UTF-16 is found by reading the text without its zero bytes (nulView), which keeps its escapes
// and fragments readable too.
func (b *builder) utf16(v string) {
	ascii := true
	for i := range len(v) {
		ascii = ascii && v[i] < utf8.RuneSelf
	}
	if ascii {
		return
	}
	le, be := make([]byte, 0, 2*len(v)), make([]byte, 0, 2*len(v))
	for _, u := range utf16.Encode([]rune(v)) {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	b.add(string(le), true)
	b.add(string(be), true)
}

func toURLAlphabet(s string) string { return strings.NewReplacer("+", "-", "/", "_").Replace(s) }

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

// base64Alphabets gives v written in the other alphabet and without padding, when v is base64.
func base64Alphabets(v string) []string {
	if _, ok := decodeBase64(v); !ok {
		return nil
	}
	bare := strings.TrimRight(v, "=")
	urlSafe := toURLAlphabet(bare)
	std := strings.NewReplacer("-", "+", "_", "/").Replace(bare)
	return []string{bare, urlSafe, std}
}

// decodeBase64 decodes v in any alphabet, padded or not, when it gives printable text.
func decodeBase64(v string) (string, bool) {
	for _, enc := range base64Encodings {
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
