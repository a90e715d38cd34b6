// Package agentconfig reads what the AutoOps agent really runs with: its configuration file
// (elastic-agent.yml), the ${env:...} references in it, and the files its environment comes
// from, and derives the three probes' settings and the findings about them.
package agentconfig

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// envName is a variable name as the collector's env provider accepts it.
var envName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// ParseEnvFile reads NAME=VALUE assignments: systemd drop-in lines (Environment="A=1" "B=2",
// as Elastic's Linux installer writes), plain lines as `docker exec <agent> env` prints them,
// and .env files (export, quotes). Blank lines, comments and [Section] headers are skipped;
// CRLF line ends are accepted.
func ParseEnvFile(r io.Reader) (map[string]string, error) {
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimSuffix(sc.Text(), "\r"))
		switch {
		case line == "", strings.HasPrefix(line, "#"), strings.HasPrefix(line, ";"), strings.HasPrefix(line, "["):
			continue
		case strings.HasPrefix(line, "Environment="):
			words, err := systemdWords(strings.TrimPrefix(line, "Environment="))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			for _, w := range words {
				if err := assign(env, w); err != nil {
					return nil, fmt.Errorf("line %d: %w", n, err)
				}
			}
		default:
			line = strings.TrimPrefix(line, "export ")
			name, value, ok := strings.Cut(line, "=")
			if !ok || !envName.MatchString(name) {
				return nil, fmt.Errorf("line %d: not NAME=VALUE", n)
			}
			env[name] = unquote(value)
		}
	}
	return env, sc.Err()
}

func assign(env map[string]string, word string) error {
	name, value, ok := strings.Cut(word, "=")
	if !ok || !envName.MatchString(name) {
		return fmt.Errorf("%q is not NAME=VALUE", word)
	}
	env[name] = value
	return nil
}

// systemdWords splits an Environment= value as systemd does: words separated by spaces,
// double- or single-quoted words may hold spaces, and \" \\ escape inside double quotes.
func systemdWords(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\'':
			end := i + 1
			for ; end < len(s) && s[end] != c; end++ {
				if c == '"' && s[end] == '\\' && end+1 < len(s) {
					end++
					b.WriteByte(s[end])
					continue
				}
				b.WriteByte(s[end])
			}
			if end >= len(s) {
				return nil, fmt.Errorf("unterminated quote")
			}
			i, inWord = end, true
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, b.String()), false
				b.Reset()
			}
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			inWord = true
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

// unquote strips one pair of matching quotes around a .env value, with \" escapes inside
// double quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"') {
		return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1])
	}
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1]
	}
	return v
}
