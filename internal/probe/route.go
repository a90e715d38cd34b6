package probe

import (
	"errors"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// Values of autoops.probe.proxy.source (contract v4): the variable or key a proxy came from,
// or why the request went direct.
const (
	SourceProxyURL = "proxy_url"
	SourceNoProxy  = "NO_PROXY"
	SourceLoopback = "loopback"
	SourceNone     = "none"
	// SourceProxyDisable: the agent module's proxy_disable ignores every proxy (contract v5).
	SourceProxyDisable = "proxy_disable"
)

// Environment holds the proxy variables as Go reads them (golang.org/x/net/http/httpproxy's
// FromEnvironment: the upper-case name first, the lower-case one when it is unset or empty),
// with the name each value came from, and what Go never reads but curl does.
type Environment struct {
	HTTPProxy, HTTPSProxy, NoProxy          string
	HTTPProxyVar, HTTPSProxyVar, NoProxyVar string
	// AllProxyVar names ALL_PROXY or all_proxy when set: curl uses it, Go never does.
	AllProxyVar string
	// Conflicts name the pairs whose two cases are both set and differ ("HTTPS_PROXY,
	// https_proxy"): Go takes the upper-case one, curl the lower-case one.
	Conflicts []string
}

// ReadEnvironment reads the proxy variables through getenv, as Go does.
func ReadEnvironment(getenv func(string) string) Environment {
	var env Environment
	for _, v := range []struct {
		upper, lower string
		value, from  *string
	}{
		{"HTTP_PROXY", "http_proxy", &env.HTTPProxy, &env.HTTPProxyVar},
		{"HTTPS_PROXY", "https_proxy", &env.HTTPSProxy, &env.HTTPSProxyVar},
		{"NO_PROXY", "no_proxy", &env.NoProxy, &env.NoProxyVar},
	} {
		upper, lower := getenv(v.upper), getenv(v.lower)
		switch {
		case upper != "":
			*v.value, *v.from = upper, v.upper
		case lower != "":
			*v.value, *v.from = lower, v.lower
		}
		if upper != "" && lower != "" && upper != lower {
			env.Conflicts = append(env.Conflicts, v.upper+", "+v.lower)
		}
	}
	for _, name := range []string{"ALL_PROXY", "all_proxy"} {
		if getenv(name) != "" {
			env.AllProxyVar = name
			break
		}
	}
	return env
}

// Route is the way Go sends a request for one URL, and why.
type Route struct {
	// Proxy is the proxy's URL as the request uses it (credentials included); nil: direct.
	Proxy *url.URL
	// Source is the variable or key the proxy came from, or why the request went direct.
	Source string
	// Variable names the proxy variable Go would have used when NO_PROXY or loopback sent
	// the request direct.
	Variable string
	// NoProxyEntry is the NO_PROXY entry that matched (Source NO_PROXY).
	NoProxyEntry string
	// Err: the proxy variable that applies is not a URL Go can use.
	Err error
}

// RouteFor is Go's choice for u, explained: a fixed proxy_url, else the environment's
// variable for u's scheme, unless Go never proxies the host (localhost, loopback) or a
// NO_PROXY entry covers it.
func RouteFor(u *url.URL, fixed *url.URL, env Environment) Route {
	if fixed != nil {
		return Route{Proxy: fixed, Source: SourceProxyURL}
	}
	raw, variable := env.HTTPProxy, env.HTTPProxyVar
	if u.Scheme == "https" {
		raw, variable = env.HTTPSProxy, env.HTTPSProxyVar
	}
	if raw == "" {
		return Route{Source: SourceNone}
	}
	if _, err := ParseProxyURL(raw); err != nil {
		// Go drops a variable it cannot parse, silently, and goes direct.
		return Route{Source: SourceNone, Variable: variable, Err: err}
	}
	all := httpproxy.Config{HTTPProxy: raw, HTTPSProxy: raw}
	proxy, err := all.ProxyFunc()(u)
	switch {
	case err != nil:
		return Route{Source: variable, Err: err}
	case proxy == nil:
		// Without NO_PROXY, only Go's own rule sends a request direct: localhost, loopback.
		return Route{Source: SourceLoopback, Variable: variable}
	}
	// NO_PROXY's entries match one by one (httpproxy's matchers are independent): the
	// first that covers u is the reason.
	for _, entry := range strings.Split(env.NoProxy, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		one := httpproxy.Config{HTTPProxy: raw, HTTPSProxy: raw, NoProxy: entry}
		if p, _ := one.ProxyFunc()(u); p == nil {
			return Route{Source: SourceNoProxy, Variable: variable, NoProxyEntry: strings.TrimSpace(entry)}
		}
	}
	return Route{Proxy: proxy, Source: variable}
}

// Conflicting names the upper/lower-case pairs that differ and matter for u: its scheme's
// proxy variable and NO_PROXY.
func (env Environment) Conflicting(u *url.URL) []string {
	var out []string
	for _, c := range env.Conflicts {
		pair := strings.SplitN(c, ",", 2)[0]
		if pair == "NO_PROXY" || (pair == "HTTPS_PROXY") == (u.Scheme == "https") {
			out = append(out, c)
		}
	}
	return out
}

// ParseProxyURL reads a proxy variable as Go's httpproxy does: as a URL, or, when that has no
// scheme or host, as http:// followed by it. Its error never quotes the value.
func ParseProxyURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err == nil && u.Scheme != "" && u.Host != "" {
		return u, nil
	}
	if u, err := url.Parse("http://" + raw); err == nil {
		return u, nil
	}
	return nil, errors.New("not a URL Go can read")
}

// ProxyURLProblem says what makes a proxy URL mean something else to Go than what it says,
// without quoting it: a user or password holding an unescaped '/', '?' or '#' ends the host
// early (http://user:S3cret/Pw@proxy:3128 reaches a host called "http"), and a URL Go cannot
// read at all is ignored. "" when Go reads the host the text names.
func ProxyURLProblem(raw string) string {
	u, err := ParseProxyURL(raw)
	if err != nil {
		return "Go cannot read it as a URL and ignores it; write it as http://host:port"
	}
	rest := raw
	if _, after, ok := strings.Cut(raw, "://"); ok {
		rest = after
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return ""
	}
	named, _, _ := strings.Cut(rest[at+1:], "/")
	if !strings.EqualFold(u.Host, named) {
		return "its user or password holds an unescaped '/', '?' or '#', so Go reads another host; percent-encode them (%2F, %3F, %23), and '@' as %40"
	}
	return ""
}
