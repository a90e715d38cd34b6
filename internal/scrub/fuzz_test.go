package scrub

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

// Whatever surrounds a secret, and whichever form an echo gives it (as sent, inside the
// base64 of the text, wrapped in lines or not, UTF-16 either way), nothing of it survives;
// any text is scrubbed without a panic, and a cut keeps to its limit at a character boundary.
func FuzzRedact(f *testing.F) {
	f.Add("Authorization: ", "\r\nAccept: */*", uint8(0), uint16(100))
	f.Add("", "", uint8(1), uint16(0))
	f.Add("{\"a\":\"\\u00", "é\x00\x00", uint8(2), uint16(7))
	f.Add("%2", "&#", uint8(3), uint16(3))
	r := NewRedactor(testSecrets())
	secret := testToken
	f.Fuzz(func(t *testing.T, before, after string, form uint8, limit uint16) {
		text := before + secret + after
		var echo []byte
		switch form % 5 {
		case 0:
			echo = []byte(text)
		case 1:
			echo = []byte(base64.StdEncoding.EncodeToString([]byte(text)))
		case 2:
			echo = utf16Bytes(text, false, false)
		case 3:
			echo = utf16Bytes(text, true, true)
		case 4:
			echo = []byte(wrap(base64.StdEncoding.EncodeToString([]byte(text)), 76, "\n"))
		}
		out := r.Redact(string(echo))
		plainOut := strings.ReplaceAll(out, "\x00", "")
		if form%5 != 1 && form%5 != 4 && (strings.Contains(plainOut, secret[:Fragment]) || strings.Contains(plainOut, secret[len(secret)-Fragment:])) {
			t.Fatalf("a run of the secret survives in %q", out)
		}
		if (form%5 == 1 || form%5 == 4) && strings.Contains(decodedPieces(strings.ReplaceAll(out, "\n", "")), secret[:Fragment]) {
			t.Fatalf("the secret survives in the base64 %q", out)
		}
		cut, _ := r.Cut([]byte(before+after), int(limit))
		if len(cut) > int(limit) || (utf8.ValidString(before+after) && !utf8.Valid(cut)) {
			t.Fatalf("cut of %d bytes at limit %d: %q", len(cut), limit, cut)
		}
	})
}
