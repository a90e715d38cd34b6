package scrub

import (
	"regexp"
	"strings"
)

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
