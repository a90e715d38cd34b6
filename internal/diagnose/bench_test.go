package diagnose

import (
	"testing"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// BenchmarkDiagnose: the cost of judging a passing cluster run, the most common verdict.
func BenchmarkDiagnose(b *testing.B) {
	ev := probe.Evidence{
		Probe: probe.Cluster, URL: "https://es.corp:9200", ServerAddress: "es.corp", ServerPort: 9200,
		Main:       probe.Exchange{Response: &probe.Response{Status: 200, ElasticProduct: "Elasticsearch", Body: []byte(esRoot)}},
		License:    &probe.Exchange{Response: &probe.Response{Status: 200, Body: []byte(`{"license":{"status":"active","type":"platinum"}}`)}},
		Privileges: &probe.Exchange{Response: &probe.Response{Status: 200, Body: []byte(`{"has_all_requested":true,"cluster":{"monitor":true,"read_ilm":true,"read_slm":true},"index":{"*":{"monitor":true,"view_index_metadata":true}}}`)}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if v := Diagnose(&ev, Context{Credentials: CredentialsAPIKey}); !v.Passed {
			b.Fatal(v.Summary())
		}
	}
}
