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

// A typical answer, with no secret in it: what every run pays per answer.
func BenchmarkRedactRootAnswer(b *testing.B) {
	r := NewRedactor(testSecrets())
	const root = `{"name":"es-node-01","cluster_name":"prod-logs","cluster_uuid":"2Q7vXbqmTq2n2VsA0dS6iw","version":{"number":"9.1.3","build_flavor":"default","build_type":"docker","build_hash":"0c781091a2f57de895a73a1391ff8426c0153c8d","build_date":"2025-08-24T22:05:04.526302670Z","build_snapshot":false,"lucene_version":"10.2.2","minimum_wire_compatibility_version":"8.19.0","minimum_index_compatibility_version":"8.0.0"},"tagline":"You Know, for Search"}`
	b.ReportAllocs()
	for b.Loop() {
		r.Redact(root)
	}
}
