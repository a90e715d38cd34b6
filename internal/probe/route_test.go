package probe

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http/httpproxy"
)

// The route table: which proxy Go takes for each variable, case and NO_PROXY form, and the
// reason it gives; the proxy itself always equals Go's own choice.
func TestRouteAsGoReadsTheVariables(t *testing.T) {
	const es, cloud, plain = "https://es.corp.example:9200", "https://api.elastic-cloud.com/x", "http://es.corp.example:9200"
	for _, tt := range []struct {
		name     string
		env      map[string]string
		target   string
		source   string
		proxy    string
		variable string
		entry    string
	}{
		{"HTTPS_PROXY", map[string]string{"HTTPS_PROXY": "http://p:3128"}, cloud, "HTTPS_PROXY", "http://p:3128", "", ""},
		{"https_proxy alone", map[string]string{"https_proxy": "http://low:3128"}, cloud, "https_proxy", "http://low:3128", "", ""},
		{"an empty HTTPS_PROXY is unset", map[string]string{"HTTPS_PROXY": "", "https_proxy": "http://low:3128"}, cloud, "https_proxy", "http://low:3128", "", ""},
		{"upper case wins", map[string]string{"HTTPS_PROXY": "http://up:3128", "https_proxy": "http://low:3128"}, cloud, "HTTPS_PROXY", "http://up:3128", "", ""},
		{"HTTP_PROXY is not for https", map[string]string{"HTTP_PROXY": "http://p:3128"}, cloud, SourceNone, "", "", ""},
		{"HTTP_PROXY for http", map[string]string{"HTTP_PROXY": "http://p:3128"}, plain, "HTTP_PROXY", "http://p:3128", "", ""},
		{"http_proxy for http", map[string]string{"http_proxy": "http://p:3128"}, plain, "http_proxy", "http://p:3128", "", ""},
		{"ALL_PROXY is never read", map[string]string{"ALL_PROXY": "http://p:3128"}, cloud, SourceNone, "", "", ""},
		{"no scheme: Go adds http://", map[string]string{"HTTPS_PROXY": "p:3128"}, cloud, "HTTPS_PROXY", "http://p:3128", "", ""},
		{"NO_PROXY domain", map[string]string{"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "localhost, .corp.example"}, es, SourceNoProxy, "", "HTTPS_PROXY", ".corp.example"},
		{"no_proxy lower case", map[string]string{"HTTPS_PROXY": "http://p:3128", "no_proxy": "corp.example"}, es, SourceNoProxy, "", "HTTPS_PROXY", "corp.example"},
		{"NO_PROXY *", map[string]string{"https_proxy": "http://p:3128", "NO_PROXY": "*"}, es, SourceNoProxy, "", "https_proxy", "*"},
		{"NO_PROXY with the port", map[string]string{"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "es.corp.example:9200"}, es, SourceNoProxy, "", "HTTPS_PROXY", "es.corp.example:9200"},
		{"NO_PROXY other port", map[string]string{"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "es.corp.example:443"}, es, "HTTPS_PROXY", "http://p:3128", "", ""},
		{"NO_PROXY CIDR and a host name", map[string]string{"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "10.0.0.0/8"}, es, "HTTPS_PROXY", "http://p:3128", "", ""},
		{"NO_PROXY CIDR and an IP", map[string]string{"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "10.0.0.0/8"}, "https://10.1.2.3:9200", SourceNoProxy, "", "HTTPS_PROXY", "10.0.0.0/8"},
		{"NO_PROXY 10.* matches nothing", map[string]string{"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "10.*"}, "https://10.1.2.3:9200", "HTTPS_PROXY", "http://p:3128", "", ""},
		{"localhost is never proxied", map[string]string{"HTTP_PROXY": "http://p:3128"}, "http://localhost:9200", SourceLoopback, "", "HTTP_PROXY", ""},
		{"127.0.0.1 is never proxied, NO_PROXY unset", map[string]string{"HTTPS_PROXY": "http://p:3128"}, "https://127.0.0.1:9200", SourceLoopback, "", "HTTPS_PROXY", ""},
		{"::1 is never proxied", map[string]string{"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "es.other"}, "https://[::1]:9200", SourceLoopback, "", "HTTPS_PROXY", ""},
		{"nothing set", nil, es, SourceNone, "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := ReadEnvironment(func(n string) string { return tt.env[n] })
			u, err := url.Parse(tt.target)
			require.NoError(t, err)
			r := RouteFor(u, nil, env)
			require.NoError(t, r.Err)
			assert.Equal(t, tt.source, r.Source)
			assert.Equal(t, tt.variable, r.Variable)
			assert.Equal(t, tt.entry, r.NoProxyEntry)
			got := ""
			if r.Proxy != nil {
				got = r.Proxy.String()
			}
			assert.Equal(t, tt.proxy, got)
			// Go's own choice, from the same variables.
			goProxy, err := (&httpproxy.Config{HTTPProxy: env.HTTPProxy, HTTPSProxy: env.HTTPSProxy, NoProxy: env.NoProxy}).ProxyFunc()(u)
			require.NoError(t, err)
			want := ""
			if goProxy != nil {
				want = goProxy.String()
			}
			assert.Equal(t, want, got, "the same proxy as Go")
		})
	}
}

func TestRouteOfAFixedProxyAndABrokenOne(t *testing.T) {
	u, _ := url.Parse("https://api.elastic-cloud.com")
	fixed, _ := url.Parse("http://proxy.corp:3128")
	r := RouteFor(u, fixed, ReadEnvironment(func(n string) string { return map[string]string{"HTTPS_PROXY": "http://other:1"}[n] }))
	assert.Equal(t, Route{Proxy: fixed, Source: SourceProxyURL}, r)

	r = RouteFor(u, nil, Environment{HTTPSProxy: "http://%zz", HTTPSProxyVar: "HTTPS_PROXY"})
	assert.Error(t, r.Err)
	assert.Equal(t, SourceNone, r.Source, "Go ignores a variable it cannot read, and goes direct")
	assert.Equal(t, "HTTPS_PROXY", r.Variable)
}

func TestEnvironmentConflictsAndALLPROXY(t *testing.T) {
	env := ReadEnvironment(func(n string) string {
		return map[string]string{"HTTPS_PROXY": "http://a:1", "https_proxy": "http://b:1", "HTTP_PROXY": "http://c:1", "http_proxy": "http://c:1", "NO_PROXY": ".x", "no_proxy": ".y", "all_proxy": "socks5://s:1"}[n]
	})
	assert.Equal(t, []string{"HTTPS_PROXY, https_proxy", "NO_PROXY, no_proxy"}, env.Conflicts, "equal values are no conflict")
	assert.Equal(t, "all_proxy", env.AllProxyVar)
	https, _ := url.Parse("https://h")
	plain, _ := url.Parse("http://h")
	assert.Equal(t, []string{"HTTPS_PROXY, https_proxy", "NO_PROXY, no_proxy"}, env.Conflicting(https))
	assert.Equal(t, []string{"NO_PROXY, no_proxy"}, env.Conflicting(plain), "the https pair does not bear on an http request")
}
