package scrub

import (
	"net/url"
	"regexp"
	"strings"
)

// ProxyUserinfo is the user information of a URL in any form Go accepts: with or without a
// scheme, with an unescaped / or @ in the password. It runs to the last @ before the query,
// so a password holding / or @ is never read as the host or a path.
func ProxyUserinfo(raw string) (string, bool) {
	_, head, _, at := urlParts(strings.TrimSpace(raw))
	if at < 0 {
		return "", false
	}
	return head[:at], true
}

// RedactURL removes any user information, so a URL can be logged: everything up to the last
// @ before the query goes, whether Go can parse the URL or not (a password holding an
// unescaped /, a URL without a scheme). An @ in a path is read as the end of credentials too:
// printing less of a path is the lesser harm. The query's and the fragment's credentials go
// too (CredentialQuery).
func RedactURL(raw string) string {
	scheme, head, tail, at := urlParts(raw)
	return ScrubUserinfo(scheme + head[at+1:] + scrubQuery(tail)) // at is -1 without an @
}

// HideURLPassword hides what a URL's user information holds past the username
// ("http://u:[REDACTED]@proxy:3128"; with a scheme, a username alone is hidden too:
// http://token@proxy) and the query's credentials, in any form Go accepts; the rest stays as
// given. Text that is no URL ("alice@corp.example") stays as it is.
func HideURLPassword(raw string) string {
	scheme, head, tail, at := urlParts(raw)
	if at >= 0 {
		switch user, _, hasPass := strings.Cut(head[:at], ":"); {
		case hasPass:
			head = user + ":" + Redacted + head[at:]
		case scheme != "":
			head = Redacted + head[at:]
		}
	}
	if scheme != "" {
		tail = scrubQuery(tail)
	}
	return scheme + head + tail
}

// URLWithoutQueryValues is RedactURL with every value of the query and the fragment left out
// ("?token=…&region=…"): for a message about a URL that should have no query at all, where
// any value may be a secret the message cannot know of.
func URLWithoutQueryValues(raw string) string {
	u := RedactURL(raw)
	i := strings.IndexAny(u, "?#")
	if i < 0 {
		return u
	}
	return u[:i] + eachParam(u[i:], func(k, _ string, hasValue bool) string {
		if !hasValue {
			return "…"
		}
		return k + "=…"
	})
}

// The names of query parameters that carry a credential, beside CredentialHeader's words:
// sig (a signed URL's signature), pwd, jwt.
var credentialQueryWords = []string{"sig", "pwd", "jwt"}

// CredentialQuery: a query parameter named like a credential (token, key, apikey, api_key,
// password, secret, auth, sig, session...), whose value is scrubbed whatever it looks like;
// other parameters' values only when CredentialShaped.
func CredentialQuery(name string) bool {
	name = queryUnescape(name)
	if CredentialHeader(name) {
		return true
	}
	n := strings.ToLower(name)
	for _, w := range credentialQueryWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// scrubQuery redacts the credentials of a URL's query and fragment (tail starts at ? or #).
func scrubQuery(tail string) string {
	if len(tail) < 2 {
		return tail
	}
	return eachParam(tail, func(k, v string, hasValue bool) string {
		switch {
		case hasValue && v != "" && (CredentialQuery(k) || CredentialShaped(queryUnescape(v))):
			return k + "=" + Redacted
		case !hasValue && CredentialShaped(queryUnescape(k)):
			return Redacted
		case !hasValue:
			return k
		}
		return k + "=" + v
	})
}

// eachParam rewrites each parameter of a query or fragment (tail starts at ? or #), split at
// ? # & and ;.
func eachParam(tail string, rewrite func(k, v string, hasValue bool) string) string {
	var b strings.Builder
	start := 0
	for i := 0; i <= len(tail); i++ {
		if i < len(tail) && !strings.ContainsRune("?#&;", rune(tail[i])) {
			continue
		}
		if p := tail[start:i]; p != "" {
			k, v, hasValue := strings.Cut(p, "=")
			b.WriteString(rewrite(k, v, hasValue))
		}
		if i < len(tail) {
			b.WriteByte(tail[i])
		}
		start = i + 1
	}
	return b.String()
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// urlParts splits raw as ProxyUserinfo, RedactURL and HideURLPassword read a URL, parsable
// or not: its scheme ("" when none), the head before the query or fragment, the tail from ?
// or #, and the head's last @, where user information ends (-1 when none).
func urlParts(raw string) (scheme, head, tail string, at int) {
	scheme, head = splitScheme(raw)
	if i := strings.IndexAny(head, "?#"); i >= 0 {
		head, tail = head[:i], head[i:]
	}
	return scheme, head, tail, strings.LastIndex(head, "@")
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

// urlWithQuery matches a URL with a query or a fragment in a text, up to a quote, a space or
// a bracket.
var urlWithQuery = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>?#]*[?#][^\s"'<>]*`)

// ScrubUserinfo removes credentials from every URL in a text, such as an error message that
// quotes a proxy variable or an endpoint as it was given: the user information, and the
// query's credentials (as RedactURL).
func ScrubUserinfo(s string) string {
	if strings.Contains(s, "@") { // no user information without one: most texts, every run
		s = userinfo.ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "://") && strings.ContainsAny(s, "?#") {
		s = urlWithQuery.ReplaceAllStringFunc(s, func(u string) string {
			i := strings.IndexAny(u, "?#")
			return u[:i] + scrubQuery(u[i:])
		})
	}
	return s
}
