package answers

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The remembered parse of a body is the parse, whether it comes first or again, among more
// bodies than the memo holds, and for a body too long to remember; a caller's slices are its
// own.
func TestMemoIsTheParse(t *testing.T) {
	bodies := [][]byte{
		[]byte(guideRoot), []byte(`{"version":{"distribution":"OpenSearch"}}`), []byte(`not json`), []byte(`{"cluster_uuid":5}`),
		[]byte(`{"license":{"status":"active","type":"basic"}}`), []byte(`{"username":"u","roles":["superuser","x"]}`),
		[]byte(`{"has_all_requested":false,"cluster":{"monitor":true},"index":{"*":{"monitor":false}}}`),
		[]byte(`{"UnauthorizedMessages":["no"],"Cause":null}`), []byte(`{"code":16,"message":"x"}`),
		[]byte(`{"error":{"type":"security_exception"},"status":401}`),
	}
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
			lic, err := parseLicense(b)
			gotLic, gotErr := ParseLicense(b)
			assert.Equal(t, lic, gotLic, "%s", b)
			assert.Equal(t, err, gotErr, "%s", b)
			auth, err := parseAuthenticate(b)
			gotAuth, gotErr := ParseAuthenticate(b)
			assert.Equal(t, auth, gotAuth, "%s", b)
			assert.Equal(t, err, gotErr, "%s", b)
			if len(gotAuth.Roles) > 0 {
				gotAuth.Roles[0] = "changed"
				again, _ := ParseAuthenticate(b)
				assert.Equal(t, auth.Roles, again.Roles, "a caller's change stays its own")
			}
			missing, err := missingPrivileges(b)
			gotMissing, gotErr := MissingPrivileges(b)
			assert.Equal(t, missing, gotMissing, "%s", b)
			assert.Equal(t, err, gotErr, "%s", b)
			if len(gotMissing) > 0 {
				gotMissing[0] = "changed"
				again, _ := MissingPrivileges(b)
				assert.Equal(t, missing, again, "a caller's change stays its own")
			}
			assert.Equal(t, isRegistrationUnauthorized(b), IsRegistrationUnauthorized(b), "%s", b)
			assert.Equal(t, isOTLPUnauthenticated(b), IsOTLPUnauthenticated(b), "%s", b)
			assert.Equal(t, isSecurityError(b), IsSecurityError(b), "%s", b)
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
