package scrub

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Control escapes what a terminal or a log viewer would act on rather than show: C0 controls
// but tab and newline, DEL, C1 controls, the bidirectional overrides and isolates, line and
// paragraph separators (as \u00XX, \u202E, which JSON reads back as the same character), and
// bytes that are not UTF-8 (as \xXX: a lone 0x9B is CSI to an 8-bit terminal). Variables,
// answers and certificate names are others' text; a report or a log quotes them through here.
func Control(s string) string {
	if plain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case escaped(c):
			fmt.Fprintf(&b, `\u%04X`, c)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// plain: nothing to escape; the common case is checked byte by byte without decoding.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return false
		} else if c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if r == utf8.RuneError || escaped(r) {
					return false
				}
			}
			return true
		}
	}
	return true
}

func escaped(c rune) bool {
	switch {
	case c == '\t' || c == '\n':
		return false
	case c < 0x20 || c >= 0x7f && c <= 0x9f:
		return true
	case c >= 0x202a && c <= 0x202e, c >= 0x2066 && c <= 0x2069, c == 0x2028, c == 0x2029, c == 0x200e, c == 0x200f, c == 0x061c:
		return true
	}
	return false
}

// ControlWriter escapes Control characters in everything written to w. Each Write is escaped
// whole: the writers it wraps (fmt, encoding/json) write whole strings, so no character is
// split between two.
func ControlWriter(w io.Writer) io.Writer { return controlWriter{w} }

type controlWriter struct{ w io.Writer }

func (c controlWriter) Write(p []byte) (int, error) {
	if plain(string(p)) {
		return c.w.Write(p)
	}
	if _, err := io.WriteString(c.w, Control(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
