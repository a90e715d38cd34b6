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

// looseName is what reads as an attempt at a name (AUTOOPS-TOKEN, es.url): a line NAME=VALUE
// with such a name is a mistake to report, not the next line of a value.
var looseName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_.-]*$`)

// pemBody is a line of a PEM block's base64 body. Such a line may end in "=" and so read as
// NAME=VALUE ("Zm9v=="); inside a block it is the value's next line.
var pemBody = regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`)

// ParseEnvFile reads NAME=VALUE assignments: systemd drop-in lines (Environment="A=1" "B=2",
// as Elastic's Linux installer writes), plain lines as `docker exec <agent> env` prints them,
// and .env files (export, quotes). Blank lines, comments and [Section] headers are skipped;
// CRLF line ends are accepted.
//
// A value may span lines, as env prints a value holding newlines (a PEM in AUTOOPS_ES_CA) and
// as a .env file quotes one: a line that is not NAME=VALUE, after a plain NAME=VALUE line,
// continues that value (with the blank and # lines between them), and every line of a PEM
// block the value opened belongs to it until its -----END line. A continuation line that
// itself reads as NAME=VALUE (outside a PEM block) cannot be told from the next variable and
// is read as one; a PEM so cut holds no certificate, which the model's ca_file_unusable
// finding names by the variable.
//
// Errors name the line number and what is wrong, never the line's text: it may hold a secret.
func ParseEnvFile(r io.Reader) (map[string]string, error) {
	p := envParser{env: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxFileSize+1)
	for n := 1; sc.Scan(); n++ {
		raw := strings.TrimSuffix(sc.Text(), "\r")
		line := strings.TrimSpace(raw)
		if p.inPEM() && (line == "" || pemBody.MatchString(line) || strings.HasPrefix(line, "-----END ")) {
			p.continueWith(raw)
			continue
		}
		switch {
		case line == "", strings.HasPrefix(line, "#"), strings.HasPrefix(line, ";"), strings.HasPrefix(line, "["):
			p.hold(raw)
			continue
		case strings.HasPrefix(line, "Environment="):
			p.finish()
			words, err := systemdWords(strings.TrimPrefix(line, "Environment="))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			for i, w := range words {
				name, value, ok := strings.Cut(w, "=")
				if !ok || !envName.MatchString(name) {
					return nil, fmt.Errorf("line %d: word %d of Environment= is not NAME=VALUE: %s", n, i+1, nameRule)
				}
				p.env[name] = value
			}
		default:
			name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			switch {
			case ok && envName.MatchString(name):
				p.start(name, value)
			case ok && looseName.MatchString(name):
				return nil, fmt.Errorf("line %d: not NAME=VALUE: %s", n, nameRule)
			case p.name != "":
				p.continueWith(raw)
			default:
				return nil, fmt.Errorf("line %d: not NAME=VALUE (nor the next line of a value: no NAME=VALUE line before it)", n)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	p.finish()
	return p.env, nil
}

const nameRule = "a name is letters, digits and _, not beginning with a digit"

// envParser holds the plain assignment whose value may go on over the next lines. Each line
// is appended once and looked at once, so a long value costs linear time.
type envParser struct {
	env   map[string]string
	name  string
	value strings.Builder
	// pem: the value has opened a PEM block it has not closed.
	pem bool
	// held are the blank and comment lines since, kept in case the value goes on after them.
	held []string
}

func (p *envParser) start(name, value string) {
	p.finish()
	p.name = name
	p.value.WriteString(value)
	p.pem = opensPEM(value)
}

func (p *envParser) hold(raw string) {
	if p.name != "" {
		p.held = append(p.held, raw)
	}
}

func (p *envParser) continueWith(raw string) {
	for _, h := range p.held {
		p.value.WriteString("\n" + h)
	}
	p.held = nil
	p.value.WriteString("\n" + raw)
	p.pem = opensPEM(raw) || p.pem && !strings.Contains(raw, "-----END ")
}

func (p *envParser) inPEM() bool { return p.name != "" && p.pem }

func (p *envParser) finish() {
	if p.name != "" {
		p.env[p.name] = unquote(p.value.String())
	}
	p.name, p.pem, p.held = "", false, nil
	p.value.Reset()
}

// opensPEM: the text opens a PEM block it does not close.
func opensPEM(s string) bool {
	return strings.LastIndex(s, "-----BEGIN ") > strings.LastIndex(s, "-----END ")
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
