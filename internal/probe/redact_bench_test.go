package probe

import (
	"strings"
	"testing"
)

// The scrubbing of a whole body, with escapes to read through: its cost per answer.
func BenchmarkCutMaxBody(b *testing.B) {
	r := NewRedactor(testSecrets())
	body := []byte(strings.Repeat(`{"a":"b\/c%2Fd&amp;"} `, (MaxBody+cutOverlap)/22))
	b.ReportAllocs()
	for b.Loop() {
		r.Cut(body, MaxBody)
	}
}
