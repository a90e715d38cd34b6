package agentconfig

import (
	"fmt"
	"sort"
	"strings"
)

// ModuleClient is what the autoops_es module's HTTP client and TLS check read besides the
// host and credentials (contract v5, "The module's TLS", "The module's HTTP client"): Beats'
// metricbeat/helper (config.go, http.go) and elastic-agent-libs' tlscommon and httpcommon.
type ModuleClient struct {
	// Hosts are every host of the first module (the cluster probe runs once per host).
	Hosts []Value
	// SSLConfigured: the module has an ssl block (any ssl key), which tlscommon loads.
	SSLConfigured bool
	// SSLEnabled is ssl.enabled as written ("false" drops the whole block).
	SSLEnabled Value
	// CASHA256 are ssl.ca_sha256 pins (base64 SHA-256 of a CA's SubjectPublicKeyInfo).
	CASHA256           []Value
	SupportedProtocols []Value
	CipherSuites       []Value
	CurveTypes         []Value
	KeyPassphrase      Value
	KeyPassphrasePath  Value
	// Headers are the module's headers (secrets for the scrubber), by name.
	Headers         map[string]Value
	BearerTokenFile Value
	ProxyDisable    Value
	// ProxyHeaders go on CONNECT only.
	ProxyHeaders            map[string]Value
	Timeout, ConnectTimeout Value
}

// SSLDisabled: ssl.enabled is false, so tlscommon loads no ssl settings at all.
func (c *ModuleClient) SSLDisabled() bool { return strings.EqualFold(c.SSLEnabled.V, "false") }

// moduleClient reads the first module's client settings.
func (d *deriver) moduleClient(c *Cluster, first module) {
	mc := &c.Client
	mc.Hosts = d.strs(first.m, first.path, "hosts")
	if ssl, ok := get(first.m, "ssl").(doc); ok && len(ssl) > 0 {
		mc.SSLConfigured = true
	}
	for k := range first.m {
		if strings.HasPrefix(k, "ssl.") {
			mc.SSLConfigured = true
		}
	}
	mc.SSLEnabled = d.str(first.m, first.path, "ssl.enabled")
	mc.CASHA256 = d.strs(first.m, first.path, "ssl.ca_sha256")
	mc.SupportedProtocols = d.strs(first.m, first.path, "ssl.supported_protocols")
	mc.CipherSuites = d.strs(first.m, first.path, "ssl.cipher_suites")
	mc.CurveTypes = d.strs(first.m, first.path, "ssl.curve_types")
	mc.KeyPassphrase = d.str(first.m, first.path, "ssl.key_passphrase")
	mc.KeyPassphrasePath = d.str(first.m, first.path, "ssl.key_passphrase_path")
	mc.Headers = d.strMap(first.m, first.path, "headers")
	mc.BearerTokenFile = d.str(first.m, first.path, "bearer_token_file")
	mc.ProxyDisable = d.str(first.m, first.path, "proxy_disable")
	mc.ProxyHeaders = d.strMap(first.m, first.path, "proxy_headers")
	mc.Timeout = d.str(first.m, first.path, "timeout")
	mc.ConnectTimeout = d.str(first.m, first.path, "connect_timeout")
}

// strs resolves a scalar or a list at key, each item with its key path.
func (d *deriver) strs(m doc, base, key string) []Value {
	v := get(m, key)
	if v == nil {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var out []Value
	for i, item := range items {
		if v := d.resolved(fmt.Sprint(item), fmt.Sprintf("%s.%s[%d]", base, key, i)); v.Set() {
			out = append(out, v)
		}
	}
	return out
}

// strMap resolves a map of strings at key (headers), by name, in name order.
func (d *deriver) strMap(m doc, base, key string) map[string]Value {
	sub, ok := get(m, key).(doc)
	if !ok || len(sub) == 0 {
		return nil
	}
	names := make([]string, 0, len(sub))
	for k := range sub {
		names = append(names, k)
	}
	sort.Strings(names)
	out := map[string]Value{}
	for _, k := range names {
		out[k] = d.str(sub, base+"."+key, k)
	}
	return out
}

// HostURL is a module host as the agent reads it: http:// when it has no scheme, and
// without its user:password@ (which only the first host's credentials use).
func HostURL(h string) string {
	u, _, _ := splitHost(h)
	return u
}

// splitHost reads a host as the agent does: trimmed, http:// when it has no scheme; u is it
// without the user:password@ of its host part, which userinfo holds (hasUser: there was an @).
func splitHost(h string) (u, userinfo string, hasUser bool) {
	h = strings.TrimSpace(h)
	if !strings.Contains(h, "://") {
		h = "http://" + h
	}
	scheme, rest, _ := strings.Cut(h, "://")
	hostPart, path, hasPath := strings.Cut(rest, "/")
	if at := strings.LastIndex(hostPart, "@"); at >= 0 {
		userinfo, hostPart, hasUser = hostPart[:at], hostPart[at+1:], true
	}
	u = scheme + "://" + hostPart
	if hasPath {
		u += "/" + path
	}
	return u, userinfo, hasUser
}
