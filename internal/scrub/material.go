package scrub

import "strings"

// MayBeKeyMaterial: a value given where a path was expected that could be a key or a
// certificate itself: PEM text, several lines, or 24 or more characters of base64's alphabets
// (a key's DER without its PEM header). A message says that such a value was given, never
// the value. A path is written in those alphabets only by chance: one that starts at /, . or ~ and holds
// another / is taken as a path up to 255 characters (a key's base64 starting so is rare, and
// a longer one is more than a path).
func MayBeKeyMaterial(v string) bool {
	v = strings.TrimSpace(v)
	switch {
	case strings.Contains(v, "-----BEGIN") || strings.ContainsAny(v, "\r\n"):
		return true
	case len(v) < 24:
		return false
	case len(v) <= 255 && strings.ContainsAny(v[:1], "/.~") && strings.Contains(v[1:], "/"):
		return false
	}
	return base64Shaped(v)
}

// base64Shaped: only base64 characters (either alphabet), padding at the end only; the
// length is not checked, so a key cut or pasted short counts too.
func base64Shaped(v string) bool {
	body := strings.TrimRight(v, "=")
	if len(v)-len(body) > 2 {
		return false
	}
	for i := 0; i < len(body); i++ {
		// base64Chars holds padding too, which is allowed at the end only.
		if c := body[i]; c == '=' || !base64Chars[c] {
			return false
		}
	}
	return true
}
