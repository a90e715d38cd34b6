package agentconfig

import (
	"bufio"
	"bytes"
	"strings"
)

// unitLine is one Key=Value assignment of a unit file's [Service] section, after systemd's
// line continuation. Line is the number systemd reports: the last physical line of it.
type unitLine struct {
	Line       int
	Key, Value string
}

// parseUnitFile reads the [Service] assignments of a unit file or drop-in as systemd's
// config_parse does (systemd.syntax(7)): a line ending in an odd number of backslashes goes
// on with the next line, the backslash becoming a space; comment lines (# or ;) inside a
// continuation are skipped; keys and values are trimmed; lines without = are ignored, as
// systemd ignores them with a warning. go-systemd's unit package is not used: it gives no
// line numbers (dropin_line_ignored names the line) and refuses lines over 2048 bytes, where
// systemd reads up to 1 MiB (a PEM in Environment= is longer).
func parseUnitFile(raw []byte) []unitLine {
	var out []unitLine
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64<<10), MaxFileSize+1)
	section := ""
	var cont strings.Builder
	n := 0
	take := func(p string) {
		p = strings.Trim(p, " \t\n\r")
		switch {
		case p == "":
		case p[0] == '[' && p[len(p)-1] == ']':
			section = p[1 : len(p)-1]
		case section == "Service":
			if k, v, ok := strings.Cut(p, "="); ok {
				out = append(out, unitLine{Line: n, Key: strings.Trim(k, " \t"), Value: strings.Trim(v, " \t\n\r")})
			}
		}
	}
	for sc.Scan() {
		n++
		l := strings.TrimSuffix(sc.Text(), "\r")
		if n == 1 {
			l = strings.TrimPrefix(l, "\ufeff")
		}
		if t := strings.TrimLeft(l, " \t\n\r"); t != "" && strings.ContainsRune("#;", rune(t[0])) {
			continue
		}
		cont.WriteString(l)
		p := cont.String()
		if endsEscaped(p) {
			cont.Reset()
			cont.WriteString(p[:len(p)-1] + " ")
			continue
		}
		cont.Reset()
		take(p)
	}
	if cont.Len() > 0 { // the file ends inside a continuation: systemd parses what it has
		take(cont.String())
	}
	return out
}

// endsEscaped: the line ends in a backslash that is not itself escaped.
func endsEscaped(s string) bool {
	escaped := false
	for i := 0; i < len(s); i++ {
		if escaped {
			escaped = false
		} else if s[i] == '\\' {
			escaped = true
		}
	}
	return escaped
}

// wordError is why systemd ignores the rest of an Environment= line ("Invalid syntax"): an
// unknown escape or an unterminated quote.
type wordError struct{ reason string }

func (e *wordError) Error() string { return e.reason }

// environmentWords splits an Environment= value as systemd's extract_first_word with
// EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE: words separated by whitespace; single or double quotes
// anywhere in a word group spaces; C escapes decoded inside and outside quotes. On a syntax
// error it returns the words before it and the error: systemd has applied those already.
// partial is the text of the failing word read so far (to name its variable).
func environmentWords(s string) (words []string, partial string, err error) {
	var b strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return words, b.String(), &wordError{"a backslash ends the value"}
			}
			n, r, ok := cunescapeOne(s[i+1:])
			if !ok {
				return words, b.String(), &wordError{"an unknown escape \\" + string(s[i+1])}
			}
			b.WriteString(r)
			i += n
			inWord = true
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case strings.IndexByte(" \t\n\r", c) >= 0:
			if inWord {
				words, inWord = append(words, b.String()), false
				b.Reset()
			}
		default:
			b.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return words, b.String(), &wordError{"a quote is not closed"}
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, "", nil
}

// cunescapeOne decodes the escape after a backslash as systemd's cunescape_one: \a \b \f \n
// \r \t \v \\ \" \' \s, \xHH, \uHHHH, \UHHHHHHHH and \ooo (never NUL). It returns how many
// bytes it used and the decoded text.
func cunescapeOne(s string) (int, string, bool) {
	simple := map[byte]string{'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\\': "\\", '"': "\"", '\'': "'", 's': " "}
	if r, ok := simple[s[0]]; ok {
		return 1, r, true
	}
	num := func(digits, base int, from int) (uint64, bool) {
		if len(s) < from+digits {
			return 0, false
		}
		var v uint64
		for _, c := range []byte(s[from : from+digits]) {
			d := strings.IndexByte("0123456789abcdef", lower(c))
			if d < 0 || d >= base {
				return 0, false
			}
			v = v*uint64(base) + uint64(d)
		}
		return v, true
	}
	switch s[0] {
	case 'x':
		if v, ok := num(2, 16, 1); ok && v != 0 {
			return 3, string([]byte{byte(v)}), true
		}
	case 'u':
		if v, ok := num(4, 16, 1); ok && v != 0 && validRune(v) {
			return 5, string(rune(v)), true
		}
	case 'U':
		if v, ok := num(8, 16, 1); ok && v != 0 && validRune(v) {
			return 9, string(rune(v)), true
		}
	case '0', '1', '2', '3', '4', '5', '6', '7':
		if v, ok := num(3, 8, 0); ok && v != 0 && v < 256 {
			return 3, string([]byte{byte(v)}), true
		}
	}
	return 0, "", false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func validRune(v uint64) bool { return v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF) }
