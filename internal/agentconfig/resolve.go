package agentconfig

import (
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Lookup finds a variable: the env files first, then the process environment.
type Lookup func(name string) (string, bool)

// resolution is a value with its ${env:...} references replaced, and the variables it needed
// that were unset or empty.
type resolution struct {
	value string
	unset []string
	names []string // every variable referenced
	// invalid are the references the agent's collector refuses, such as ${X:-d} without
	// env: (confmap: "invalid uri"); the whole file is then refused.
	invalid []string
	// whole is the variable when s is one reference and nothing else: confmap then types
	// the value as YAML.
	whole string
	// steps counts the bytes examined, to show the work is linear in the input.
	steps int
}

const (
	refOpen   = "${"
	envScheme = "env:"
)

// resolve replaces ${env:NAME}, ${env:NAME:-default} and ${NAME} in s as the agent's
// collector does (confmap with the default scheme env): a variable that is set, even to "",
// gives its value; an unset one its default, which may itself hold references. Unset without
// a default, or set to "", is reported. $${ is a literal ${. ${NAME:-default} without env:
// is an invalid reference (reported; it gives nothing, never the literal text); a reference
// of another scheme (file:, http:) stays as written.
//
// The work is linear in len(s), however deep the defaults nest: the closing brace of every
// { is found once for the whole string, a default is resolved in place (a stack of the spans
// still to resolve, not a copy per level), and every value is written once into one builder.
func resolve(s string, lookup Lookup) resolution {
	var r resolution
	if !strings.Contains(s, refOpen) {
		r.value, r.steps = unescapeDollars(s), len(s)
		return r
	}
	closing := closingBraces(s)
	r.steps += len(s)
	r.invalid = invalidReferences(s, closing)
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
			b.WriteString(unescapeDollars(s[top.lo:top.hi]))
			spans = spans[:len(spans)-1]
			continue
		}
		start := top.lo + rel
		dollars := 0
		for i := start - 1; i >= top.lo && s[i] == '$'; i-- {
			dollars++
		}
		if dollars%2 == 1 { // $${ is an escaped ${: literal text
			b.WriteString(unescapeDollars(s[top.lo : start+len(refOpen)]))
			top.lo = start + len(refOpen)
			continue
		}
		b.WriteString(unescapeDollars(s[top.lo:start]))
		inner := s[start+len(refOpen) : end]
		scheme := strings.HasPrefix(inner, envScheme)
		inner = strings.TrimPrefix(inner, envScheme)
		name, def, hasDefault := strings.Cut(inner, ":-")
		r.steps += len(inner) - len(def)
		if !envName.MatchString(name) || (hasDefault && !scheme) {
			if !scheme && otherScheme.MatchString(inner) {
				b.WriteString(s[start : end+1]) // file:, http: ...: not the env provider's
			}
			// An invalid reference gives nothing: the collector refuses the file
			// (invalidReferences names it).
			top.lo = end + 1
			continue
		}
		if len(spans) == 1 && b.Len() == 0 && end == len(s)-1 {
			// Only this reference is left once those before it gave "": confmap expands one
			// at a time and types what is then a whole value.
			r.whole = name
		}
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

// invalidReferences are the references the collector refuses, at any depth (confmap expands
// the innermost first, so an unused default is checked too): a name that is not a variable
// name, ${NAME:-default} without env:, and a $ inside a reference that does not open
// another ("contains unsupported characters ('$')"). One pass: each reference's name is read
// once, up to its first $, {, } or :-.
func invalidReferences(s string, closing []int32) []string {
	var bad []string
	var ends []int32 // the closing braces of the references open at i
	for i := 0; i < len(s); i++ {
		for len(ends) > 0 && int32(i) > ends[len(ends)-1] {
			ends = ends[:len(ends)-1]
		}
		if s[i] != '$' {
			continue
		}
		opens := i+1 < len(s) && s[i+1] == '{' && closing[i+1] >= 0
		if len(ends) == 0 && i+1 < len(s) && s[i+1] == '$' {
			i++ // $$ outside a reference: an escaped $
			continue
		}
		if !opens {
			if len(ends) > 0 {
				bad = append(bad, "$")
			}
			continue
		}
		end := closing[i+1]
		j := i + 2
		for j < int(end) && !strings.ContainsRune("${}", rune(s[j])) && !strings.HasPrefix(s[j:], ":-") {
			j++
		}
		head, rest := s[i+2:j], s[j:end]
		name, env := strings.CutPrefix(head, envScheme)
		switch {
		case !env && otherScheme.MatchString(head+rest) && !strings.HasPrefix(rest, ":-"):
			// another provider's reference
		case !envName.MatchString(name):
			bad = append(bad, name)
		case strings.HasPrefix(rest, ":-") && !env:
			bad = append(bad, name)
		case rest != "" && !strings.HasPrefix(rest, ":-"):
			bad = append(bad, name)
		}
		ends = append(ends, end)
		i++
	}
	return bad
}

// otherScheme is a reference to another provider (${file:/path}), which stays as written.
var otherScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:[^-]`)

// unescapeDollars is confmap's escape: $$ is one $.
func unescapeDollars(s string) string {
	if !strings.Contains(s, "$$") {
		return s
	}
	return strings.ReplaceAll(s, "$$", "$")
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

// yamlString: the collector keeps v a string when a whole-value reference gives it (confmap's
// NewRetrievedFromYAML: a value that is not valid YAML stays the string it is).
func yamlString(v string) bool {
	var x any
	if err := yaml.Unmarshal([]byte(v), &x); err != nil {
		return true
	}
	_, ok := x.(string)
	return ok
}
