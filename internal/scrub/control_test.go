package scrub

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// What a terminal acts on is escaped, readable; tab, newline and other text stay as they are.
func TestControl(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, tab\tand newline\n":      "plain text, tab\tand newline\n",
		"é, 日本, “quotes” and …":               "é, 日本, “quotes” and …",
		"esc\x1b[2J bell\x07 nul\x00 del\x7f": `esc\u001B[2J bell\u0007 nul\u0000 del\u007F`,
		"c1 \u009b31m \u0085":                 `c1 \u009B31m \u0085`,
		"rtl \u202eevil\u2066 ls\u2028":       `rtl \u202Eevil\u2066 ls\u2028`,
		"cr\r lone \x9b byte":                 `cr\u000D lone \x9b byte`,
	} {
		assert.Equal(t, want, Control(in), "%q", in)
	}
	var out bytes.Buffer
	_ = json.NewEncoder(ControlWriter(&out)).Encode(map[string]string{"s": "a\u009bb\u202ec\x7f"})
	var back map[string]string
	assert.NoError(t, json.Unmarshal(out.Bytes(), &back), out.String())
	assert.Equal(t, "a\u009bb\u202ec\x7f", back["s"], "JSON reads the escapes back as the same text")
	assert.NotContains(t, out.String(), "\u009b")
}
