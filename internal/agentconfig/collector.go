package agentconfig

import (
	"fmt"
	"slices"
	"strings"
)

// What the agent's collector does with elastic-agent.yml before its modules see it (confmap
// with the default scheme env; contract v5, "What the agent reads before it connects").

// refusedReferences finds, in every string of the agent's file, the references the
// collector refuses (${NAME:-default} without env:, a name that is not a variable name): the
// collector then refuses the whole file and the agent does not start.
func (d *deriver) refusedReferences(v any, path string) {
	switch x := v.(type) {
	case doc:
		for k, sub := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			d.refusedReferences(sub, p)
		}
	case []any:
		for i, sub := range x {
			d.refusedReferences(sub, fmt.Sprintf("%s[%d]", path, i))
		}
	case string:
		bad := invalidReferences(x, closingBraces(x))
		if len(bad) == 0 {
			return
		}
		what := "a reference that is not ${env:NAME}, ${NAME} or ${env:NAME:-default}"
		if envName.MatchString(bad[0]) && strings.Contains(x, "${"+bad[0]+":-") {
			what = fmt.Sprintf("${%s:-...}, a default without env: (the collector reads it as an invalid URI)", bad[0])
		}
		d.find(AgentConfigInvalid, path, "%s holds %s: the agent's collector refuses the whole file and the agent does not start; the probe does not run with it", path, what)
	}
}

// moduleStringKeys are the autoops_es module's keys that Beats reads as text.
var moduleStringKeys = []string{
	"hosts", "api_key", "username", "password", "proxy_url", "bearer_token_file",
	"ssl.certificate_authorities", "ssl.verification_mode", "ssl.ca_trusted_fingerprint", "ssl.certificate", "ssl.key", "ssl.key_passphrase",
}

// typedValues finds the module keys whose whole value is one reference that the collector
// types as something else than a string (nil for unset or empty, a number, a boolean): the
// module does not start. Lists (hosts, certificate_authorities) are checked item by item.
func (d *deriver) typedValues(modules []module) {
	for _, mod := range modules {
		for _, key := range moduleStringKeys {
			v := get(mod.m, key)
			items, isList := v.([]any)
			if !isList {
				items = []any{v}
			}
			for i, item := range items {
				s, ok := item.(string)
				if !ok {
					continue
				}
				r := resolve(s, d.lookup)
				if r.whole == "" || len(r.invalid) > 0 || yamlString(r.value) {
					continue
				}
				kp := mod.path + "." + key
				if isList {
					kp += fmt.Sprintf("[%d]", i)
				}
				what := "a value YAML reads as a number, a boolean or a structure"
				if v, set := d.lookup(r.whole); !set {
					what = "unset"
				} else if v == "" {
					what = "empty"
				}
				d.find(EnvValueNotAString, kp, "%s is ${env:%s} alone, and %s is %s where this runs: the agent's collector reads a whole-value reference as YAML, so the module gets no string there and does not start (\"can not convert 'object' into 'string'\")", kp, r.whole, r.whole, what)
			}
		}
	}
}

// Refusals are why the agent does not start with its configuration file at all: the
// receiver and the one-shot refuse it too rather than probe what the agent never uses.
func (m *Model) Refusals() []string {
	var out []string
	for _, f := range m.Findings {
		if f.Finding == AgentConfigInvalid && !slices.Contains(out, f.Message) {
			out = append(out, f.Message)
		}
	}
	return out
}

// trailingNewlines finds the credentials whose value ends with a newline (a Kubernetes Secret
// made from a file): the agent sends it as part of the value, and the server refuses it.
func (d *deriver) trailingNewlines(m *Model) {
	for _, v := range []Value{m.Cluster.APIKey, m.Cluster.Username, m.Cluster.Password, m.OTLP.Token} {
		if strings.HasSuffix(v.V, "\n") && v.From != "" {
			d.find(ValueTrailingNewline, v.From, "the value of %s ends with a newline: the agent sends it as part of the credential, and the server refuses it", v.From)
		}
	}
}

// registration reads registration's own conditions: its key (the variable, over the first
// module's ccm.api_key that cluster set) and the variables that make the agent skip it.
func (d *deriver) registration(r *Registration) {
	if v := d.variable(VarRegistrationAPIKey); v.Set() {
		r.APIKey = v
	}
	if v := d.variable(RegistrationSkippers...); v.Set() {
		r.SkippedBy = v.From
	}
}
