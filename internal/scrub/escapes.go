package scrub

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// view is a text read through its escapes: text[i] came from original[start[i]:end[i]].
// A plain view has nil maps.
type view struct {
	text       []byte
	start, end []int
}

func plainView(b []byte) view { return view{text: b} }

// dropView is b without the bytes drop says; each byte kept stands for itself and the dropped
// bytes after it, so a secret found across them (UTF-16LE's zero bytes, a line's end) is
// replaced whole.
func dropView(b []byte, drop func(byte) bool) view {
	v := view{text: make([]byte, 0, len(b)), start: make([]int, 0, len(b)), end: make([]int, 0, len(b))}
	for i, c := range b {
		if drop(c) {
			if n := len(v.end); n > 0 {
				v.end[n-1] = i + 1
			}
			continue
		}
		v.text = append(v.text, c)
		v.start = append(v.start, i)
		v.end = append(v.end, i+1)
	}
	return v
}

func isNUL(c byte) bool     { return c == 0 }
func isLineEnd(c byte) bool { return c == '\n' || c == '\r' }

// minWrappedLine: a line of this many base64 characters or more, followed by another that
// starts with one, is read as wrapped base64. Shorter lines are text; 40 is below every
// wrapping width in use (PEM 64, MIME 76).
const minWrappedLine = 40

// wrappedBase64: b has a line of at least minWrappedLine base64 characters that continues on
// the next line. One pass, a table lookup a byte.
func wrappedBase64(b []byte) bool {
	run := 0
	for i, c := range b {
		switch {
		case base64Chars[c]:
			run++
		case c == '\r':
		case c == '\n':
			if run >= minWrappedLine && i+1 < len(b) && base64Chars[b[i+1]] {
				return true
			}
			run = 0
		default:
			run = 0
		}
	}
	return false
}

// base64Chars are the characters of either alphabet, and padding.
var base64Chars = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=") {
		t[c] = true
	}
	return t
}()

func (v view) original(i, j int) span {
	if v.start == nil {
		return span{i, j}
	}
	return span{v.start[i], v.end[j-1]}
}

// decode reads one level of escapes: \uXXXX, \xHH, a backslash before punctuation (JSON's \/,
// a certificate subject's \+), %XX, &#NN; &#xHH; and the five named HTML entities. changed is
// false when there were none.
func (v view) decode() (view, bool) {
	t := v.text
	if !bytes.ContainsAny(t, `\%&`) {
		return v, false
	}
	out := view{text: make([]byte, 0, len(t)), start: make([]int, 0, len(t)), end: make([]int, 0, len(t))}
	changed := false
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(t); {
		dec, n := escapeAt(t, i, &buf)
		if n == 0 {
			dec, n = t[i:i+1], 1
		} else {
			changed = true
		}
		o := v.original(i, i+n)
		for _, c := range dec {
			out.text = append(out.text, c)
			out.start = append(out.start, o.start)
			out.end = append(out.end, o.end)
		}
		i += n
	}
	return out, changed
}

var htmlEntities = []struct{ name, value string }{{"amp", "&"}, {"quot", `"`}, {"apos", "'"}, {"lt", "<"}, {"gt", ">"}}

// escapeAt decodes the escape at t[i] into buf, giving its bytes and length (0: none there).
func escapeAt(t []byte, i int, buf *[utf8.UTFMax]byte) ([]byte, int) {
	switch t[i] {
	case '\\':
		if i+1 >= len(t) {
			return nil, 0
		}
		switch c := t[i+1]; {
		case c == 'u':
			if n, ok := hexValue(t, i+2, 4); ok {
				return buf[:utf8.EncodeRune(buf[:], rune(n))], 6
			}
		case c == 'x':
			if n, ok := hexValue(t, i+2, 2); ok {
				buf[0] = byte(n)
				return buf[:1], 4
			}
		case c == ' ' || c < utf8.RuneSelf && (unicode.IsPunct(rune(c)) || unicode.IsSymbol(rune(c))):
			// JSON's \/ \" \\, a certificate subject's \+ \, \= (RFC 4514).
			return t[i+1 : i+2], 2
		}
	case '%':
		if n, ok := hexValue(t, i+1, 2); ok {
			buf[0] = byte(n)
			return buf[:1], 3
		}
	case '&':
		end := bytes.IndexByte(t[i:min(len(t), i+10)], ';')
		if end < 2 {
			return nil, 0
		}
		name := t[i+1 : i+end]
		for _, e := range htmlEntities {
			if string(name) == e.name {
				return buf[:copy(buf[:], e.value)], end + 1
			}
		}
		if name[0] != '#' || len(name) < 2 {
			return nil, 0
		}
		var n uint
		var ok bool
		if name[1] == 'x' || name[1] == 'X' {
			n, ok = hexValue(name, 2, len(name)-2)
		} else {
			n, ok = decimalValue(name[1:])
		}
		if ok && n <= unicode.MaxRune {
			return buf[:utf8.EncodeRune(buf[:], rune(n))], end + 1
		}
	}
	return nil, 0
}

// hexValue reads n hex digits at t[i:].
func hexValue(t []byte, i, n int) (uint, bool) {
	if n <= 0 || n > 6 || i+n > len(t) {
		return 0, false
	}
	var v uint
	for _, c := range t[i : i+n] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

func decimalValue(t []byte) (uint, bool) {
	if len(t) == 0 || len(t) > 7 {
		return 0, false
	}
	var v uint
	for _, c := range t {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint(c-'0')
	}
	return v, true
}
