package scrub

import (
	"encoding/base64"
	"net/url"
	"strings"
)

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
