package scrub

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
)

// utf16Bytes writes s in UTF-16, little or big endian, with a byte order mark or not.
func utf16Bytes(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// A server that echoes the request's headers in UTF-16 (either byte order, a BOM or not)
// brings back none of them; neither does one that echoes a secret with non-ASCII letters.
func TestUTF16EchoesAreScrubbed(t *testing.T) {
	r := NewRedactor(testSecrets())
	auth := "Authorization: ApiKey " + b64([]byte(testAPIKey)) + "\r\nX-Token: " + testToken
	pw := NewRedactor(Secrets{Values: []string{"pässwört-geheim"}})
	for _, big := range []bool{false, true} {
		for _, bom := range []bool{false, true} {
			page := append([]byte("<pre>"), utf16Bytes(auth, big, bom)...)
			out := r.Redact(string(page))
			for _, s := range []string{b64([]byte(testAPIKey)), testToken} {
				for _, part := range []string{s, s[:Fragment]} {
					assert.NotContains(t, string(out), string(utf16Bytes(part, big, false)[1:]), "big endian %v, BOM %v", big, bom)
				}
			}
			assert.Contains(t, out, Redacted, "big endian %v, BOM %v", big, bom)
			assert.Contains(t, out, string(utf16Bytes("Authorization: ", big, false)), "the rest stays readable")

			out = pw.Redact("x" + string(utf16Bytes("pw pässwört-geheim", big, bom)))
			assert.NotContains(t, out, string(utf16Bytes("pässwört-geheim", big, false)))
		}
	}
	assert.Equal(t, "a\x00b\x00", r.Redact("a\x00b\x00"), "zero bytes alone are not a secret")
}

// The base64 of a longer text that holds a secret (a whole header line, a page) carries the
// secret at any of three alignments; none of them survives, in either alphabet, padded or
// not, nor a run of Fragment characters of it.
func TestBase64OfLinesHoldingASecret(t *testing.T) {
	r := NewRedactor(testSecrets())
	cred := b64([]byte(testAPIKey))
	lines := map[string]string{
		"Authorization: ApiKey " + cred:                                 cred,
		"Authorization: AutoOpsToken " + testToken + "\r\n":             testToken,
		"x-token=" + testToken + ";":                                    testToken,
		"proxy-authorization: Basic " + b64([]byte("probe:Pr0xy/Pass")): "Pr0xy/Pass",
		"password S3cretPass":                                           "S3cretPass",
	}
	for line, secret := range lines {
		for pad := range 3 {
			text := []byte("GET / HTTP/1.1\r\n"[:pad] + line + "\r\nAccept: */*\r\n")
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
				out := r.Redact("echo " + enc.EncodeToString(text) + " end")
				read := decodedPieces(out)
				for _, part := range []string{secret[:5], secret[len(secret)-5:]} {
					assert.NotContains(t, read, part, "%q at %d", line, pad)
				}
				assert.Contains(t, read, "Accept: */*", "the rest stays readable")
			}
		}
	}
	const plain = "aGVsbG8gd29ybGQsIG5vdGhpbmcgc2VjcmV0IGhlcmU="
	assert.Equal(t, plain, r.Redact(plain))
}

// decodedPieces is what a reader decodes of the base64 left on either side of each
// redaction, at each of the four character offsets, in both alphabets.
func decodedPieces(s string) string {
	var out strings.Builder
	for _, piece := range strings.Split(s, Redacted) {
		for _, word := range strings.Fields(piece) {
			word = strings.TrimRight(word, "=")
			for off := range 4 {
				if off > len(word) {
					break
				}
				w := word[off:]
				for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
					n := len(w)
					for n > 0 {
						if dec, err := enc.DecodeString(w[:n]); err == nil {
							out.Write(dec)
							out.WriteByte('|')
							break
						}
						n--
					}
				}
			}
		}
	}
	return out.String()
}

// wrap writes s in lines of width characters, as PEM (64), MIME and the base64 tool (76) do.
func wrap(s string, width int, eol string) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + eol)
		s = s[width:]
	}
	b.WriteString(s)
	return b.String()
}

// Wrapped in lines, the base64 of a text holding a secret loses the secret across the lines'
// ends too: read joined again, no five bytes of it are left.
func TestWrappedBase64OfLinesHoldingASecret(t *testing.T) {
	r := NewRedactor(testSecrets())
	cred := b64([]byte(testAPIKey))
	for _, width := range []int{64, 76} {
		for _, eol := range []string{"\n", "\r\n"} {
			for pad := range 40 {
				text := strings.Repeat("x", pad) + "Authorization: ApiKey " + cred + "\r\nX-Token: " + testToken + "\r\nAccept: */*\r\n"
				echo := wrap(base64.StdEncoding.EncodeToString([]byte(text)), width, eol)
				out := r.Redact("<pre>\n" + echo + "\n</pre>")
				joined := strings.NewReplacer("\r", "", "\n", "", "<pre>", " ", "</pre>", " ").Replace(out)
				read := decodedPieces(joined)
				for _, secret := range []string{cred, testToken} {
					for i := 0; i+5 <= len(secret); i++ {
						if strings.Contains(read, secret[i:i+5]) {
							t.Fatalf("width %d, %q, offset %d: %q of the secret is left in %q", width, eol, pad, secret[i:i+5], out)
						}
					}
				}
				assert.Contains(t, read, "Accept: */*")
			}
		}
	}
	const prose = "This line is long enough to be wrapped base64 but it is prose\nand continues here"
	assert.Equal(t, prose, r.Redact(prose))
}
