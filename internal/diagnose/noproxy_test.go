package diagnose

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

func TestNoProxyEntriesGoIgnores(t *testing.T) {
	tests := []struct {
		name, host, noProxy string
		addresses           []string
		want                string
	}{
		{"CIDR for a host name that resolves inside it", "es.corp", "10.0.0.0/8", []string{"10.1.2.3"}, "10.0.0.0/8"},
		{"CIDR for a host name outside it", "es.corp", "10.0.0.0/8", []string{"192.168.1.5"}, ""},
		{"CIDR for an IP literal: Go matches it", "10.1.2.3", "10.0.0.0/8", nil, ""},
		{"a 10.* wildcard", "10.1.2.3", "localhost,10.*", nil, "10.*"},
		{"a host.* wildcard", "es.corp", "es.*", nil, "es.*"},
		{"*.domain is Go's own form", "es.corp", "*.corp", nil, ""},
		{"semicolons", "es.corp", "localhost;es.corp", nil, "es.corp"},
		{"semicolons for another host", "es.corp", "localhost;other.corp", nil, ""},
		{"<local> for a dotless name", "esnode", "<local>", nil, "<local>"},
		{"<local> for a dotted name", "es.corp", "<local>", nil, ""},
		{"a correct list", "es.corp", "localhost,.corp", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &probe.Evidence{Probe: probe.Cluster, ServerAddress: tt.host, Proxy: "http://proxy:3128", NoProxy: tt.noProxy, HostAddresses: tt.addresses}
			assert.Equal(t, tt.want, noProxyIgnored(ev))
			v := Diagnose(ev, Context{})
			assert.Equal(t, tt.want != "", slices.Contains(v.Warnings, WarnNoProxyIgnored), v.Summary())
		})
	}
	direct := &probe.Evidence{Probe: probe.Cluster, ServerAddress: "10.1.2.3", NoProxy: "10.*"}
	assert.Empty(t, noProxyIgnored(direct), "no proxy was used: nothing to warn about")
}
