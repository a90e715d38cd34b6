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
	// steps counts the bytes examined, to show the work is linear in the input.
	steps int
}

const refOpen = "${env:"

// resolve replaces ${env:NAME} and ${env:NAME:-default} in s as the collector's env provider
// does: a variable that is set, even to "", gives its value; an unset one its default, which
// may itself hold references. Unset without a default, or set to "", is reported.
//
// The work is linear in len(s), however deep the defaults nest: the closing brace of every
// { is found once for the whole string, a default is resolved in place (a stack of the spans
// still to resolve, not a copy per level), and every value is written once into one builder.
func resolve(s string, lookup Lookup) resolution {
	var r resolution
	if !strings.Contains(s, refOpen) {
		r.value, r.steps = s, len(s)
		return r
	}
	closing := closingBraces(s)
	r.steps += len(s)
	var b strings.Builder
	b.Grow(len(s))
	// spans are the parts of s still to resolve, innermost last: a default is resolved
	// before the text that follows its reference.
	type span struct{ lo, hi int }
	spans := []span{{0, len(s)}}
	for len(spans) > 0 {
		top := &spans[len(spans)-1]
		rel := strings.Index(s[top.lo:top.hi], refOpen)
		end := -1
		if rel >= 0 {
			r.steps += rel + len(refOpen)
			end = int(closing[top.lo+rel+1])
		}
		if rel < 0 || end < 0 || end >= top.hi {
			// No reference left, or one never closed within the span: the rest as written.
			r.steps += top.hi - top.lo
			b.WriteString(s[top.lo:top.hi])
			spans = spans[:len(spans)-1]
			continue
		}
		start := top.lo + rel
		b.WriteString(s[top.lo:start])
		inner := s[start+len(refOpen) : end]
		name, def, hasDefault := strings.Cut(inner, ":-")
		r.steps += len(inner) - len(def)
		r.names = append(r.names, name)
		top.lo = end + 1
		if v, ok := lookup(name); ok {
			if v == "" {
				r.unset = append(r.unset, name)
			}
			b.WriteString(v)
		} else if hasDefault {
			spans = append(spans, span{end - len(def), end})
		} else {
			r.unset = append(r.unset, name)
		}
	}
	r.value = b.String()
	return r
}

// closingBraces gives, for each { in s, the index of the } that closes it counting nested
// braces (-1 when none does), in one pass with a stack.
func closingBraces(s string) []int32 {
	closing := make([]int32, len(s))
	var open []int32
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			closing[i] = -1
			open = append(open, int32(i))
		case '}':
			if n := len(open); n > 0 {
				closing[open[n-1]] = int32(i)
				open = open[:n-1]
			}
		}
	}
	return closing
}
