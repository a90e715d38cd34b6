package answers

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const guideRoot = `{"name":"1c72f00a6195","cluster_name":"my-ccm-cluster","cluster_uuid":"2O_EjO6kTR6AEVYwL5fPEw",
"version":{"number":"9.1.3","build_flavor":"default"},"tagline":"You Know, for Search"}`

func TestParseRoot(t *testing.T) {
	r, err := ParseRoot([]byte(guideRoot))
	require.NoError(t, err)
	assert.Equal(t, "my-ccm-cluster", r.ClusterName)
	assert.Equal(t, "9.1.3", r.Version.Number)

	for _, bad := range []string{``, `<html>`, `{}`, `{"cluster_name":"x","version":{"number":"8.0.0"}}`, `[1,2]`} {
		_, err := ParseRoot([]byte(bad))
		assert.Error(t, err, bad)
	}
	assert.True(t, r.Formed())
	for _, uuid := range []string{"_na_", ""} {
		r, err := ParseRoot([]byte(`{"cluster_name":"x","cluster_uuid":"` + uuid + `","version":{"number":"9.1.3"}}`))
		require.NoError(t, err, "a cluster that has not formed is still Elasticsearch's root")
		assert.False(t, r.Formed(), uuid)
	}
}

func TestVersions(t *testing.T) {
	tests := []struct {
		v     string
		older bool
	}{{"7.16.3", true}, {"7.17.0", false}, {"7.17.29", false}, {"8.0.0-SNAPSHOT", false}, {"6.8.23", true}, {"9.1", false}}
	for _, tt := range tests {
		v, err := ParseVersion(tt.v)
		require.NoError(t, err, tt.v)
		assert.Equal(t, tt.older, v.Less(MinimumVersion), tt.v)
	}
	for _, bad := range []string{"", "nine", "9", "1.2.3.4", "-1.0.0"} {
		_, err := ParseVersion(bad)
		assert.Error(t, err, bad)
	}
}

func TestLicenseAndAuthenticate(t *testing.T) {
	l, err := ParseLicense([]byte(`{"license":{"status":"expired","type":"platinum"}}`))
	require.NoError(t, err)
	assert.Equal(t, License{Status: "expired", Type: "platinum"}, l)
	_, err = ParseLicense([]byte(`{"license":null}`))
	assert.Error(t, err)

	a, err := ParseAuthenticate([]byte(`{"username":"elastic","roles":["superuser"]}`))
	require.NoError(t, err)
	assert.True(t, a.IsSuperuser())
	a, _ = ParseAuthenticate([]byte(`{"username":"autoops","roles":["autoops"]}`))
	assert.False(t, a.IsSuperuser())
}

func TestMissingPrivileges(t *testing.T) {
	all := `{"has_all_requested":true,"cluster":{"monitor":true,"read_ilm":true,"read_slm":true},"index":{"*":{"monitor":true,"view_index_metadata":true}}}`
	m, err := MissingPrivileges([]byte(all))
	require.NoError(t, err)
	assert.Empty(t, m)

	some := `{"has_all_requested":false,"cluster":{"monitor":true,"read_ilm":false,"read_slm":true},"index":{"*":{"monitor":true,"view_index_metadata":false}}}`
	m, err = MissingPrivileges([]byte(some))
	require.NoError(t, err)
	assert.Equal(t, []string{"cluster:read_ilm", "indices[*]:view_index_metadata"}, m)

	_, err = MissingPrivileges([]byte(`{"cluster":{}}`))
	assert.Error(t, err)
	assert.JSONEq(t, `{"cluster":["monitor","read_ilm","read_slm"],"index":[{"names":["*"],"privileges":["monitor","view_index_metadata"],"allow_restricted_indices":true}]}`, string(HasPrivilegesRequest()))
}

func TestCloudSignatures(t *testing.T) {
	assert.True(t, IsRegistrationUnauthorized([]byte(`{"UnauthorizedMessages":["Invalid credential headers"],"Cause":null}`)))
	assert.False(t, IsRegistrationUnauthorized([]byte(`{"code":16,"message":"no auth provided"}`)))
	assert.False(t, IsRegistrationUnauthorized([]byte(`<html>401</html>`)))
	assert.True(t, IsOTLPUnauthenticated([]byte(`{"code":16,"message":"no auth provided"}`)))
	assert.False(t, IsOTLPUnauthenticated([]byte(`{"code":7}`)))
	assert.False(t, IsOTLPUnauthenticated([]byte(`{"UnauthorizedMessages":[]}`)))
}

func TestRoleRequest(t *testing.T) {
	tests := []struct {
		missing []string
		want    string
	}{
		{[]string{"cluster:read_ilm"}, `{"cluster":["read_ilm"]}`},
		{[]string{"indices[*]:monitor"}, `{"indices":[{"allow_restricted_indices":true,"names":["*"],"privileges":["monitor"]}]}`},
		{[]string{"allow_restricted_indices on indices[*]"}, `{"indices":[{"allow_restricted_indices":true,"names":["*"],"privileges":["monitor","view_index_metadata"]}]}`},
		{nil, `{"cluster":["monitor","read_ilm","read_slm"],"indices":[{"allow_restricted_indices":true,"names":["*"],"privileges":["monitor","view_index_metadata"]}]}`},
	}
	for _, tt := range tests {
		got := RoleRequest(tt.missing)
		assert.Equal(t, "POST /_security/role/autoops_missing_privileges "+tt.want, got, "%v", tt.missing)
		_, body, _ := strings.Cut(got, " {")
		assert.True(t, json.Valid([]byte("{"+body)))
	}
}

func TestIsElasticsearch(t *testing.T) {
	security := `{"error":{"type":"security_exception","reason":"unable to authenticate user"},"status":401}`
	openSearch := `{"cluster_name":"c","cluster_uuid":"u","version":{"distribution":"opensearch","number":"2.11.0"}}`
	for name, tt := range map[string]struct {
		a    Answer
		want bool
	}{
		"X-Elastic-Product":                {Answer{Status: 404, ElasticProduct: "Elasticsearch", Body: []byte(`{}`)}, true},
		"its 401 without the header":       {Answer{Status: 401, Body: []byte(security)}, true},
		"its root before 7.14":             {Answer{Status: 200, Body: []byte(guideRoot)}, true},
		"OpenSearch, even with the header": {Answer{Status: 200, ElasticProduct: "Elasticsearch", Body: []byte(openSearch)}, false},
		"Kibana's headers":                 {Answer{Status: 200, Kibana: true, Body: []byte(guideRoot)}, false},
		"Kibana's redirect":                {Answer{Status: 302, Location: "/spaces/enter"}, false},
		"squid's own page":                 {Answer{Status: 200, SquidError: "ERR_ACCESS_DENIED 0", Body: []byte(guideRoot)}, false},
		"a gateway's 401":                  {Answer{Status: 401, Body: []byte("Unauthorized")}, false},
		"a 200 page":                       {Answer{Status: 200, Body: []byte("<html>")}, false},
	} {
		assert.Equal(t, tt.want, IsElasticsearch(tt.a), name)
		_, err := ElasticsearchRoot(tt.a)
		assert.Equal(t, tt.want && tt.a.Status == 200, err == nil, name)
	}
}
