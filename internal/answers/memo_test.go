package answers

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The remembered parse of a root body is the parse, whether it comes first or again, among
// more bodies than the memo holds, and for a body too long to remember.
func TestRootMemoIsTheParse(t *testing.T) {
	bodies := [][]byte{[]byte(guideRoot), []byte(`{"version":{"distribution":"OpenSearch"}}`), []byte(`not json`), []byte(`{"cluster_uuid":5}`)}
	for i := range maxMemoBodies + 2 {
		bodies = append(bodies, fmt.Appendf(nil, `{"cluster_name":"c%d","cluster_uuid":"u","version":{"number":"9.1.%d"}}`, i, i))
	}
	long := append([]byte(`{"cluster_name":"x","cluster_uuid":"u","version":{"number":"9.1.0"},"pad":"`), make([]byte, maxMemoBody)...)
	for i := len(long) - maxMemoBody; i < len(long); i++ {
		long[i] = 'a'
	}
	bodies = append(bodies, append(long, `"}`...))
	for range 2 {
		for _, b := range bodies {
			root, err := parseRoot(b)
			gotRoot, gotErr := ParseRoot(b)
			assert.Equal(t, root, gotRoot, "%s", b)
			assert.Equal(t, err, gotErr, "%s", b)
			assert.Equal(t, isOpenSearchRoot(b), IsOpenSearchRoot(b), "%s", b)
		}
	}
}

// BenchmarkElasticsearchRoot: the probe and the diagnosis ask about the same root body several
// times a run.
func BenchmarkElasticsearchRoot(b *testing.B) {
	a := Answer{Status: 200, ElasticProduct: "Elasticsearch", Body: []byte(guideRoot)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ElasticsearchRoot(a); err != nil {
			b.Fatal(err)
		}
	}
}
