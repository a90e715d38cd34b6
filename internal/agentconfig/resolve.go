package agentconfig

import "strings"

// Lookup finds a variable: the env files first, then the process environment.
type Lookup func(name string) (string, bool)

// resolution is a value with its ${env:...} references replaced, and the variables it needed
// that were unset or empty.
type resolution struct {
	value string
	unset []string
	names []string // every variable referenced
}

// resolve replaces ${env:NAME} and ${env:NAME:-default} in s as the collector's env provider
// does: a variable that is set, even to "", gives its value; an unset one its default, which
// may itself hold references. Unset without a default, or set to "", is reported.
func resolve(s string, lookup Lookup) resolution {
	var r resolution
	var b strings.Builder
	for {
		start := strings.Index(s, "${env:")
		if start < 0 {
			b.WriteString(s)
			break
		}
		end := closingBrace(s, start+1)
		if end < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:start])
		inner := s[start+len("${env:") : end]
		name, def, hasDefault := strings.Cut(inner, ":-")
		r.names = append(r.names, name)
		if v, ok := lookup(name); ok {
			if v == "" {
				r.unset = append(r.unset, name)
			}
			b.WriteString(v)
		} else if hasDefault {
			d := resolve(def, lookup)
			r.unset = append(r.unset, d.unset...)
			r.names = append(r.names, d.names...)
			b.WriteString(d.value)
		} else {
			r.unset = append(r.unset, name)
		}
		s = s[end+1:]
	}
	r.value = b.String()
	return r
}

// closingBrace is the index of the } that closes the { at open, counting nested braces.
func closingBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
