package scrub

import (
	"strings"
	"testing"
)

// The scrubbing of a whole body, with escapes to read through: its cost per answer (the
// probe's MaxBody and the overlap it reads past it).
func BenchmarkCutMaxBody(b *testing.B) {
	const maxBody, overlap = 256 << 10, 12 << 10
	r := NewRedactor(testSecrets())
	body := []byte(strings.Repeat(`{"a":"b\/c%2Fd&amp;"} `, (maxBody+overlap)/22))
	b.ReportAllocs()
	for b.Loop() {
		r.Cut(body, maxBody)
	}
}
